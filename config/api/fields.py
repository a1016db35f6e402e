"""Serializer fields shared by the apps' APIs."""

from rest_framework import serializers


class OptionalURLField(serializers.URLField):
    """A link the model may leave blank, written as null when it is, so that its schema is one
    type (a URI) that may be null rather than a URI or an empty string."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_representation(self, value) -> str | None:
        return value or None


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
