"""`manage.py normalise_headshots`: re-encode headshots stored as uploaded, with renditions."""

from django.core.management.base import BaseCommand

from speakers.exceptions import SpeakersError
from speakers.models import Speaker
from speakers.services import has_headshot_renditions, normalise_speaker_headshot


class Command(BaseCommand):
    """Bring headshots uploaded before uploads were normalised to their stored form."""

    help = (
        "Re-encode every speaker headshot that has no renditions yet (stored as it was uploaded, "
        "before uploads were checked and normalised) and write its renditions. Headshots beyond "
        "the size caps or unreadable are listed and left without renditions: the API does not "
        "hand them out until an organizer uploads a new one. Safe to run twice."
    )

    def handle(self, *args, **options) -> None:
        done, refused = 0, 0
        for speaker in Speaker.objects.exclude(headshot="").order_by("pk").iterator():
            if has_headshot_renditions(speaker):
                continue
            try:
                normalise_speaker_headshot(speaker=speaker)
            except (SpeakersError, OSError) as error:
                refused += 1
                reason = (
                    error.message
                    if isinstance(error, SpeakersError)
                    else (error.strerror or str(error))
                )
                self.stdout.write(self.style.ERROR(f"{speaker.name} (id {speaker.pk}): {reason}"))
                continue
            done += 1
        self.stdout.write(f"{done} headshot(s) normalised, {refused} left to upload again.")
