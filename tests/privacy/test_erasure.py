"""Erasing a person, a buyer on request, a speaker's contacts: who goes, what accounting keeps."""

import datetime as dt

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from agenda.services import add_bookmark
from core.exceptions import DomainError
from core.personal_data import ErasureResult, erase_email
from privacy.exceptions import PrivacyError
from privacy.models import Consent, ConsentPurpose
from privacy.services import erase_own_account, erase_person, record_consent
from speakers.privacy import erase_speaker_contacts
from tests.factories import (
    EventFactory,
    SessionFactory,
    SpeakerFactory,
    SpeakerLinkFactory,
    UserFactory,
)
from tests.privacy.helpers import (
    BUYER_EMAIL,
    BUYER_NAME,
    GUEST_EMAIL,
    GUEST_NAME,
    move_event,
    paid_order,
)
from tickets.models import Order, OrderStatus, Ticket, TicketStatus
from tickets.services.fulfilment import fulfil_order
from tickets.services.ordering import LineRequest, place_order

pytestmark = pytest.mark.django_db

User = get_user_model()


def past_event():
    event = EventFactory()
    move_event(event, last_day=timezone.localdate() - dt.timedelta(days=30))
    return event


def test_erase_person_replaces_the_buyer_and_keeps_the_amounts(buyer):
    order = paid_order(user=buyer, price=9900, quantity=2)

    erase_person(user=buyer, void_future_tickets=True)

    order.refresh_from_db()
    assert order.email == f"erased-{order.code.lower()}@erased.invalid"
    assert (order.user, order.idempotency_key, order.request_fingerprint) == (None, "", "")
    assert order.personal_data_erased_at is not None
    assert (order.status, order.subtotal, order.total) == (OrderStatus.PAID, 19800, 19800)
    assert [line.attendees for line in order.lines.all()] == [[]]
    assert [(t.attendee_name, t.attendee_email) for t in order.tickets.all()] == [("", "")] * 2


def test_erase_person_voids_tickets_for_events_not_ended_and_keeps_past_ones(buyer):
    future = paid_order(user=buyer)
    past = paid_order(user=buyer, event=past_event())

    result = erase_person(user=buyer, void_future_tickets=True)

    assert result == ErasureResult(
        orders_anonymised=2, tickets_anonymised=2, tickets_voided=1, account_erased=True
    )
    voided = future.tickets.get()
    assert (voided.status, voided.voided_at is not None) == (TicketStatus.VOID, True)
    assert past.tickets.get().status == TicketStatus.VALID


def test_erase_person_without_consent_to_void_changes_nothing(buyer):
    order = paid_order(user=buyer)

    with pytest.raises(PrivacyError) as refused:
        erase_person(user=buyer, void_future_tickets=False)

    assert refused.value.code == "confirmation_required"
    assert refused.value.extra == {"orders_to_anonymise": 1, "tickets_to_void": 1}
    order.refresh_from_db()
    assert (order.email, order.user_id) == (BUYER_EMAIL, buyer.pk)
    assert User.objects.filter(pk=buyer.pk).exists()


def test_erase_person_needs_no_consent_to_void_when_only_past_tickets_are_held(buyer):
    paid_order(user=buyer, event=past_event())

    result = erase_person(user=buyer, void_future_tickets=False)

    assert (result.account_erased, result.tickets_voided) == (True, 0)


def test_erase_person_deletes_the_account_its_agenda_consents_and_token(buyer):
    add_bookmark(user=buyer, session=SessionFactory())
    record_consent(user=buyer, purpose=ConsentPurpose.EVENT_NEWS, granted=True)
    Token.objects.create(user=buyer)

    erase_person(user=buyer, void_future_tickets=True)

    assert not User.objects.filter(pk=buyer.pk).exists()
    assert not Consent.objects.exists()
    assert not Token.objects.exists()


def test_erase_person_removes_their_username_from_the_admin_history(buyer, organizer):
    LogEntry.objects.log_actions(
        user_id=organizer.pk, queryset=[buyer], action_flag=CHANGE, change_message="Changed email."
    )

    erase_person(user=buyer, void_future_tickets=True)

    entry = LogEntry.objects.get()
    assert buyer.username not in entry.object_repr
    assert entry.change_message == ""


def test_erase_person_cancels_a_pending_order_so_it_cannot_issue_tickets_later(buyer):
    pass_type = paid_order(user=buyer).lines.get().pass_type
    pending, _ = place_order(
        event=pass_type.event, lines=[LineRequest(pass_type.pk, 1)], email=BUYER_EMAIL, user=buyer
    )

    erase_person(user=buyer, void_future_tickets=True)

    pending.refresh_from_db()
    assert (pending.status, pending.email) == (
        OrderStatus.CANCELLED,
        f"erased-{pending.code.lower()}@erased.invalid",
    )


def test_erase_person_twice_is_harmless(buyer):
    paid_order(user=buyer)
    erase_person(user=buyer, void_future_tickets=True)

    again = erase_person(user=buyer, void_future_tickets=True)

    assert again == ErasureResult(0, 0, 0, False)


def test_erase_person_leaves_guest_orders_with_the_same_email_alone(buyer):
    guest_order = paid_order(email=BUYER_EMAIL)

    erase_person(user=buyer, void_future_tickets=True)

    guest_order.refresh_from_db()
    assert guest_order.email == BUYER_EMAIL


