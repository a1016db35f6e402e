"""Importing speakers from CSV: parsing, the per-row plan, applying it, and the command."""

import csv
import datetime as dt
import io
import threading
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from core.csv_export import write_csv
from speakers.exceptions import SpeakersError
from speakers.importing import (
    ImportPlan,
    ImportResult,
    ImportRow,
    Outcome,
    apply_speaker_import,
    decode_speaker_csv,
    parse_speaker_csv,
    plan_speaker_import,
)
from speakers.models import InvitationStatus, LineupEntry, Organization, Speaker, SpeakerLink
from speakers.selectors import speaker_export_rows
from tests.factories import (
    EventFactory,
    LineupEntryFactory,
    OrganizationFactory,
    SpeakerFactory,
    SpeakerLinkFactory,
)

SAMPLE = Path(__file__).parent / "data" / "speakers.csv"
pytestmark = pytest.mark.django_db

HEADER = ("name", "job title", "company", "bio", "email", "links")


def csv_text(*rows: tuple[str, ...], header: tuple[str, ...] = HEADER) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def plan_text(text: str, event=None) -> ImportPlan:
    return plan_speaker_import(rows=parse_speaker_csv(text), event=event)


def import_text(text: str, event=None) -> ImportResult:
    return apply_speaker_import(plan=plan_text(text, event))


def database_state() -> dict[str, list]:
    """Every imported-to row with its updated_at: equal states mean nothing was written."""
    return {
        model.__name__: sorted(model.objects.values_list("pk", "updated_at"))
        for model in (Speaker, Organization, SpeakerLink, LineupEntry)
    }


def outcomes(plan: ImportPlan) -> list[tuple[int, str]]:
    return [(row_plan.row.number, row_plan.outcome) for row_plan in plan.rows]


# Parsing


@pytest.mark.parametrize(
    ("header", "field"),
    [
        (("Name", "Job_Title"), "job_title"),
        (("name", "job title"), "job_title"),
        (("NAME", "Title"), "job_title"),
        (("name", "Company"), "company"),
        (("name", "organization"), "company"),
        (("name", "Email"), "email"),
        (("name", " E-mail "), "email"),
        (("name", "LINKS"), "links"),
        (("name", "bio"), "bio"),
    ],
)
def test_parse_speaker_csv_header_variant_is_read(header, field):
    rows = parse_speaker_csv(csv_text(("Ana Ruiz", "value"), header=header))

    assert rows == [ImportRow(number=2, name="Ana Ruiz", **{field: "value"})]


def test_parse_speaker_csv_bom_blank_rows_and_multiline_cells_keep_spreadsheet_row_numbers():
    text = '\ufeffname,bio\r\nAna Ruiz,"Line one\r\nline two"\r\n,\r\n\r\nBo Chen,\r\n'

    rows = parse_speaker_csv(text)

    assert rows == [
        ImportRow(number=2, name="Ana Ruiz", bio="Line one\nline two"),
        ImportRow(number=5, name="Bo Chen"),
    ]


def test_parse_speaker_csv_trims_cells_and_ignores_unknown_columns():
    text = csv_text(
        ("  Ana   Ruiz ", " +1 555 0100 ", " ana@example.com "),
        header=("name", "phone", "email"),
    )

    assert parse_speaker_csv(text) == [
        ImportRow(number=2, name="Ana Ruiz", email="ana@example.com")
    ]


def test_parse_speaker_csv_missing_name_column_is_an_error_for_the_file():
    with pytest.raises(SpeakersError) as raised:
        parse_speaker_csv(csv_text(("CTO", "Acme"), header=("speaker", "company")))

    assert raised.value.code == "csv_missing_columns"
    assert raised.value.message == (
        "The first row must be a header with a column named name; it reads “speaker”, “company”."
    )


def test_parse_speaker_csv_column_named_twice_is_an_error_for_the_file():
    with pytest.raises(SpeakersError) as raised:
        parse_speaker_csv(
            csv_text(("Ana", "a@example.com", "b@example.com"), header=("name", "email", "E-mail"))
        )

    assert raised.value.code == "csv_duplicate_columns"


@pytest.mark.parametrize(
    "text",
    ["", " \r\n", ",,,\r\n", "name\x00\x01\x02,garbage", 'name\n"' + "x" * 200_000],
    ids=["empty", "blank", "only-commas", "binary", "field-too-large"],
)
def test_parse_speaker_csv_garbage_is_unreadable(text):
    with pytest.raises(SpeakersError) as raised:
        parse_speaker_csv(text)

    assert raised.value.code == "csv_unreadable"


