"""Serializer fields shared by the apps' APIs."""

from operator import attrgetter

from rest_framework import serializers


class EventLocalDateTimeField(serializers.DateTimeField):
    """An instant shown in the zone of the event it belongs to, ISO 8601 with that offset.

    `event_path` names the event from the serialized object (`"event"` for a session, `""`
    for the event itself).
    """

    def __init__(self, *, event_path: str = "event", **kwargs) -> None:
        self.event_of = attrgetter(event_path) if event_path else (lambda event: event)
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        value = super().get_attribute(instance)
        return value.astimezone(self.event_of(instance).tzinfo) if value else None

    def to_representation(self, value) -> str | None:
        return value.isoformat() if value else None


class StrictBooleanField(serializers.BooleanField):
    """A JSON `true` or `false`; DRF's BooleanField also takes 1, 0, "yes", "on" and the like,
    and an input that is not a boolean is a client's mistake better refused than guessed at."""

    def to_internal_value(self, data) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class MoneySerializer(serializers.Serializer):
    """An amount of money: integer minor units and a lowercase ISO 4217 currency."""

    amount = serializers.IntegerField(help_text="Minor units, e.g. cents: 12500 is $125.00.")
    currency = serializers.CharField(help_text="ISO 4217, lowercase, as Stripe writes it.")


def money(amount: int, currency: str) -> dict:
    return {"amount": amount, "currency": currency}
