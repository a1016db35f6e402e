"""Speaker import from CSV: read the file, plan every row against the database, then apply.

The plan is a pure read, so the admin preview, the command's --dry-run and the real import
share one set of rules; applying re-plans inside its transaction and writes what that says.
"""

import csv
import datetime as dt
import functools
import hashlib
import io
import operator
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, transaction
from django.db.models import Model, Q
from django.utils import timezone

from core.csv_export import restore_cell
from events.models import Event
from events.services import unique_slug
from speakers.exceptions import SpeakersError
from speakers.models import InvitationStatus, LineupEntry, Organization, Speaker, SpeakerLink
from speakers.services import find_or_create_organization

# Header spellings seen in organizers' spreadsheets, once lower-cased with `_` read as a space.
HEADER_ALIASES = {
    "name": "name",
    "job title": "job_title",
    "title": "job_title",
    "company": "company",
    "organization": "company",
    "bio": "bio",
    "email": "email",
    "e-mail": "email",
    "links": "links",
}
REQUIRED_COLUMNS = ("name",)
LINK_SEPARATORS = re.compile(r"[\s;|]+")
# Links are public profile links, so only web addresses (URLField would also take ftp://).
url_validator = URLValidator(schemes=["http", "https"])
# Values are compared case-insensitively in batches; one OR of this many terms stays well under
# SQLite's expression depth limit.
LOOKUP_BATCH = 200


def _max_length(model: type[Model], name: str) -> int:
    return model._meta.get_field(name).max_length


NAME_MAX = _max_length(Speaker, "name")
JOB_TITLE_MAX = _max_length(Speaker, "job_title")
COMPANY_MAX = _max_length(Organization, "name")
EMAIL_MAX = _max_length(Speaker, "email")
URL_MAX = _max_length(SpeakerLink, "url")


@dataclass(frozen=True)
class ImportRow:
    """One data row of a speaker CSV: its row number in the file and its cells, trimmed.

    `number` is the row as a spreadsheet shows it (the header is row 1), even when a quoted
    cell spans several lines. `stray_cells` are non-blank cells beyond the header's columns.
    """

    number: int
    name: str = ""
    job_title: str = ""
    company: str = ""
    bio: str = ""
    email: str = ""
    links: str = ""
    stray_cells: tuple[str, ...] = ()

    @property
    def urls(self) -> list[str]:
        """The row's links, in order, each once."""
        return list(dict.fromkeys(url for url in LINK_SEPARATORS.split(self.links) if url))


