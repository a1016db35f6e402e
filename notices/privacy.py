"""The notices app's part of data rights: the devices a person gets push notifications on and
the programme-change notices owed or sent to them, in their export.

No eraser is needed: both are deleted with the account (they cascade). The person's answer
about programme-change notices is a consent, exported by the privacy app.
"""

from rest_framework import serializers

from core.personal_data import PersonalDataHandler
from notices.models import ProgrammeNotice, PushSubscription


class PushSubscriptionRecordSerializer(serializers.ModelSerializer):
    """A device that takes push notifications; never its keys."""

    class Meta:
        model = PushSubscription
        fields = ("endpoint", "created_at", "last_success_at", "last_failure_at")


class ProgrammeNoticeRecordSerializer(serializers.ModelSerializer):
    """A change to a bookmarked session, owed or told to the person."""

    session = serializers.IntegerField(source="session_id")
    event = serializers.CharField(source="session.event.slug")

    class Meta:
        model = ProgrammeNotice
        fields = ("session", "event", "kinds", "changed_at", "sent_at")


class NoticesPersonalData(PersonalDataHandler):
    """Push subscriptions and programme-change notices."""

    def export_fields(self) -> dict:
        return {
            "push_subscriptions": PushSubscriptionRecordSerializer(many=True),
            "programme_notices": ProgrammeNoticeRecordSerializer(many=True),
        }

    def export(self, user) -> dict:
        return {
            "push_subscriptions": user.push_subscriptions.order_by("created_at", "pk"),
            "programme_notices": user.programme_notices.select_related("session__event"),
        }
