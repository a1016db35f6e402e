"""The audit log screen: superusers only, read-only, filtered and searched, constant queries."""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.audit import record
from core.models import AuditAction, AuditEntry
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:core_auditentry_changelist")


def log_entries(count: int, *, actor=None) -> list[AuditEntry]:
    actor = actor or UserFactory(username="auditor", is_staff=True)
    return [
        record(
            actor=actor,
            action=AuditAction.VIEWED,
            subject_type="tickets.order",
            subject_id=f"ORDER{number}",
        )
        for number in range(count)
    ]


def test_privacy_is_not_an_organizer_app():
    assert "privacy" not in settings.GREENROOM_ORGANIZER_APPS


def test_organizer_gets_403_on_the_audit_log(organizer_client):
    entry = log_entries(1)[0]

    listing = organizer_client.get(CHANGELIST)
    detail = organizer_client.get(reverse("admin:core_auditentry_change", args=[entry.pk]))

    assert (listing.status_code, detail.status_code) == (403, 403)


def test_organizer_admin_index_does_not_list_the_audit_log(organizer_client):
    response = organizer_client.get(reverse("admin:index"))

    assert response.status_code == 200
    assert CHANGELIST not in response.text


def test_superuser_sees_entries_newest_first(admin_client):
    older, newer = log_entries(2)

    response = admin_client.get(CHANGELIST)

    assert list(response.context["cl"].result_list) == [newer, older]


def test_superuser_cannot_add_entries(admin_client):
    response = admin_client.get(reverse("admin:core_auditentry_add"))

    assert response.status_code == 403


def test_superuser_sees_an_entry_read_only_and_cannot_change_it(admin_client):
    entry = log_entries(1)[0]
    url = reverse("admin:core_auditentry_change", args=[entry.pk])

    page = admin_client.get(url)
    posted = admin_client.post(url, {"subject_id": "forged", "action": "erased"})

    entry.refresh_from_db()
    assert page.status_code == 200
    assert page.context["adminform"].form.fields == {}  # every field shown read-only
    assert posted.status_code == 403
    assert entry.subject_id == "ORDER0"


def test_superuser_cannot_delete_entries(admin_client):
    entry = log_entries(1)[0]

    single = admin_client.post(
        reverse("admin:core_auditentry_delete", args=[entry.pk]), {"post": "yes"}
    )
    bulk = admin_client.post(
        CHANGELIST, {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"}
    )

    assert single.status_code == 403
    assert bulk.context["action_form"] is None  # no action at all, so not "delete selected"
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_audit_log_searches_actor_username_and_subject_id(admin_client):
    log_entries(2)
    log_entries(1, actor=UserFactory(username="door-staff", is_staff=True))

    by_actor = admin_client.get(CHANGELIST, {"q": "door-staff"})
    by_subject = admin_client.get(CHANGELIST, {"q": "ORDER1"})

    assert [entry.actor_username for entry in by_actor.context["cl"].result_list] == ["door-staff"]
    assert [entry.subject_id for entry in by_subject.context["cl"].result_list] == ["ORDER1"]


def test_audit_log_filters_by_action(admin_client):
    log_entries(2)
    staff = UserFactory(is_staff=True)
    exported = record(actor=staff, action=AuditAction.EXPORTED, subject_type="speakers.speaker")

    response = admin_client.get(CHANGELIST, {"action__exact": "exported"})

    assert list(response.context["cl"].result_list) == [exported]


def changelist_queries(client, entries: int) -> int:
    log_entries(entries - AuditEntry.objects.count())
    with CaptureQueriesContext(connection) as queries:
        response = client.get(CHANGELIST, {"all": ""})
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == entries
    return len(queries)


def test_audit_log_query_count_does_not_grow_with_entries(admin_client):
    with_5 = changelist_queries(admin_client, 5)
    with_50 = changelist_queries(admin_client, 50)

    print(f"AuditEntry changelist: {with_5} queries at 5 rows, {with_50} at 50")
    assert with_50 == with_5
