"""Organizers correct who a ticket admits; the audit log says which fields changed."""

import pytest
from django.urls import reverse

from core.models import AuditAction, AuditEntry
from tests.factories import UserFactory
from tests.tickets.helpers import paid_ticket
from tickets.models import Ticket, TicketStatus

pytestmark = pytest.mark.django_db


def attendee_url(ticket) -> str:
    return reverse("admin:tickets_order_attendee", args=[ticket.order_id, ticket.pk])


def test_organizer_corrects_a_name_and_the_audit_log_names_the_field_not_the_value(
    organizer_client, organizer
):
    ticket = paid_ticket(attendee_name="Ada Lovelase", attendee_email="ada@example.com")

    response = organizer_client.post(
        attendee_url(ticket), {"attendee_name": "Ada Lovelace", "attendee_email": "ada@example.com"}
    )

    assert response.status_code == 302
    assert Ticket.objects.get(pk=ticket.pk).attendee_name == "Ada Lovelace"
    entry = AuditEntry.objects.get(action=AuditAction.CHANGED, subject_type="tickets.ticket")
    assert (entry.actor, entry.subject_id, entry.detail) == (
        organizer,
        str(ticket.pk),
        "attendee_name",
    )
    assert "Lovelace" not in entry.detail


def test_correction_form_refuses_a_bad_email_and_changes_nothing(organizer_client):
    ticket = paid_ticket(attendee_email="ada@example.com")

    response = organizer_client.post(
        attendee_url(ticket), {"attendee_name": "Ada", "attendee_email": "not an e-mail"}
    )

    assert response.status_code == 200
    assert "valid email" in response.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).attendee_email == "ada@example.com"


def test_a_void_tickets_attendee_is_not_corrected(organizer_client):
    ticket = paid_ticket(attendee_name="Ada")
    Ticket.objects.filter(pk=ticket.pk).update(status=TicketStatus.VOID)

    response = organizer_client.post(
        attendee_url(ticket), {"attendee_name": "Grace", "attendee_email": ""}
    )

    assert "Only a valid ticket" in response.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).attendee_name == "Ada"


def test_order_page_links_each_valid_ticket_to_its_correction(organizer_client):
    ticket = paid_ticket()

    page = organizer_client.get(
        reverse("admin:tickets_order_change", args=[ticket.order_id])
    ).content.decode()

    assert attendee_url(ticket) in page


def test_staff_without_the_right_to_change_orders_cannot_correct(client):
    viewer = UserFactory(is_staff=True)
    client.force_login(viewer)
    ticket = paid_ticket(attendee_name="Ada")

    response = client.post(attendee_url(ticket), {"attendee_name": "Eve", "attendee_email": ""})

    assert response.status_code in (302, 403)
    assert Ticket.objects.get(pk=ticket.pk).attendee_name == "Ada"
