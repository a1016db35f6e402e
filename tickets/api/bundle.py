"""The passes section of an event's offline bundle (agenda.api.views.BundleView).

Registered in core.extensions.BUNDLE_SECTIONS so the agenda app never imports the sales app.
"""

import datetime as dt
import hashlib

from core.selectors import deleted_ids
from events.models import Event
from tickets.api.serializers import PassOfferSerializer
from tickets.models import PASS_TYPE_DELETED
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
        return sorted(deleted_ids(event_id=self.event.pk, kind=PASS_TYPE_DELETED, since=since))
