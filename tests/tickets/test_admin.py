"""The organizer's ticket screens: live pass figures, orders, refunds, resends, exports, summary."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    EventFactory,
    InventoryPoolFactory,
    PassTypeFactory,
    PricePhaseFactory,
    PromoCodeFactory,
)
from tests.test_admin_pages import ROW_MAKERS
from tests.tickets.conftest import closed_port, stripe_event
from tickets.models import (
    InventoryPool,
    Order,
    OrderStatus,
    PassType,
    Payment,
    PromoCode,
    Refund,
    Ticket,
    TicketStatus,
)
from tickets.money import format_money
from tickets.services.admin_actions import allow_confirmation_resend
from tickets.services.fulfilment import fulfil_order
from tickets.services.ordering import LineRequest, place_order
from tickets.services.payment import start_payment

pytestmark = pytest.mark.django_db


def order_for(pass_type, quantity=1, *, email="buyer@example.com", promo_code="") -> Order:
    order, _ = place_order(
        event=pass_type.event,
        lines=[LineRequest(pass_type.pk, quantity)],
        email=email,
        promo_code=promo_code,
    )
    return order


def mark_paid(order: Order, **extra) -> Order:
    Order.objects.filter(pk=order.pk).update(
        status=OrderStatus.PAID, paid_at=timezone.now(), **extra
    )
    order.refresh_from_db()
    return order


def with_payment(order: Order) -> Payment:
    return Payment.objects.create(
        order=order,
        flow=Payment.Flow.PAYMENT_SHEET,
        amount=order.total,
        currency=order.currency,
        status=Payment.Status.SUCCEEDED,
        stripe_payment_intent_id=f"pi_{order.code}",
        succeeded_at=order.paid_at,
    )


def refund_recorded(order: Order, amount: int, *, full: bool = False) -> Refund:
    """A refund as Stripe reported it, written straight to the records (arrangement only)."""
    payment = order.payments.first() or with_payment(order)
    refund = Refund.objects.create(
        order=order, payment=payment, stripe_refund_id=f"re_{order.code}_{amount}", amount=amount
    )
    Order.objects.filter(pk=order.pk).update(
        refunded_amount=order.refunded_amount + amount,
        refunded_at=timezone.now(),
        status=OrderStatus.REFUNDED if full else order.status,
    )
    return refund


def expire(order: Order) -> None:
    Order.objects.filter(pk=order.pk).update(
        hold_expires_at=timezone.now() - dt.timedelta(seconds=1)
    )


def url(name: str, *args) -> str:
    return reverse(f"admin:tickets_{name}", args=args)


def row_cells(response, obj_pk) -> dict[str, str]:
    """The changelist cells of one row, by column name, as text."""
    changelist = response.context["cl"]
    index = [obj.pk for obj in changelist.result_list].index(obj_pk)
    admin = changelist.model_admin
    row = changelist.result_list[index]
    return {
        name: str(getattr(admin, name)(row) if hasattr(admin, name) else getattr(row, name))
        for name in changelist.list_display
        if name != "action_checkbox"
    }


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# Passes ------------------------------------------------------------------------------------


def test_pass_changelist_shows_sold_held_available_and_current_phase(organizer_client):
    pass_type = PassTypeFactory(
        capacity=10, phase__name="Regular", phase__price=12500, phase__position=2
    )
    PricePhaseFactory(
        pass_type=pass_type,
        name="Early bird",
        price=9500,
        position=1,
        ends_at=timezone.now() + dt.timedelta(days=7),
    )
    mark_paid(order_for(pass_type, 2))
    order_for(pass_type, 3)
    expire(order_for(pass_type, 4))  # a lapsed hold takes nothing

    response = organizer_client.get(url("passtype_changelist"))

    cells = row_cells(response, pass_type.pk)
    assert (cells["sold"], cells["held"], cells["available"]) == ("2", "3", "5")
    assert cells["price_now"] == "Early bird: $95.00"
    assert '<td class="field-available">5</td>' in response.content.decode()


def test_pass_changelist_moves_to_next_phase_once_quota_is_sold_or_held(organizer_client):
    pass_type = PassTypeFactory(
        capacity=None, phase__name="Regular", phase__price=12500, phase__position=2
    )
    PricePhaseFactory(pass_type=pass_type, name="Early bird", price=9500, position=1, max_sold=3)
    mark_paid(order_for(pass_type, 2))
    order_for(pass_type, 1)

    response = organizer_client.get(url("passtype_changelist"))

    cells = row_cells(response, pass_type.pk)
    assert (cells["sold"], cells["held"], cells["available"]) == ("2", "1", "unlimited")
    assert cells["price_now"] == "Regular: $125.00"


def test_pass_changelist_names_the_shared_pool_when_it_is_the_tighter_limit(organizer_client):
    event = EventFactory()
    seats = InventoryPoolFactory(event=event, name="In-person seats", capacity=5)
    general = PassTypeFactory(event=event, capacity=100)
    expo = PassTypeFactory(event=event, capacity=100)
    general.pools.add(seats)
    expo.pools.add(seats)
    mark_paid(order_for(expo, 3))
    order_for(general, 1)

    response = organizer_client.get(url("passtype_changelist"))

    assert row_cells(response, general.pk)["available"] == "1 (In-person seats)"
    assert row_cells(response, expo.pk)["available"] == "1 (In-person seats)"


def test_pass_changelist_shows_sales_window_in_event_time(organizer_client):
    event = EventFactory(time_zone="America/Los_Angeles")
    end = dt.datetime(2030, 6, 12, 0, 0, tzinfo=event.tzinfo)
    pass_type = PassTypeFactory(event=event, sales_end=end)

    response = organizer_client.get(url("passtype_changelist"))

    assert row_cells(response, pass_type.pk)["sales_window"] == "until 2030-06-12 00:00 PDT"


def test_pass_changelist_filters_by_event_and_visibility(organizer_client):
    shown = PassTypeFactory(visibility=PassType.Visibility.HIDDEN)
    PassTypeFactory(event=shown.event)
    PassTypeFactory(visibility=PassType.Visibility.HIDDEN)

    response = organizer_client.get(
        url("passtype_changelist"), {"event__id__exact": shown.event.pk, "visibility": "hidden"}
    )

    assert [row.pk for row in response.context["cl"].result_list] == [shown.pk]


def test_pass_change_page_edits_phases_inline_in_event_time(organizer_client):
    pass_type = PassTypeFactory(phase__name="Regular", phase__price=12500)
    pool = InventoryPoolFactory(event=pass_type.event)
    InventoryPoolFactory()  # another event's pool is not offered
    phase = pass_type.phases.get()
    prefix = "phases"
    data = {
        "event": pass_type.event.pk,
        "name": pass_type.name,
        "slug": pass_type.slug,
        "description": "",
        "perks": "[]",
        "position": 0,
        "visibility": "public",
        "capacity": 100,
        "max_per_order": 10,
        "pools": [pool.pk],
        "sales_start_0": "",
        "sales_start_1": "",
        "sales_end_0": "2030-06-12",
        "sales_end_1": "00:00:00",
        f"{prefix}-TOTAL_FORMS": 1,
        f"{prefix}-INITIAL_FORMS": 1,
        f"{prefix}-0-id": phase.pk,
        f"{prefix}-0-pass_type": pass_type.pk,
        f"{prefix}-0-name": "Regular",
        f"{prefix}-0-price": 13000,
        f"{prefix}-0-starts_at_0": "2030-05-01",
        f"{prefix}-0-starts_at_1": "09:00:00",
        f"{prefix}-0-ends_at_0": "",
        f"{prefix}-0-ends_at_1": "",
        f"{prefix}-0-max_sold": "",
        f"{prefix}-0-position": 1,
    }
    page = organizer_client.get(url("passtype_change", pass_type.pk))

    response = organizer_client.post(url("passtype_change", pass_type.pk), data)

    assert list(page.context["adminform"].form.fields["pools"].queryset) == [pool]
    assert response.status_code == 302, response.context and response.context["errors"]
    phase.refresh_from_db()
    pass_type.refresh_from_db()
    zone = pass_type.event.tzinfo
    assert phase.price == 13000
    assert phase.starts_at == dt.datetime(2030, 5, 1, 9, 0, tzinfo=zone)
    assert pass_type.sales_end == dt.datetime(2030, 6, 12, 0, 0, tzinfo=zone)
    assert list(pass_type.pools.all()) == [pool]


# Promo codes and pools ---------------------------------------------------------------------


def test_promo_changelist_counts_paid_and_held_uses(organizer_client):
    pass_type = PassTypeFactory()
    promo = PromoCodeFactory(event=pass_type.event, max_uses=10, value=20)
    promo.pass_types.add(pass_type)
    mark_paid(order_for(pass_type, promo_code=promo.code))
    order_for(pass_type, promo_code=promo.code)
    expire(order_for(pass_type, promo_code=promo.code))
    order_for(pass_type)  # without the code

    response = organizer_client.get(url("promocode_changelist"))

    cells = row_cells(response, promo.pk)
    assert (cells["uses"], cells["discount"], cells["applies_to"]) == (
        "2 / 10",
        "20 % off",
        pass_type.name,
    )


def test_pool_changelist_shows_seats_taken_and_left(organizer_client):
    pool = InventoryPoolFactory(capacity=10)
    first, second = PassTypeFactory(event=pool.event), PassTypeFactory(event=pool.event)
    first.pools.add(pool)
    second.pools.add(pool)
    mark_paid(order_for(first, 2))
    order_for(second, 3)
    expire(order_for(second, 1))

    response = organizer_client.get(url("inventorypool_changelist"))

    cells = row_cells(response, pool.pk)
    assert (cells["taken"], cells["left"]) == ("5", "5")
    assert cells["members"] == f"{first.name}, {second.name}"


# Changelists: constant queries, with filters and search on ----------------------------------

FILTERED = {
    PassType: {"visibility": "public", "q": "Pass"},
    PromoCode: {"kind": "percent", "q": "PROMO"},
    InventoryPool: {"q": "Seats"},
    Order: {"status": "paid", "q": "example.com"},
}


def changelist_queries(client, model, rows: int, params: dict) -> int:
    for index in range(model.objects.count(), rows):
        ROW_MAKERS[model](index)
    name = f"{model._meta.model_name}_changelist"
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url(name), {"all": "", **params})
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == rows
    return len(queries)


@pytest.mark.parametrize("model", list(FILTERED), ids=lambda model: model.__name__)
def test_changelist_queries_stay_constant_with_filters_and_search(organizer_client, model):
    with_5_rows = changelist_queries(organizer_client, model, 5, FILTERED[model])
    with_50_rows = changelist_queries(organizer_client, model, 50, FILTERED[model])

    print(f"{model.__name__} filtered: {with_5_rows} queries at 5 rows, {with_50_rows} at 50")
    assert with_50_rows == with_5_rows


# Orders: search and filters ----------------------------------------------------------------


def test_order_search_finds_by_code_and_by_email(organizer_client):
    pass_type = PassTypeFactory()
    wanted = order_for(pass_type, email="grace@example.com")
    order_for(pass_type, email="alan@example.com")

    by_code = organizer_client.get(url("order_changelist"), {"q": wanted.code.lower()})
    by_email = organizer_client.get(url("order_changelist"), {"q": "grace@"})

    assert [order.pk for order in by_code.context["cl"].result_list] == [wanted.pk]
    assert [order.pk for order in by_email.context["cl"].result_list] == [wanted.pk]


@pytest.mark.parametrize("by", ["status", "event", "pass_type"])
def test_order_filters_narrow_the_list(organizer_client, by):
    first, other_event = PassTypeFactory(), PassTypeFactory()
    second = PassTypeFactory(event=first.event)
    paid = mark_paid(order_for(first))
    pending_same_event = order_for(second)
    order_for(other_event)
    params, expected = {
        "status": ({"status__exact": "paid"}, [paid.pk]),
        "event": ({"event__id__exact": first.event.pk}, [pending_same_event.pk, paid.pk]),
        "pass_type": ({"pass_type": second.pk}, [pending_same_event.pk]),
    }[by]

    response = organizer_client.get(url("order_changelist"), params)

    assert [order.pk for order in response.context["cl"].result_list] == expected


def test_order_changelist_shows_money_and_times_in_event_zone(organizer_client):
    order = mark_paid(order_for(PassTypeFactory(phase__price=12500), 2))

    response = organizer_client.get(url("order_changelist"))

    cells = row_cells(response, order.pk)
    local_paid = order.paid_at.astimezone(order.event.tzinfo)
    assert cells["total_shown"] == "$250.00"
    assert cells["paid"] == f"{local_paid:%Y-%m-%d %H:%M %Z}"


def test_order_page_is_read_only_and_hides_ticket_codes(organizer_client):
    order = ROW_MAKERS[Order](0)
    ticket = order.tickets.first()

    response = organizer_client.get(url("order_change", order.pk))

    content = response.content.decode()
    assert response.status_code == 200
    assert 'name="_save"' not in content
    assert ticket.code not in content
    assert f"…{ticket.code[-6:]}" in content
    assert order.secret not in content
    assert "$250.00" in content
    assert url("order_refund", order.pk) in content


def test_order_add_page_explains_orders_come_from_buyers(organizer_client):
    response = organizer_client.get(url("order_add"))
    changelist = organizer_client.get(url("order_changelist"))

    assert response.status_code == 200
    assert "placed by buyers" in response.content.decode()
    assert url("order_add") not in changelist.content.decode()


def test_order_cannot_be_changed_by_posting_the_form(organizer_client):
    order = mark_paid(order_for(PassTypeFactory()))

    response = organizer_client.post(
        url("order_change", order.pk), {"status": "refunded", "total": 0}
    )

    order.refresh_from_db()
    assert response.status_code == 403
    assert (order.status, order.total) == ("paid", 12500)


# Refunds -----------------------------------------------------------------------------------


def test_refund_page_offers_the_remaining_amount(organizer_client):
    order = mark_paid(order_for(PassTypeFactory(phase__price=12500), 2), refunded_amount=5000)

    response = organizer_client.get(url("order_refund", order.pk))

    content = response.content.decode()
    assert response.status_code == 200
    assert response.context["form"]["amount"].value() == Decimal("200.00")
    assert 'value="200.00"' in content
    assert "<strong>$200.00</strong> left to refund" in content
    assert "Confirm refund" in content


@pytest.mark.parametrize("method", ["get", "post"])
def test_refunding_an_unpaid_order_is_refused_and_changes_nothing(organizer_client, method):
    order = order_for(PassTypeFactory())

    response = getattr(organizer_client, method)(
        url("order_refund", order.pk), {"amount": "125.00", "reason": "asked"}
    )

    order.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == url("order_change", order.pk)
    assert messages_of(response) == [
        f"Order {order.code} has not been paid, so there is nothing to refund."
    ]
    assert (order.status, order.refunded_amount, Refund.objects.count()) == ("pending", 0, 0)


def test_refund_page_is_not_offered_once_everything_is_refunded(organizer_client):
    order = mark_paid(order_for(PassTypeFactory()))
    refund_recorded(order, order.total, full=True)

    page = organizer_client.get(url("order_change", order.pk))
    response = organizer_client.get(url("order_refund", order.pk))

    assert url("order_refund", order.pk) not in page.content.decode()
    assert response.status_code == 302
    assert messages_of(response) == [
        f"Everything paid on order {order.code} has already been refunded."
    ]


def test_refund_of_more_than_is_left_is_refused_by_the_form(organizer_client):
    order = mark_paid(order_for(PassTypeFactory(phase__price=12500)), refunded_amount=2500)

    response = organizer_client.post(url("order_refund", order.pk), {"amount": "100.01"})

    order.refresh_from_db()
    assert response.status_code == 200
    assert response.context["form"].errors == {"amount": ["At most $100.00 is left to refund."]}
    assert order.refunded_amount == 2500


def test_refund_with_stripe_unreachable_shows_provider_error_and_changes_nothing(
    organizer_client, settings
):
    settings.STRIPE_SECRET_KEY = "sk_test_greenroom"
    settings.STRIPE_API_BASE = f"http://127.0.0.1:{closed_port()}"
    order = mark_paid(order_for(PassTypeFactory(phase__price=12500)))
    with_payment(order)

    response = organizer_client.post(
        url("order_refund", order.pk), {"amount": "50.00", "reason": "could not come"}
    )

    order.refresh_from_db()
    assert response.status_code == 200  # the form again, to retry
    assert messages_of(response) == [
        "The payment provider is not answering right now; please try again in a moment."
    ]
    assert (order.status, order.refunded_amount, Refund.objects.count()) == ("paid", 0, 0)


def test_partial_refund_through_the_admin_reaches_stripe_and_is_recorded(
    organizer_client, organizer, stripe_settings, phone, deliver
):
    order = order_for(PassTypeFactory(phase__price=12500), 2)
    payment = start_payment(order=order, flow="payment_sheet")
    intent = phone.pay(payment.stripe_payment_intent_id)
    assert deliver(stripe_event("payment_intent.succeeded", intent)) == "fulfilled"

    response = organizer_client.post(
        url("order_refund", order.pk), {"amount": "50.00", "reason": "one cannot come"}
    )

    order.refresh_from_db()
    refund = order.refunds.get()
    assert response.status_code == 302
    assert response["Location"] == url("order_change", order.pk)
    assert messages_of(response) == [f"Refunded $50.00 on order {order.code}."]
    assert (refund.amount, refund.reason, refund.created_by) == (5000, "one cannot come", organizer)
    assert (order.status, order.refunded_amount) == ("paid", 5000)
    assert [r["amount"] for r in phone.refunds(payment.stripe_payment_intent_id)] == [5000]
    assert LogEntry.objects.get(object_id=str(order.pk)).change_message == (
        "Refunded $50.00: one cannot come"
    )


def test_partial_refund_voids_the_chosen_ticket_and_tells_the_buyer(
    organizer_client,
    stripe_settings,
    phone,
    deliver,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    order = order_for(PassTypeFactory(phase__price=12500), 2)
    payment = start_payment(order=order, flow="payment_sheet")
    intent = phone.pay(payment.stripe_payment_intent_id)
    assert deliver(stripe_event("payment_intent.succeeded", intent)) == "fulfilled"
    leaving, staying = order.tickets.order_by("pk")
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        organizer_client.post(
            url("order_refund", order.pk),
            {"amount": "125.00", "reason": "one cannot come", "void_tickets": [leaving.pk]},
        )

    statuses = dict(order.tickets.values_list("pk", "status"))
    assert statuses == {leaving.pk: TicketStatus.VOID, staying.pk: TicketStatus.VALID}
    (notice,) = mailoutbox
    assert "$125.00" in notice.subject
    assert "These tickets are no longer valid" in notice.body
    assert "Your other tickets remain valid." in notice.body


def test_refund_page_lists_the_valid_tickets_to_void(organizer_client):
    order = order_for(PassTypeFactory(phase__price=12500), 2)
    fulfil_order(order=order, payment=None, amount_received=25000, currency_received="usd")

    page = organizer_client.get(url("order_refund", order.pk)).content.decode()

    assert page.count('name="void_tickets"') == order.tickets.count() == 2


# Resend confirmation -----------------------------------------------------------------------


def test_allow_confirmation_resend_clears_the_stamp_of_paid_orders_only():
    pass_type = PassTypeFactory()
    sent = timezone.now()
    paid = mark_paid(order_for(pass_type), confirmation_sent_at=sent)
    pending = order_for(pass_type)
    Order.objects.filter(pk=pending.pk).update(confirmation_sent_at=sent)

    cleared = allow_confirmation_resend(orders=Order.objects.all())

    paid.refresh_from_db()
    pending.refresh_from_db()
    assert cleared == 1
    assert (paid.confirmation_sent_at, pending.confirmation_sent_at) == (None, sent)


def test_resend_confirmation_action_clears_stamp_and_queues_the_email(
    organizer_client, django_capture_on_commit_callbacks
):
    pass_type = PassTypeFactory()
    paid = mark_paid(order_for(pass_type), confirmation_sent_at=timezone.now())
    pending = order_for(pass_type)

    with django_capture_on_commit_callbacks() as callbacks:
        response = organizer_client.post(
            url("order_changelist"),
            {"action": "resend_confirmation", "_selected_action": [paid.pk, pending.pk]},
        )

    paid.refresh_from_db()
    assert response.status_code == 302
    assert paid.confirmation_sent_at is None
    assert len(callbacks) == 1
    assert messages_of(response)[-1] == (
        "1 order(s) skipped: only paid orders have tickets to confirm."
    )


def test_resend_confirmation_sends_the_email_again_once_committed(
    organizer_client, django_capture_on_commit_callbacks, mailoutbox
):
    first_sent = timezone.now() - dt.timedelta(days=1)
    order = mark_paid(order_for(PassTypeFactory()), confirmation_sent_at=first_sent)

    with django_capture_on_commit_callbacks(execute=True):
        organizer_client.post(
            url("order_changelist"),
            {"action": "resend_confirmation", "_selected_action": [order.pk]},
        )

    order.refresh_from_db()
    assert [message.to for message in mailoutbox] == [["buyer@example.com"]]
    assert order.confirmation_sent_at > first_sent


def test_resend_confirmation_is_offered_on_the_order_page(organizer_client):
    order = mark_paid(order_for(PassTypeFactory()))

    response = organizer_client.get(url("order_change", order.pk))

    choices = dict(response.context["action_form"].fields["action"].choices)
    assert choices["resend_confirmation"] == "Resend confirmation e-mail"


# Attendee export ---------------------------------------------------------------------------


def test_attendee_export_lists_valid_tickets_of_selected_orders(organizer_client):
    pass_type = PassTypeFactory(name="General Admission")
    order = mark_paid(order_for(pass_type, 3, email="boss@example.com"))
    line = order.lines.get()
    checked_in = dt.datetime(2030, 6, 10, 9, 5, tzinfo=order.event.tzinfo)
    Ticket.objects.create(
        order=order,
        line=line,
        pass_type=pass_type,
        attendee_name="Ada Lovelace",
        attendee_email="ada@example.com",
        checked_in_at=checked_in,
    )
    Ticket.objects.create(order=order, line=line, pass_type=pass_type, attendee_name="=HYPERLINK")
    Ticket.objects.create(
        order=order, line=line, pass_type=pass_type, attendee_name="Void", status="void"
    )
    other = mark_paid(order_for(pass_type))
    Ticket.objects.create(order=other, line=other.lines.get(), pass_type=pass_type)

    response = organizer_client.post(
        url("order_changelist"), {"action": "export_attendees", "_selected_action": [order.pk]}
    )

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert rows == [
        ["order code", "pass", "attendee name", "attendee e-mail", "ticket status",
         "checked in at", "buyer e-mail"],
        [order.code, "General Admission", "Ada Lovelace", "ada@example.com", "valid",
         "2030-06-10T09:05:00-07:00", "boss@example.com"],
        [order.code, "General Admission", "'=HYPERLINK", "", "valid", "", "boss@example.com"],
    ]  # fmt: skip
    assert list(LogEntry.objects.values_list("object_id", "change_message")) == [
        (str(order.pk), "Exported the attendee list (CSV).")
    ]


# Sales summary -----------------------------------------------------------------------------


def test_sales_summary_page_shows_exact_figures(organizer_client):
    event = EventFactory()
    general = PassTypeFactory(event=event, name="General Admission", phase__price=12500)
    promo = PromoCodeFactory(event=event, code="MOBILITY20", value=20)
    mark_paid(order_for(general, 2))
    mark_paid(order_for(general, 1, promo_code="MOBILITY20"))
    refund_recorded(mark_paid(order_for(general, 1)), 12500, full=True)
    order_for(general, 1)  # held

    response = organizer_client.get(url("order_sales_summary"), {"event": event.pk})

    content = response.content.decode()
    assert response.status_code == 200
    assert response.context["revenue"] == "$350.00"  # 250 + 100 + 125 - 125
    assert response.context["by_pass"] == [
        {"name": "General Admission", "sold": 3, "comped": 0, "held": 1, "capacity": 100,
         "amount": "$350.00"},
    ]  # fmt: skip
    assert response.context["promo_use"] == [
        {"code": promo.code, "paid_orders": 1, "discount": "$25.00", "held_orders": 0,
         "max_uses": "no limit"},
    ]  # fmt: skip
    assert response.context["holds"] == {"orders": 1, "passes": 1, "amount": "$125.00"}
    assert "<strong>$350.00</strong>" in content


def test_sales_summary_without_event_lists_events_to_choose(organizer_client):
    event = EventFactory()

    response = organizer_client.get(url("order_sales_summary"))
    changelist = organizer_client.get(url("order_changelist"), {"event__id__exact": event.pk})

    assert response.status_code == 200
    assert "Choose an event." in response.content.decode()
    assert f"{url('order_sales_summary')}?event={event.pk}" in changelist.content.decode()


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        (12500, "usd", "$125.00"),
        (250000, "usd", "$2,500.00"),
        (0, "usd", "$0.00"),
        (-500, "eur", "-€5.00"),
        (1000, "jpy", "¥1,000"),
        (12550, "chf", "125.50 CHF"),
        (1234, "kwd", "1.234 KWD"),
    ],
)
def test_format_money(amount, currency, shown):
    assert format_money(amount, currency) == shown


def test_order_page_shows_a_payment_that_did_not_match_the_order(organizer_client, deliver):
    order = order_for(PassTypeFactory(phase__price=2500))
    intent = {
        "id": "pi_yen",
        "object": "payment_intent",
        "amount": 2500,
        "amount_received": 2500,
        "currency": "jpy",
        "metadata": {"order_code": order.code},
    }
    deliver(stripe_event("payment_intent.succeeded", intent))

    response = organizer_client.get(url("order_change", order.pk))

    expected = "Attempt 1: Stripe reported ¥2,500 received, but the order is $25.00."
    assert expected in response.content.decode()
