"""The door check-in screen on a phone: log in, search a name, check in, then "already"; the
camera path with Chromium's fake camera fed a ticket's QR code; axe on the door pages."""

import io

import pytest
from allauth.account.models import EmailAddress
from PIL import Image

from tests.browser.conftest import CHROMIUM_ARGS, CHROMIUM_PATH, PHONE, TIMEOUT_MS
from tests.browser.helpers import SCREENSHOTS_DIR, serious_violations
from tests.factories import door_staff_user
from tests.tickets.helpers import paid_ticket
from tickets.qr import ticket_qr_png

PASSWORD = "a long door passphrase 42"


@pytest.fixture
def ticket(site):
    return paid_ticket(attendee_name="Ada Lovelace")


@pytest.fixture
def door_login(site):
    """Door staff with a verified address, so allauth lets them log in."""
    user = door_staff_user(
        username="door", email="door@example.com", password=PASSWORD, first_name="Dora"
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def log_in_to_the_door(page, event) -> None:
    """Open the event's door screen signed out, log in on the page it sends to, come back."""
    page.goto(f"/door/{event.slug}/")
    page.get_by_label("Email").fill("door@example.com")
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.get_by_role("heading", name=f"Door · {event.name}").wait_for()


def test_door_staff_searches_a_name_checks_in_then_gets_already(phone, ticket, door_login):
    event = ticket.order.event
    log_in_to_the_door(phone, event)

    phone.get_by_role("searchbox", name="Name, ticket code or order code").fill("lovelace")
    phone.get_by_role("searchbox").press("Enter")
    phone.get_by_role("button", name="Check in Ada Lovelace").click()

    answer = phone.locator("#door-answer [role=status]")
    answer.get_by_text("Checked in").wait_for()
    assert "Ada Lovelace" in answer.inner_text()
    phone.locator("#door-counts").get_by_text("1", exact=True).wait_for()

    phone.get_by_label("Ticket code", exact=True).fill(ticket.code)
    phone.get_by_label("Ticket code", exact=True).press("Enter")

    alert = phone.locator("#door-answer [role=alert]")
    alert.get_by_text("Already checked in").wait_for()
    assert "by Dora" in alert.inner_text()
    ticket.refresh_from_db()
    assert ticket.checked_in_at is not None


def test_door_staff_undoes_a_check_in(phone, ticket, door_login):
    log_in_to_the_door(phone, ticket.order.event)
    phone.get_by_label("Ticket code", exact=True).fill(ticket.code)
    phone.get_by_label("Ticket code", exact=True).press("Enter")

    phone.get_by_role("button", name="Undo this check-in").click()

    phone.get_by_text("Check-in undone").wait_for()
    ticket.refresh_from_db()
    assert ticket.checked_in_at is None


def test_door_pages_have_no_serious_accessibility_violation(phone, ticket, door_login):
    event = ticket.order.event
    log_in_to_the_door(phone, event)
    violations = {"screen": serious_violations(phone)}
    phone.get_by_label("Name, ticket code or order code").fill("Ada")
    phone.get_by_label("Name, ticket code or order code").press("Enter")
    phone.get_by_role("button", name="Check in Ada Lovelace").click()
    phone.get_by_text("Undo this check-in").wait_for()
    violations["answer"] = serious_violations(phone)
    phone.get_by_label("Ticket code", exact=True).fill(ticket.code)
    phone.get_by_label("Ticket code", exact=True).press("Enter")
    phone.get_by_text("Already checked in").wait_for()
    violations["already"] = serious_violations(phone)
    phone.goto("/door/")
    violations["events"] = serious_violations(phone)

    assert violations == {"screen": [], "answer": [], "already": [], "events": []}


def qr_video(ticket, path) -> None:
    """A short Y4M video (what Chromium's fake camera plays) of the ticket's QR code, centred
    on white, as a phone held at the code would see it."""
    qr = Image.open(io.BytesIO(ticket_qr_png(ticket, scale=8))).convert("L")
    width, height = 640, 480
    frame = Image.new("L", (width, height), 255)
    side = 400
    frame.paste(qr.resize((side, side), Image.NEAREST), ((width - side) // 2, (height - side) // 2))
    luma = frame.tobytes()
    chroma = bytes([128]) * (width // 2 * height // 2)
    with open(path, "wb") as video:
        video.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(10):
            video.write(b"FRAME\n" + luma + chroma + chroma)


@pytest.fixture
def camera_phone(chromium, site, ticket, tmp_path):
    """A phone whose camera films the ticket's QR code: a browser of its own, launched with
    Chromium's fake capture device playing a video of the code."""
    video = tmp_path / "qr.y4m"
    qr_video(ticket, video)
    browser = chromium.browser_type.launch(
        executable_path=CHROMIUM_PATH,
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    context = browser.new_context(base_url=site, permissions=["camera"], **PHONE)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    # Chromium on Linux has no BarcodeDetector; removing it anyway pins the path under test to
    # the vendored decoder, wherever the test runs.
    page.add_init_script("delete window.BarcodeDetector")
    yield page
    context.close()
    browser.close()


def test_door_camera_reads_the_tickets_qr_and_checks_it_in(camera_phone, ticket, door_login):
    log_in_to_the_door(camera_phone, ticket.order.event)

    camera_phone.get_by_role("button", name="Scan with the camera").click()

    answer = camera_phone.locator("#door-answer [role=status]")
    answer.get_by_text("Checked in").wait_for()
    assert "Ada Lovelace" in answer.inner_text()
    camera_phone.screenshot(path=str(SCREENSHOTS_DIR / "door-checked-in-phone.png"))
    ticket.refresh_from_db()
    assert ticket.checked_in_at is not None
