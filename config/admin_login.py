"""The admin's sign-in form, refusing to sign in while an account or address is locked out."""

from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError

from config.api.login_lockout import (
    LoginLockedOut,
    begin_login_attempt,
    fail_login_attempt,
    succeed_login_attempt,
)


class LockoutAdminAuthenticationForm(AdminAuthenticationForm):
    """Django's admin sign-in, counted by config.api.login_lockout (which holds the rules)."""

    def clean(self):
        username = self.cleaned_data.get("username")
        if username is None or not self.cleaned_data.get("password"):
            return super().clean()  # nothing is checked, so nothing is counted
        try:
            attempt = begin_login_attempt(self.request, username)
        except LoginLockedOut as locked:
            raise ValidationError(locked.message, code="locked_out") from None
        try:
            cleaned_data = super().clean()
        except ValidationError:
            fail_login_attempt(attempt)
            raise
        succeed_login_attempt(attempt)
        return cleaned_data
