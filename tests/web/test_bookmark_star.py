"""The bookmark star on the site: the same bookmarks as the API's personal agenda, both ways."""

import pytest
from django.test import Client
from django.urls import reverse

from agenda.models import Bookmark
from tests.factories import EventFactory, SessionFactory

pytestmark = pytest.mark.django_db

MY_AGENDA = "/api/v1/me/agenda/"


def bookmark_url(session) -> str:
    return reverse("web:bookmark", args=[session.event.slug, session.pk])


def session_url(session) -> str:
    return reverse("web:session", args=[session.event.slug, session.pk])


def agenda_url(session) -> str:
    return reverse("web:agenda", args=[session.event.slug])


def api_agenda_ids(api_client) -> list[int]:
    return [item["id"] for item in api_client.get(MY_AGENDA).json()["results"]]


def test_star_on_the_agenda_page_puts_the_session_on_the_api_personal_agenda(
    attendee_page_client, attendee_api_client
):
    session = SessionFactory(title="Robotaxis at scale")

    response = attendee_page_client.post(
        bookmark_url(session), {"bookmarked": "1", "next": agenda_url(session)}
    )

    assert response.status_code == 302
    assert response["Location"] == agenda_url(session)
    assert api_agenda_ids(attendee_api_client) == [session.pk]


def test_star_off_on_the_page_takes_the_session_off_the_api_personal_agenda(
    attendee_page_client, attendee_api_client
):
    session = SessionFactory()
    attendee_api_client.put(f"{MY_AGENDA}{session.pk}/")

    attendee_page_client.post(bookmark_url(session), {"bookmarked": "0"})

    assert api_agenda_ids(attendee_api_client) == []


def test_bookmark_made_in_the_app_lights_the_star_on_both_pages(
    attendee_page_client, attendee_api_client
):
    session = SessionFactory(title="Robotaxis at scale")
    SessionFactory(event=session.event, title="Other talk")
    attendee_api_client.put(f"{MY_AGENDA}{session.pk}/")

    agenda = attendee_page_client.get(agenda_url(session)).content.decode()
    detail = attendee_page_client.get(session_url(session)).content.decode()

    lit = 'value="0" aria-pressed="true" aria-label="Bookmark Robotaxis at scale"'
    assert agenda.count('aria-pressed="true"') == 1
    assert lit in agenda
    assert lit in detail
    assert 'aria-pressed="false" aria-label="Bookmark Other talk"' in agenda


def test_star_posted_by_htmx_answers_with_just_the_new_star(attendee_page_client):
    session = SessionFactory(title="Robotaxis at scale")

    response = attendee_page_client.post(
        bookmark_url(session),
        {"bookmarked": "1", "next": agenda_url(session)},
        headers={"HX-Request": "true"},
    )

    star = response.content.decode().strip()
    assert response.status_code == 200
    assert star.startswith('<form class="star" method="post"')
    assert star.endswith("</form>")
    assert 'aria-pressed="true"' in star
    assert f'name="next" value="{agenda_url(session)}"' in star
    assert f'hx-post="{bookmark_url(session)}" hx-target="this" hx-swap="outerHTML"' in star


def test_star_posted_twice_keeps_one_bookmark(attendee, attendee_page_client):
    session = SessionFactory()

    attendee_page_client.post(bookmark_url(session), {"bookmarked": "1"})
    attendee_page_client.post(bookmark_url(session), {"bookmarked": "1"})

    assert Bookmark.objects.filter(user=attendee, session=session).count() == 1


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/", ""])
def test_star_without_javascript_returns_only_to_our_own_pages(attendee_page_client, next_url):
    session = SessionFactory()

    response = attendee_page_client.post(
        bookmark_url(session), {"bookmarked": "1", "next": next_url}
    )

    assert response["Location"] == session_url(session)


def test_anonymous_star_post_goes_to_log_in_and_back_to_the_session(client):
    session = SessionFactory()

    response = client.post(bookmark_url(session), {"bookmarked": "1"})

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={session_url(session)}"
    assert Bookmark.objects.count() == 0


def test_anonymous_visitors_see_log_in_to_bookmark_instead_of_a_star(client):
    session = SessionFactory()

    page = client.get(session_url(session)).content.decode()

    assert f'href="{reverse("account_login")}?next={session_url(session)}"' in page
    assert ">Log in to bookmark</a>" in page
    assert "aria-pressed" not in page


def test_star_post_without_the_csrf_token_is_refused(attendee):
    session = SessionFactory()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(attendee)

    response = browser.post(bookmark_url(session), {"bookmarked": "1"})

    assert response.status_code == 403
    assert Bookmark.objects.count() == 0


def test_star_post_with_the_pages_csrf_token_is_accepted(attendee):
    session = SessionFactory()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(attendee)
    page = browser.get(session_url(session)).content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]

    response = browser.post(
        bookmark_url(session), {"bookmarked": "1", "csrfmiddlewaretoken": token}
    )

    assert response.status_code == 302
    assert Bookmark.objects.filter(user=attendee, session=session).count() == 1


def test_star_of_an_unpublished_session_is_404(attendee_page_client):
    session = SessionFactory(is_published=False)

    response = attendee_page_client.post(bookmark_url(session), {"bookmarked": "1"})

    assert response.status_code == 404
    assert Bookmark.objects.count() == 0


def test_star_answers_only_post(attendee_page_client):
    session = SessionFactory(event=EventFactory())

    assert attendee_page_client.get(bookmark_url(session)).status_code == 405
