from django.apps import AppConfig


class WebConfig(AppConfig):
    """The public, people-facing site (the top layer: it calls every app's services)."""

    name = "web"
    verbose_name = "Public site"
