"""Query filters for the API that refuse what they cannot read instead of ignoring it."""

import django_filters
from django import forms

BOOLEAN_WORDS = {"true": True, "false": False, "1": True, "0": False}


class StrictNullBooleanField(forms.NullBooleanField):
    """`true`/`false` (or `1`/`0`); absent or empty is None; anything else is invalid.
    Django's own field reads any other word as None, so `?upcoming=maybe` would filter nothing
    and the client would never learn of the typo."""

    widget = forms.TextInput  # hands over the word as sent (NullBooleanSelect maps it first)

    def to_python(self, value):
        if value in (None, "") or isinstance(value, bool):
            return None if value == "" else value
        word = str(value).lower()
        if word not in BOOLEAN_WORDS:
            raise forms.ValidationError("Give true or false.", code="invalid")
        return BOOLEAN_WORDS[word]

    def validate(self, value):
        pass


class StrictBooleanFilter(django_filters.BooleanFilter):
    """A boolean query parameter; a value that is not a boolean is a 400."""

    field_class = StrictNullBooleanField
