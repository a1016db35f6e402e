"""The lineup pages: an event's announced speakers, and one speaker's page under the event."""

from django.template.response import TemplateResponse

from agenda.selectors import announced_speakers, get_announced_speaker
from events.selectors import get_public_event


def speaker_list(request, slug: str):
    """Everyone announced for the event, by name."""
    event = get_public_event(slug)
    return TemplateResponse(
        request, "web/speakers.html", {"event": event, "speakers": announced_speakers(event)}
    )


def speaker_detail(request, slug: str, speaker_slug: str):
    """A speaker of the event's public lineup: who they are, and their sessions there."""
    event = get_public_event(slug)
    speaker = get_announced_speaker(event, speaker_slug)
    return TemplateResponse(request, "web/speaker.html", {"event": event, "speaker": speaker})
