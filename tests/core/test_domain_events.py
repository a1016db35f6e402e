import pytest

from core import domain_events

# The apps above subscribe (webhooks write their outbox, notices look up bookmarkers), so
# publishing touches the database.
pytestmark = pytest.mark.django_db


@pytest.fixture
def heard():
    events = []
    domain_events.SUBSCRIBERS.register("test.listener", events.append)
    yield events
    domain_events.SUBSCRIBERS.unregister("test.listener")


def test_publish_tells_each_subscriber_the_type_event_and_data(heard):
    domain_events.publish("session.cancelled", event_id=7, data={"id": 3})

    assert [(e.type, e.event_id, e.data) for e in heard] == [("session.cancelled", 7, {"id": 3})]


def test_publish_refuses_a_type_not_in_the_catalogue(heard):
    with pytest.raises(ValueError, match="not a domain event type"):
        domain_events.publish("session.renamed", event_id=7, data={})

    assert heard == []