def test_decode_speaker_csv_reads_utf8_with_or_without_bom():
    assert decode_speaker_csv("name\nZoë".encode()) == "name\nZoë"
    assert decode_speaker_csv("name\nZoë".encode("utf-8-sig")) == "name\nZoë"


def test_decode_speaker_csv_latin1_is_unreadable():
    with pytest.raises(SpeakersError) as raised:
        decode_speaker_csv("name\nZoë".encode("latin-1"))

    assert raised.value.code == "csv_unreadable"


# Planning: rejections


@pytest.mark.parametrize(
    ("row", "reasons"),
    [
        (("", "CTO", "", "", "", ""), ("name is missing",)),
        (("A" * 201, "", "", "", "", ""), ("name is longer than 200 characters",)),
        (("Ana", "T" * 201, "", "", "", ""), ("job title is longer than 200 characters",)),
        (("Ana", "", "C" * 201, "", "", ""), ("company is longer than 200 characters",)),
        (("Ana", "", "", "", "ana@", ""), ("e-mail “ana@” is not a valid address",)),
        (
            ("Ana", "", "", "", "a" * 250 + "@x.io", ""),
            ("e-mail is longer than 254 characters",),
        ),
        (
            ("Ana", "", "", "", "", "https://ana.example linkedin.com/in/ana"),
            (
                "link “linkedin.com/in/ana” is not a valid URL "
                "(links start with http:// or https://)",
            ),
        ),
        (
            ("Ana", "", "", "", "", "ftp://files.example"),
            (
                "link “ftp://files.example” is not a valid URL "
                "(links start with http:// or https://)",
            ),
        ),
        (
            ("Ana", "", "", "", "", "https://example.com/" + "p" * 490),
            (f"link “https://example.com/{'p' * 37}…” is longer than 500 characters",),
        ),
        (
            ("Ana", "CTO", "Acme", " Inc.", "", "", "https://ana.example"),
            (
                "1 cell(s) beyond the header's columns "
                "(a value with a comma that is not in quotes?)",
            ),
        ),
        (
            ("", "", "", "", "not-mail", ""),
            ("name is missing", "e-mail “not-mail” is not a valid address"),
        ),
    ],
    ids=[
        "name-missing",
        "name-too-long",
        "job-title-too-long",
        "company-too-long",
        "email-invalid",
        "email-too-long",
        "link-without-scheme",
        "link-not-web",
        "link-too-long",
        "stray-cells",
        "several-reasons",
    ],
)
def test_plan_bad_row_is_rejected_with_reasons(row, reasons):
    plan = plan_text(csv_text(row))

    assert outcomes(plan) == [(2, Outcome.REJECT)]
    assert plan.rows[0].details == reasons


def test_plan_same_email_twice_in_file_rejects_both_rows():
    text = csv_text(
        ("Ana Ruiz", "", "", "", "ana@example.com", ""),
        ("Bo Chen", "", "", "", "bo@example.com", ""),
        ("Ana R.", "", "", "", "ANA@example.com", ""),
    )

    plan = plan_text(text)

    assert outcomes(plan) == [(2, Outcome.REJECT), (3, Outcome.CREATE), (4, Outcome.REJECT)]
    assert plan.rows[0].details == ("same e-mail as row 4",)
    assert plan.rows[2].details == ("same e-mail as row 2",)


def test_plan_same_name_twice_without_email_rejects_the_row_without_email():
    text = csv_text(
        ("Ana Ruiz", "CTO", "", "", "ana@example.com", ""),
        ("ana ruiz", "CEO", "", "", "", ""),
    )

    plan = plan_text(text)

    assert outcomes(plan) == [(2, Outcome.CREATE), (3, Outcome.REJECT)]
    assert plan.rows[1].details == ("same name as row 2 and no e-mail to tell them apart",)


def test_plan_name_matching_several_speakers_is_rejected():
    SpeakerFactory(name="Ana Ruiz", slug="ana-ruiz", email="ana1@example.com")
    SpeakerFactory(name="ANA RUIZ", slug="ana-ruiz-2", email="ana2@example.com")

    plan = plan_text(csv_text(("Ana Ruiz", "CTO", "", "", "", "")))

    assert outcomes(plan) == [(2, Outcome.REJECT)]
    assert plan.rows[0].details == (
        "name matches 2 existing speakers; add an e-mail to say which one",
    )


