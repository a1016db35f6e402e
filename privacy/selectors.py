"""Reads of the privacy app: what is held about a person, and their consents."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from core import personal_data as registered_apps
from privacy.models import Consent, ConsentPurpose


def personal_data(user) -> dict:
    """Everything Greenroom holds about a signed-in person, for their data export: the
    account, then what each app registered with core.personal_data holds about it."""
    return {"exported_at": timezone.now(), "account": user, **registered_apps.export(user)}


@dataclass(frozen=True)
class ConsentState:
    """A purpose and the person's current answer (None when they never answered)."""

    purpose: str
    description: str
    granted: bool | None
    recorded_at: dt.datetime | None

    @classmethod
    def of(cls, purpose: str, latest: Consent | None) -> "ConsentState":
        return cls(
            purpose=purpose,
            description=ConsentPurpose(purpose).label,
            granted=latest.granted if latest else None,
            recorded_at=latest.recorded_at if latest else None,
        )


def current_consents(user) -> list[ConsentState]:
    """Every purpose with the person's latest answer: the latest row wins."""
    latest: dict[str, Consent] = {}
    for consent in Consent.objects.filter(user=user).order_by("purpose", "-recorded_at", "-pk"):
        latest.setdefault(consent.purpose, consent)
    return [ConsentState.of(purpose, latest.get(purpose)) for purpose in ConsentPurpose.values]


def refusing_user_ids(purpose: str, *, user_ids) -> set[int]:
    """Those of `user_ids` (ids or a query of ids) whose latest answer for `purpose` is no."""
    latest_answer = (
        Consent.objects.filter(user_id=OuterRef("user_id"), purpose=purpose)
        .order_by("-recorded_at", "-pk")
        .values("granted")[:1]
    )
    return set(
        Consent.objects.filter(user_id__in=user_ids, purpose=purpose)
        .annotate(latest=Subquery(latest_answer))
        .filter(latest=False)
        .values_list("user_id", flat=True)
        .distinct()
    )
