"""A new account on a phone: sign up, verify from the e-mail, bookmark a session on the agenda
page, and the API's personal agenda (same browser session) holds it."""

from playwright.sync_api import expect

from tests.browser.helpers import link_in
from tests.browser.test_signup import sign_up
from tests.web.conftest import build_programme


def test_signed_up_and_verified_person_bookmarks_a_session_that_the_api_agenda_lists(
    site, phone, outbox
):
    event = build_programme(sessions=4)
    session = event.sessions.order_by("starts_at", "stage__position").first()
    sign_up(phone, "grace@example.com")
    phone.get_by_role("heading", name="Verify Your Email Address").wait_for()
    phone.goto(link_in(outbox[0], "/accounts/confirm-email/"))
    phone.get_by_role("button", name="Confirm").click()
    expect(phone.get_by_role("button", name="Log out")).to_be_visible()

    phone.goto(f"/events/{event.slug}/agenda/")
    star = phone.get_by_role("button", name=f"Bookmark {session.title}")
    expect(star).to_have_attribute("aria-pressed", "false")
    star.click()

    expect(star).to_have_attribute("aria-pressed", "true")
    answer = phone.request.get("/api/v1/me/agenda/")
    assert answer.ok, answer.text()
    assert [item["id"] for item in answer.json()["results"]] == [session.pk]
