"""Page-number pagination with a hard cap on page size."""

from django.conf import settings
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


class CappedPageNumberPagination(PageNumberPagination):
    """`?page=` and `?page_size=`; a larger page size than the cap gets the cap."""

    page_size_query_param = "page_size"

    @property
    def max_page_size(self) -> int:
        return settings.GREENROOM_MAX_PAGE_SIZE

    def get_page_size(self, request) -> int:
        # DRF quietly falls back to the default for `page_size=abc` or `0`: refuse it instead,
        # so a client's mistake shows rather than a page of another size.
        raw = request.query_params.get(self.page_size_query_param)
        if raw is not None and not (raw.isdecimal() and int(raw) >= 1):
            raise ValidationError(
                {self.page_size_query_param: ["Give a whole number of at least 1."]}
            )
        return super().get_page_size(request)

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
        return parameters
