"""The audit trail: admin pages showing personal data record who viewed, exported or changed it."""

import pytest
from django.urls import reverse
from django.utils import timezone

from core.audit import ids_label, record
from core.models import AuditAction, AuditEntry
from tests.factories import PassTypeFactory, SpeakerFactory, UserFactory
from tests.speakers.test_import_admin import upload
from tickets.models import Order, OrderStatus, Ticket
from tickets.services.ordering import LineRequest, place_order

pytestmark = pytest.mark.django_db

BUYER_EMAIL = "ada.lovelace@example.com"
ATTENDEE_NAME = "Grace Hopper"
ATTENDEE_EMAIL = "grace.hopper@example.com"


def paid_order(*, email: str = BUYER_EMAIL, tickets: int = 1) -> Order:
    """A paid order whose tickets name an attendee other than the buyer."""
    pass_type = PassTypeFactory()
    order, _ = place_order(
        event=pass_type.event, lines=[LineRequest(pass_type.pk, tickets)], email=email
    )
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.PAID, paid_at=timezone.now())
    line = order.lines.get()
    for _ in range(tickets):
        Ticket.objects.create(
            order=order,
            line=line,
            pass_type=line.pass_type,
            attendee_name=ATTENDEE_NAME,
            attendee_email=ATTENDEE_EMAIL,
        )
    order.refresh_from_db()
    return order


def admin_url(name: str, *args) -> str:
    return reverse(f"admin:{name}", args=args)


def entries(**filters) -> list[tuple]:
    return list(
        AuditEntry.objects.filter(**filters).values_list(
            "actor_username", "action", "subject_type", "subject_id", "object_count", "detail"
        )
    )


def test_record_names_the_actor_by_account_and_username():
    staff = UserFactory(username="auditor", is_staff=True)

    entry = record(actor=staff, action=AuditAction.VIEWED, subject_type="tickets.order")

    assert (entry.actor, entry.actor_username) == (staff, "auditor")


def test_ids_label_lists_ids_that_fit_and_counts_the_rest():
    codes = [f"CODE{number:012d}" for number in range(10)]

    label = ids_label(codes)

    assert label == "CODE000000000000,CODE000000000001,CODE000000000002,+7 more"


def test_orders_changelist_records_one_viewed_entry_with_the_rows_shown(organizer_client):
    for _ in range(3):
        paid_order()

    organizer_client.get(admin_url("tickets_order_changelist"))

    assert entries() == [("organizer", "viewed", "tickets.order", "", 3, "list")]


def test_orders_changelist_search_is_recorded_without_the_search_term(organizer_client):
    paid_order()
    paid_order(email="someone.else@example.com")

    organizer_client.get(
        admin_url("tickets_order_changelist"), {"q": BUYER_EMAIL, "status": "paid"}
    )

    assert entries() == [
        ("organizer", "viewed", "tickets.order", "", 1, "list; filtered by status; searched")
    ]


def test_opening_an_order_records_viewed_with_its_code(organizer_client):
    order = paid_order()

    response = organizer_client.get(admin_url("tickets_order_change", order.pk))

    assert response.status_code == 200
    assert entries() == [("organizer", "viewed", "tickets.order", order.code, 1, "")]


def test_refund_page_records_viewed_with_the_order_code(organizer_client):
    order = paid_order()

    response = organizer_client.get(admin_url("tickets_order_refund", order.pk))

    assert response.status_code == 200
    assert entries() == [("organizer", "viewed", "tickets.order", order.code, 1, "refund page")]


def test_attendee_export_records_exported_with_the_number_of_tickets(organizer_client):
    order = paid_order(tickets=2)

    response = organizer_client.post(
        admin_url("tickets_order_changelist"),
        {"action": "export_attendees", "_selected_action": [order.pk]},
    )

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert entries(action="exported") == [
        ("organizer", "exported", "tickets.order", order.code, 2, "attendee CSV export")
    ]


def test_speakers_csv_export_records_exported(organizer_client):
    speakers = [SpeakerFactory(), SpeakerFactory()]

    organizer_client.post(
        admin_url("speakers_speaker_changelist"),
        {"action": "export_csv", "_selected_action": [speaker.pk for speaker in speakers]},
    )

    subject_id = ",".join(str(speaker.pk) for speaker in sorted(speakers, key=lambda s: s.name))
    assert entries(action="exported") == [
        ("organizer", "exported", "speakers.speaker", subject_id, 2, "speaker CSV export")
    ]


