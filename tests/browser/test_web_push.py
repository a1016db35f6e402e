"""The site as an installable app on a phone: the account page registers the service worker
at the site's root and offers "Notify me on this device"; the service worker and manifest load
under the site's Content-Security-Policy."""

from playwright.sync_api import expect

from tests.browser.test_accessibility import sign_in


def test_account_page_registers_the_service_worker_and_offers_this_device(site, phone):
    console_errors = []
    phone.on("console", lambda message: message.type == "error" and console_errors.append(message))
    sign_in(phone)

    phone.goto("/account/")

    expect(phone.get_by_role("button", name="Notify me on this device")).to_be_visible()
    scope = phone.evaluate(
        "navigator.serviceWorker.ready.then((registration) => registration.scope)"
    )
    assert scope == f"{site}/"
    manifest = phone.evaluate(
        "fetch(document.querySelector('link[rel=manifest]').href).then((r) => r.json())"
    )
    assert manifest["display"] == "standalone"
    assert console_errors == []
