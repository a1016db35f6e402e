"""Checking tickets in at the door: admit once, say when on every later scan, refuse the rest."""

import datetime as dt
import threading
from collections import Counter

import pytest
from django.db import connection
from django.utils import timezone

from tests.factories import PassTypeFactory, door_staff_user
from tests.tickets.helpers import paid_ticket
from tickets.exceptions import CheckInNotUndoable
from tickets.models import CheckInScan, Order, OrderStatus, Ticket, TicketStatus
from tickets.qr import ticket_qr_payload
from tickets.services.checkin import CheckInResult, check_in, undo_check_in


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


def test_check_in_scoped_to_an_event_answers_another_events_ticket_without_its_attendee(
    door_staff,
):
    ticket = paid_ticket()
    other_event = PassTypeFactory().event

    result = check_in(code=ticket.code, staff_user=door_staff, event=other_event)

    assert result == CheckInResult("other_event")
    assert result.event_name == ticket.order.event.name
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


# --- the scan log and undo ---------------------------------------------------------------------


def test_check_in_logs_each_scan_with_who_and_when(door_staff):
    ticket = paid_ticket()
    other_staff = door_staff_user(username="door2")

    first = check_in(code=ticket.code, staff_user=door_staff, event=ticket.order.event)
    second = check_in(code=ticket.code, staff_user=other_staff, event=ticket.order.event)

    scans = list(CheckInScan.objects.order_by("pk").values_list("ticket", "outcome", "scanned_by"))
    assert scans == [
        (ticket.pk, "checked_in", door_staff.pk),
        (ticket.pk, "already_checked_in", other_staff.pk),
    ]
    assert first.scan.scanned_at == first.checked_in_at
    assert second.scan.scanned_at >= first.checked_in_at
    assert first.scan.event == ticket.order.event


def test_check_in_again_names_who_checked_it_in(door_staff):
    ticket = paid_ticket()
    check_in(code=ticket.code, staff_user=door_staff)

    again = check_in(code=ticket.code, staff_user=door_staff_user(username="door2"))

    assert again.outcome == "already_checked_in"
    assert again.checked_in_by == door_staff


def test_check_in_logs_unknown_and_other_event_scans_without_a_ticket(door_staff):
    ticket = paid_ticket()
    other_event = PassTypeFactory().event

    check_in(code="junk", staff_user=door_staff, event=other_event)
    check_in(code=ticket.code, staff_user=door_staff, event=other_event)

    scans = list(CheckInScan.objects.order_by("pk").values_list("ticket", "event", "outcome"))
    assert scans == [(None, other_event.pk, "not_found"), (None, other_event.pk, "other_event")]


def test_undo_check_in_within_a_minute_reverts_and_logs_it(door_staff):
    ticket = paid_ticket()
    result = check_in(code=ticket.code, staff_user=door_staff)

    scan = undo_check_in(
        scan_id=result.scan.pk,
        staff_user=door_staff,
        now=result.checked_in_at + dt.timedelta(seconds=59),
    )

    ticket.refresh_from_db()
    assert ticket.checked_in_at is None
    assert scan.undone_at == result.checked_in_at + dt.timedelta(seconds=59)
    assert scan.undone_by == door_staff
    assert check_in(code=ticket.code, staff_user=door_staff).outcome == "checked_in"


def test_undo_check_in_after_a_minute_is_refused(door_staff):
    ticket = paid_ticket()
    result = check_in(code=ticket.code, staff_user=door_staff)

    with pytest.raises(CheckInNotUndoable) as refused:
        undo_check_in(
            scan_id=result.scan.pk,
            staff_user=door_staff,
            now=result.checked_in_at + dt.timedelta(seconds=61),
        )

    assert refused.value.code == "undo_expired"
    ticket.refresh_from_db()
    assert ticket.checked_in_at == result.checked_in_at
    assert CheckInScan.objects.get(pk=result.scan.pk).undone_at is None


def test_undo_check_in_by_someone_else_is_refused(door_staff):
    ticket = paid_ticket()
    result = check_in(code=ticket.code, staff_user=door_staff)

    with pytest.raises(CheckInNotUndoable) as refused:
        undo_check_in(scan_id=result.scan.pk, staff_user=door_staff_user(username="door2"))

    assert refused.value.code == "undo_not_yours"


def test_undo_check_in_of_a_scan_that_did_not_admit_is_refused(door_staff):
    ticket = paid_ticket()
    check_in(code=ticket.code, staff_user=door_staff)
    again = check_in(code=ticket.code, staff_user=door_staff)

    with pytest.raises(CheckInNotUndoable) as refused:
        undo_check_in(scan_id=again.scan.pk, staff_user=door_staff)

    assert refused.value.code == "undo_not_admission"


def test_undo_check_in_twice_is_refused_the_second_time(door_staff):
    ticket = paid_ticket()
    result = check_in(code=ticket.code, staff_user=door_staff)
    undo_check_in(scan_id=result.scan.pk, staff_user=door_staff)

    with pytest.raises(CheckInNotUndoable) as refused:
        undo_check_in(scan_id=result.scan.pk, staff_user=door_staff)

    assert refused.value.code == "undo_already_undone"


def test_undo_of_an_earlier_admission_leaves_the_latest_one(door_staff):
    ticket = paid_ticket()
    first = check_in(code=ticket.code, staff_user=door_staff)
    undo_check_in(scan_id=first.scan.pk, staff_user=door_staff)
    second = check_in(code=ticket.code, staff_user=door_staff)
    # The first admission's undo stamp is cleared by hand: only the check of the latest remains.
    CheckInScan.objects.filter(pk=first.scan.pk).update(undone_at=None)

    with pytest.raises(CheckInNotUndoable) as refused:
        undo_check_in(scan_id=first.scan.pk, staff_user=door_staff)

    assert refused.value.code == "undo_not_latest"
    ticket.refresh_from_db()
    assert ticket.checked_in_at == second.checked_in_at
