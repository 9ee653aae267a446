"""CSV downloads: what the reader's spreadsheet opens as it is (Dutch `;` and `3,5`, English `,` and `3.5`),
and never a formula."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from intervision.csv_export import write_csv
from intervision.models import Language

SEPARATOR = {Language.NL: ";", Language.EN: ","}


def _read(data: bytes, language: Language = Language.NL) -> list[list[str]]:
    text = data.decode("utf-8")
    assert text.startswith("\ufeff"), "the byte order mark tells a spreadsheet it is UTF-8"
    return list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=SEPARATOR[language]))


def test_dutch_semicolons_crlf_and_a_byte_order_mark():
    data = write_csv(["Groep", "Aantal"], [["Wijkverpleging Noord", 4], ["Één; twee", 0]], Language.NL)

    assert data.startswith("\ufeff".encode())
    assert data.decode("utf-8")[1:] == 'Groep;Aantal\r\nWijkverpleging Noord;4\r\n"Één; twee";0\r\n'


def test_english_commas_crlf_and_a_byte_order_mark():
    data = write_csv(["Group", "Mean"], [["North, district", 3.5], ["East", 4]], Language.EN)

    assert data.decode("utf-8") == '\ufeffGroup,Mean\r\n"North, district",3.5\r\nEast,4\r\n'


@pytest.mark.parametrize("language", list(Language))
@pytest.mark.parametrize(
    "typed",
    ['=HYPERLINK("http://x","y")', "+1", "-1+2", "@SUM(A1)", "\t=1+1", "\r=1+1", "-3"],
)
def test_a_typed_text_that_a_spreadsheet_would_run_stays_text(typed, language):
    [header, row] = _read(write_csv(["Groep"], [[typed]], language), language)

    assert row == ["'" + typed], "a leading apostrophe makes a spreadsheet show the text as typed"


def test_header_cells_are_neutralised_too():
    [header] = _read(write_csv(["=1+1", "Naam"], [], Language.NL))

    assert header == ["'=1+1", "Naam"]


@pytest.mark.parametrize(
    ("language", "written"),
    [
        (Language.NL, ["3,5", "-2", "-0,25", "12", "", "1234,5", "0,1", "3,3333333333"]),
        (Language.EN, ["3.5", "-2", "-0.25", "12", "", "1234.5", "0.1", "3.3333333333"]),
    ],
)
def test_numbers_stay_numbers_with_the_decimal_mark_of_the_language(language, written):
    values = [3.5, -2, -0.25, 12.0, None, 1234.5, 0.1 + 0.0000000000000001, 10 / 3]

    [_, row] = _read(write_csv(list("abcdefgh"), [values], language), language)

    assert row == written, "negative numbers are numbers, not formulas; no thousands mark, no float noise"


@pytest.mark.parametrize(("language", "written"), [(Language.NL, "02-12-2026"), (Language.EN, "02/12/2026")])
def test_a_date_is_written_as_the_language_s_spreadsheet_reads_a_date(language, written):
    [_, row] = _read(write_csv(["Dag"], [[date(2026, 12, 2)]], language), language)

    assert row == [written]


def test_text_that_only_looks_harmless_is_kept_as_typed():
    [_, row] = _read(write_csv(["a", "b"], [["Team A = B", "e-mail: a@b.nl"]], Language.NL))

    assert row == ["Team A = B", "e-mail: a@b.nl"], "only the first character makes a formula"