def test_plan_two_rows_about_one_existing_speaker_are_both_rejected():
    SpeakerFactory(name="Ana Ruiz", email="ana@example.com")
    text = csv_text(
        ("Ana Ruiz-Lopez", "", "", "", "ana@example.com", ""),
        ("Ana Ruiz", "CTO", "", "", "", ""),
    )

    plan = plan_text(text)

    assert outcomes(plan) == [(2, Outcome.REJECT), (3, Outcome.REJECT)]
    assert [row_plan.details for row_plan in plan.rows] == [
        ("row 3 is also about Ana Ruiz",),
        ("row 2 is also about Ana Ruiz",),
    ]


# Planning: creates and updates


def test_plan_unknown_speaker_is_created_with_new_organization_and_lineup():
    event = EventFactory(name="Mobility 2030")

    plan = plan_text(
        csv_text(("Ana Ruiz", "CTO", "Acme", "", "ana@example.com", "https://a.example")), event
    )

    assert outcomes(plan) == [(2, Outcome.CREATE)]
    assert plan.rows[0].details == (
        "new organization “Acme”",
        "1 link(s)",
        "joins the Mobility 2030 lineup as invited",
    )
    assert plan.summary() == "1 to create, 0 to update, 0 unchanged, 0 rejected"


def test_plan_existing_speaker_matched_by_email_ignoring_case_lists_changes():
    speaker = SpeakerFactory(
        name="Ana Ruiz", job_title="CTO", organization__name="Acme", email="Ana@Example.com"
    )
    SpeakerLinkFactory(speaker=speaker, url="https://old.example")
    OrganizationFactory(name="Globex")

    plan = plan_text(
        csv_text(
            ("Ana Ruiz", "CEO", "globex", "Builds robots.", "ana@example.com", "https://a.example")
        )
    )

    assert outcomes(plan) == [(2, Outcome.UPDATE)]
    assert plan.rows[0].speaker == speaker
    assert plan.rows[0].details == (
        "job title: “CTO” → “CEO”",
        "company: “Acme” → “globex”",
        "bio: (blank) → “Builds robots.”",
        "link added: https://a.example",
        "link removed: https://old.example",
    )
    assert plan.summary() == "0 to create, 1 to update, 0 unchanged, 0 rejected"


def test_plan_row_without_email_matches_the_one_speaker_with_that_name():
    speaker = SpeakerFactory(name="Ana Ruiz", job_title="CTO")

    plan = plan_text(csv_text(("ana ruiz", "CTO", "", "", "", "")))

    assert outcomes(plan) == [(2, Outcome.UPDATE)]
    assert plan.rows[0].speaker == speaker
    assert plan.rows[0].details == ("name: “Ana Ruiz” → “ana ruiz”",)


def test_plan_blank_cells_leave_existing_values_alone():
    speaker = SpeakerFactory(name="Ana Ruiz", job_title="CTO", bio="Builds robots.")
    SpeakerLinkFactory(speaker=speaker)

    plan = plan_text(csv_text(("Ana Ruiz", "", "", "", speaker.email, "")))

    assert outcomes(plan) == [(2, Outcome.UNCHANGED)]
    assert plan.rows[0].details == ()


def test_plan_same_values_with_other_line_endings_and_link_order_are_unchanged():
    speaker = SpeakerFactory(
        name="Ana Ruiz", job_title="CTO", organization__name="Acme", bio="One.\r\nTwo."
    )
    SpeakerLinkFactory(speaker=speaker, url="https://a.example")
    SpeakerLinkFactory(speaker=speaker, url="https://b.example")

    plan = plan_text(
        csv_text(
            (
                "Ana Ruiz",
                "CTO",
                "ACME",
                "One.\nTwo.",
                speaker.email,
                "https://b.example|https://a.example",
            )
        )
    )

    assert outcomes(plan) == [(2, Outcome.UNCHANGED)]


def test_plan_writes_nothing():
    SpeakerFactory(name="Ana Ruiz", job_title="CTO", email="ana@example.com")
    before = database_state()

    plan = plan_text(
        csv_text(
            ("Ana Ruiz", "CEO", "Acme", "", "ana@example.com", "https://a.example"),
            ("Bo Chen", "CTO", "Globex", "", "bo@example.com", "https://b.example"),
        ),
        EventFactory(),
    )

    assert outcomes(plan) == [(2, Outcome.UPDATE), (3, Outcome.CREATE)]
    assert database_state() == before


