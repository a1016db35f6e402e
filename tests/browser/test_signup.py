"""Sign-up on a phone: the verification link from the outbox verifies the address, signed in."""

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

from tests.browser.helpers import link_in

PASSWORD = "a long phone passphrase 42"


def sign_up(phone, email: str) -> None:
    phone.goto("/accounts/signup/")
    phone.get_by_label("Email").fill(email)
    phone.get_by_label("Password:", exact=True).fill(PASSWORD)
    phone.get_by_label("Password (again):", exact=True).fill(PASSWORD)
    phone.get_by_role("button", name="Sign Up").click()


def test_signup_sends_a_verification_link_to_the_address(phone, outbox):
    sign_up(phone, "ada@example.com")

    phone.get_by_role("heading", name="Verify Your Email Address").wait_for()
    assert [message.to for message in outbox] == [["ada@example.com"]]
    assert "/accounts/confirm-email/" in link_in(outbox[0], "/accounts/confirm-email/")


def test_signup_then_verification_link_verifies_and_signs_in(phone, outbox):
    sign_up(phone, "grace@example.com")
    phone.get_by_role("heading", name="Verify Your Email Address").wait_for()
    phone.goto(link_in(outbox[0], "/accounts/confirm-email/"))

    phone.get_by_role("button", name="Confirm").click()

    account = phone.get_by_role("navigation", name="Account")
    account.get_by_role("link", name="My account").wait_for()
    user = get_user_model().objects.get(email="grace@example.com")
    assert list(EmailAddress.objects.filter(user=user).values_list("verified", flat=True)) == [True]