def decode_speaker_csv(data: bytes) -> str:
    """The text of an uploaded CSV file: UTF-8, with or without a byte-order mark."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SpeakersError(
            "The file is not UTF-8 text. Save it as “CSV UTF-8” and upload it again.",
            code="csv_unreadable",
        ) from error


def _single_line(value: str) -> str:
    return " ".join(value.split())


def _multi_line(value: str) -> str:
    # Spreadsheets and browsers send \r\n; stored text and comparisons use \n alone.
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


CLEANERS = {
    "name": _single_line,
    "job_title": _single_line,
    "company": _single_line,
    "bio": _multi_line,
    "email": str.strip,
    "links": str.strip,
}


def _header_columns(header: list[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, heading in enumerate(header):
        key = HEADER_ALIASES.get(_single_line(heading.replace("_", " ")).lower())
        if key is None:
            continue  # Other columns (phone, notes…) are ignored.
        if key in columns:
            raise SpeakersError(
                f"The header names the {key.replace('_', ' ')} column twice: "
                f"“{header[columns[key]]}” and “{heading}”.",
                code="csv_duplicate_columns",
            )
        columns[key] = index
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        found = ", ".join(f"“{heading}”" for heading in header if heading.strip()) or "nothing"
        raise SpeakersError(
            f"The first row must be a header with a column named {', '.join(missing)}; "
            f"it reads {found}.",
            code="csv_missing_columns",
        )
    return columns


def parse_speaker_csv(text: str) -> list[ImportRow]:
    """The data rows of a speaker CSV, checked for a usable header; blank rows are skipped.

    Raises SpeakersError (`csv_unreadable`, `csv_missing_columns`, `csv_duplicate_columns`)
    when the file as a whole cannot be read.
    """
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise SpeakersError("The file is empty.", code="csv_unreadable")
    if "\x00" in text:
        raise SpeakersError("The file is not a CSV text file.", code="csv_unreadable")
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise SpeakersError(
            f"The file is not valid CSV: {error}.", code="csv_unreadable"
        ) from error

    numbered = [
        (number, cells)
        for number, cells in enumerate(records, start=1)
        if any(cell.strip() for cell in cells)
    ]
    if not numbered:
        raise SpeakersError("The file is empty.", code="csv_unreadable")
    (_, header), *data = numbered
    columns = _header_columns(header)
    rows = []
    for number, cells in data:
        values = {
            # Our exports neutralise formula-like cells (core.csv_export); import them as typed.
            key: CLEANERS[key](restore_cell(cells[index])) if index < len(cells) else ""
            for key, index in columns.items()
        }
        stray = tuple(cell.strip() for cell in cells[len(header) :] if cell.strip())
        rows.append(ImportRow(number=number, stray_cells=stray, **values))
    return rows


class Outcome(StrEnum):
    """What importing a row does to the database."""

    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    REJECT = "reject"


@dataclass(frozen=True)
class RowPlan:
    """What importing one row would do, with the reasons for a rejection or the changes.

    The remaining fields are the writes that `apply_speaker_import` carries out.
    """

    row: ImportRow
    outcome: Outcome
    details: tuple[str, ...] = ()
    speaker: Speaker | None = None
    fields: dict[str, str] = field(default_factory=dict)
    company: str = ""
    links_to_add: tuple[str, ...] = ()
    links_to_remove: tuple[str, ...] = ()
    joins_lineup: bool = False


@dataclass(frozen=True)
class ImportPlan:
    """The planned outcome of every row of a file, for an optional event's lineup."""

    rows: tuple[RowPlan, ...]
    event: Event | None = None

    def count(self, outcome: Outcome) -> int:
        return sum(1 for plan in self.rows if plan.outcome == outcome)

    @property
    def has_changes(self) -> bool:
        return any(plan.outcome in (Outcome.CREATE, Outcome.UPDATE) for plan in self.rows)

    def summary(self) -> str:
        """E.g. “3 to create, 1 to update, 5 unchanged, 2 rejected”."""
        return (
            f"{self.count(Outcome.CREATE)} to create, {self.count(Outcome.UPDATE)} to update, "
            f"{self.count(Outcome.UNCHANGED)} unchanged, {self.count(Outcome.REJECT)} rejected"
        )

    @property
    def fingerprint(self) -> str:
        """Changes whenever any row's outcome or details change: a preview's identity."""
        lines = [f"{self.event.pk if self.event else ''}"]
        lines += [f"{plan.row.number}|{plan.outcome}|{plan.details}" for plan in self.rows]
        return hashlib.sha256("\n".join(lines).encode()).hexdigest()


@dataclass(frozen=True)
class ImportResult:
    """What `apply_speaker_import` wrote: the plan as re-made inside its transaction."""

    plan: ImportPlan

    @property
    def created(self) -> int:
        return self.plan.count(Outcome.CREATE)

    @property
    def updated(self) -> int:
        return self.plan.count(Outcome.UPDATE)

    @property
    def unchanged(self) -> int:
        return self.plan.count(Outcome.UNCHANGED)

    @property
    def rejected(self) -> int:
        return self.plan.count(Outcome.REJECT)

    def summary(self) -> str:
        """E.g. “3 created, 1 updated, 5 unchanged, 2 rejected”."""
        return (
            f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.rejected} rejected"
        )


def _show(value: str) -> str:
    if not value:
        return "(blank)"
    value = _single_line(value)
    return f"“{value[:57]}…”" if len(value) > 60 else f"“{value}”"


