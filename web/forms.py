"""Forms of the public site: the agenda filter, the pass checkout and the speaker portal.
They shape input; the services decide."""

import datetime as dt
import uuid
from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _

from events.models import Event, Stage, Tag
from speakers.forms import HeadshotField
from speakers.services import ProfileChange
from tickets.selectors import PassOffer
from tickets.services.ordering import LineRequest


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


# A select offers at most this many passes of one type (a pass may allow fewer per order).
MAX_CHOICE = 10


def quantity_name(pass_type_id: int) -> str:
    return f"quantity-{pass_type_id}"


def attendee_name(pass_type_id: int, index: int) -> str:
    return f"attendee-{pass_type_id}-{index}"


def new_idempotency_key() -> str:
    """A fresh key for one render of the checkout form: a double submit of it is one order."""
    return str(uuid.uuid4())


def quantity_choices(offer: PassOffer) -> list[tuple[int, int]]:
    return [(count, count) for count in range(min(offer.pass_type.max_per_order, MAX_CHOICE) + 1)]


class InvalidField(forms.Form):
    """Ties each error to its field for assistive technology (aria-invalid, aria-describedby)."""

    def describe_errors(self) -> None:
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs.update(
                    {"aria-invalid": "true", "aria-describedby": f"{self[name].auto_id}-error"}
                )


class PromoCodeForm(InvalidField):
    """The passes page's little form: a code that unlocks hidden passes or takes money off."""

    code = forms.CharField(label=_("Promo or access code"), max_length=40, required=False)


class CheckoutForm(InvalidField):
    """Quantities per pass, an optional attendee name per pass, promo code and e-mail."""

    promo_code = forms.CharField(label=_("Promo code"), max_length=40, required=False)
    email = forms.EmailField(
        label=_("E-mail"),
        max_length=254,
        help_text=_("Your tickets and receipt go here."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, offers: list[PassOffer], user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # A pass no longer on sale stays on the form when it was chosen, so the refusal shows
        # next to it and the choice is not silently dropped.
        data = self.data if self.is_bound else self.initial
        self.offers = [
            offer
            for offer in offers
            if offer.on_sale or str(data.get(quantity_name(offer.pass_type.pk)) or 0) != "0"
        ]
        self.user = user if user is not None and user.is_authenticated else None
        if self.user is not None:
            self.fields["email"].disabled = True
            self.fields["email"].initial = self.user.email
            self.fields["email"].help_text = _("The e-mail of your account.")
        for offer in self.offers:
            pk = offer.pass_type.pk
            self.fields[quantity_name(pk)] = forms.TypedChoiceField(
                label=_("Quantity"),
                choices=quantity_choices(offer),
                coerce=int,
                empty_value=0,
                required=False,
                initial=0,
            )
            for index in range(len(quantity_choices(offer)) - 1):
                self.fields[attendee_name(pk, index)] = forms.CharField(
                    label=_("Name on pass %(number)s") % {"number": index + 1},
                    max_length=200,
                    required=False,
                    widget=forms.TextInput(attrs={"autocomplete": "off"}),
                )

    def quantity(self, offer: PassOffer) -> int:
        """The quantity chosen for `offer`, as typed (valid or not) or as first shown."""
        field = self[quantity_name(offer.pass_type.pk)]
        try:
            return int(field.value() or 0)
        except (TypeError, ValueError):
            return 0

    def rows(self) -> list["CheckoutRow"]:
        """Per pass on sale: the offer, its quantity field and the name fields to show."""
        return [
            CheckoutRow(
                offer=offer,
                quantity=self[quantity_name(offer.pass_type.pk)],
                names=[
                    self[attendee_name(offer.pass_type.pk, index)]
                    for index in range(self.quantity(offer))
                    if attendee_name(offer.pass_type.pk, index) in self.fields
                ],
            )
            for offer in self.offers
        ]

    def lines(self) -> list[LineRequest]:
        """What the buyer asks for, as the ordering service takes it (after `is_valid()`)."""
        lines = []
        for offer in self.offers:
            pk = offer.pass_type.pk
            quantity = self.cleaned_data.get(quantity_name(pk)) or 0
            if quantity < 1:
                continue
            names = [
                self.cleaned_data.get(attendee_name(pk, index), "") for index in range(quantity)
            ]
            attendees = tuple({"name": name.strip()} for name in names if name and name.strip())
            lines.append(LineRequest(pk, quantity, attendees))
        return lines

    def fresh_key(self) -> None:
        """A new Idempotency-Key for the next render (the typed values stay)."""
        key = new_idempotency_key()
        if self.is_bound:
            self.data = self.data.copy()
            self.data["idempotency_key"] = key
        self.initial["idempotency_key"] = key


@dataclass(frozen=True)
class CheckoutRow:
    """One pass on the checkout form."""

    offer: PassOffer
    quantity: forms.BoundField
    names: list[forms.BoundField]


MAX_PROFILE_LINKS = 5


class SpeakerProfileForm(InvalidField):
    """What a speaker keeps current in the portal: who they are, their photo and links."""

    job_title = forms.CharField(label=_("Title"), max_length=200, required=False)
    company = forms.CharField(label=_("Company"), max_length=200, required=False)
    pronouns = forms.CharField(
        label=_("Pronouns"),
        max_length=40,
        required=False,
        help_text=_("Optional, shown beside your name, e.g. she/her."),
    )
    bio = forms.CharField(label=_("Bio"), widget=forms.Textarea(attrs={"rows": 6}), required=False)
    headshot = HeadshotField(
        label=_("Photo"),
        required=False,
        square=True,
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    clear_headshot = forms.BooleanField(label=_("Remove my photo"), required=False)
    links = forms.CharField(
        label=_("Links"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Your website or profiles, one address per line (at most 5)."),
    )

    def __init__(self, *args, max_bytes: int, max_side: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["headshot"].help_text = _(
            "JPEG, PNG or WebP, at most %(mib)s MiB and %(side)s×%(side)s pixels; cropped to "
            "a square around the middle."
        ) % {"mib": f"{max_bytes / 1024 / 1024:.0f}", "side": max_side}

    def clean_links(self) -> list[str]:
        urls = [line.strip() for line in self.cleaned_data["links"].splitlines() if line.strip()]
        if len(urls) > MAX_PROFILE_LINKS:
            raise forms.ValidationError(
                _("At most %(count)s links, please.") % {"count": MAX_PROFILE_LINKS}
            )
        validate = forms.URLField(assume_scheme="https", max_length=500).clean
        return [validate(url) for url in urls]

    def change(self) -> ProfileChange:
        data = self.cleaned_data
        return ProfileChange(
            bio=data["bio"],
            pronouns=data["pronouns"],
            job_title=data["job_title"],
            company=data["company"],
            links=data["links"],
            headshot=data["headshot"],
            clear_headshot=data["clear_headshot"],
        )


class SessionMaterialsForm(InvalidField):
    """A speaker's slides and recording links for one session (prefixed by the session)."""

    slides_url = forms.URLField(
        label=_("Slides (link)"), max_length=500, required=False, assume_scheme="https"
    )
    recording_url = forms.URLField(
        label=_("Recording (link)"), max_length=500, required=False, assume_scheme="https"
    )
