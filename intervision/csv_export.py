"""Every CSV the product offers for download, written the way the reader's spreadsheet opens it.

The separator and the decimal mark follow the language of the download, because a spreadsheet splits and
reads a CSV by the list separator and decimal mark of its own locale:
- Dutch: `;` between cells and a decimal comma (`3,5`). Dutch and Flemish Excel use `;` as list separator,
  so the columns split on opening, and it reads `3,5` as a number (`3.5` would be text or a date).
- English: `,` between cells and a decimal point (`3.5`), as English spreadsheets expect.
Both: UTF-8 with a byte order mark (without it Excel reads the text as Windows-1252), CRLF line ends,
numbers through Babel with all their decimals and no thousands separator (never Python's repr()), and dates
in the locale's short numeric form (`02-12-2026`, `02/12/2026`), which that spreadsheet reads as a date.

Cells that a spreadsheet would run as a formula are neutralised (OWASP "CSV injection"): text that begins
with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, so Excel shows it as typed. Numbers
the product itself writes (int and float cells) are never prefixed, also when negative: they are not
typed text and must stay numbers in the sheet. A number that arrives as text ("-3") is treated as text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date

from babel.dates import format_date

from intervision.i18n import locale, plain_number
from intervision.models import Language

Cell = str | int | float | date | None

# What makes a spreadsheet read a cell as a formula (or a tab/CR that some spreadsheets strip first).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SEPARATORS = {Language.NL: ";", Language.EN: ","}
BOM = "\ufeff"


def safe_text(text: str) -> str:
    """Text as a spreadsheet shows it, never as a formula it runs."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def decimal(value: float, language: Language) -> str:
    """A number with the language's decimal mark: "3,5" in Dutch, "3.5" in English."""
    return plain_number(value, language)


def cell(value: Cell, language: Language) -> str:
    """One cell as written: numbers as numbers (the language's decimal mark), text neutralised, nothing as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):  # a bool is an int to Python, but a word to a reader
        return safe_text(str(value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return decimal(value, language)
    if isinstance(value, date):
        return format_date(value, format="short", locale=locale(language))
    return safe_text(str(value))


def write_csv(header: Sequence[str], rows: Iterable[Sequence[Cell]], language: Language) -> bytes:
    """The header and rows as the bytes of a CSV file in the language's dialect."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=SEPARATORS[language], lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([cell(name, language) for name in header])
    for row in rows:
        writer.writerow([cell(value, language) for value in row])
    return (BOM + out.getvalue()).encode("utf-8")
