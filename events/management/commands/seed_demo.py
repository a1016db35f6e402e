"""`manage.py seed_demo`: load the demo conference by running each app's `demo.seed()`.

Apps are visited in INSTALLED_APPS order, so an app's demo may build on the rows of the apps
listed before it (speakers on events, tickets on events). This command knows no app by name:
adding `<app>/demo.py` with a `seed()` function is all it takes to join in.
"""

from importlib import import_module
from importlib.util import find_spec
from types import ModuleType

from django.apps import AppConfig, apps
from django.core.management.base import BaseCommand
from django.db import transaction


def demo_modules() -> list[tuple[AppConfig, ModuleType]]:
    """Each installed app's `demo` module that offers a `seed()`, in INSTALLED_APPS order."""
    found = []
    for app_config in apps.get_app_configs():
        name = f"{app_config.name}.demo"
        if find_spec(name) is None:
            continue
        module = import_module(name)
        if callable(getattr(module, "seed", None)):
            found.append((app_config, module))
    return found


class Command(BaseCommand):
    """Load what is missing of the demo event; what exists (edited or not) stays as it is."""

    help = "Load the TC Sessions: Mobility 2021 demo: event, speakers, agenda and organizer login."

    def handle(self, *args, **options) -> None:
        modules = demo_modules()
        for app_config, module in modules:
            # One transaction per app: a failure leaves earlier apps' demo data whole.
            with transaction.atomic():
                result = module.seed()
            self.stdout.write(f"{app_config.label}: {result}")
            for note in getattr(result, "notes", ()):
                self.stdout.write(f"  {note}")
        logins = [login for _, module in modules for login in getattr(module, "logins", list)()]
        if logins:
            self.stdout.write("Demo logins (username / password):")
            for username, password, reaches in logins:
                self.stdout.write(f"  {username} / {password}  {reaches}")
