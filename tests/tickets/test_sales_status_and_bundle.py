"""What the sales app adds to the events API: the event's sales status, the bundle's passes."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from tests.factories import EventFactory, PassTypeFactory, PricePhaseFactory
from tickets.services.ordering import LineRequest, place_order

pytestmark = pytest.mark.django_db


def sales_status(event) -> str:
    return APIClient().get(reverse("event-detail", args=[event.slug])).json()["sales_status"]


def hold(pass_type, quantity):
    place_order(
        event=pass_type.event, lines=[LineRequest(pass_type.pk, quantity)], email="a@example.com"
    )


def test_event_with_a_pass_to_buy_is_on_sale():
    assert sales_status(PassTypeFactory().event) == "on_sale"


def test_event_without_passes_says_so():
    assert sales_status(EventFactory()) == "no_passes"


def test_event_whose_passes_are_all_taken_is_sold_out():
    pass_type = PassTypeFactory(capacity=2)
    hold(pass_type, 2)

    assert sales_status(pass_type.event) == "sold_out"


def test_event_whose_sales_open_later_is_not_yet_on_sale():
    pass_type = PassTypeFactory(sales_start=timezone.now() + dt.timedelta(days=3))

    assert sales_status(pass_type.event) == "not_yet_on_sale"


def test_event_whose_first_price_starts_later_is_not_yet_on_sale():
    pass_type = PassTypeFactory(phase=None)
    PricePhaseFactory(pass_type=pass_type, starts_at=timezone.now() + dt.timedelta(hours=1))

    assert sales_status(pass_type.event) == "not_yet_on_sale"


def test_event_whose_sales_closed_has_sales_ended():
    pass_type = PassTypeFactory(sales_end=timezone.now() - dt.timedelta(minutes=1))

    assert sales_status(pass_type.event) == "sales_ended"


def test_event_detail_etag_changes_when_the_last_pass_is_taken():
    pass_type = PassTypeFactory(capacity=1)
    url = reverse("event-detail", args=[pass_type.event.slug])
    etag = APIClient().get(url)["ETag"]

    hold(pass_type, 1)

    assert APIClient().get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_bundle_carries_the_public_passes_and_the_sales_status():
    event = EventFactory()
    general = PassTypeFactory(event=event, phase__price=12500)
    PassTypeFactory(event=event, visibility="hidden")

    bundle = APIClient().get(reverse("bundle", args=[event.slug])).json()

    assert [
        (offer["id"], offer["current_phase"]["price"]["amount"]) for offer in bundle["passes"]
    ] == [(general.pk, 12500)]
    assert bundle["event"]["sales_status"] == "on_sale"


def test_bundle_etag_changes_when_availability_changes():
    pass_type = PassTypeFactory(capacity=20, max_per_order=20)
    url = reverse("bundle", args=[pass_type.event.slug])
    etag = APIClient().get(url)["ETag"]

    hold(pass_type, 15)

    assert APIClient().get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_bundle_delta_reports_deleted_passes():
    event = EventFactory()
    gone = PassTypeFactory(event=event)
    since = timezone.now()
    gone_id = gone.pk
    gone.delete()

    bundle = (
        APIClient()
        .get(reverse("bundle", args=[event.slug]), {"updated_since": since.isoformat()})
        .json()
    )

    assert (bundle["passes"], bundle["deleted"]["passes"]) == ([], [gone_id])
