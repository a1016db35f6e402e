"""Fixtures of the schema fuzzing: the demo event on a live server, a signed-in attendee who
owns an order, a ticket and a bookmark, Stripe on localstripe, and a tally for the summary.

`make test` runs without `-s`, so the figures of the run (operations, examples, failures per
way of signing in) are printed by `pytest_terminal_summary`, where CI's log shows them.
"""

from collections import Counter
from dataclasses import dataclass, field

import pytest
from rest_framework.authtoken.models import Token

from agenda.selectors import public_lineup
from agenda.services import add_bookmark
from events.demo import DEMO_EVENT_SLUG
from events.management.commands.seed_demo import demo_modules
from events.models import Event, Session
from tests.factories import UserFactory
from tests.tickets.conftest import (  # noqa: F401 (fixtures)
    localstripe_url,
    stripe_settings,
    webhook_settings,
)
from tickets.models import Order, OrderStatus, PassType, PassVisibility, PromoCode, Ticket
from tickets.services.fulfilment import fulfil_order
from tickets.services.ordering import LineRequest, place_order


@dataclass
class FuzzTally:
    """What one way of signing in fuzzed: operations, examples and the answers' status classes."""

    operations: set[str] = field(default_factory=set)
    examples: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    failures: set[str] = field(default_factory=set)
    impossible: set[str] = field(default_factory=set)

    def record(self, operation: str, answer: str) -> None:
        self.operations.add(operation)
        self.examples += 1
        self.statuses[answer] += 1


TALLIES = pytest.StashKey[dict[str, FuzzTally]]()


@pytest.fixture(scope="session")
def fuzz_tallies(pytestconfig) -> dict[str, FuzzTally]:
    return pytestconfig.stash.setdefault(TALLIES, {})


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    tallies = config.stash.get(TALLIES, {})
    if not tallies:
        return
    terminalreporter.section("API schema fuzzing")
    for mode, tally in tallies.items():
        statuses = ", ".join(f"{key}: {count}" for key, count in sorted(tally.statuses.items()))
        terminalreporter.write_line(
            f"{mode}: {len(tally.operations)} operations, {tally.examples} examples "
            f"({statuses}), {len(tally.failures)} failing operations; no invalid request "
            f"possible for {len(tally.impossible)} (operation, mode) pairs"
        )
        for failure in sorted(tally.failures):
            terminalreporter.write_line(f"  failed: {failure}")


@dataclass(frozen=True)
class FuzzWorld:
    """Real objects for path parameters, so that a share of the cases reach them."""

    event_slug: str
    session_id: int
    speaker_id: int
    order_to_pay: Order
    order_to_cancel: Order
    ticket: Ticket
    attendee_id: int
    attendee_token: str

    def path_parameters(self, path: str) -> dict:
        """Real values for the path parameters of an operation's path."""
        # Strings, as they travel: schemathesis checks the values against the schema.
        real = {
            "event_slug": self.event_slug,
            "session_id": str(self.session_id),
            "speaker_id": str(self.speaker_id),
        }
        if path.startswith("/api/v1/tickets/"):
            real["code"] = self.ticket.code
        elif path.startswith("/api/v1/orders/{code}/pay/"):
            real["code"] = self.order_to_pay.code
        else:
            real["code"] = self.order_to_cancel.code
        return real

    def key_for(self, path: str) -> str:
        """The link key that opens the real object of an operation's path to anyone."""
        if path.startswith("/api/v1/tickets/"):
            return self.ticket.order.secret
        if path.startswith("/api/v1/orders/{code}/pay/"):
            return self.order_to_pay.secret
        return self.order_to_cancel.secret


def _paid_order(event: Event, user) -> Order:
    """An order of the attendee, paid and fulfilled the way a webhook fulfils one."""
    expo = PassType.objects.get(event=event, slug="expo")
    order, _ = place_order(
        event=event, lines=[LineRequest(expo.pk, 1)], email=user.email, user=user
    )
    fulfil_order(
        order=order, payment=None, amount_received=order.total, currency_received=order.currency
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    return order


@pytest.fixture
def fuzz_world(transactional_db, stripe_settings) -> FuzzWorld:  # noqa: F811
    """The demo event (passes, promo codes, agenda, lineup) and an attendee with a paid order,
    its ticket, a pending order and a bookmark; Stripe calls go to localstripe."""
    for _app, module in demo_modules():
        module.seed()
    event = Event.objects.get(slug=DEMO_EVENT_SLUG)
    assert PromoCode.objects.filter(event=event).exists()
    assert PassType.objects.filter(event=event, visibility=PassVisibility.HIDDEN).exists()
    attendee = UserFactory(username="fuzz-attendee", email="attendee@example.com")
    session = Session.objects.filter(event=event, is_published=True).order_by("starts_at").first()
    add_bookmark(user=attendee, session=session)
    paid = _paid_order(event, attendee)
    general = PassType.objects.get(event=event, slug="general-admission")
    to_pay, to_cancel = (
        place_order(
            event=event, lines=[LineRequest(general.pk, 2)], email=attendee.email, user=attendee
        )[0]
        for _ in range(2)
    )
    return FuzzWorld(
        event_slug=event.slug,
        session_id=session.pk,
        speaker_id=public_lineup(event).first().pk,
        order_to_pay=to_pay,
        order_to_cancel=to_cancel,
        ticket=paid.tickets.select_related("order").get(),
        attendee_id=attendee.pk,
        attendee_token=Token.objects.create(user=attendee).key,
    )