def test_erase_own_account_without_confirm_says_what_would_happen(buyer):
    paid_order(user=buyer)

    with pytest.raises(PrivacyError) as refused:
        erase_own_account(user=buyer, confirm=False, void_future_tickets=True)

    assert refused.value.code == "confirmation_required"
    assert "1 valid ticket(s)" in refused.value.message
    assert User.objects.filter(pk=buyer.pk).exists()


def test_erase_own_account_is_refused_to_staff(buyer):
    buyer.is_staff = True
    buyer.save()

    with pytest.raises(PrivacyError) as refused:
        erase_own_account(user=buyer, confirm=True, void_future_tickets=True)

    assert refused.value.code == "account_not_erasable"


def test_erase_buyer_anonymises_guest_orders_matched_without_regard_to_case():
    order = paid_order(email=GUEST_EMAIL, attendees=({"name": GUEST_NAME},))

    result = erase_email(GUEST_EMAIL.upper())

    order.refresh_from_db()
    assert order.email == f"erased-{order.code.lower()}@erased.invalid"
    assert order.idempotency_key == ""  # a guest's key was scoped by their e-mail
    assert result == ErasureResult(
        orders_anonymised=1, tickets_anonymised=1, tickets_voided=1, account_erased=False
    )


def test_erase_buyer_blanks_the_attendee_on_someone_elses_order_and_keeps_the_ticket_valid():
    buyer_entry = {"name": BUYER_NAME, "email": BUYER_EMAIL}
    colleague = {"name": GUEST_NAME, "email": GUEST_EMAIL}
    order = paid_order(email=BUYER_EMAIL, quantity=2, attendees=(buyer_entry, colleague))

    result = erase_email(GUEST_EMAIL)

    order.refresh_from_db()
    assert order.email == BUYER_EMAIL
    assert order.lines.get().attendees == [buyer_entry, {}]
    tickets = [(t.attendee_name, t.attendee_email, t.status) for t in order.tickets.all()]
    assert tickets == [
        (BUYER_NAME, BUYER_EMAIL, TicketStatus.VALID),
        ("", "", TicketStatus.VALID),
    ]
    assert result == ErasureResult(tickets_anonymised=1)


def test_erase_buyer_erases_the_account_with_that_email(buyer):
    order = paid_order(user=buyer)

    result = erase_email(BUYER_EMAIL)

    assert result.account_erased
    assert not User.objects.filter(pk=buyer.pk).exists()
    assert Order.objects.get(pk=order.pk).tickets.get().status == TicketStatus.VOID


def test_erase_buyer_twice_is_harmless():
    paid_order(email=GUEST_EMAIL)
    erase_email(GUEST_EMAIL)

    assert erase_email(GUEST_EMAIL) == ErasureResult()


def test_erase_buyer_refuses_a_blank_email():
    with pytest.raises(DomainError) as refused:
        erase_email("  ")

    assert refused.value.code == "invalid"


def test_erase_speaker_contacts_blanks_email_and_phone_and_keeps_the_profile():
    speaker = SpeakerFactory(phone="+1 415 555 0199", bio="Builds robotaxis.")
    link = SpeakerLinkFactory(speaker=speaker)

    changed = erase_speaker_contacts(speaker=speaker)

    speaker.refresh_from_db()
    assert changed is True
    assert (speaker.email, speaker.phone) == ("", "")
    assert (speaker.bio, list(speaker.links.all())) == ("Builds robotaxis.", [link])


def test_erase_speaker_contacts_reports_nothing_changed_the_second_time():
    speaker = SpeakerFactory(phone="+1 415 555 0199")
    erase_speaker_contacts(speaker=speaker)

    assert erase_speaker_contacts(speaker=speaker) is False


def test_erased_tickets_of_the_order_are_counted_once_per_ticket(buyer):
    paid_order(user=buyer, quantity=3)

    result = erase_person(user=buyer, void_future_tickets=True)

    assert (result.tickets_anonymised, result.tickets_voided) == (3, 3)
    assert Ticket.objects.filter(status=TicketStatus.VOID).count() == 3


def test_erase_person_deletes_the_sessions_signed_in_as_them(buyer, client):
    client.force_login(buyer)
    other_browser = Client()
    other_browser.force_login(UserFactory(username="someone-else"))

    erase_person(user=buyer, void_future_tickets=True)

    assert list(Session.objects.values_list("session_key", flat=True)) == [
        other_browser.session.session_key
    ]


def test_a_payment_landing_after_erasure_issues_tickets_naming_nobody(buyer):
    pass_type = paid_order(user=buyer).lines.get().pass_type
    attendee = {"name": BUYER_NAME, "email": BUYER_EMAIL}
    pending, _ = place_order(
        event=pass_type.event,
        lines=[LineRequest(pass_type.pk, 1, attendees=(attendee,))],
        email=BUYER_EMAIL,
        user=buyer,
    )
    erase_person(user=buyer, void_future_tickets=True)

    fulfil_order(
        order=pending,
        payment=None,
        amount_received=pending.total,
        currency_received=pending.currency,
    )

    issued = [(t.attendee_name, t.attendee_email) for t in Ticket.objects.filter(order=pending)]
    assert issued == [("", f"erased-{pending.code.lower()}@erased.invalid")]