# Applying


def test_import_valid_rows_create_speakers_organizations_and_links():
    text = csv_text(
        (
            "Ana Ruiz",
            "CTO",
            "Acme",
            "Builds robots.",
            "ana@example.com",
            "https://a.example; https://x.com/ana",
        ),
        ("Bo Chen", "", "ACME", "", "", "https://b.example"),
        ("Cy Diaz", "Engineer", "", "", "", ""),
    )

    result = import_text(text)

    assert result.summary() == "3 created, 0 updated, 0 unchanged, 0 rejected"
    acme = Organization.objects.get()
    assert (acme.name, acme.slug) == ("Acme", "acme")
    speakers = {
        speaker.name: (
            speaker.slug,
            speaker.job_title,
            speaker.organization,
            speaker.bio,
            speaker.email,
        )
        for speaker in Speaker.objects.all()
    }
    assert speakers == {
        "Ana Ruiz": ("ana-ruiz", "CTO", acme, "Builds robots.", "ana@example.com"),
        "Bo Chen": ("bo-chen", "", acme, "", ""),
        "Cy Diaz": ("cy-diaz", "Engineer", None, "", ""),
    }
    links = sorted(SpeakerLink.objects.values_list("speaker__name", "url"))
    assert links == [
        ("Ana Ruiz", "https://a.example"),
        ("Ana Ruiz", "https://x.com/ana"),
        ("Bo Chen", "https://b.example"),
    ]


def test_import_new_speaker_with_a_taken_slug_gets_a_suffix():
    SpeakerFactory(name="Ana Ruiz", slug="ana-ruiz", email="ana@example.com")

    import_text(csv_text(("Ana Ruiz", "", "", "", "other.ana@example.com", "")))

    assert sorted(Speaker.objects.values_list("slug", flat=True)) == ["ana-ruiz", "ana-ruiz-2"]


def test_import_update_writes_the_changes_and_keeps_blank_cells_values():
    acme = OrganizationFactory(name="Acme")
    speaker = SpeakerFactory(
        name="Ana Ruiz", job_title="CTO", organization=acme, bio="Builds robots.", phone="555"
    )
    SpeakerLinkFactory(speaker=speaker, url="https://old.example", label="Blog")
    SpeakerLinkFactory(speaker=speaker, url="https://keep.example", label="Site")

    result = import_text(
        csv_text(
            ("Ana Ruiz", "CEO", "", "", speaker.email, "https://keep.example https://new.example")
        )
    )

    assert result.summary() == "0 created, 1 updated, 0 unchanged, 0 rejected"
    speaker.refresh_from_db()
    assert (speaker.job_title, speaker.organization, speaker.bio, speaker.phone) == (
        "CEO",
        acme,
        "Builds robots.",
        "555",
    )
    assert list(speaker.links.values_list("url", "label")) == [
        ("https://keep.example", "Site"),
        ("https://new.example", ""),
    ]


def test_import_rejected_rows_are_skipped_whole():
    text = csv_text(
        ("Ana Ruiz", "CTO", "Acme", "", "ana@example.com", "https://a.example"),
        ("Bo Chen", "CTO", "Globex", "", "bo@example.com", "not a url"),
    )

    result = import_text(text)

    assert result.summary() == "1 created, 0 updated, 0 unchanged, 1 rejected"
    assert list(Speaker.objects.values_list("name", flat=True)) == ["Ana Ruiz"]
    assert list(Organization.objects.values_list("name", flat=True)) == ["Acme"]
    assert list(SpeakerLink.objects.values_list("url", flat=True)) == ["https://a.example"]


