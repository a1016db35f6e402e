"""Extension points of an event's public data, filled by the apps above that own the data.

- `EVENT_SALES_STATUS`: callables `(event, *, now) -> str` giving the one-word sales status
  shown with an event (the tickets app registers one).
- `BUNDLE_SECTIONS`: classes `(event, *, now) -> BundleSection` adding a part to an event's
  offline bundle (the tickets app registers the passes).

So the events and agenda apps show sales data without importing the sales app.
"""

import datetime as dt
from typing import Protocol

from core.registry import Registry


class BundleSection(Protocol):
    """A part of the offline bundle: its key, its schema component, its data and deletions."""

    key: str
    schema_component: str

    def version_token(self) -> str:
        """Changes whenever the section's data changes (added to the bundle's ETag)."""

    def data(self, since: dt.datetime | None) -> list[dict]:
        """All items, or those changed after `since`."""

    def deleted(self, since: dt.datetime) -> list[int]:
        """Ids of items deleted after `since`."""


EVENT_SALES_STATUS: Registry = Registry("event sales status")
BUNDLE_SECTIONS: Registry = Registry("bundle sections")
