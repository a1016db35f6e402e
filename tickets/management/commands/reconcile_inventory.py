"""`manage.py reconcile_inventory [--event SLUG] [--repair]`: check the inventory counters
against the orders, and repair those that disagree."""

from django.core.management.base import BaseCommand, CommandError

from events.models import Event
from tickets.services.reconciliation import check_inventory_counters


class Command(BaseCommand):
    """Print each inventory counter that disagrees with the orders; exit 1 when one does and
    was left as it is."""

    help = "Check the inventory counters against the orders (and --repair them)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--event", help="only this event's counters (its slug)")
        parser.add_argument(
            "--repair", action="store_true", help="set each counter to what the orders say"
        )

    def handle(self, *args, event=None, repair=False, **options) -> None:
        scope = None
        if event:
            scope = Event.objects.filter(slug=event).first()
            if scope is None:
                raise CommandError(f"No event with the slug {event!r}.")
        drift = check_inventory_counters(repair=repair, event=scope)
        for found in drift:
            self.stdout.write(f"{found}{' (repaired)' if repair else ''}")
        if not drift:
            self.stdout.write("Every inventory counter agrees with the orders.")
        elif not repair:
            raise CommandError(f"{len(drift)} counters disagree with the orders; --repair them.")