def _row_problems(row: ImportRow) -> list[str]:
    """Reasons a row cannot be imported whatever the database holds."""
    problems = []
    if not row.name:
        problems.append("name is missing")
    elif len(row.name) > NAME_MAX:
        problems.append(f"name is longer than {NAME_MAX} characters")
    if len(row.job_title) > JOB_TITLE_MAX:
        problems.append(f"job title is longer than {JOB_TITLE_MAX} characters")
    if len(row.company) > COMPANY_MAX:
        problems.append(f"company is longer than {COMPANY_MAX} characters")
    if len(row.email) > EMAIL_MAX:
        problems.append(f"e-mail is longer than {EMAIL_MAX} characters")
    elif row.email:
        try:
            validate_email(row.email)
        except ValidationError:
            problems.append(f"e-mail {_show(row.email)} is not a valid address")
    for url in row.urls:
        if len(url) > URL_MAX:
            problems.append(f"link {_show(url)} is longer than {URL_MAX} characters")
            continue
        try:
            url_validator(url)
        except ValidationError:
            problems.append(
                f"link {_show(url)} is not a valid URL (links start with http:// or https://)"
            )
    if row.stray_cells:
        problems.append(
            f"{len(row.stray_cells)} cell(s) beyond the header's columns "
            "(a value with a comma that is not in quotes?)"
        )
    return problems


def _file_conflicts(rows: Sequence[ImportRow]) -> dict[int, list[str]]:
    """Rows the file itself makes ambiguous, by row number, with the reason."""
    by_email: defaultdict[str, list[int]] = defaultdict(list)
    by_name: defaultdict[str, list[int]] = defaultdict(list)
    for row in rows:
        if row.email:
            by_email[row.email.lower()].append(row.number)
        if row.name:
            by_name[row.name.lower()].append(row.number)
    conflicts: defaultdict[int, list[str]] = defaultdict(list)
    for numbers in by_email.values():
        for number in numbers:
            others = ", ".join(str(other) for other in numbers if other != number)
            if others:
                conflicts[number].append(f"same e-mail as row {others}")
    for row in rows:
        # Without an e-mail a row is matched by name, so another row of that name (with or
        # without an e-mail) could be the same person: importing both would leave two
        # speakers that a second import of this file could no longer tell apart.
        if row.name and not row.email:
            others = ", ".join(str(n) for n in by_name[row.name.lower()] if n != row.number)
            if others:
                conflicts[row.number].append(
                    f"same name as row {others} and no e-mail to tell them apart"
                )
    return conflicts


def _case_insensitive_matches(queryset, field_name: str, values: Iterable[str]) -> list:
    """Rows whose `field_name` equals one of `values` ignoring case, as the database sees it."""
    values = sorted(set(values))
    found = []
    for start in range(0, len(values), LOOKUP_BATCH):
        terms = (
            Q(**{f"{field_name}__iexact": value}) for value in values[start : start + LOOKUP_BATCH]
        )
        found.extend(queryset.filter(functools.reduce(operator.or_, terms)))
    return found


@dataclass(frozen=True)
class _Known:
    """The existing speakers, organizations and lineup entries the rows of a file refer to."""

    speakers_by_email: dict[str, Speaker]
    speakers_by_name: dict[str, list[Speaker]]
    organizations: dict[str, Organization]
    in_lineup: frozenset[int]

    @classmethod
    def load(cls, *, rows: Sequence[ImportRow], event: Event | None) -> "_Known":
        speakers = Speaker.objects.select_related("organization").prefetch_related("links")
        by_email = {
            speaker.email.lower(): speaker
            for speaker in _case_insensitive_matches(
                speakers, "email", (row.email for row in rows if row.email)
            )
        }
        by_name: defaultdict[str, list[Speaker]] = defaultdict(list)
        names = (row.name for row in rows if row.name and not row.email)
        for speaker in _case_insensitive_matches(speakers, "name", names):
            by_name[speaker.name.lower()].append(speaker)
        organizations = {
            organization.name.lower(): organization
            for organization in _case_insensitive_matches(
                Organization.objects.all(), "name", (row.company for row in rows if row.company)
            )
        }
        in_lineup: frozenset[int] = frozenset()
        if event is not None:
            matched = {s.pk for s in by_email.values()} | {
                s.pk for group in by_name.values() for s in group
            }
            in_lineup = frozenset(
                LineupEntry.objects.filter(event=event, speaker__in=matched).values_list(
                    "speaker_id", flat=True
                )
            )
        return cls(by_email, dict(by_name), organizations, in_lineup)

    def match(self, row: ImportRow) -> tuple[Speaker | None, str]:
        """The existing speaker the row is about, or why that cannot be told."""
        if row.email:
            return self.speakers_by_email.get(row.email.lower()), ""
        named = self.speakers_by_name.get(row.name.lower(), [])
        if len(named) > 1:
            return None, (
                f"name matches {len(named)} existing speakers; add an e-mail to say which one"
            )
        return (named[0] if named else None), ""

    def is_new_organization(self, company: str) -> bool:
        return company.lower() not in self.organizations


