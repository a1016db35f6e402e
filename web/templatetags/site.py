"""Template helpers of the public site: headshots by size, money, an event's dates."""

from django import template
from django.utils.dateformat import format as date_format
from django.utils.translation import pgettext_lazy

from events.models import SessionFormat
from speakers.models import SessionRole
from tickets.money import format_money

register = template.Library()

# The models' choice labels are English; the site shows these, in the page's language.
FORMAT_LABELS = {
    SessionFormat.KEYNOTE: pgettext_lazy("session format", "Keynote"),
    SessionFormat.PANEL: pgettext_lazy("session format", "Panel"),
    SessionFormat.FIRESIDE_CHAT: pgettext_lazy("session format", "Fireside chat"),
    SessionFormat.INTERVIEW: pgettext_lazy("session format", "Interview"),
    SessionFormat.WORKSHOP: pgettext_lazy("session format", "Workshop"),
    SessionFormat.BREAKOUT: pgettext_lazy("session format", "Breakout"),
    SessionFormat.PITCH: pgettext_lazy("session format", "Pitch"),
    SessionFormat.NETWORKING: pgettext_lazy("session format", "Networking"),
    SessionFormat.BREAK: pgettext_lazy("session format", "Break"),
}
ROLE_LABELS = {
    SessionRole.MODERATOR: pgettext_lazy("role in a session", "Moderator"),
    SessionRole.PANELIST: pgettext_lazy("role in a session", "Panelist"),
    SessionRole.SPEAKER: pgettext_lazy("role in a session", "Speaker"),
    SessionRole.HOST: pgettext_lazy("role in a session", "Host"),
    SessionRole.INTERVIEWER: pgettext_lazy("role in a session", "Interviewer"),
}


@register.simple_tag
def headshot_url(speaker, side: int) -> str:
    """The speaker's headshot rendition of `side` pixels, or "" when there is none."""
    name = (speaker.headshot_renditions or {}).get(str(side))
    return speaker.headshot.storage.url(name) if speaker.headshot and name else ""


@register.filter
def money(amount: int | None, currency: str) -> str:
    """Minor units as people read them: `$1,250.00`."""
    return format_money(amount, currency)


@register.simple_tag
def event_dates(event) -> str:
    """`12 Mar 2027`, or `12–13 Mar 2027`: the event's own calendar days, month names in the
    page's language."""
    start, end = event.start_date, event.end_date
    if start == end:
        return date_format(start, "j M Y")
    if (start.year, start.month) == (end.year, end.month):
        return f"{date_format(start, 'j')}–{date_format(end, 'j M Y')}"
    if start.year == end.year:
        return f"{date_format(start, 'j M')} – {date_format(end, 'j M Y')}"
    return f"{date_format(start, 'j M Y')} – {date_format(end, 'j M Y')}"


@register.filter
def format_label(value: str) -> str:
    """A session format (`fireside_chat`) as people read it: "Fireside chat"."""
    return FORMAT_LABELS.get(value, value)


@register.filter
def role_label(value: str) -> str:
    """A speaker's role in a session (`moderator`) as people read it: "Moderator"."""
    return ROLE_LABELS.get(value, value)
