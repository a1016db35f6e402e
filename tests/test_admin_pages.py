"""Every organizer screen renders for an organizer, at a constant number of queries."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agenda.models import ScheduleRelease
from agenda.services import release_schedule
from events.models import Event, Session, Tag
from speakers.models import LineupEntry, Organization, Speaker
from tests.factories import (
    EventFactory,
    InventoryPoolFactory,
    LineupEntryFactory,
    PassTypeFactory,
    PricePhaseFactory,
    PromoCodeFactory,
    SessionFactory,
    SessionSpeakerFactory,
    SpeakerFactory,
    SpeakerLinkFactory,
    StageFactory,
    TagFactory,
    local_time,
)
from tickets.models import (
    InventoryPool,
    Order,
    OrderStatus,
    PassType,
    Payment,
    PromoCode,
    Refund,
    Ticket,
)
from tickets.services.ordering import LineRequest, place_order
from webhooks.models import Attempt, Delivery, Endpoint

pytestmark = pytest.mark.django_db

OUR_APPS = {"events", "speakers", "agenda", "tickets", "webhooks"}


def make_event(index: int) -> Event:
    event = EventFactory()
    StageFactory(event=event)
    return event


def make_session(index: int) -> Session:
    event = EventFactory()
    session = SessionFactory(event=event, starts_at=local_time(event, 0, 9 + index % 8))
    session.tags.add(TagFactory())
    SessionSpeakerFactory(session=session)
    SessionSpeakerFactory(session=session)
    return session


def make_speaker(index: int) -> Speaker:
    speaker = SpeakerFactory()
    SpeakerLinkFactory(speaker=speaker)
    LineupEntryFactory(speaker=speaker)
    return speaker


def make_lineup_entry(index: int) -> LineupEntry:
    return LineupEntryFactory()


def make_tag(index: int) -> Tag:
    tag = TagFactory()
    SessionFactory().tags.add(tag)
    return tag


def make_organization(index: int) -> Organization:
    return SpeakerFactory().organization


def _order(pass_type: PassType, quantity: int = 1, promo_code: str = "") -> Order:
    order, _ = place_order(
        event=pass_type.event,
        lines=[LineRequest(pass_type.pk, quantity)],
        email="buyer@example.com",
        promo_code=promo_code,
    )
    return order


def make_pass_type(index: int) -> PassType:
    pass_type = PassTypeFactory(phase__name="Regular", phase__price=12500, phase__position=2)
    PricePhaseFactory(pass_type=pass_type, name="Early bird", price=9500, max_sold=1, position=1)
    pass_type.pools.add(InventoryPoolFactory(event=pass_type.event))
    _order(pass_type)
    return pass_type


def make_promo_code(index: int) -> PromoCode:
    pass_type = PassTypeFactory()
    promo = PromoCodeFactory(event=pass_type.event)
    promo.pass_types.add(pass_type)
    _order(pass_type, promo_code=promo.code)
    return promo


def make_inventory_pool(index: int) -> InventoryPool:
    pool = InventoryPoolFactory()
    for _ in range(2):
        pass_type = PassTypeFactory(event=pool.event)
        pass_type.pools.add(pool)
        _order(pass_type)
    return pool


def make_order(index: int) -> Order:
    """A paid, partly refunded two-pass order with its tickets and payment."""
    order = _order(PassTypeFactory(), quantity=2)
    Order.objects.filter(pk=order.pk).update(
        status=OrderStatus.PAID, paid_at=timezone.now(), refunded_amount=1000
    )
    line = order.lines.get()
    for number in range(2):
        Ticket.objects.create(
            order=order, line=line, pass_type=line.pass_type, attendee_name=f"Guest {number}"
        )
    payment = Payment.objects.create(
        order=order,
        flow=Payment.Flow.PAYMENT_SHEET,
        amount=order.total,
        currency=order.currency,
        status=Payment.Status.SUCCEEDED,
        stripe_payment_intent_id=f"pi_{order.code}",
        succeeded_at=timezone.now(),
    )
    Refund.objects.create(
        order=order, payment=payment, stripe_refund_id=f"re_{order.code}", amount=1000
    )
    return order


def make_endpoint(index: int) -> Endpoint:
    """An endpoint of one event with two deliveries, each tried twice."""
    endpoint = Endpoint.objects.create(
        url=f"https://hooks.example.com/{index}", event=EventFactory(), event_types=["order.paid"]
    )
    for _ in range(2):
        _tried_delivery(endpoint)
    return endpoint


def make_delivery(index: int) -> Delivery:
    endpoint = Endpoint.objects.create(
        url=f"https://hooks.example.com/d{index}", event_types=["order.paid"]
    )
    return _tried_delivery(endpoint)


def _tried_delivery(endpoint: Endpoint) -> Delivery:
    delivery = Delivery.objects.create(
        endpoint=endpoint, event_type="order.paid", payload={"type": "order.paid"}, attempts=2
    )
    for status_code in (500, 200):
        Attempt.objects.create(
            delivery=delivery, attempted_at=timezone.now(), status_code=status_code, duration_ms=40
        )
    return delivery


def make_release(index: int) -> ScheduleRelease:
    session = make_session(index)
    release_schedule(event=session.event, version="1.0")
    session.title = "Retitled"
    session.save()
    return release_schedule(event=session.event, version="1.1", note="Retitled a session")


# Each registered model with a function building one realistic row (with its related rows).
ROW_MAKERS = {
    Event: make_event,
    Session: make_session,
    ScheduleRelease: make_release,
    Speaker: make_speaker,
    LineupEntry: make_lineup_entry,
    Tag: make_tag,
    Organization: make_organization,
    PassType: make_pass_type,
    PromoCode: make_promo_code,
    InventoryPool: make_inventory_pool,
    Order: make_order,
    Endpoint: make_endpoint,
    Delivery: make_delivery,
}


def test_every_greenroom_model_in_the_admin_has_a_row_maker():
    registered = {model for model in admin.site._registry if model._meta.app_label in OUR_APPS}

    assert registered == set(ROW_MAKERS)


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("model", ROW_MAKERS, ids=lambda model: model.__name__)
def test_changelist_renders_for_organizer(organizer_client, model):
    row = ROW_MAKERS[model](0)

    response = organizer_client.get(admin_url(model, "changelist"))

    assert response.status_code == 200
    assert str(row) in response.content.decode()


# Deliveries are written by domain events only: their admin has no add page.
@pytest.mark.parametrize(
    "model", [model for model in ROW_MAKERS if model is not Delivery], ids=lambda m: m.__name__
)
def test_add_page_renders_for_organizer(organizer_client, model):
    response = organizer_client.get(admin_url(model, "add"))

    assert response.status_code == 200


@pytest.mark.parametrize("model", ROW_MAKERS, ids=lambda model: model.__name__)
def test_change_page_renders_for_organizer(organizer_client, model):
    row = ROW_MAKERS[model](0)

    response = organizer_client.get(admin_url(model, "change", row.pk))

    assert response.status_code == 200


def changelist_queries(client, model, rows: int) -> int:
    maker = ROW_MAKERS[model]
    for index in range(model.objects.count(), rows):
        maker(index)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(admin_url(model, "changelist"), {"all": ""})
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("model", ROW_MAKERS, ids=lambda model: model.__name__)
def test_changelist_query_count_does_not_grow_with_rows(organizer_client, model):
    with_5_rows = changelist_queries(organizer_client, model, 5)
    with_50_rows = changelist_queries(organizer_client, model, 50)

    print(f"{model.__name__} changelist: {with_5_rows} queries at 5 rows, {with_50_rows} at 50")
    assert with_50_rows == with_5_rows
