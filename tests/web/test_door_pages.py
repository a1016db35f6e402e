"""The door check-in screen: permission, scanning, the answers, undo, search, counts, CSRF."""

import datetime as dt
import gzip
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from events.demo import DEMO_EVENT_SLUG
from tests.factories import PassTypeFactory, UserFactory, door_staff_user
from tests.tickets.helpers import paid_ticket
from tickets.models import CheckInScan, Order, OrderStatus, Ticket, TicketStatus

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def door(client):
    """A browser signed in as a door volunteer."""
    client.force_login(door_staff_user(username="door", first_name="Dora", last_name="Door"))
    return client


@pytest.fixture
def ticket():
    return paid_ticket(attendee_name="Ada Lovelace")


def scan(client, ticket_or_code, *, event=None, htmx=True):
    code = getattr(ticket_or_code, "code", ticket_or_code)
    event = event or ticket_or_code.order.event
    extra = HTMX if htmx else {}
    return client.post(reverse("web:door-scan", args=[event.slug]), {"code": code}, **extra)


def answer_text(response) -> str:
    return " ".join(response.content.decode().split())


# --- who reaches it ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["door", "door-event", "door-counts"])
def test_door_page_signed_out_redirects_to_log_in(client, ticket, name):
    args = [] if name == "door" else [ticket.order.event.slug]

    response = client.get(reverse(f"web:{name}", args=args))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("name", ["door", "door-event", "door-counts", "door-scan", "door-undo"])
def test_door_page_without_the_check_in_permission_is_forbidden(client, ticket, name):
    client.force_login(UserFactory(username="attendee"))
    args = [] if name == "door" else [ticket.order.event.slug]
    method = client.post if name in {"door-scan", "door-undo"} else client.get

    response = method(reverse(f"web:{name}", args=args), {"code": ticket.code, "scan": "1"})

    assert response.status_code == 403
    assert "Door staff only" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.checked_in_at is None


def test_door_home_lists_events_to_check_in_for(door, ticket):
    response = door.get(reverse("web:door"))

    assert response.status_code == 200
    assert reverse("web:door-event", args=[ticket.order.event.slug]) in response.content.decode()


def test_door_event_page_has_the_scan_form_search_and_counts(door, ticket):
    response = door.get(reverse("web:door-event", args=[ticket.order.event.slug]))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="door-scan-form"' in html
    assert 'role="search"' in html
    assert 'id="door-counts"' in html
    assert "web/door.js" in html


# --- scanning ------------------------------------------------------------------------------------


def test_scan_checks_in_and_logs_who_and_when(door, ticket):
    before = timezone.now()

    response = scan(door, ticket)

    text = answer_text(response)
    assert response.status_code == 200
    assert response["HX-Trigger"] == "door-scanned"
    assert 'role="status"' in text
    assert "Checked in" in text
    assert "Ada Lovelace" in text
    assert ticket.pass_type.name in text
    assert "Undo this check-in" in text
    ticket.refresh_from_db()
    assert ticket.checked_in_at >= before
    logged = CheckInScan.objects.get()
    assert (logged.ticket, logged.outcome, logged.scanned_by.username) == (
        ticket,
        "checked_in",
        "door",
    )
    assert logged.scanned_at == ticket.checked_in_at


def test_scan_of_the_qr_payload_checks_in(door, ticket):
    response = scan(door, f"GR1:{ticket.code}", event=ticket.order.event)

    assert "Checked in" in answer_text(response)


def test_second_scan_says_already_at_local_time_by_whom(door, ticket):
    # 17:14 UTC on 10 June 2030 is 10:14 in Los Angeles (the event's zone, UTC-7 in summer).
    admitted_at = dt.datetime(2030, 6, 10, 17, 14, tzinfo=dt.UTC)
    Ticket.objects.filter(pk=ticket.pk).update(checked_in_at=admitted_at)
    CheckInScan.objects.create(
        ticket=ticket,
        event=ticket.order.event,
        outcome="checked_in",
        scanned_by=door_staff_user(username="volunteer", first_name="Val", last_name="Unteer"),
        scanned_at=admitted_at,
    )

    response = scan(door, ticket)

    text = answer_text(response)
    assert 'role="alert"' in text
    assert "Already checked in" in text
    assert "At 10:14 by Val Unteer" in text
    assert "Ada Lovelace" in text
    assert "Undo" not in text


def test_scan_then_scan_again_names_the_first_scanner(door, ticket):
    scan(door, ticket)

    text = answer_text(scan(door, ticket))

    assert "Already checked in" in text
    assert "by Dora Door" in text