def _plan_create(row: ImportRow, known: _Known, event: Event | None) -> RowPlan:
    details = []
    if row.company and known.is_new_organization(row.company):
        details.append(f"new organization {_show(row.company)}")
    if row.urls:
        details.append(f"{len(row.urls)} link(s)")
    if event is not None:
        details.append(f"joins the {event.name} lineup as invited")
    fields = {"name": row.name, "job_title": row.job_title, "bio": row.bio}
    return RowPlan(
        row=row,
        outcome=Outcome.CREATE,
        details=tuple(details),
        fields={name: value for name, value in fields.items() if value},
        company=row.company,
        links_to_add=tuple(row.urls),
        joins_lineup=event is not None,
    )


def _plan_update(row: ImportRow, speaker: Speaker, known: _Known, event: Event | None) -> RowPlan:
    details, fields, company = [], {}, ""
    if row.name != speaker.name:
        fields["name"] = row.name
        details.append(f"name: {_show(speaker.name)} → {_show(row.name)}")
    if row.job_title and row.job_title != speaker.job_title:
        fields["job_title"] = row.job_title
        details.append(f"job title: {_show(speaker.job_title)} → {_show(row.job_title)}")
    current = speaker.organization.name if speaker.organization else ""
    if row.company and row.company.lower() != current.lower():
        company = row.company
        new = " (new organization)" if known.is_new_organization(row.company) else ""
        details.append(f"company: {_show(current)} → {_show(row.company)}{new}")
    if row.bio and row.bio != _multi_line(speaker.bio):
        fields["bio"] = row.bio
        details.append(f"bio: {_show(speaker.bio)} → {_show(row.bio)}")
    to_add: tuple[str, ...] = ()
    to_remove: tuple[str, ...] = ()
    if row.links:
        # Order is not compared: a link set in another order is the same profile.
        current_urls = [link.url for link in speaker.links.all()]
        to_add = tuple(url for url in row.urls if url not in current_urls)
        to_remove = tuple(url for url in current_urls if url not in row.urls)
        details += [f"link added: {url}" for url in to_add]
        details += [f"link removed: {url}" for url in to_remove]
    joins_lineup = event is not None and speaker.pk not in known.in_lineup
    if joins_lineup:
        details.append(f"joins the {event.name} lineup as invited")
    return RowPlan(
        row=row,
        outcome=Outcome.UPDATE if details else Outcome.UNCHANGED,
        details=tuple(details),
        speaker=speaker,
        fields=fields,
        company=company,
        links_to_add=to_add,
        links_to_remove=to_remove,
        joins_lineup=joins_lineup,
    )


