"""The one CSV writer of every export: no cell reaches a spreadsheet as a formula.

A cell starting with `=`, `+`, `-` or `@` (or their full-width forms, which some spreadsheet
programs read the same way), or with a tab or carriage return, is run as a formula when the
file is opened: `=HYPERLINK(…)` typed as a name becomes a link that leaks the sheet. Such cells
get a leading apostrophe, as OWASP advises; spreadsheets show the value as typed. `restore_cell`
undoes it, so a file exported here imports back unchanged.
"""

import csv
from collections.abc import Iterable

from django.http import HttpResponse

# The last four are the full-width = + - @ (U+FF1D, U+FF0B, U+FF0D, U+FF20).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
NEUTRALISER = "'"


def _needs_neutraliser(value: str) -> bool:
    # A value already starting with apostrophes before a formula character gets one more too,
    # so that `restore_cell` can always tell an added apostrophe from a typed one.
    return value.lstrip(NEUTRALISER).startswith(FORMULA_STARTS)


def neutralise_cell(value: object) -> str:
    """`value` as text a spreadsheet shows and never runs."""
    text = "" if value is None else str(value)
    return NEUTRALISER + text if _needs_neutraliser(text) else text


def restore_cell(value: str) -> str:
    """The value `neutralise_cell` was given, for a cell read back from an exported file."""
    if value.startswith(NEUTRALISER) and _needs_neutraliser(value[1:]):
        return value[1:]
    return value


def write_csv(stream, rows: Iterable[Iterable[object]]) -> None:
    """Write `rows` to the text `stream`, every cell neutralised."""
    writer = csv.writer(stream)
    for row in rows:
        writer.writerow([neutralise_cell(value) for value in row])


def csv_response(rows: Iterable[Iterable[object]], *, filename: str) -> HttpResponse:
    """A UTF-8 CSV download named `filename` holding `rows`, every cell neutralised."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    write_csv(response, rows)
    return response
