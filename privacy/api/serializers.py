"""Serializers of the data-rights API: the export's sections, consents, the erasure request."""

from django.apps import apps
from django.contrib.auth import get_user_model
from rest_framework import serializers
from rest_framework.authtoken.models import Token

from config.api.fields import StrictBooleanField
from core import personal_data
from privacy.models import Consent, ConsentPurpose


class AccountRecordSerializer(serializers.ModelSerializer):
    """The account as stored."""

    class Meta:
        model = get_user_model()
        fields = ("username", "first_name", "last_name", "email", "date_joined", "last_login")


class ConsentRecordSerializer(serializers.ModelSerializer):
    """One recorded answer about a purpose."""

    purpose = serializers.ChoiceField(choices=ConsentPurpose.choices)

    class Meta:
        model = Consent
        fields = ("purpose", "granted", "recorded_at")


class ApiTokenRecordSerializer(serializers.ModelSerializer):
    """That an API token exists, and since when; never the token itself."""

    class Meta:
        model = Token
        fields = ("created",)


def personal_data_serializer() -> type[serializers.Serializer]:
    """The export's serializer: the account, then each app's sections as it registered them
    (core.personal_data), ending with privacy's own (consents, API tokens)."""
    apps.check_apps_ready()  # the apps register their sections while they load
    fields = {
        "exported_at": serializers.DateTimeField(),
        "account": AccountRecordSerializer(),
        **personal_data.export_fields(),
    }
    return type(
        "PersonalDataSerializer",
        (serializers.Serializer,),
        {
            **fields,
            "__doc__": "Everything held about the signed-in person.",
            "__module__": __name__,
        },
    )


class ConsentStateSerializer(serializers.Serializer):
    """A purpose and the person's current answer (null when they never answered)."""

    purpose = serializers.ChoiceField(choices=ConsentPurpose.choices)
    description = serializers.CharField()
    granted = serializers.BooleanField(allow_null=True)
    recorded_at = serializers.DateTimeField(allow_null=True)


class ConsentInputSerializer(serializers.Serializer):
    """The person's answer."""

    granted = StrictBooleanField()


class ErasureRequestSerializer(serializers.Serializer):
    """Confirmation that the person means it, and accepts losing tickets still to be used."""

    confirm = StrictBooleanField(default=False, help_text="Must be true: erasure cannot be undone.")
    void_future_tickets = StrictBooleanField(
        default=False,
        help_text="Must be true if the account holds valid tickets for events that have not "
        "ended: they are voided, without refund.",
    )
