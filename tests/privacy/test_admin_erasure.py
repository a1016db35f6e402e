"""Erasure on request from the admin: a confirmation page first, then the erasure and its entry."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from core.models import AuditEntry
from speakers.models import Speaker
from tests.factories import SpeakerFactory, UserFactory
from tests.privacy.test_audit import ATTENDEE_EMAIL, ATTENDEE_NAME, BUYER_EMAIL, paid_order
from tickets.models import Order, Ticket

pytestmark = pytest.mark.django_db

ORDERS = reverse("admin:tickets_order_changelist")
SPEAKERS = reverse("admin:speakers_speaker_changelist")
USERS = reverse("admin:auth_user_changelist")


def run_erasure(client, url: str, action: str, objects, *, confirm: bool):
    form = {"action": action, "_selected_action": [obj.pk for obj in objects]}
    if confirm:
        form["confirm_erasure"] = "yes"
    return client.post(url, form)


def erased_entries() -> list[tuple]:
    return list(
        AuditEntry.objects.filter(action="erased").values_list(
            "actor_username", "subject_type", "subject_id", "object_count"
        )
    )


def personal_data_of(order: Order) -> set[str]:
    order.refresh_from_db()
    tickets = Ticket.objects.filter(order=order)
    return {
        order.email,
        *tickets.values_list("attendee_name", flat=True),
        *tickets.values_list("attendee_email", flat=True),
    }


def test_erase_buyers_shows_a_confirmation_page_and_changes_nothing(organizer_client):
    order = paid_order()

    response = run_erasure(organizer_client, ORDERS, "erase_buyers", [order], confirm=False)

    assert response.status_code == 200
    assert response.templates[0].name == "admin/core/confirm_erasure.html"
    assert response.context["people"] == [BUYER_EMAIL]
    assert personal_data_of(order) == {BUYER_EMAIL, ATTENDEE_NAME, ATTENDEE_EMAIL}
    assert erased_entries() == []


def test_confirmed_erasure_removes_the_buyer_from_order_and_tickets(organizer_client):
    order = paid_order(tickets=2)

    response = run_erasure(organizer_client, ORDERS, "erase_buyers", [order], confirm=True)

    assert response.status_code == 302
    assert personal_data_of(order) & {BUYER_EMAIL, ATTENDEE_NAME, ATTENDEE_EMAIL} == set()
    assert erased_entries() == [("organizer", "tickets.order", order.code, 1)]


def test_erasure_writes_one_entry_per_buyer_email_naming_their_order_codes(organizer_client):
    first, second = paid_order(), paid_order()
    other = paid_order(email="someone.else@example.com")

    run_erasure(organizer_client, ORDERS, "erase_buyers", [first, second, other], confirm=True)

    codes = ",".join(sorted([first.code, second.code]))
    assert sorted(erased_entries()) == sorted(
        [("organizer", "tickets.order", codes, 2), ("organizer", "tickets.order", other.code, 1)]
    )


def test_erasure_is_refused_without_the_csrf_token(organizer):
    order = paid_order()
    client = Client(enforce_csrf_checks=True)
    client.force_login(organizer)

    response = run_erasure(client, ORDERS, "erase_buyers", [order], confirm=True)

    assert response.status_code == 403
    assert BUYER_EMAIL in personal_data_of(order)


def test_erasure_is_not_offered_to_staff_who_can_only_view_orders(client):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_order"))
    client.force_login(viewer)
    order = paid_order()

    listing = client.get(ORDERS)
    attempt = run_erasure(client, ORDERS, "erase_buyers", [order], confirm=True)

    actions = [name for name, _ in listing.context["action_form"].fields["action"].choices]
    assert "erase_buyers" not in actions
    assert attempt.status_code == 302  # back to the list: no action by that name for them
    assert BUYER_EMAIL in personal_data_of(order)


def test_erase_contacts_shows_a_confirmation_page_and_changes_nothing(organizer_client):
    speaker = SpeakerFactory(email="private@example.com", phone="+1 555 0100")

    response = run_erasure(organizer_client, SPEAKERS, "erase_contacts", [speaker], confirm=False)

    speaker.refresh_from_db()
    assert response.status_code == 200
    assert response.context["people"] == [speaker.name]
    assert (speaker.email, speaker.phone) == ("private@example.com", "+1 555 0100")


def test_confirmed_erase_contacts_blanks_them_and_records_the_speaker(organizer_client):
    speaker = SpeakerFactory(email="private@example.com", phone="+1 555 0100")

    run_erasure(organizer_client, SPEAKERS, "erase_contacts", [speaker], confirm=True)

    speaker.refresh_from_db()
    assert (speaker.email, speaker.phone) == ("", "")
    assert Speaker.objects.filter(pk=speaker.pk).exists()
    assert erased_entries() == [("organizer", "speakers.speaker", str(speaker.pk), 1)]


def test_erase_person_from_the_user_admin_erases_account_and_orders(admin_client):
    person = UserFactory(email=BUYER_EMAIL)
    order = paid_order()
    Order.objects.filter(pk=order.pk).update(user=person)

    page = run_erasure(admin_client, USERS, "erase_people", [person], confirm=False)
    run_erasure(admin_client, USERS, "erase_people", [person], confirm=True)

    assert page.context["people"] == [person.username]
    assert not get_user_model().objects.filter(email=BUYER_EMAIL).exists()
    assert BUYER_EMAIL not in personal_data_of(order)
    assert erased_entries() == [("admin", "auth.user", str(person.pk), 1)]


def test_erase_person_skips_staff_accounts(admin_client, organizer):
    response = run_erasure(admin_client, USERS, "erase_people", [organizer], confirm=True)

    assert get_user_model().objects.filter(pk=organizer.pk).exists()
    assert erased_entries() == []
    assert [str(message) for message in get_messages(response.wsgi_request)] == [
        "Staff accounts were skipped: remove their staff status first."
    ]
