"""Event rules checked in clean(): how long an event may last."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from tests.factories import EventFactory

pytestmark = pytest.mark.django_db


def event_of(days: int):
    start = dt.date(2031, 6, 9)
    return EventFactory.build(start_date=start, end_date=start + dt.timedelta(days=days - 1))


@pytest.mark.parametrize("days", [1, 31])
def test_an_event_of_up_to_the_cap_in_days_is_valid(settings, days):
    settings.GREENROOM_MAX_EVENT_DAYS = 31

    event_of(days).clean()


def test_an_event_longer_than_the_cap_is_refused_on_its_last_day(settings):
    settings.GREENROOM_MAX_EVENT_DAYS = 31

    with pytest.raises(ValidationError) as refused:
        event_of(32).clean()

    assert refused.value.message_dict == {
        "end_date": ["An event lasts at most 31 days; this one would last 32."]
    }
