"""`manage.py import_speakers FILE.csv [--event SLUG] [--dry-run]`: speakers from a CSV file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from events.models import Event
from speakers.exceptions import SpeakersError
from speakers.importing import (
    Outcome,
    RowPlan,
    apply_speaker_import,
    decode_speaker_csv,
    parse_speaker_csv,
    plan_speaker_import,
)


def describe_row(plan: RowPlan) -> str:
    """One line per row: number, outcome, who, and why or what changes."""
    who = plan.row.name or "(no name)"
    if plan.row.email:
        who = f"{who} <{plan.row.email}>"
    line = f"row {plan.row.number}: {plan.outcome:<9} {who}"
    return f"{line} — {'; '.join(plan.details)}" if plan.details else line


class Command(BaseCommand):
    """Create or update speakers from a CSV file, optionally adding them to an event's lineup."""

    help = (
        "Import speakers from a UTF-8 CSV file with the columns name, job title, company, bio, "
        "e-mail and links. Prints what happens to each row; --dry-run writes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="CSV file, UTF-8, with a header row.")
        parser.add_argument(
            "--event", metavar="SLUG", help="Add imported speakers to this event's lineup."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would happen; write nothing."
        )

    def handle(self, *args, file: Path, event: str | None, dry_run: bool, **options) -> None:
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror or error}.") from error
        chosen_event = None
        if event is not None:
            chosen_event = Event.objects.filter(slug=event).first()
            if chosen_event is None:
                raise CommandError(f"No event has the slug “{event}”.")
        try:
            rows = parse_speaker_csv(decode_speaker_csv(data))
            plan = plan_speaker_import(rows=rows, event=chosen_event)
            result = None if dry_run else apply_speaker_import(plan=plan)
        except SpeakersError as error:
            raise CommandError(f"{file}: {error.message}") from error

        if result is not None:
            # The rows as planned inside the import's transaction: what was really written.
            plan = result.plan
        for row_plan in plan.rows:
            style = self.style.ERROR if row_plan.outcome == Outcome.REJECT else str
            self.stdout.write(style(describe_row(row_plan)))
        self.stdout.write(plan.summary())
        if result is None:
            self.stdout.write(self.style.WARNING("Dry run: nothing was written."))
        else:
            self.stdout.write(self.style.SUCCESS(f"Imported: {result.summary()}."))
