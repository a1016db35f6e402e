"""Forms of the public site."""

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from events.models import Event, Stage, Tag


class AgendaFilterForm(forms.Form):
    """The agenda's day, stage and topic, read from the query string; a value that is not
    one of the event's is dropped rather than answered with an error page."""

    day = forms.DateField(required=False, widget=forms.HiddenInput)
    stage = forms.ChoiceField(label=_("Stage"), required=False)
    tag = forms.ChoiceField(label=_("Topic"), required=False)

    def __init__(self, data, *, event: Event, stages: list[Stage], tags: list[Tag]):
        super().__init__(data)
        self.event = event
        self.fields["stage"].choices = [("", _("All stages"))] + [
            (stage.slug, stage.name) for stage in stages
        ]
        self.fields["tag"].choices = [("", _("All topics"))] + [
            (tag.slug, tag.name) for tag in tags
        ]

    def clean_day(self) -> dt.date | None:
        day = self.cleaned_data["day"]
        return day if day in self.event.days else None

    def value(self, name: str):
        """The field's cleaned value, or None when it is missing or not one of the event's."""
        self.is_valid()
        return self.cleaned_data.get(name) or None
