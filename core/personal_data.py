"""Data rights across apps: each app exports and erases its own personal data, registered here.

An app that holds personal data ships a `PersonalDataHandler` in its own `privacy.py`, next to
its models, and registers it from `AppConfig.ready()` (pretix's data shredders are the model).
The functions below ask every registered handler in turn, in registration order, which is
INSTALLED_APPS order: the apps holding a person's orders and bookmarks come before `privacy`,
whose handler deletes the account itself, last.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from core.exceptions import DomainError
from core.registry import Registry


@dataclass(frozen=True)
class ErasureResult:
    """What one erasure changed: orders and tickets whose personal data it removed, valid
    tickets for events not yet ended that it voided, and whether it deleted an account."""

    orders_anonymised: int = 0
    tickets_anonymised: int = 0
    tickets_voided: int = 0
    account_erased: bool = False

    def __add__(self, other: "ErasureResult") -> "ErasureResult":
        return ErasureResult(
            orders_anonymised=self.orders_anonymised + other.orders_anonymised,
            tickets_anonymised=self.tickets_anonymised + other.tickets_anonymised,
            tickets_voided=self.tickets_voided + other.tickets_voided,
            account_erased=self.account_erased or other.account_erased,
        )

    def summary(self) -> str:
        """The counts, for the organizer's message and the audit entry's detail."""
        summary = (
            f"{self.orders_anonymised} order(s) and {self.tickets_anonymised} ticket(s) "
            f"anonymised, {self.tickets_voided} ticket(s) voided"
        )
        return summary + (", account erased" if self.account_erased else "")


@dataclass(frozen=True)
class ErasurePreview:
    """What erasing an account would do, told to the person before they confirm."""

    orders: int = 0
    future_tickets: int = 0

    def __add__(self, other: "ErasurePreview") -> "ErasurePreview":
        return ErasurePreview(
            orders=self.orders + other.orders,
            future_tickets=self.future_tickets + other.future_tickets,
        )


class PersonalDataHandler:
    """One app's part of a person's data rights; override what the app holds.

    `export_fields()` names the app's sections of the data export with the serializer field
    that renders each; `export()` gives the data of those sections for one account.
    """

    def export_fields(self) -> dict:
        return {}

    def export(self, user) -> dict:
        return {}

    def preview_erasure(self, user, *, now: dt.datetime) -> ErasurePreview:
        return ErasurePreview()

    def erase_account(self, user, *, now: dt.datetime) -> ErasureResult:
        """Remove the account's data (its valid tickets for events not yet ended are voided)."""
        return ErasureResult()

    def erase_email(self, email: str, *, now: dt.datetime) -> ErasureResult:
        """Remove what is held under an e-mail address, whoever's account it is on."""
        return ErasureResult()

    def erase_past_events(self, *, now: dt.datetime, batch_size: int) -> int:
        """Retention: remove personal data of events ended long enough ago; returns a count."""
        return 0


HANDLERS: Registry[PersonalDataHandler] = Registry("personal data")


def register(app_label: str, handler: PersonalDataHandler) -> None:
    HANDLERS.register(app_label, handler)


def export_fields() -> dict:
    """Every app's export sections, in registration order."""
    return {name: field for handler in HANDLERS for name, field in handler.export_fields().items()}


def export(user) -> dict:
    return {name: data for handler in HANDLERS for name, data in handler.export(user).items()}


def preview_erasure(user, *, now: dt.datetime | None = None) -> ErasurePreview:
    now = now or timezone.now()
    return sum((handler.preview_erasure(user, now=now) for handler in HANDLERS), ErasurePreview())


@transaction.atomic
def erase_account(user, *, now: dt.datetime | None = None) -> ErasureResult:
    """Every app erases the account's data; the last handler (privacy's) deletes the account."""
    now = now or timezone.now()
    return sum((handler.erase_account(user, now=now) for handler in HANDLERS), ErasureResult())


@transaction.atomic
def erase_email(email: str, *, now: dt.datetime | None = None) -> ErasureResult:
    """Every app erases what it holds under an e-mail address (matched without regard to case),
    accounts with that address included."""
    email = email.strip()
    if not email:
        raise DomainError("Give the e-mail address to erase.", field="email")
    now = now or timezone.now()
    return sum((handler.erase_email(email, now=now) for handler in HANDLERS), ErasureResult())


def erase_past_events(*, now: dt.datetime | None = None, batch_size: int) -> int:
    """Retention across apps; each handler commits batch by batch."""
    now = now or timezone.now()
    return sum(handler.erase_past_events(now=now, batch_size=batch_size) for handler in HANDLERS)
