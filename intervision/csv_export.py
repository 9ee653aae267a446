"""Every CSV the product offers for download, written one way: the way a Dutch spreadsheet opens it.

The dialect: UTF-8 with a byte order mark (without it Excel reads the text as Windows-1252), `;` between
cells (the list separator of the Dutch locale, so Excel splits the columns on opening), CRLF line ends, and
numbers with a decimal comma (with `;` as separator Dutch Excel reads `3,5` as a number and `3.5` as text or
a date). English files use the same dialect: one file format, whoever downloads it.

Cells that a spreadsheet would run as a formula are neutralised (OWASP "CSV injection"): text that begins
with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, so Excel shows it as typed. Numbers
the product itself writes (int and float cells) are never prefixed, also when negative: they are not
typed text and must stay numbers in the sheet. A number that arrives as text ("-3") is treated as text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

Cell = str | int | float | None

# What makes a spreadsheet read a cell as a formula (or a tab/CR that some spreadsheets strip first).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SEPARATOR = ";"
BOM = "\ufeff"


def safe_text(text: str) -> str:
    """Text as a spreadsheet shows it, never as a formula it runs."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def decimal(value: float) -> str:
    """A number with a decimal comma, as the dialect writes it."""
    return repr(float(value)).replace(".", ",") if not float(value).is_integer() else str(int(value))


def cell(value: Cell) -> str:
    """One cell as written: numbers as numbers (decimal comma), text neutralised, nothing as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):  # a bool is an int to Python, but a word to a reader
        return safe_text(str(value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return decimal(value)
    return safe_text(str(value))


def write_csv(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """The header and rows as the bytes of a CSV file in the product's one dialect."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=SEPARATOR, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([cell(name) for name in header])
    for row in rows:
        writer.writerow([cell(value) for value in row])
    return (BOM + out.getvalue()).encode("utf-8")