def test_import_same_file_again_changes_nothing():
    event = EventFactory()
    existing = SpeakerFactory(name="Cy Diaz", job_title="CTO", email="cy@example.com")
    text = csv_text(
        (
            "Ana Ruiz",
            "CTO",
            "Acme",
            "Line one.\r\nLine two.",
            "ana@example.com",
            "https://a.example",
        ),
        ("Bo Chen", "", "acme", "", "", "https://b.example|https://b.example"),
        ("Cy Diaz", "CEO", "Globex", "", "CY@example.com", ""),
        ("", "Nobody", "", "", "", ""),
    )
    first = import_text(text, event)
    assert first.summary() == "2 created, 1 updated, 0 unchanged, 1 rejected"
    before = database_state()

    second = import_text(text, event)

    assert outcomes(second.plan) == [
        (2, Outcome.UNCHANGED),
        (3, Outcome.UNCHANGED),
        (4, Outcome.UNCHANGED),
        (5, Outcome.REJECT),
    ]
    assert database_state() == before
    existing.refresh_from_db()
    assert existing.job_title == "CEO"


def test_import_with_event_adds_speakers_to_lineup_as_invited_and_leaves_entries_alone():
    event = EventFactory(name="Mobility 2030")
    confirmed = SpeakerFactory(name="Ana Ruiz", email="ana@example.com")
    entry = LineupEntryFactory(
        event=event,
        speaker=confirmed,
        status=InvitationStatus.CONFIRMED,
        confirmed_at=dt.datetime(2030, 1, 1, tzinfo=dt.UTC),
    )
    SpeakerFactory(name="Bo Chen", email="bo@example.com")
    text = csv_text(
        ("Ana Ruiz", "", "", "", "ana@example.com", ""),
        ("Bo Chen", "", "", "", "bo@example.com", ""),
        ("Cy Diaz", "", "", "", "cy@example.com", ""),
    )

    plan = plan_text(text, event)
    result = apply_speaker_import(plan=plan)

    assert outcomes(plan) == [(2, Outcome.UNCHANGED), (3, Outcome.UPDATE), (4, Outcome.CREATE)]
    assert plan.rows[1].details == ("joins the Mobility 2030 lineup as invited",)
    assert result.summary() == "1 created, 1 updated, 1 unchanged, 0 rejected"
    lineup = {
        lineup_entry.speaker.name: (lineup_entry.status, lineup_entry.invited_at is not None)
        for lineup_entry in LineupEntry.objects.filter(event=event).select_related("speaker")
    }
    assert lineup == {
        "Ana Ruiz": (InvitationStatus.CONFIRMED, True),
        "Bo Chen": (InvitationStatus.INVITED, True),
        "Cy Diaz": (InvitationStatus.INVITED, True),
    }
    entry_before = entry.updated_at
    entry.refresh_from_db()
    assert entry.updated_at == entry_before


def test_import_applies_the_database_as_it_is_when_confirmed():
    plan = plan_text(csv_text(("Ana Ruiz", "CEO", "", "", "ana@example.com", "")))
    SpeakerFactory(name="Ana Ruiz", job_title="CTO", email="ana@example.com")

    result = apply_speaker_import(plan=plan)

    assert outcomes(result.plan) == [(2, Outcome.UPDATE)]
    assert list(Speaker.objects.values_list("name", "job_title")) == [("Ana Ruiz", "CEO")]


def test_import_of_an_export_changes_nothing():
    speaker = SpeakerFactory(name="Ana Ruiz", job_title="CTO", bio="Line one.\nLine two.")
    SpeakerLinkFactory(speaker=speaker)
    SpeakerFactory(name="Bo Chen", job_title="", organization=None, email="")
    buffer = io.StringIO()
    csv.writer(buffer).writerows(speaker_export_rows(Speaker.objects.all()))
    before = database_state()

    result = import_text(buffer.getvalue())

    assert result.summary() == "0 created, 0 updated, 2 unchanged, 0 rejected"
    assert database_state() == before


def test_import_of_an_export_with_formula_like_cells_changes_nothing():
    SpeakerFactory(name="@ana", job_title="=CTO", bio="- keynote\n- panel", organization=None)
    before = database_state()
    buffer = io.StringIO()
    write_csv(buffer, speaker_export_rows(Speaker.objects.all()))

    result = import_text(buffer.getvalue())

    assert result.summary() == "0 created, 0 updated, 1 unchanged, 0 rejected"
    assert database_state() == before