def test_saving_a_speaker_records_the_changed_field_names_not_their_values(organizer_client):
    speaker = SpeakerFactory(email="old-private@example.com", phone="")
    form = {
        **{name: getattr(speaker, name) for name in ("name", "slug", "job_title", "bio")},
        "organization": speaker.organization_id,
        "email": "new-private@example.com",
        "phone": "+1 555 0100",
        **{f"{prefix}-{count}": 0 for prefix in ("links", "lineup_entries")
           for count in ("TOTAL_FORMS", "INITIAL_FORMS")},
    }  # fmt: skip

    response = organizer_client.post(admin_url("speakers_speaker_change", speaker.pk), form)

    assert response.status_code == 302
    assert entries(action="changed") == [
        ("organizer", "changed", "speakers.speaker", str(speaker.pk), 1, "changed: email, phone")
    ]


def test_deleting_a_speaker_records_changed_deleted(organizer_client):
    speaker = SpeakerFactory()

    organizer_client.post(admin_url("speakers_speaker_delete", speaker.pk), {"post": "yes"})

    assert entries(action="changed") == [
        ("organizer", "changed", "speakers.speaker", str(speaker.pk), 1, "deleted")
    ]


def test_speaker_import_preview_records_viewed_with_the_row_count(organizer_client):
    response = upload(organizer_client)

    assert response.status_code == 200
    assert entries() == [("organizer", "viewed", "speakers.speaker", "", 3, "CSV import preview")]


def test_user_admin_records_the_list_and_each_account_opened(admin_client):
    person = UserFactory(email=BUYER_EMAIL)

    admin_client.get(admin_url("auth_user_changelist"))
    admin_client.get(admin_url("auth_user_change", person.pk))

    assert entries() == [
        ("admin", "viewed", "auth.user", str(person.pk), 1, ""),
        ("admin", "viewed", "auth.user", "", 2, "list"),
    ]


def test_audit_entries_never_hold_an_attendee_name_or_email(organizer_client, admin_client):
    order = paid_order(tickets=2)
    speaker = SpeakerFactory(email="speaker-private@example.com", phone="+1 555 0199")
    person = UserFactory(email="ada.account@example.com", first_name="Ada", last_name="Lovelace")
    orders = admin_url("tickets_order_changelist")
    speakers = admin_url("speakers_speaker_changelist")
    users = admin_url("auth_user_changelist")

    organizer_client.get(orders, {"q": BUYER_EMAIL})
    organizer_client.get(admin_url("tickets_order_change", order.pk))
    organizer_client.get(admin_url("tickets_order_refund", order.pk))
    organizer_client.post(orders, {"action": "export_attendees", "_selected_action": [order.pk]})
    organizer_client.get(speakers, {"q": speaker.name})
    organizer_client.get(admin_url("speakers_speaker_change", speaker.pk))
    organizer_client.post(speakers, {"action": "export_csv", "_selected_action": [speaker.pk]})
    upload(organizer_client)
    admin_client.get(users, {"q": BUYER_EMAIL})
    admin_client.get(admin_url("auth_user_change", person.pk))
    for url, selected in ((orders, order.pk), (speakers, speaker.pk), (users, person.pk)):
        action = {orders: "erase_buyers", speakers: "erase_contacts", users: "erase_people"}[url]
        admin_client.post(
            url, {"action": action, "_selected_action": [selected], "confirm_erasure": "yes"}
        )

    personal = [BUYER_EMAIL, ATTENDEE_NAME, ATTENDEE_EMAIL, "ada.account@example.com", "Ada",
                "Lovelace", speaker.name, "speaker-private@example.com", "+1 555 0199",
                "ana@example.com", "Ana Ruiz"]  # fmt: skip
    logged = entries()
    assert {action for _, action, *_ in logged} == {"viewed", "exported", "erased"}
    texts = [" ".join(map(str, entry)) for entry in logged]
    assert [text for text in texts if any(value in text for value in personal)] == []
