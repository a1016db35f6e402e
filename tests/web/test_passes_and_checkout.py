"""Buying on the site: the passes page, the checkout form and its refusals, the payment step."""

import datetime as dt
import gzip
import re
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    EventFactory,
    PassTypeFactory,
    PricePhaseFactory,
    PromoCodeFactory,
    UserFactory,
)
from tickets.models import Order, OrderLine, PassType, PassVisibility, Payment
from tickets.services.ordering import LineRequest, place_order

pytestmark = pytest.mark.django_db

SITE_CSS = Path(settings.BASE_DIR) / "web" / "static" / "web" / "site.css"
PAY_JS = Path(settings.BASE_DIR) / "web" / "static" / "web" / "pay.js"
PAGE_BUDGET = 50 * 1024


def gzipped_size(*parts: bytes) -> int:
    return sum(len(gzip.compress(part)) for part in parts)


def passes_url(event, **query) -> str:
    url = reverse("web:passes", args=[event.slug])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def checkout_url(event) -> str:
    return reverse("web:checkout", args=[event.slug])


def hidden_key(page: str) -> str:
    return re.search(r'name="idempotency_key" value="([^"]+)"', page).group(1)


def refusal_at(page: str, field: str) -> str:
    """The error shown next to `field`, which the field must point to (aria-describedby)."""
    assert f'aria-describedby="id_{field}-error"' in page
    return re.search(rf'id="id_{field}-error">([^<]*)</p>', page).group(1)


def checkout_post(client, event, *, quantities: dict, names=None, key=None, **fields):
    """Submit the checkout form the way a browser does after the form was shown."""
    data = {"step": "place", "idempotency_key": key or str(uuid.uuid4()), **fields}
    data.setdefault("email", "buyer@example.com")
    for pass_type, quantity in quantities.items():
        data[f"quantity-{pass_type.pk}"] = str(quantity)
    for (pass_type, index), name in (names or {}).items():
        data[f"attendee-{pass_type.pk}-{index}"] = name
    return client.post(checkout_url(event), data)


# --- the passes page -----------------------------------------------------------------------


def test_passes_page_shows_price_next_phase_in_the_event_zone_and_availability(client):
    event = EventFactory(currency="usd")
    now = timezone.now()
    general = PassTypeFactory(
        event=event,
        name="General Admission",
        description="All talks, both days.",
        perks=["Lunch", "Afterparty"],
        capacity=500,
        phase=None,
    )
    PricePhaseFactory(
        pass_type=general, name="Early bird", price=19000, ends_at=now + dt.timedelta(days=3)
    )
    starts = dt.datetime(2030, 1, 15, 17, 0, tzinfo=dt.UTC)  # 09:00 in Los Angeles
    PricePhaseFactory(pass_type=general, name="Regular", price=25000, starts_at=starts, position=1)
    PassTypeFactory(event=event, name="Expo", capacity=3)
    PassTypeFactory(event=event, name="Founder", capacity=0)

    page = client.get(passes_url(event)).content.decode()

    assert "General Admission" in page
    assert "All talks, both days." in page
    assert "Lunch" in page
    assert "$190.00" in page
    assert "Then $250.00 from Tue 15 Jan 2030, 09:00 PST." in page
    assert re.findall(r'class="availability \w+">([^<]+)<', page) == [
        "Few left",  # Expo
        "Sold out",  # Founder
        "Available",  # General Admission
    ]
    assert f'name="quantity-{general.pk}"' in page


def test_a_hidden_pass_shows_only_with_the_code_that_unlocks_it(client):
    event = EventFactory()
    PassTypeFactory(event=event, name="General")
    hidden = PassTypeFactory(event=event, name="Speaker pass", visibility=PassVisibility.HIDDEN)
    promo = PromoCodeFactory(event=event, code="SPEAKERS", unlocks_hidden=True, value=100)
    promo.pass_types.add(hidden)

    without = client.get(passes_url(event)).content.decode()
    with_code = client.get(passes_url(event, code="speakers")).content.decode()

    assert "Speaker pass" not in without
    assert "Speaker pass" in with_code
    assert 'name="promo_code" value="speakers"' in with_code


def test_a_wrong_code_says_so_next_to_the_code_field(client):
    event = EventFactory()
    PassTypeFactory(event=event)

    page = client.get(passes_url(event, code="NOPE")).content.decode()

    assert refusal_at(page, "code") == "“NOPE” is not a valid code for this event."


