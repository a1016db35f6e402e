"""Template helpers of the public site: headshots by size, money, an event's dates."""

from django import template
from django.utils.dateformat import format as date_format

from tickets.money import format_money

register = template.Library()


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
