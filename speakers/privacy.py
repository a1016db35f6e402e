"""The speakers app's part of data rights: speakers' private contacts (e-mail, phone).

Speakers are not accounts, so nothing here joins a person's export or account erasure; an
organizer blanks a speaker's contacts on request from the speaker admin.
"""

from django.utils import timezone

from speakers.models import Speaker


def erase_speaker_contacts(*, speaker: Speaker) -> bool:
    """Blank a speaker's private contacts; the public profile stays. Returns whether anything
    changed."""
    changed = (
        Speaker.objects.filter(pk=speaker.pk)
        .exclude(email="", phone="")
        .update(email="", phone="", updated_at=timezone.now())
    )
    speaker.email = speaker.phone = ""
    return bool(changed)
