"""Browser tests: the site on a live server, Debian's chromium driven by Playwright, a phone.

- `live_server` (pytest-django) serves the site from a thread of this process, on the test
  database (PostgreSQL in CI; the tests that use it get transactional database access). E-mails
  go to the locmem backend of the test settings, so the browser's sign-up lands in
  `django.core.mail.outbox` here (`outbox` reads it).
- The browser is Debian's `chromium` (CHROMIUM_PATH, default /usr/bin/chromium), never one that
  Playwright downloads. Without it the tests skip and name the missing path, unless
  GREENROOM_REQUIRE_BROWSER=1 (CI), when they fail.
- `phone` is a page in a phone-sized context (390×844 CSS pixels, scale 2, touch).
- tests/browser/helpers.py: `assert_accessible(page)` (axe-core) and the e-mail link reader.
"""

import os
from pathlib import Path

import pytest
from django.core import mail

from tests.tickets.conftest import localstripe_url, stripe_settings  # noqa: F401  (fixtures)

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
BROWSER_REQUIRED = os.environ.get("GREENROOM_REQUIRE_BROWSER") == "1"
# The flags of a closed machine: no first-run work, no calls home, no GPU.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "en-US",
}
TIMEOUT_MS = 15_000


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything under tests/browser/ is a browser test (`-m browser`, `-m "not browser"`)."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


def _missing_browser() -> str | None:
    if not os.access(CHROMIUM_PATH, os.X_OK):
        return f"no browser at {CHROMIUM_PATH} (install Debian's chromium or set CHROMIUM_PATH)"
    return None


@pytest.fixture(scope="session")
def chromium():
    """Debian's chromium under Playwright's sync API, for the whole session."""
    missing = _missing_browser()
    if missing:
        if BROWSER_REQUIRED:
            pytest.fail(f"GREENROOM_REQUIRE_BROWSER=1 but {missing}")
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop in this thread, which makes Django refuse
    # database calls from the test itself; nothing here runs concurrently with them.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def site(live_server, transactional_db) -> str:
    """Base URL of the site, served by a thread of this process on the test database."""
    return live_server.url


@pytest.fixture
def phone(chromium, site):
    """A fresh page in a phone-sized browser context (its own cookies), at the site."""
    context = chromium.new_context(base_url=site, **PHONE)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def outbox() -> list:
    """The e-mails the live server sent during this test (the locmem backend; same process)."""
    return mail.outbox
