"""App configuration for core."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Base code every app builds on; it owns the audit trail and the tombstones."""

    name = "core"
    verbose_name = "Greenroom core"
