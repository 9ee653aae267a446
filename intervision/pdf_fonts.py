"""The fonts every PDF prints with, so that whatever people type reaches the paper.

DejaVu Sans prints Latin with accents, Greek, Cyrillic, Arabic, Hebrew and most signs; where it has no
glyph, fpdf2 falls back to Droid Sans Fallback (Chinese, Japanese, Korean) and then to Symbola (emoji, in
black and white). The fonts ship in data/fonts/ with their licences, so a report looks the same on any host.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from pathlib import Path

from fontTools.ttLib import TTFont
from fpdf import FPDF

FONTS_DIR = Path(__file__).resolve().parent.parent / "data" / "fonts"
FAMILY = "DejaVu"
_REGULAR, _BOLD = "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"
# Tried in this order for a character the main font lacks: scripts first, then emoji and other symbols.
_FALLBACKS = {"DroidSansFallback": "DroidSansFallbackFull.ttf", "Symbola": "Symbola_hint.ttf"}
# Printed for a character that no font has, so that it never vanishes without a trace.
REPLACEMENT = "\ufffd"
# Invisible marks that only modify the character before them (emoji presentation, skin tones, joiners):
# without a glyph they are left out, because the character they modify is printed.
_MODIFIERS = {*range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0), *range(0x1F3FB, 0x1F400)}


class ReportPDF(FPDF):
    """An A4 document that prints in the shipped Unicode fonts; set_font(FAMILY, style, size) to write."""

    def __init__(self) -> None:
        super().__init__(format="A4")
        self.add_font(FAMILY, "", FONTS_DIR / _REGULAR)
        self.add_font(FAMILY, "B", FONTS_DIR / _BOLD)
        for family, file in _FALLBACKS.items():
            self.add_font(family, "", FONTS_DIR / file)
        # Not an exact match: a bold heading with an emoji prints the emoji regular rather than not at all.
        self.set_fallback_fonts(list(_FALLBACKS), exact_match=False)
        self.set_font(FAMILY, "", 11)


@cache
def _printable_characters() -> frozenset[int]:
    """Every code point one of the fonts has a glyph for (the bold face covers what the regular does)."""
    covered: set[int] = set()
    for file in (_REGULAR, *_FALLBACKS.values()):
        covered.update(TTFont(FONTS_DIR / file, lazy=True).getBestCmap())
    return frozenset(covered)


def printable(text: str) -> str:
    """Text as the report's fonts print it: what no font has becomes a visible replacement sign, invisible
    modifiers and control characters without a glyph are left out. Line breaks and tabs stay."""
    covered = _printable_characters()
    kept = []
    for character in text:
        code = ord(character)
        if code in _MODIFIERS:  # left out even where a font has a glyph for them: they would print as a box
            continue
        if code in covered or character in "\n\t":
            kept.append(character)
        elif unicodedata.category(character) in ("Cc", "Cf", "Mn"):
            continue
        else:
            kept.append(REPLACEMENT)
    return "".join(kept)


def row_height(pdf: FPDF, cells: list[str], widths: list[float], line_height: float) -> float:
    """How tall a table row must be so that every cell's text fits, wrapped, never cut."""
    lines = [
        len(pdf.multi_cell(width, line_height, text, dry_run=True, output="LINES") or [""])
        for text, width in zip(cells, widths, strict=True)
    ]
    return max(lines, default=1) * line_height


def table_row(pdf: FPDF, cells: list[str], widths: list[float], line_height: float, aligns: str = "") -> None:
    """One table row: each cell's text wrapped inside its column (aligns: a letter per cell, L/C/R)."""
    height = row_height(pdf, cells, widths, line_height)
    if pdf.will_page_break(height):
        pdf.add_page()
    top, left = pdf.get_y(), pdf.l_margin
    for index, (text, width) in enumerate(zip(cells, widths, strict=True)):
        pdf.set_xy(left, top)
        align = aligns[index] if index < len(aligns) else "L"
        pdf.multi_cell(width, line_height, text, align=align, new_x="RIGHT", new_y="TOP")
        left += width
    pdf.set_xy(pdf.l_margin, top + height)
