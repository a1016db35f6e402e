"""The passes list: prices now and next, availability, hidden passes, ETag, delta sync."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from tests.factories import (
    EventFactory,
    InventoryPoolFactory,
    PassTypeFactory,
    PricePhaseFactory,
    PromoCodeFactory,
)
from tickets.services.ordering import LineRequest, place_order

pytestmark = pytest.mark.django_db


def passes(event, **params) -> list[dict]:
    response = APIClient().get(reverse("pass-list", args=[event.slug]), params)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def hold(pass_type, quantity):
    place_order(
        event=pass_type.event, lines=[LineRequest(pass_type.pk, quantity)], email="a@example.com"
    )


def test_pass_shows_current_price_when_it_ends_and_the_next_price():
    pass_type = PassTypeFactory(phase=None, name="General Admission", event__time_zone="UTC")
    switch = (timezone.now() + dt.timedelta(days=3)).replace(microsecond=0)
    PricePhaseFactory(
        pass_type=pass_type, name="Early bird", price=9500, ends_at=switch, position=1
    )
    PricePhaseFactory(
        pass_type=pass_type, name="Regular", price=12500, starts_at=switch, position=2
    )

    [offer] = passes(pass_type.event)

    assert offer["current_phase"] == {
        "name": "Early bird",
        "price": {"amount": 9500, "currency": "usd"},
        "starts_at": None,
        "ends_at": switch.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    assert offer["next_phase"]["price"] == {"amount": 12500, "currency": "usd"}
    assert (offer["on_sale"], offer["availability"]) == (True, "available")


@pytest.mark.parametrize(
    ("capacity", "taken", "availability"),
    [(100, 0, "available"), (100, 90, "few_left"), (100, 100, "sold_out")],
)
def test_availability_is_a_word_not_a_count(settings, capacity, taken, availability):
    settings.GREENROOM_FEW_LEFT_THRESHOLD = 10
    pass_type = PassTypeFactory(capacity=capacity, max_per_order=100)
    if taken:
        hold(pass_type, taken)

    [offer] = passes(pass_type.event)

    assert offer["availability"] == availability
    assert offer["on_sale"] is (availability != "sold_out")


def test_a_full_shared_pool_sells_out_every_pass_in_it():
    event = EventFactory()
    seats = InventoryPoolFactory(event=event, capacity=2)
    general, student = PassTypeFactory(event=event), PassTypeFactory(event=event)
    virtual = PassTypeFactory(event=event, capacity=None)
    general.pools.add(seats)
    student.pools.add(seats)
    hold(general, 2)

    by_id = {offer["id"]: offer["availability"] for offer in passes(event)}

    assert by_id == {general.pk: "sold_out", student.pk: "sold_out", virtual.pk: "available"}


def test_hidden_pass_appears_only_with_a_valid_unlocking_code():
    event = EventFactory()
    PassTypeFactory(event=event, name="General", position=1)
    hidden = PassTypeFactory(event=event, name="Founder", visibility="hidden", position=2)
    promo = PromoCodeFactory(event=event, code="FOUNDERS", unlocks_hidden=True)
    promo.pass_types.add(hidden)
    PromoCodeFactory(event=event, code="PLAIN")

    assert [offer["name"] for offer in passes(event)] == ["General"]
    assert [offer["name"] for offer in passes(event, promo_code="PLAIN")] == ["General"]
    unlocked = passes(event, promo_code="founders")
    assert [(offer["name"], offer["hidden"]) for offer in unlocked] == [
        ("General", False),
        ("Founder", True),
    ]


def test_passes_answer_304_until_availability_changes():
    pass_type = PassTypeFactory(capacity=100, max_per_order=100)
    url = reverse("pass-list", args=[pass_type.event.slug])
    client = APIClient()
    etag = client.get(url)["ETag"]

    unchanged = client.get(url, HTTP_IF_NONE_MATCH=etag)
    hold(pass_type, 95)
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)

    assert (unchanged.status_code, changed.status_code) == (304, 200)


def test_passes_delta_reports_changes_and_deleted_passes():
    event = EventFactory()
    kept = PassTypeFactory(event=event)
    removed = PassTypeFactory(event=event)
    since = timezone.now()
    removed_id = removed.pk
    removed.delete()

    body = (
        APIClient()
        .get(reverse("pass-list", args=[event.slug]), {"updated_since": since.isoformat()})
        .json()
    )

    assert (body["results"], body["deleted"]) == ([], [removed_id])
    assert kept.pk not in [offer["id"] for offer in body["results"]]


def test_passes_delta_includes_every_pass_once_an_order_moved_availability():
    pass_type = PassTypeFactory()
    since = timezone.now()
    hold(pass_type, 1)

    body = (
        APIClient()
        .get(
            reverse("pass-list", args=[pass_type.event.slug]), {"updated_since": since.isoformat()}
        )
        .json()
    )

    assert [offer["id"] for offer in body["results"]] == [pass_type.pk]


def test_passes_list_query_count_does_not_grow_with_passes():
    small, large = EventFactory(), EventFactory()
    for event, count in ((small, 2), (large, 20)):
        seats = InventoryPoolFactory(event=event)
        for _ in range(count):
            PassTypeFactory(event=event).pools.add(seats)
    client = APIClient()

    counts = []
    for event in (small, large):
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("pass-list", args=[event.slug]))
        counts.append(len(queries))

    assert counts[0] == counts[1]


@pytest.mark.parametrize(
    ("promo", "status", "code"),
    [
        (None, 400, "invalid_promo_code"),
        ({"valid_from": dt.timedelta(hours=1)}, 400, "invalid_promo_code"),
        ({"valid_until": -dt.timedelta(seconds=1)}, 400, "promo_code_expired"),
        ({"max_uses": 0}, 409, "promo_code_exhausted"),
    ],
    ids=["unknown", "not-yet-valid", "expired", "used-up"],
)
def test_unusable_promo_code_on_the_passes_list_is_refused_with_its_code(promo, status, code):
    event = EventFactory()
    PassTypeFactory(event=event)
    if promo is not None:
        fields = {
            name: timezone.now() + value if isinstance(value, dt.timedelta) else value
            for name, value in promo.items()
        }
        PromoCodeFactory(event=event, code="SAVE", **fields)

    response = APIClient().get(reverse("pass-list", args=[event.slug]), {"promo_code": "SAVE"})

    body = response.json()
    assert (response.status_code, body["code"]) == (status, code)
    assert body["errors"] == {"promo_code": [body["detail"]]}
