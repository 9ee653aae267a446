"""The one CSV dialect every download uses: what a Dutch spreadsheet opens as it is, and never a formula."""

from __future__ import annotations

import csv
import io

import pytest

from intervision.csv_export import write_csv


def _read(data: bytes) -> list[list[str]]:
    text = data.decode("utf-8")
    assert text.startswith("\ufeff"), "the byte order mark tells a spreadsheet it is UTF-8"
    return list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=";"))


def test_semicolons_crlf_and_a_byte_order_mark():
    data = write_csv(["Groep", "Aantal"], [["Wijkverpleging Noord", 4], ["Één; twee", 0]])

    assert data.startswith("\ufeff".encode())
    assert data.decode("utf-8")[1:] == 'Groep;Aantal\r\nWijkverpleging Noord;4\r\n"Één; twee";0\r\n'


@pytest.mark.parametrize(
    "typed",
    ['=HYPERLINK("http://x","y")', "+1", "-1+2", "@SUM(A1)", "\t=1+1", "\r=1+1", "-3"],
)
def test_a_typed_text_that_a_spreadsheet_would_run_stays_text(typed):
    [header, row] = _read(write_csv(["Groep"], [[typed]]))

    assert row == ["'" + typed], "a leading apostrophe makes a spreadsheet show the text as typed"


def test_header_cells_are_neutralised_too():
    [header] = _read(write_csv(["=1+1", "Naam"], []))

    assert header == ["'=1+1", "Naam"]


def test_numbers_the_product_writes_stay_numbers_with_a_decimal_comma():
    [_, row] = _read(write_csv(["a", "b", "c", "d", "e"], [[3.5, -2, -0.25, 12.0, None]]))

    assert row == ["3,5", "-2", "-0,25", "12", ""], "negative numbers are numbers, not formulas"


def test_text_that_only_looks_harmless_is_kept_as_typed():
    [_, row] = _read(write_csv(["a", "b"], [["Team A = B", "e-mail: a@b.nl"]]))

    assert row == ["Team A = B", "e-mail: a@b.nl"], "only the first character makes a formula"
