"""Demo data of accounts: the demo logins' addresses are verified, so they log in on the site.

The site's log-in is allauth's, by e-mail, with verification mandatory; the superuser, the
organizer and the door volunteer (seeded by events and tickets) would otherwise be asked to
verify an address nobody reads. The door volunteer logs in there to reach the check-in
screen at /door/.
"""

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

from events.demo import ADMIN_USERNAME, CREATED, ORGANIZER_USERNAME, UNCHANGED, SeedReport
from tickets.demo import DOOR_STAFF_USERNAME

DEMO_LOGINS = (ADMIN_USERNAME, ORGANIZER_USERNAME, DOOR_STAFF_USERNAME)


def seed() -> SeedReport:
    """A verified primary address for each demo login that has an e-mail and none yet."""
    report = SeedReport()
    users = get_user_model()._default_manager.filter(username__in=DEMO_LOGINS).exclude(email="")
    for user in users:
        _, created = EmailAddress.objects.get_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
        report.record("verified demo login", CREATED if created else UNCHANGED)
    return report
