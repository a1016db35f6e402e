"""Page-number pagination with a hard cap on page size."""

from django.conf import settings
from rest_framework.pagination import PageNumberPagination


class CappedPageNumberPagination(PageNumberPagination):
    """`?page=` and `?page_size=`; a larger page size than the cap gets the cap."""

    page_size_query_param = "page_size"

    @property
    def max_page_size(self) -> int:
        return settings.GREENROOM_MAX_PAGE_SIZE
