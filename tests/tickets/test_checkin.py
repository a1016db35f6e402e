"""Checking tickets in at the door: admit once, say when on every later scan, refuse the rest."""

import threading
from collections import Counter

import pytest
from django.db import connection
from django.utils import timezone

from tests.factories import PassTypeFactory, door_staff_user
from tests.tickets.helpers import paid_ticket
from tickets.models import Order, OrderStatus, Ticket, TicketStatus
from tickets.qr import ticket_qr_payload
from tickets.services.checkin import CheckInResult, check_in


@pytest.fixture
def door_staff(db):
    return door_staff_user(username="door")


def test_check_in_first_scan_admits_with_the_time(door_staff):
    ticket = paid_ticket(attendee_name="Ada Lovelace")
    before = timezone.now()

    result = check_in(code=ticket.code, staff_user=door_staff)

    assert result.outcome == "checked_in"
    assert result.ticket == ticket
    assert before <= result.checked_in_at <= timezone.now()
    assert result.attendee_name == "Ada Lovelace"
    assert result.pass_name == ticket.pass_type.name
    ticket.refresh_from_db()
    assert ticket.checked_in_at == result.checked_in_at


def test_check_in_second_scan_answers_with_the_first_scans_time(door_staff):
    ticket = paid_ticket()
    first = check_in(code=ticket.code, staff_user=door_staff)

    second = check_in(code=ticket.code, staff_user=door_staff)

    assert second.outcome == "already_checked_in"
    assert second.checked_in_at == first.checked_in_at
    assert second.ticket == ticket


def test_check_in_accepts_the_qr_payload_as_scanned(door_staff):
    ticket = paid_ticket()

    result = check_in(code=f" {ticket_qr_payload(ticket)}\n", staff_user=door_staff)

    assert result.outcome == "checked_in"
    assert result.ticket == ticket


def test_check_in_void_ticket_is_void_and_never_checked_in(door_staff):
    ticket = paid_ticket()
    Ticket.objects.filter(pk=ticket.pk).update(status=TicketStatus.VOID, voided_at=timezone.now())

    results = [check_in(code=ticket.code, staff_user=door_staff) for _ in range(2)]

    assert [result.outcome for result in results] == ["void", "void"]
    assert results[0].checked_in_at is None
    ticket.refresh_from_db()
    assert ticket.checked_in_at is None


@pytest.mark.parametrize("status", [OrderStatus.REFUNDED, OrderStatus.PENDING])
def test_check_in_ticket_of_an_order_not_paid_is_void(door_staff, status):
    ticket = paid_ticket()
    Order.objects.filter(pk=ticket.order_id).update(status=status)

    result = check_in(code=ticket.code, staff_user=door_staff)

    assert result.outcome == "void"
    ticket.refresh_from_db()
    assert ticket.checked_in_at is None


def test_check_in_voided_after_admission_is_void(door_staff):
    ticket = paid_ticket()
    check_in(code=ticket.code, staff_user=door_staff)
    Ticket.objects.filter(pk=ticket.pk).update(status=TicketStatus.VOID)

    result = check_in(code=ticket.code, staff_user=door_staff)

    assert result.outcome == "void"


@pytest.mark.parametrize(
    "code", ["Zx9_-aB3kLmNoPqRsTuVwXyZ01234567", "GR1:Zx9_-aB3kLmNoPqRsTuVwXyZ01234567", "", "hi"]
)
def test_check_in_unknown_code_is_not_found(door_staff, code):
    paid_ticket()

    result = check_in(code=code, staff_user=door_staff)

    assert result == CheckInResult("not_found")


def test_check_in_scoped_to_an_event_does_not_know_another_events_ticket(door_staff):
    ticket = paid_ticket()
    other_event = PassTypeFactory().event

    result = check_in(code=ticket.code, staff_user=door_staff, event=other_event)

    assert result == CheckInResult("not_found")
    ticket.refresh_from_db()
    assert ticket.checked_in_at is None


def test_check_in_scoped_to_the_tickets_event_admits(door_staff):
    ticket = paid_ticket()

    result = check_in(code=ticket.code, staff_user=door_staff, event=ticket.order.event)

    assert result.outcome == "checked_in"


def run_scanners(count: int, scan) -> list[CheckInResult | str]:
    """Start `count` threads at once; each calls `scan()`; collect the results."""
    barrier = threading.Barrier(count)
    results: list[CheckInResult | str] = []
    lock = threading.Lock()

    def scanner() -> None:
        try:
            barrier.wait()
            result = scan()
        except Exception as error:
            result = f"crash: {error!r}"
        finally:
            connection.close()
        with lock:
            results.append(result)

    threads = [threading.Thread(target=scanner) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.requires_postgres
@pytest.mark.django_db(transaction=True)
def test_ten_door_phones_scanning_one_code_at_once_admit_it_once():
    ticket = paid_ticket()
    staff = door_staff_user(username="door")

    results = run_scanners(10, lambda: check_in(code=ticket.code, staff_user=staff))

    outcomes = Counter(getattr(result, "outcome", result) for result in results)
    assert outcomes == Counter({"checked_in": 1, "already_checked_in": 9})
    ticket.refresh_from_db()
    assert {result.checked_in_at for result in results} == {ticket.checked_in_at}
