from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Sign-up, log-in and e-mail verification (django-allauth), and what verification means
    to the rest of Greenroom."""

    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from accounts import receivers  # noqa: F401 (connects allauth's signals)
        from accounts.api import schema  # noqa: F401 (documents X-Session-Token)
