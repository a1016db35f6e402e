"""Helpers of the browser tests: axe-core's verdict on a page, links in e-mails, screenshots."""

import re
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe

# axe-core's four impacts are minor, moderate, serious and critical; the site allows neither of
# the last two (docs/style.md).
BLOCKING_IMPACTS = {"serious", "critical"}
# axe's default rules, plus WCAG 2.2's target size (off by default): phones are the first screen.
AXE_OPTIONS = {"resultTypes": ["violations"], "rules": {"target-size": {"enabled": True}}}
SCREENSHOTS_DIR = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def serious_violations(page) -> list[str]:
    """axe-core's serious and critical violations on the page as it is, one line each."""
    results = Axe().run(page, options=AXE_OPTIONS)
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + ", ".join(" ".join(node["target"]) for node in violation["nodes"])
        for violation in results.response["violations"]
        if violation["impact"] in BLOCKING_IMPACTS
    ]


def assert_accessible(page) -> None:
    assert serious_violations(page) == [], page.url


def link_in(message, path_fragment: str) -> str:
    """The one link in an e-mail's text whose path contains `path_fragment`."""
    links = re.findall(r"https?://\S+", message.body)
    return next(link for link in links if path_fragment in link)


def save_screenshot(page, name: str) -> Path:
    """A PNG of the page as the phone shows it (the viewport), for the README."""
    SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS_DIR / f"{name}.png"
    page.screenshot(path=str(path), animations="disabled")
    return path