def plan_speaker_import(*, rows: Sequence[ImportRow], event: Event | None = None) -> ImportPlan:
    """What importing these rows would do, row by row; reads the database and writes nothing.

    A row with an e-mail is about the speaker with that e-mail (ignoring case); a row without
    one is about the only speaker with that name (ignoring case). Blank job title, company,
    bio or links cells leave the speaker's current values alone; a filled links cell makes the
    speaker's links exactly the URLs it lists. The e-mail of an existing speaker never
    changes here. With an event, speakers not in its lineup join it as invited; an existing
    lineup entry is left as it is.
    """
    known = _Known.load(rows=rows, event=event)
    conflicts = _file_conflicts(rows)
    planned: list[RowPlan] = []
    for row in rows:
        reasons = _row_problems(row) + conflicts.get(row.number, [])
        speaker, ambiguity = (None, "") if reasons else known.match(row)
        if ambiguity:
            reasons.append(ambiguity)
        if reasons:
            planned.append(RowPlan(row=row, outcome=Outcome.REJECT, details=tuple(reasons)))
        elif speaker is None:
            planned.append(_plan_create(row, known, event))
        else:
            planned.append(_plan_update(row, speaker, known, event))

    # Two rows about one existing speaker (say, one matched by e-mail and one by name) would
    # overwrite each other; neither is applied.
    targets = Counter(plan.speaker.pk for plan in planned if plan.speaker is not None)
    rows_by_target = defaultdict(list)
    for plan in planned:
        if plan.speaker is not None:
            rows_by_target[plan.speaker.pk].append(plan.row.number)
    for index, plan in enumerate(planned):
        if plan.speaker is not None and targets[plan.speaker.pk] > 1:
            others = ", ".join(
                str(n) for n in rows_by_target[plan.speaker.pk] if n != plan.row.number
            )
            reason = f"row {others} is also about {plan.speaker.name}"
            planned[index] = RowPlan(row=plan.row, outcome=Outcome.REJECT, details=(reason,))
    return ImportPlan(rows=tuple(planned), event=event)


def _organization(name: str, cache: dict[str, Organization]) -> Organization:
    key = name.lower()
    if key not in cache:
        cache[key] = find_or_create_organization(name)
    return cache[key]


def _apply_row(
    plan: RowPlan,
    *,
    event: Event | None,
    organizations: dict[str, Organization],
    now: dt.datetime,
) -> None:
    speaker = plan.speaker or Speaker(email=plan.row.email)
    changed = list(plan.fields)
    for name, value in plan.fields.items():
        setattr(speaker, name, value)
    if plan.company:
        speaker.organization = _organization(plan.company, organizations)
        changed.append("organization")
    if speaker.pk is None:
        speaker.slug = unique_slug(Speaker, speaker.name)
        speaker.save()
    elif changed or plan.links_to_add or plan.links_to_remove:
        # Links are part of the public profile: moving updated_at lets delta sync see them.
        speaker.save(update_fields=[*changed, "updated_at"])
    if plan.links_to_remove:
        speaker.links.filter(url__in=plan.links_to_remove).delete()
    SpeakerLink.objects.bulk_create(
        SpeakerLink(speaker=speaker, url=url) for url in plan.links_to_add
    )
    if plan.joins_lineup:
        LineupEntry.objects.get_or_create(
            event=event,
            speaker=speaker,
            defaults={"status": InvitationStatus.INVITED, "invited_at": now},
        )


def apply_speaker_import(*, plan: ImportPlan) -> ImportResult:
    """Import the plan's rows in one transaction; rejected rows are skipped whole.

    The rows are planned again inside the transaction, so what is written follows the
    database as it is now; the result carries that plan. Raises SpeakersError
    (`import_conflict`) and writes nothing if a concurrent change breaks a uniqueness rule.
    """
    rows = [row_plan.row for row_plan in plan.rows]
    try:
        with transaction.atomic():
            final = plan_speaker_import(rows=rows, event=plan.event)
            now, organizations = timezone.now(), {}
            for row_plan in final.rows:
                if row_plan.outcome in (Outcome.CREATE, Outcome.UPDATE):
                    _apply_row(row_plan, event=plan.event, organizations=organizations, now=now)
    except IntegrityError as error:
        raise SpeakersError(
            "Speakers changed while the file was being imported, so nothing was imported. "
            "Please try again.",
            code="import_conflict",
        ) from error
    return ImportResult(plan=final)
