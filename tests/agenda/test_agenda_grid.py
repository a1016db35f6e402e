"""The organizers' agenda grid: a day's stages side by side, free slots that add a session."""

import pytest
from django.urls import reverse

from agenda.grid import STEP, day_grid
from tests.factories import (
    EventFactory,
    SessionFactory,
    SessionSpeakerFactory,
    StageFactory,
    local_time,
)

pytestmark = pytest.mark.django_db

GRID = reverse("admin:events_session_grid")


def test_parallel_sessions_share_their_rows_in_their_stages_columns():
    event = EventFactory()
    main, side = StageFactory(event=event, position=1), StageFactory(event=event, position=2)
    starts = local_time(event, 0, 10)
    first = SessionFactory(event=event, stage=main, starts_at=starts, ends_at=starts + 3 * STEP)
    second = SessionFactory(event=event, stage=side, starts_at=starts, ends_at=starts + 2 * STEP)

    grid = day_grid(event, event.start_date, stages=[main, side], sessions=[first, second])

    placed = {
        block.session.pk: (block.row_start, block.row_end, block.column) for block in grid.blocks
    }
    assert placed[first.pk][0] == placed[second.pk][0]
    assert (
        placed[first.pk][1] - placed[first.pk][0],
        placed[second.pk][1] - placed[second.pk][0],
    ) == (3, 2)
    assert placed[first.pk][2] != placed[second.pk][2]


def test_free_slots_are_every_quarter_hour_not_taken_by_a_session():
    event = EventFactory()
    stage = StageFactory(event=event)
    starts = local_time(event, 0, 10)
    session = SessionFactory(event=event, stage=stage, starts_at=starts, ends_at=starts + 2 * STEP)

    grid = day_grid(event, event.start_date, stages=[stage], sessions=[session])

    free_starts = {slot.starts_at for slot in grid.free}
    assert starts not in free_starts
    assert starts + STEP not in free_starts
    assert starts + 2 * STEP in free_starts
    assert len(grid.free) == len(grid.times) - 2


def test_grid_page_shows_sessions_with_their_speakers_and_links_free_slots_to_add(
    organizer_client,
):
    event = EventFactory(time_zone="America/Los_Angeles")
    stage = StageFactory(event=event, name="Main Stage")
    session = SessionFactory(
        event=event, stage=stage, title="Robotaxis", starts_at=local_time(event, 0, 10)
    )
    SessionSpeakerFactory(session=session, speaker__name="Ada Lovelace")

    page = organizer_client.get(GRID, {"event": event.pk}).content.decode()

    assert "Robotaxis" in page
    assert "Ada Lovelace" in page
    day = event.start_date.isoformat()
    assert f"stage={stage.pk}&amp;starts_at={day}T09:00" in page


def test_free_slot_opens_the_add_form_with_stage_and_local_time_filled_in(organizer_client):
    event = EventFactory(time_zone="Asia/Shanghai")
    stage = StageFactory(event=event)
    day = event.start_date.isoformat()

    page = organizer_client.get(
        reverse("admin:events_session_add"),
        {"event": event.pk, "stage": stage.pk, "starts_at": f"{day}T14:15"},
    ).content.decode()

    assert 'value="14:15:00"' in page
    assert 'value="14:45:00"' in page
    assert f'<option value="{stage.pk}" selected>' in page


@pytest.mark.parametrize("sessions", [5, 200])
def test_grid_page_runs_a_fixed_number_of_queries(
    organizer_client, django_assert_num_queries, sessions
):
    event = EventFactory()
    stages = [StageFactory(event=event, position=index) for index in range(4)]
    for index in range(sessions):
        starts = local_time(event, 0, 8) + STEP * (index // 4)
        session = SessionFactory(
            event=event, stage=stages[index % 4], starts_at=starts, ends_at=starts + STEP
        )
        SessionSpeakerFactory(session=session)

    with django_assert_num_queries(GRID_QUERIES):
        organizer_client.get(GRID, {"event": event.pk})


GRID_QUERIES = 9  # session, user, event, stages, sessions, speakers, tags…


def test_unpublished_sessions_show_on_the_organizers_grid_marked_as_drafts(organizer_client):
    event = EventFactory()
    SessionFactory(event=event, title="Still a draft", is_published=False)

    page = organizer_client.get(GRID, {"event": event.pk}).content.decode()

    assert "Still a draft" in page
    assert "not published" in page


def test_grid_of_an_unknown_event_is_404(organizer_client):
    assert organizer_client.get(GRID, {"event": 999999}).status_code == 404