@pytest.mark.parametrize(
    ("promo", "message"),
    [
        ({"valid_until": -dt.timedelta(seconds=1)}, "That code has expired."),
        ({"max_uses": 0}, "That code has been used up."),
    ],
    ids=["expired", "used-up"],
)
def test_a_code_that_cannot_be_used_now_says_why_next_to_the_code_field(client, promo, message):
    event = EventFactory()
    PassTypeFactory(event=event)
    fields = {
        name: timezone.now() + value if isinstance(value, dt.timedelta) else value
        for name, value in promo.items()
    }
    PromoCodeFactory(event=event, code="SAVE", **fields)

    page = client.get(passes_url(event, code="SAVE")).content.decode()

    assert refusal_at(page, "code") == message


@pytest.mark.parametrize("pass_count", [2, 20])
def test_passes_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries, pass_count):
    event = EventFactory()
    for _ in range(pass_count):
        PassTypeFactory(event=event)

    with django_assert_num_queries(5):
        response = client.get(passes_url(event))

    assert response.status_code == 200


def test_passes_page_weighs_under_the_budget_gzipped(client):
    event = EventFactory()
    for _ in range(20):
        PassTypeFactory(event=event, perks=["Lunch", "All talks"], description="A pass. " * 20)

    page = client.get(passes_url(event)).content

    assert gzipped_size(page, SITE_CSS.read_bytes()) < PAGE_BUDGET


# --- the checkout form ---------------------------------------------------------------------


def test_passes_page_post_opens_the_checkout_with_the_selection_and_a_fresh_key(client):
    pass_type = PassTypeFactory(name="General")

    first = client.post(checkout_url(pass_type.event), {f"quantity-{pass_type.pk}": "2"})
    second = client.post(checkout_url(pass_type.event), {"pick": str(pass_type.pk)})

    page = first.content.decode()
    assert first.status_code == 200
    assert '<option value="2" selected>2</option>' in page
    assert f'name="attendee-{pass_type.pk}-1"' in page
    assert f'name="attendee-{pass_type.pk}-2"' not in page
    assert uuid.UUID(hidden_key(page)).version == 4
    assert hidden_key(page) != hidden_key(second.content.decode())
    assert '<option value="1" selected>1</option>' in second.content.decode()


