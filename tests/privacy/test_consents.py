"""Consents: each answer is a new row, the latest wins, and the API reads and records them."""

import pytest

from privacy.models import Consent, ConsentPurpose
from privacy.selectors import current_consents
from privacy.services import record_consent

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/me/consents/"
NEWS_URL = "/api/v1/me/consents/event_news/"


def test_consents_start_unanswered(attendee_client):
    response = attendee_client.get(LIST_URL)

    assert response.status_code == 200
    assert response.json() == [
        {
            "purpose": purpose.value,
            "description": purpose.label,
            "granted": None,
            "recorded_at": None,
        }
        for purpose in (ConsentPurpose.EVENT_NEWS, ConsentPurpose.PROGRAMME_CHANGES)
    ]


def test_the_latest_answer_wins_and_history_is_kept(attendee):
    record_consent(user=attendee, purpose=ConsentPurpose.EVENT_NEWS, granted=True)
    record_consent(user=attendee, purpose=ConsentPurpose.EVENT_NEWS, granted=False)

    state, _programme_changes = current_consents(attendee)

    assert state.granted is False
    assert list(Consent.objects.order_by("pk").values_list("granted", flat=True)) == [True, False]


def test_repeating_the_current_answer_adds_no_row(attendee):
    record_consent(user=attendee, purpose=ConsentPurpose.EVENT_NEWS, granted=True)
    record_consent(user=attendee, purpose=ConsentPurpose.EVENT_NEWS, granted=True)

    assert Consent.objects.count() == 1


def test_put_records_an_opt_in(attendee, attendee_client):
    response = attendee_client.put(NEWS_URL, {"granted": True}, format="json")

    assert response.status_code == 200
    assert (response.json()["purpose"], response.json()["granted"]) == ("event_news", True)
    assert Consent.objects.get().user == attendee


@pytest.mark.parametrize("body", [{}, {"granted": 0}, {"granted": "yes"}, {"granted": None}])
def test_put_without_a_boolean_is_invalid(attendee_client, body):
    response = attendee_client.put(NEWS_URL, body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_put_for_an_unknown_purpose_is_not_found(attendee_client):
    response = attendee_client.put(
        "/api/v1/me/consents/selling_my_data/", {"granted": True}, format="json"
    )

    assert response.status_code == 404


@pytest.mark.parametrize(("method", "url"), [("get", LIST_URL), ("put", NEWS_URL)])
def test_consents_need_a_signed_in_person(api_client, method, url):
    response = getattr(api_client, method)(url, {"granted": True}, format="json")

    assert response.status_code == 401


def test_consents_are_private_to_their_client(attendee_client):
    response = attendee_client.get(LIST_URL)

    assert "private" in response["Cache-Control"]
