"""Mail settings: the file backend works from environment variables alone, in every settings."""

import pytest

from tests.test_production_settings import production_environment, run_python

SEND = """
import django
from django.core.mail import send_mail

django.setup()
send_mail("Your invitation", "See you there.", None, ["ada@example.com"])
"""


@pytest.mark.parametrize("settings_module", ["config.settings.base", "config.settings.production"])
def test_file_backend_writes_each_message_under_email_file_path(tmp_path, settings_module):
    mail_dir = tmp_path / "outbox"
    environment = production_environment(
        tmp_path,
        DJANGO_SETTINGS_MODULE=settings_module,
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(mail_dir),
    )

    finished = run_python("-c", SEND, environment=environment)

    assert (finished.returncode, finished.stderr) == (0, "")
    [message] = mail_dir.iterdir()
    assert "Subject: Your invitation" in message.read_text()
