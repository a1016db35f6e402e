"""Writes of the speakers app: who may be in a session, lineup invitations and answers,
portal links and the speaker's own edits, headshot renditions."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from core import domain_events
from events.models import Event, Session
from events.selectors import organizer_emails
from events.services import unique_slug
from speakers.exceptions import PortalLinkUnknown, SpeakersError
from speakers.headshots import (
    RENDITION_SIDES,
    encode_jpeg,
    normalised_headshot,
    open_headshot,
    rendition_name,
    upright_rgb,
)
from speakers.models import (
    InvitationStatus,
    LineupEntry,
    Organization,
    SessionSpeaker,
    Speaker,
    SpeakerLink,
)
from speakers.portal_links import portal_url
from speakers.tasks import notify_organizers_of_answer, send_speaker_invitation


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
        entry.link_revoked_at = None  # the e-mail carries a link of the current version
        entry.save()
        queued.append(speaker)
        transaction.on_commit(lambda pk=entry.pk: send_speaker_invitation.delay(pk))
    return InvitationResult(queued, without_email, already_confirmed)


def send_invitation_email(*, lineup_entry_id: int) -> bool:
    """Send one pending invitation e-mail, with the speaker's portal link; returns False when
    there was nothing to send. A declined speaker gets none unless invited again.

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
        if entry.status == InvitationStatus.DECLINED or not entry.speaker.email:
            return False
        context = {
            "entry": entry,
            "event": entry.event,
            "speaker": entry.speaker,
            "portal_url": portal_url(entry),
            "link_days": settings.GREENROOM_SPEAKER_LINK_DAYS,
        }
        send_mail(
            subject=_("Invitation to speak at %(event)s") % {"event": entry.event.name},
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


@transaction.atomic
def answer_invitation(*, entry: LineupEntry, status: str) -> LineupEntry:
    """The speaker's own answer from the portal: confirmed or declined, stamped, and the
    organizers told by e-mail once the answer is committed. The same answer twice changes
    nothing and tells no one; a speaker may change their mind.
    """
    if status not in InvitationStatus.answers():
        raise SpeakersError(_("Answer with confirmed or declined."), code="invalid_answer")
    locked = LineupEntry.objects.select_for_update().get(pk=entry.pk)
    if locked.status != status:
        locked.status = status
        stamp_status_time(locked, now=timezone.now())
        locked.save()
        transaction.on_commit(lambda: notify_organizers_of_answer.delay(locked.pk))
        if status == InvitationStatus.CONFIRMED:
            _publish_confirmed(locked)
    entry.status, entry.confirmed_at, entry.declined_at = (
        locked.status,
        locked.confirmed_at,
        locked.declined_at,
    )
    return entry


def _publish_confirmed(entry: LineupEntry) -> None:
    """Tell the apps above (webhooks) a speaker is coming: their public face, no contacts."""
    speaker = entry.speaker
    domain_events.publish(
        "speaker.confirmed",
        event_id=entry.event_id,
        data={
            "id": speaker.pk,
            "event": entry.event.slug,
            "name": speaker.name,
            "title": speaker.job_title,
            "company": speaker.organization.name if speaker.organization_id else None,
        },
    )


def send_answer_notification(*, lineup_entry_id: int) -> bool:
    """Tell the organizers (events.selectors.organizer_emails) the speaker's answer as it
    stands; returns False when the entry is gone or no longer answered (invited again)."""
    entry = (
        LineupEntry.objects.select_related("event", "speaker").filter(pk=lineup_entry_id).first()
    )
    if entry is None or entry.status not in InvitationStatus.answers():
        return False
    status = entry.status
    context = {"entry": entry, "event": entry.event, "speaker": entry.speaker}
    subject = (
        _("%(speaker)s accepted to speak at %(event)s")
        if status == InvitationStatus.CONFIRMED
        else _("%(speaker)s declined to speak at %(event)s")
    )
    send_mail(
        subject=subject % {"speaker": entry.speaker.name, "event": entry.event.name},
        message=render_to_string("speakers/email/answer.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=organizer_emails(),
    )
    return True


@transaction.atomic
def resend_portal_links(*, entries: Iterable[LineupEntry]) -> list[LineupEntry]:
    """Send the invitation e-mail again, with a fresh link (and a fresh expiry), to each entry
    whose speaker has an address and has not declined; a revoked link is reinstated this way.
    Returns the entries queued."""
    queued = []
    for entry in entries:
        locked = LineupEntry.objects.select_for_update().select_related("speaker").get(pk=entry.pk)
        if locked.status == InvitationStatus.DECLINED or not locked.speaker.email:
            continue
        locked.invitation_sent_at = None
        locked.link_revoked_at = None
        locked.save(update_fields=["invitation_sent_at", "link_revoked_at", "updated_at"])
        queued.append(locked)
        transaction.on_commit(lambda pk=locked.pk: send_speaker_invitation.delay(pk))
    return queued


@transaction.atomic
def revoke_portal_links(*, entries: Iterable[LineupEntry]) -> int:
    """Make every portal link handed out for these entries stop working; returns how many."""
    pks = [entry.pk for entry in entries]
    return LineupEntry.objects.filter(pk__in=pks).update(
        link_version=F("link_version") + 1, link_revoked_at=timezone.now()
    )


@dataclass(frozen=True)
class ProfileChange:
    """What a speaker may change of their own profile in the portal."""

    bio: str
    pronouns: str
    job_title: str
    company: str
    links: list[str]
    headshot: ContentFile | None = None  # normalised (speakers.headshots), None: keep
    clear_headshot: bool = False


@transaction.atomic
def update_speaker_profile(*, speaker: Speaker, change: ProfileChange) -> Speaker:
    """Save the speaker's own edits: text fields, company (found by name, or created), links
    (kept in the order given, duplicates dropped) and the headshot with its renditions."""
    speaker.bio, speaker.pronouns, speaker.job_title = (
        change.bio,
        change.pronouns,
        change.job_title,
    )
    speaker.organization = find_or_create_organization(change.company)
    previous = speaker.headshot.name
    if change.headshot is not None:
        speaker.headshot.save(change.headshot.name, change.headshot, save=False)
    elif change.clear_headshot:
        speaker.headshot = ""
    speaker.save()
    urls = list(dict.fromkeys(change.links))
    speaker.links.exclude(url__in=urls).delete()
    existing = set(speaker.links.values_list("url", flat=True))
    SpeakerLink.objects.bulk_create(
        SpeakerLink(speaker=speaker, url=url) for url in urls if url not in existing
    )
    if speaker.headshot.name != previous:
        store_headshot_renditions(speaker=speaker, replaced=previous)
    return speaker


def find_or_create_organization(name: str) -> Organization | None:
    """The organization of that name (any case), created if new; None for a blank name."""
    name = name.strip()
    if not name:
        return None
    return Organization.objects.filter(name__iexact=name).first() or (
        Organization.objects.create(name=name, slug=unique_slug(Organization, name))
    )


@transaction.atomic
def save_session_materials(
    *, speaker: Speaker, session_id: int, slides_url: str, recording_url: str
) -> SessionSpeaker:
    """The speaker's slides and recording links for one of their own sessions."""
    role = (
        SessionSpeaker.objects.select_for_update()
        .filter(speaker=speaker, session_id=session_id)
        .first()
    )
    if role is None:
        raise PortalLinkUnknown(_("You do not speak in this session."))
    role.slides_url, role.recording_url = slides_url, recording_url
    role.save(update_fields=["slides_url", "recording_url", "updated_at"])
    return role