def test_update_shows_a_name_field_per_pass_chosen_and_keeps_what_was_typed(client):
    pass_type = PassTypeFactory()

    response = checkout_post(
        client,
        pass_type.event,
        quantities={pass_type: 3},
        names={(pass_type, 0): "Ada Lovelace"},
        update="1",
        email="",
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="Ada Lovelace"' in page
    assert f'name="attendee-{pass_type.pk}-2"' in page
    assert 'aria-invalid="true"' not in page
    assert Order.objects.count() == 0


def test_checkout_get_shows_the_form(client):
    pass_type = PassTypeFactory(name="General")

    response = client.get(checkout_url(pass_type.event))

    assert response.status_code == 200
    assert 'name="email"' in response.content.decode()


def test_checkout_places_the_order_and_opens_the_payment_step_with_the_client_secret(
    client, stripe_settings
):
    pass_type = PassTypeFactory(name="General Admission", phase__price=19000)
    event = pass_type.event

    response = checkout_post(
        client, event, quantities={pass_type: 2}, names={(pass_type, 0): "Ada Lovelace"}
    )

    order = Order.objects.get()
    assert response.status_code == 302
    assert response["Location"] == (
        reverse("web:order-pay", args=[order.code]) + f"?key={order.secret}"
    )
    assert (order.email, order.total) == ("buyer@example.com", 38000)
    assert order.lines.get().attendees == [{"name": "Ada Lovelace"}]

    pay = client.get(response["Location"])

    payment = Payment.objects.get(order=order)
    page = pay.content.decode()
    assert pay.status_code == 200
    assert payment.flow == Payment.Flow.PAYMENT_SHEET
    assert f'data-client-secret="{payment.client_secret}"' in page
    assert f'src="{settings.STRIPE_API_BASE}/js.stripe.com/v3/"' in page
    assert settings.STRIPE_API_BASE in pay["Content-Security-Policy"]
    assert "$380.00" in page
    assert gzipped_size(pay.content, SITE_CSS.read_bytes(), PAY_JS.read_bytes()) < PAGE_BUDGET


def test_payment_step_loads_stripes_own_stripe_js_without_a_local_server(settings):
    from web.views.orders import stripe_csp, stripe_js_url

    settings.STRIPE_API_BASE = ""

    policy = stripe_csp()

    assert stripe_js_url() == "https://js.stripe.com/v3/"
    assert "https://js.stripe.com" in policy["script-src"]
    assert "https://js.stripe.com" in policy["frame-src"]
    assert "https://api.stripe.com" in policy["connect-src"]


def test_only_the_payment_step_allows_stripe_in_its_policy(client):
    pass_type = PassTypeFactory()

    response = client.get(passes_url(pass_type.event))

    assert "stripe" not in response["Content-Security-Policy"]


def test_signed_in_buyer_checks_out_with_the_accounts_email_whatever_is_posted(client):
    user = UserFactory(email="member@example.com")
    client.force_login(user)
    pass_type = PassTypeFactory()

    shown = client.get(checkout_url(pass_type.event)).content.decode()
    checkout_post(client, pass_type.event, quantities={pass_type: 1}, email="other@example.com")

    order = Order.objects.get()
    assert 'value="member@example.com"' in shown
    assert re.search(r'<input type="email" name="email"[^>]*disabled', shown)
    assert (order.email, order.user) == ("member@example.com", user)


def test_double_submit_of_one_form_makes_one_order(client, stripe_settings):
    pass_type = PassTypeFactory()
    key = str(uuid.uuid4())

    first = checkout_post(client, pass_type.event, quantities={pass_type: 2}, key=key)
    second = checkout_post(client, pass_type.event, quantities={pass_type: 2}, key=key)

    assert Order.objects.count() == 1
    assert first["Location"] == second["Location"]


def assert_nothing_written():
    assert (Order.objects.count(), OrderLine.objects.count(), Payment.objects.count()) == (0, 0, 0)


def test_sold_out_says_what_is_left_next_to_the_quantity_and_keeps_what_was_typed(client):
    pass_type = PassTypeFactory(name="General", capacity=1)
    field = f"quantity-{pass_type.pk}"

    response = checkout_post(
        client,
        pass_type.event,
        quantities={pass_type: 2},
        names={(pass_type, 0): "Ada Lovelace", (pass_type, 1): "Grace Hopper"},
        promo_code="",
        email="typed@example.com",
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert refusal_at(page, field) == "Only 1 left: choose 1 or fewer."
    assert '<option value="2" selected>2</option>' in page
    assert 'value="Ada Lovelace"' in page
    assert 'value="Grace Hopper"' in page
    assert 'value="typed@example.com"' in page
    assert_nothing_written()


def test_invalid_promo_code_is_explained_at_the_code_field_and_the_form_kept(client):
    pass_type = PassTypeFactory()

    response = checkout_post(client, pass_type.event, quantities={pass_type: 3}, promo_code="WRONG")

    page = response.content.decode()
    assert refusal_at(page, "promo_code") == "That code is not valid for these passes."
    assert 'value="WRONG"' in page
    assert '<option value="3" selected>3</option>' in page
    assert_nothing_written()


def test_sales_closed_is_explained_at_the_pass_and_the_form_kept(client):
    pass_type = PassTypeFactory(name="Expo")
    shown = client.get(checkout_url(pass_type.event))
    PassType.objects.filter(pk=pass_type.pk).update(  # sales end while the buyer types
        sales_start=timezone.now() - dt.timedelta(days=1),
        sales_end=timezone.now() - dt.timedelta(minutes=1),
    )
    field = f"quantity-{pass_type.pk}"

    response = checkout_post(client, pass_type.event, quantities={pass_type: 2})

    page = response.content.decode()
    assert shown.status_code == 200
    assert response.status_code == 400
    assert refusal_at(page, field) == "This pass is not on sale now."
    assert '<option value="2" selected>2</option>' in page
    assert 'value="buyer@example.com"' in page
    assert_nothing_written()


def test_hold_limit_is_explained_on_the_form_and_the_form_kept(client, settings):
    settings.GREENROOM_MAX_PENDING_ORDERS = 1
    pass_type = PassTypeFactory()
    place_order(
        event=pass_type.event, lines=[LineRequest(pass_type.pk, 1)], email="buyer@example.com"
    )

    response = checkout_post(client, pass_type.event, quantities={pass_type: 1})

    page = response.content.decode()
    assert response.status_code == 400
    assert 'role="alert" id="form-errors"' in page
    assert "unpaid" in page
    assert 'value="buyer@example.com"' in page
    assert Order.objects.count() == 1


def test_no_pass_chosen_is_explained(client):
    pass_type = PassTypeFactory()

    response = checkout_post(client, pass_type.event, quantities={pass_type: 0})

    assert "Choose at least one pass." in response.content.decode()
    assert_nothing_written()


def test_a_bad_email_is_explained_at_the_email_field(client):
    pass_type = PassTypeFactory()

    response = checkout_post(
        client, pass_type.event, quantities={pass_type: 1}, email="not-an-address"
    )

    page = response.content.decode()
    assert refusal_at(page, "email") == "Enter a valid email address."
    assert 'value="not-an-address"' in page
    assert_nothing_written()


def test_checkout_page_weighs_under_the_budget_gzipped(client):
    event = EventFactory()
    pass_types = [PassTypeFactory(event=event, max_per_order=10) for _ in range(10)]

    response = client.post(
        checkout_url(event), {f"quantity-{pass_type.pk}": "10" for pass_type in pass_types}
    )

    assert gzipped_size(response.content, SITE_CSS.read_bytes()) < PAGE_BUDGET
