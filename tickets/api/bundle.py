"""The passes section of an event's offline bundle (speakers.api.views.BundleView).

Listed in settings.GREENROOM_BUNDLE_SECTIONS so the agenda app never imports the sales app.
"""

import datetime as dt
import hashlib

from events.models import Event, TombstoneKind
from events.selectors import deleted_ids
from tickets.api.serializers import PassOfferSerializer
from tickets.selectors import pass_ids_changed_since, pass_offers


class PassesSection:
    """Public passes with their prices and availability now; passes deleted since a sync."""

    key = "passes"
    schema_component = "PassOffer"

    def __init__(self, event: Event, *, now: dt.datetime) -> None:
        self.event = event
        self.now = now
        self.offers = pass_offers(event, now=now)

    def version_token(self) -> str:
        """Changes whenever a price, phase or availability a buyer would see changes."""
        rendered = repr(PassOfferSerializer(self.offers, many=True).data)
        return hashlib.blake2b(rendered.encode(), digest_size=8).hexdigest()

    def data(self, since: dt.datetime | None) -> list[dict]:
        offers = self.offers
        if since is not None:
            changed = pass_ids_changed_since(self.event, offers, since, now=self.now)
            offers = [offer for offer in offers if offer.pass_type.pk in changed]
        return PassOfferSerializer(offers, many=True).data

    def deleted(self, since: dt.datetime) -> list[int]:
        return sorted(deleted_ids(event=self.event, kind=TombstoneKind.PASS_TYPE, since=since))
