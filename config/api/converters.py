"""URL converters for the API."""


class IdConverter:
    """A database id: 1 to 18 digits, so it always fits a 64-bit column."""

    regex = "[1-9][0-9]{0,17}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)
