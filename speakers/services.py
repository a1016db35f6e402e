"""Writes of the speakers app: who may be in a session, lineup invitations and answers,
headshot renditions."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from events.models import Event, Session
from speakers.exceptions import SpeakersError
from speakers.headshots import (
    RENDITION_SIDES,
    encode_jpeg,
    normalised_headshot,
    open_headshot,
    rendition_name,
    upright_rgb,
)
from speakers.models import InvitationStatus, LineupEntry, SessionSpeaker, Speaker
from speakers.tasks import send_speaker_invitation


def check_speakers_available(*, session: Session, speakers: Iterable[Speaker]) -> None:
    """Raise SpeakersError if a speaker is in another session that overlaps this one.

    Sessions of every event count: a person cannot be on two stages at once anywhere.
    """
    clash = (
        SessionSpeaker.objects.filter(
            speaker__in=[speaker.pk for speaker in speakers],
            session__starts_at__lt=session.ends_at,
            session__ends_at__gt=session.starts_at,
        )
        .exclude(session_id=session.pk)
        .select_related("speaker", "session__stage", "session__event")
        .order_by("session__starts_at", "speaker__name")
        .first()
    )
    if clash is not None:
        other = clash.session
        raise SpeakersError(
            f"{clash.speaker.name} is already in “{other.title}” on {other.stage.name} at "
            f"{other.local_slot_label()}.",
            field="speakers",
            code="speaker_clash",
        )


STATUS_TIME_FIELD = {
    InvitationStatus.INVITED: "invited_at",
    InvitationStatus.CONFIRMED: "confirmed_at",
    InvitationStatus.DECLINED: "declined_at",
}


def stamp_status_time(entry: LineupEntry, *, now) -> None:
    """Record when the entry took its current status (invited_at, confirmed_at or declined_at)."""
    setattr(entry, STATUS_TIME_FIELD[InvitationStatus(entry.status)], now)


@transaction.atomic
def set_lineup_status(*, event: Event, speakers: Iterable[Speaker], status: str) -> int:
    """Record speakers' answers (or a new invitation) for an event; returns how many changed.

    Speakers not yet in the event's lineup join it with that status.
    """
    now = timezone.now()
    changed = 0
    for speaker in speakers:
        entry = LineupEntry.objects.select_for_update().filter(
            event=event, speaker=speaker
        ).first() or LineupEntry(event=event, speaker=speaker)
        if entry.pk is not None and entry.status == status:
            continue
        entry.status = status
        stamp_status_time(entry, now=now)
        entry.save()
        changed += 1
    return changed


@dataclass(frozen=True)
class InvitationResult:
    """What `invite_speakers` did: who will get an e-mail and who was passed over, and why."""

    queued: list[Speaker]
    without_email: list[Speaker]
    already_confirmed: list[Speaker]


@transaction.atomic
def invite_speakers(*, event: Event, speakers: Iterable[Speaker]) -> InvitationResult:
    """Put speakers in the event's lineup as invited and queue one invitation e-mail each.

    Confirmed speakers are left alone; a declined one is invited again. E-mails are queued on
    commit, so a rolled-back invitation sends nothing.
    """
    now = timezone.now()
    queued, without_email, already_confirmed = [], [], []
    for speaker in speakers:
        if not speaker.email:
            without_email.append(speaker)
            continue
        entry, _ = LineupEntry.objects.select_for_update().get_or_create(
            event=event, speaker=speaker, defaults={"invited_at": now}
        )
        if entry.status == InvitationStatus.CONFIRMED:
            already_confirmed.append(speaker)
            continue
        entry.status = InvitationStatus.INVITED
        entry.invited_at = now
        entry.invitation_sent_at = None
        entry.save()
        queued.append(speaker)
        transaction.on_commit(lambda pk=entry.pk: send_speaker_invitation.delay(pk))
    return InvitationResult(queued, without_email, already_confirmed)


def send_invitation_email(*, lineup_entry_id: int) -> bool:
    """Send one pending invitation e-mail; returns False when there was nothing to send.

    Safe to run twice: the entry is locked and stamped in the same transaction as the send,
    so a second run (a redelivered task) finds it already sent.
    """
    with transaction.atomic():
        entry = (
            LineupEntry.objects.select_for_update(of=("self",))
            .select_related("event", "speaker")
            .filter(pk=lineup_entry_id)
            .first()
        )
        if entry is None or entry.invitation_sent_at is not None:
            return False
        if entry.status != InvitationStatus.INVITED or not entry.speaker.email:
            return False
        context = {"entry": entry, "event": entry.event, "speaker": entry.speaker}
        send_mail(
            subject=f"Invitation to speak at {entry.event.name}",
            message=render_to_string("speakers/email/invitation.txt", context),
            html_message=render_to_string("speakers/email/invitation.html", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[entry.speaker.email],
        )
        entry.invitation_sent_at = timezone.now()
        entry.save(update_fields=["invitation_sent_at", "updated_at"])
    return True


def _delete_after_commit(storage: Storage, names: Iterable[str]) -> None:
    # After commit: a rolled-back change must still find its files.
    for name in names:
        transaction.on_commit(lambda name=name: storage.delete(name))


@transaction.atomic
def store_headshot_renditions(*, speaker: Speaker, replaced: str = "") -> Speaker:
    """Write the RENDITION_SIDES renditions of the speaker's stored headshot and record them;
    without a headshot, forget (and delete) them. `replaced` names the headshot file this one
    replaced, deleted with its renditions: a removed photo stays served by no URL.

    Safe to run twice: each rendition is rewritten under the name it had. Raises SpeakersError
    when the stored headshot is beyond the caps or unreadable.
    """
    storage = speaker.headshot.storage
    before = set(speaker.headshot_renditions.values())
    if replaced and replaced != speaker.headshot.name:
        before.add(replaced)
    renditions = {}
    if speaker.headshot:
        with speaker.headshot.open("rb"):
            image = upright_rgb(open_headshot(speaker.headshot))
        for side in RENDITION_SIDES:
            name = rendition_name(speaker.headshot.name, side)
            storage.delete(name)  # so that saving keeps the name instead of adding a suffix
            renditions[str(side)] = storage.save(name, ContentFile(encode_jpeg(image, side=side)))
    speaker.headshot_renditions = renditions
    speaker.save(update_fields=["headshot_renditions", "updated_at"])
    _delete_after_commit(storage, before - set(renditions.values()))
    return speaker


def has_headshot_renditions(speaker: Speaker) -> bool:
    """Whether every rendition of the speaker's headshot is recorded."""
    return set(speaker.headshot_renditions) == {str(side) for side in RENDITION_SIDES}


@transaction.atomic
def normalise_speaker_headshot(*, speaker: Speaker) -> Speaker:
    """Re-encode a headshot stored as it was uploaded (before uploads were normalised), then
    write its renditions; the original file is deleted once the change is committed.

    Raises SpeakersError when the stored file is beyond the caps or unreadable: it is left as
    it is, without renditions, so the API does not hand it out.
    """
    original = speaker.headshot.name
    with speaker.headshot.open("rb"):
        normalised = normalised_headshot(speaker.headshot)
    speaker.headshot.save(normalised.name, normalised, save=False)
    speaker.save(update_fields=["headshot", "updated_at"])
    return store_headshot_renditions(speaker=speaker, replaced=original)