@pytest.mark.requires_postgres
@pytest.mark.django_db(transaction=True)
def test_import_of_one_new_speaker_by_two_organizers_at_once_creates_one_speaker():
    text = csv_text(("Ana Ruiz", "CTO", "Acme", "", "ana@example.com", "https://a.example"))
    barrier = threading.Barrier(3)
    results: list[str] = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(import_text(text).plan.rows[0].outcome)
        except SpeakersError as error:
            results.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Whoever commits first creates; the others either planned before that commit and are
    # told to try again, or after it and find nothing left to do.
    assert results.count(Outcome.CREATE) == 1
    assert set(results) - {Outcome.CREATE} <= {"import_conflict", Outcome.UNCHANGED}
    assert (Speaker.objects.count(), Organization.objects.count()) == (1, 1)
    assert SpeakerLink.objects.count() == 1


# The management command


def run_import(*args: str) -> str:
    out = io.StringIO()
    call_command("import_speakers", *args, stdout=out)
    return out.getvalue()


SAMPLE_LINES = [
    "row 2: create    Ada Lovelace <ada@example.com> — new organization “Analytical Engines”; "
    "2 link(s)",
    "row 3: create    Grace Hopper <grace@example.com> — new organization “US Navy”; 2 link(s)",
    "row 5: create    Alan Turing — new organization “analytical engines”; 2 link(s)",
    "row 6: reject    (no name) <nobody@example.com> — name is missing",
    "row 7: reject    Katherine Johnson <not-an-email> — e-mail “not-an-email” is not a valid "
    "address",
    "3 to create, 0 to update, 0 unchanged, 2 rejected",
]


def test_import_speakers_command_dry_run_prints_rows_and_writes_nothing():
    before = database_state()

    output = run_import(str(SAMPLE), "--dry-run")

    assert output.splitlines() == [*SAMPLE_LINES, "Dry run: nothing was written."]
    assert database_state() == before


def test_import_speakers_command_imports_the_file_into_the_event_lineup():
    event = EventFactory(slug="mobility-2030")

    output = run_import(str(SAMPLE), "--event", "mobility-2030")

    assert output.splitlines()[-1] == "Imported: 3 created, 0 updated, 0 unchanged, 2 rejected."
    assert sorted(Speaker.objects.values_list("name", "organization__name")) == [
        ("Ada Lovelace", "Analytical Engines"),
        ("Alan Turing", "Analytical Engines"),
        ("Grace Hopper", "US Navy"),
    ]
    assert Speaker.objects.get(name="Ada Lovelace").bio == "Wrote the first program.\nLikes looms."
    assert sorted(event.lineup.values_list("speaker__name", "status")) == [
        ("Ada Lovelace", "invited"),
        ("Alan Turing", "invited"),
        ("Grace Hopper", "invited"),
    ]


def test_import_speakers_command_second_run_reports_every_row_unchanged():
    run_import(str(SAMPLE))

    output = run_import(str(SAMPLE))

    assert output.splitlines()[-2:] == [
        "0 to create, 0 to update, 3 unchanged, 2 rejected",
        "Imported: 0 created, 0 updated, 3 unchanged, 2 rejected.",
    ]


def write_latin1(tmp_path: Path) -> Path:
    path = tmp_path / "latin1.csv"
    path.write_bytes("name\nZoë".encode("latin-1"))
    return path


def write_without_name(tmp_path: Path) -> Path:
    path = tmp_path / "no-name.csv"
    path.write_text("speaker,company\nAna,Acme\n")
    return path


@pytest.mark.parametrize(
    ("make_args", "message"),
    [
        (
            lambda tmp_path: [str(tmp_path / "missing.csv")],
            "Cannot read {tmp_path}/missing.csv: No such file or directory.",
        ),
        (
            lambda tmp_path: [str(SAMPLE), "--event", "nope"],
            "No event has the slug “nope”.",
        ),
        (
            lambda tmp_path: [str(write_latin1(tmp_path))],
            "{tmp_path}/latin1.csv: The file is not UTF-8 text. Save it as “CSV UTF-8” and "
            "upload it again.",
        ),
        (
            lambda tmp_path: [str(write_without_name(tmp_path))],
            "{tmp_path}/no-name.csv: The first row must be a header with a column named name; "
            "it reads “speaker”, “company”.",
        ),
    ],
    ids=["missing-file", "unknown-event", "not-utf8", "no-name-column"],
)
def test_import_speakers_command_bad_input_exits_non_zero_with_a_clear_message(
    tmp_path, make_args, message
):
    args = make_args(tmp_path)

    with pytest.raises(CommandError) as raised:
        run_import(*args)

    assert (str(raised.value), raised.value.returncode) == (message.format(tmp_path=tmp_path), 1)
    assert Speaker.objects.count() == 0
