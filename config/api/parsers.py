"""The API's JSON parser: DRF's, refusing input nested too deeply with a 400 `parse_error`."""

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from core.json_input import JSONTooDeep, check_depth


class BoundedJSONParser(JSONParser):
    """Parses JSON bodies; deep nesting is a parse error, never a RecursionError (500)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return check_depth(super().parse(stream, media_type, parser_context))
        except (RecursionError, JSONTooDeep):
            raise ParseError(str(JSONTooDeep())) from None