def test_scan_of_a_void_ticket_says_void(door, ticket):
    Ticket.objects.filter(pk=ticket.pk).update(status=TicketStatus.VOID)

    text = answer_text(scan(door, ticket))

    assert 'class="door-answer void"' in text
    assert "Void ticket: do not admit" in text
    ticket.refresh_from_db()
    assert ticket.checked_in_at is None


def test_scan_of_a_refunded_orders_ticket_says_void(door, ticket):
    Order.objects.filter(pk=ticket.order_id).update(status=OrderStatus.REFUNDED)

    text = answer_text(scan(door, ticket))

    assert "Void ticket: do not admit" in text


def test_scan_of_another_events_ticket_names_that_event_not_the_attendee(door, ticket):
    here = PassTypeFactory(event__name="Robotics Summit").event

    text = answer_text(scan(door, ticket, event=here))

    assert "Ticket for another event" in text
    assert f"This ticket is for {ticket.order.event.name}." in text
    assert "Ada Lovelace" not in text
    ticket.refresh_from_db()
    assert ticket.checked_in_at is None


def test_scan_of_an_unknown_code_says_so(door, ticket):
    text = answer_text(scan(door, "not a ticket", event=ticket.order.event))

    assert "Unknown code" in text


def test_scan_without_javascript_answers_with_the_whole_page(door, ticket):
    response = scan(door, ticket, htmx=False)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html
    assert "Checked in" in html
    assert 'id="door-counts"' in html


def test_scan_without_the_csrf_token_is_refused(ticket):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(door_staff_user(username="door"))

    response = scan(browser, ticket)

    assert response.status_code == 403
    ticket.refresh_from_db()
    assert ticket.checked_in_at is None


def test_scan_with_the_csrf_token_of_the_page_checks_in(ticket):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(door_staff_user(username="door"))
    page = browser.get(reverse("web:door-event", args=[ticket.order.event.slug]))
    token = page.context["csrf_token"]

    response = browser.post(
        reverse("web:door-scan", args=[ticket.order.event.slug]),
        {"code": ticket.code, "csrfmiddlewaretoken": str(token)},
    )

    assert response.status_code == 200
    ticket.refresh_from_db()
    assert ticket.checked_in_at is not None


def test_scan_is_post_only(door, ticket):
    response = door.get(reverse("web:door-scan", args=[ticket.order.event.slug]))

    assert response.status_code == 405


# --- undo ----------------------------------------------------------------------------------------


def undo(client, event, scan_id):
    return client.post(reverse("web:door-undo", args=[event.slug]), {"scan": scan_id}, **HTMX)


def test_undo_within_a_minute_reverts_the_check_in(door, ticket):
    scan(door, ticket)
    logged = CheckInScan.objects.get()

    text = answer_text(undo(door, ticket.order.event, logged.pk))

    assert "Check-in undone" in text
    assert "Ada Lovelace" in text
    ticket.refresh_from_db()
    assert ticket.checked_in_at is None
    logged.refresh_from_db()
    assert logged.undone_at is not None
    assert logged.undone_by.username == "door"


def test_undo_after_a_minute_is_refused(door, ticket):
    scan(door, ticket)
    logged = CheckInScan.objects.get()
    earlier = logged.scanned_at - dt.timedelta(seconds=61)
    Ticket.objects.filter(pk=ticket.pk).update(checked_in_at=earlier)
    CheckInScan.objects.filter(pk=logged.pk).update(scanned_at=earlier)

    text = answer_text(undo(door, ticket.order.event, logged.pk))

    assert 'role="alert"' in text
    assert "Too late to undo" in text
    ticket.refresh_from_db()
    assert ticket.checked_in_at == earlier


def test_undo_of_someone_elses_scan_is_refused(door, ticket):
    scan(door, ticket)
    other = Client()
    other.force_login(door_staff_user(username="door2"))

    text = answer_text(undo(other, ticket.order.event, CheckInScan.objects.get().pk))

    assert "Only the person who scanned the ticket" in text
    ticket.refresh_from_db()
    assert ticket.checked_in_at is not None


# --- search --------------------------------------------------------------------------------------


def search(client, event, query, **extra):
    return client.get(reverse("web:door-event", args=[event.slug]), {"q": query}, **extra)


