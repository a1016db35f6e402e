"""The agenda app's part of data rights: a person's bookmarks, in their export.

Bookmarks need no eraser: they are deleted with the account (they cascade).
"""

from agenda.api.serializers import BookmarkRecordSerializer
from core.personal_data import PersonalDataHandler


class BookmarksPersonalData(PersonalDataHandler):
    """The sessions on a person's personal agenda."""

    def export_fields(self) -> dict:
        return {"bookmarks": BookmarkRecordSerializer(many=True)}

    def export(self, user) -> dict:
        return {
            "bookmarks": user.bookmarks.select_related("session__event").order_by(
                "created_at", "pk"
            )
        }
