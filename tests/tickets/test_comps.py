"""Complimentary tickets: free passes an organizer issues, counted apart from sales."""

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import AuditAction, AuditEntry
from tests.factories import EventFactory, PassTypeFactory, UserFactory
from tickets.exceptions import SoldOut, TicketsError
from tickets.models import Order, OrderStatus
from tickets.reports import sales_summary
from tickets.services.comps import issue_comps
from tickets.services.ordering import LineRequest, place_order

pytestmark = pytest.mark.django_db

COMPS = reverse("admin:tickets_order_comps")


def comps(pass_type, quantity=2, **fields):
    return issue_comps(
        event=pass_type.event,
        pass_type=pass_type,
        quantity=quantity,
        email=fields.pop("email", "guest@example.com"),
        reason=fields.pop("reason", "speaker's guests"),
        actor=fields.pop("actor", UserFactory(is_staff=True)),
        **fields,
    )


def test_comps_are_a_paid_zero_order_with_tickets_named_in_order():
    pass_type = PassTypeFactory(phase__price=19000)

    order = comps(pass_type, 2, attendee_names=["Ada Lovelace", "Grace Hopper"])

    assert (order.status, order.total, order.comp_reason) == (
        OrderStatus.PAID,
        0,
        "speaker's guests",
    )
    names = list(order.tickets.order_by("pk").values_list("attendee_name", flat=True))
    assert names == ["Ada Lovelace", "Grace Hopper"]


def test_comps_take_their_seats_and_never_pass_capacity():
    pass_type = PassTypeFactory(capacity=3)
    comps(pass_type, 2)

    with pytest.raises(SoldOut):
        comps(pass_type, 2)
    buyer, _ = place_order(
        event=pass_type.event, lines=[LineRequest(pass_type.pk, 1)], email="b@example.com"
    )

    assert buyer.total > 0
    with pytest.raises(SoldOut):
        place_order(
            event=pass_type.event, lines=[LineRequest(pass_type.pk, 1)], email="c@example.com"
        )


def test_comps_need_a_reason():
    with pytest.raises(TicketsError) as refused:
        comps(PassTypeFactory(), reason="  ")

    assert refused.value.field == "reason"
    assert not Order.objects.exists()


def test_comps_are_counted_apart_from_sold_passes_and_revenue():
    pass_type = PassTypeFactory(phase__price=19000)
    comps(pass_type, 2)

    summary = sales_summary(event=pass_type.event, now=timezone.now())

    (row,) = summary.by_pass
    assert (row.sold, row.comped, row.amount) == (0, 2, 0)
    assert (summary.paid_orders, summary.revenue) == (0, 0)


def test_comps_are_audited_and_emailed(django_capture_on_commit_callbacks, mailoutbox):
    organizer = UserFactory(is_staff=True)

    with django_capture_on_commit_callbacks(execute=True):
        order = comps(PassTypeFactory(), 1, actor=organizer)

    entry = AuditEntry.objects.get(action=AuditAction.CHANGED, subject_id=order.code)
    assert (entry.actor, entry.object_count) == (organizer, 1)
    (confirmation,) = mailoutbox
    assert confirmation.to == ["guest@example.com"]


def test_organizer_issues_comps_from_the_admin(organizer_client):
    pass_type = PassTypeFactory(event=EventFactory(), name="Expo")

    response = organizer_client.post(
        COMPS,
        {
            "pass_type": pass_type.pk,
            "quantity": 2,
            "email": "press@example.com",
            "attendee_names": "Ada Lovelace\nGrace Hopper",
            "reason": "press",
        },
    )

    order = Order.objects.get(email="press@example.com")
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:tickets_order_change", args=[order.pk])
    assert order.tickets.count() == 2


def test_comps_past_capacity_are_refused_on_the_form(organizer_client):
    pass_type = PassTypeFactory(capacity=1)

    response = organizer_client.post(
        COMPS,
        {"pass_type": pass_type.pk, "quantity": 2, "email": "a@example.com", "reason": "guest"},
    )

    assert response.status_code == 200
    assert "Only 1" in response.content.decode()
    assert not Order.objects.exists()