def test_search_by_part_of_a_name_finds_the_events_tickets_only(door, ticket):
    paid_ticket(attendee_name="Ada Elsewhere")  # another event's
    paid_ticket(pass_type=ticket.pass_type, attendee_name="Grace Hopper")

    response = search(door, ticket.order.event, "ada", HTTP_HX_TARGET="door-results", **HTMX)

    html = response.content.decode()
    assert "Ada Lovelace" in html
    assert "Ada Elsewhere" not in html
    assert "Grace Hopper" not in html
    assert "<html" not in html
    assert "Check in Ada Lovelace" in html


@pytest.mark.parametrize("which", ["ticket", "qr", "order"])
def test_search_by_ticket_or_order_code(door, ticket, which):
    paid_ticket(pass_type=ticket.pass_type, attendee_name="Grace Hopper")
    query = {
        "ticket": ticket.code,
        "qr": f"GR1:{ticket.code}",
        "order": ticket.order.code.lower(),
    }[which]

    html = search(door, ticket.order.event, query).content.decode()

    assert "Ada Lovelace" in html
    assert "Grace Hopper" not in html


def test_search_shows_who_is_in_already_and_offers_no_check_in(door, ticket):
    scan(door, ticket)

    html = search(door, ticket.order.event, "Lovelace").content.decode()

    assert "checked in at" in html
    assert "Check in Ada Lovelace" not in html


def test_search_results_are_capped(door, ticket):
    for number in range(25):
        paid_ticket(pass_type=ticket.pass_type, attendee_name=f"Ada {number}")

    html = search(door, ticket.order.event, "Ada").content.decode()

    assert html.count('class="card"') == 20
    assert "showing the first ones" in html


def test_search_of_one_letter_lists_nothing(door, ticket):
    html = search(door, ticket.order.event, "a").content.decode()

    assert "Ada Lovelace" not in html


# --- counts --------------------------------------------------------------------------------------


def make_tickets(count: int):
    """`count` valid paid tickets of one event, over two pass types, a third of them in, and
    one void ticket."""
    general = PassTypeFactory(name="General Admission", capacity=1000)
    expo = PassTypeFactory(name="Expo", event=general.event, capacity=1000)
    for number in range(count):
        ticket = paid_ticket(pass_type=general if number % 2 else expo, attendee_name=f"P {number}")
        if number % 3 == 0:
            Ticket.objects.filter(pk=ticket.pk).update(checked_in_at=timezone.now())
    void = paid_ticket(pass_type=general)
    Ticket.objects.filter(pk=void.pk).update(status=TicketStatus.VOID)
    return general.event


def test_counts_per_pass_type(door):
    event = make_tickets(6)  # Expo: 0, 2, 4 (0 in); General: 1, 3, 5 (3 in)

    response = door.get(reverse("web:door-counts", args=[event.slug]), **HTMX)

    text = answer_text(response)
    assert "<html" not in text
    assert '<th scope="row">General Admission</th><td>1</td><td>3</td>' in text
    assert '<th scope="row">Expo</th><td>1</td><td>3</td>' in text


# Session, user, the user's permissions and its groups' permissions, event, counts; a search
# adds one query (its tickets with their orders and pass types).
PAGE_QUERIES = [("door-counts", {}, 6), ("door-event", {}, 6), ("door-event", {"q": "P 1"}, 7)]


@pytest.mark.parametrize("size", [5, 200])
@pytest.mark.parametrize(("name", "params", "queries"), PAGE_QUERIES)
def test_door_page_runs_a_fixed_number_of_queries(
    client, django_assert_num_queries, size, name, params, queries
):
    event = make_tickets(size)
    client.force_login(door_staff_user(username="door"))
    url = reverse(f"web:{name}", args=[event.slug])

    with django_assert_num_queries(queries):
        response = client.get(url, params, **HTMX)

    assert response.status_code == 200


def test_demo_door_login_opens_the_demo_events_check_in_screen(client):
    call_command("seed_demo", stdout=io.StringIO())
    client.post(
        reverse("account_login"), {"login": "door@greenroom.test", "password": "greenroom-demo"}
    )

    response = client.get(reverse("web:door-event", args=[DEMO_EVENT_SLUG]))

    assert response.status_code == 200
    assert "Door · TC Sessions: Mobility 2021" in response.content.decode()


def test_door_screen_stays_within_the_page_budget(door, ticket):
    html = door.get(reverse("web:door-event", args=[ticket.order.event.slug])).content
    static = Path(settings.BASE_DIR) / "web" / "static" / "web"
    ours = html + (static / "site.css").read_bytes() + (static / "door.js").read_bytes()

    assert len(gzip.compress(ours)) <= 50 * 1024
