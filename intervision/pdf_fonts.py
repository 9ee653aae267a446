"""The fonts every PDF prints with, so that whatever people type reaches the paper.

DejaVu Sans prints Latin with accents, Greek, Cyrillic, Hebrew and most signs; where it has no glyph, fpdf2
falls back to a font for the script: Noto Sans Arabic (Arabic, Persian, Urdu), Report Hangul (Korean), Noto
Sans for the Indic scripts and Thai, Droid Sans Fallback (Chinese, Japanese) and last Symbola (emoji, in
black and white). The fonts ship in data/fonts/ with their licences, so a report looks the same on any host.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.bidi import auto_detect_base_direction
from fpdf.enums import TextDirection
from fpdf.line_break import Fragment

FONTS_DIR = Path(__file__).resolve().parent.parent / "data" / "fonts"
FAMILY = "DejaVu"
_REGULAR, _BOLD = "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"
# Fonts for the scripts DejaVu Sans lacks, each cut down to its own script (scripts/subset_fonts.py), with
# a bold face where we ship one. Tried in this order for a character the main font lacks, before the
# catch-alls: Chinese and Japanese, then emoji and other symbols.
_INDIC = ("Devanagari", "Bengali", "Gurmukhi", "Gujarati", "Oriya", "Tamil", "Telugu", "Kannada", "Malayalam")
_SCRIPT_FONTS: dict[str, dict[str, str]] = {
    "NotoSansArabic": {"": "NotoSansArabic-Regular.ttf", "B": "NotoSansArabic-Bold.ttf"},
    "ReportHangul": {"": "ReportHangul-Regular.ttf"},
    **{f"NotoSans{script}": {"": f"NotoSans{script}-Regular.ttf"} for script in (*_INDIC, "Sinhala", "Thai")},
    "DroidSansFallback": {"": "DroidSansFallbackFull.ttf"},
    "Symbola": {"": "Symbola_hint.ttf"},
}
# DejaVu has most Arabic letters but not Urdu's (ہ, ے): a word printed partly in one font and partly in
# another would lose its joins, so the whole Arabic script prints in Noto Sans Arabic.
_ARABIC_SCRIPT = frozenset(
    code
    for first, last in ((0x0600, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF))
    for code in range(first, last + 1)
)
# The joiners (ZWNJ, ZWJ) shape the letters around them (Sinhala ශ්‍රී, Persian می‌خواهم): they print in the
# font of the word they stand in; printed in DejaVu they would cut the word in two, each shaped alone.
_JOINERS = frozenset({0x200C, 0x200D})
# Printed for a character that no font has, so that it never vanishes without a trace.
REPLACEMENT = "\ufffd"
# Invisible marks that only modify the character before them (emoji presentation, skin tones, joiners):
# without a glyph they are left out, because the character they modify is printed.
_MODIFIERS = {*range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0), *range(0x1F3FB, 0x1F400)}


class ReportPDF(FPDF):
    """An A4 document that prints in the shipped Unicode fonts; set_font(FAMILY, style, size) to write.

    Text is shaped (HarfBuzz, through uharfbuzz): Arabic letters join, right-to-left words run from right
    to left inside a left-to-right line, Hangul, Indic and Thai clusters are composed as their scripts ask.
    """

    def __init__(self) -> None:
        super().__init__(format="A4")
        self.add_font(FAMILY, "", FONTS_DIR / _REGULAR)
        self.add_font(FAMILY, "B", FONTS_DIR / _BOLD)
        for face in ("", "B"):
            main = self.fonts[FAMILY.lower() + face]
            for code in (_ARABIC_SCRIPT | _JOINERS) & main.cmap.keys():
                del main.cmap[code]
        self._previous_script_font: str | None = None
        # Shaping also sends every character through get_fallback_font below: without it (and with no
        # fallback font listed yet) fpdf2 would print all text in the main font.
        self.set_text_shaping(True)
        self.set_font(FAMILY, "", 11)

    def _preload_bidirectional_text(self, text: str, markdown: bool) -> Sequence[Fragment]:
        # fpdf2 (2.8.9) gives a joiner inside a right-to-left word the paragraph's direction: the two halves
        # of a Persian name with a ZWNJ (مهدی‌زاده) in a Dutch line would print in swapped order. A joiner
        # between two right-to-left pieces runs right to left with them.
        fragments = super()._preload_bidirectional_text(text, markdown)
        right_to_left = TextDirection.RTL
        for before, joiner, after in zip(fragments, fragments[1:], fragments[2:], strict=False):
            if (
                joiner.text_shaping_parameters
                and {ord(character) for character in joiner.string} <= _JOINERS
                and before.fragment_direction is right_to_left
                and after.fragment_direction is right_to_left
            ):
                joiner.text_shaping_parameters["fragment_direction"] = right_to_left
        return fragments

    def get_fallback_font(self, char: str, style: str = "") -> str | None:
        """The font that prints a character the main font lacks, loaded the first time a document needs it:
        loading and embedding every script font in every report would take seconds."""
        code = ord(char)
        if code in _JOINERS:
            # fpdf2 asks character by character, so the previous answer is the font of the word so far.
            family = self._previous_script_font
            if family is None or code not in _script_font_cmaps()[family]:
                return None  # between words of the main font: DejaVu prints it
        else:
            family = _script_font_for(code)
        self._previous_script_font = family
        if family is None:
            return None
        faces = _SCRIPT_FONTS[family]
        # A bold heading in a script we ship no bold face for prints regular rather than not at all.
        face = "B" if "B" in style and "B" in faces else ""
        key = family.lower() + face
        if key not in self.fonts:
            self.add_font(family, face, FONTS_DIR / faces[face])
            self._fallback_font_ids.append(key)  # so that fpdf2 keeps the main font as the page's font
        return key


@cache
def _script_font_cmaps() -> dict[str, frozenset[int]]:
    """Per fallback family, the code points its regular face has a glyph for, in the order they are tried."""
    return {
        family: frozenset(TTFont(FONTS_DIR / faces[""], lazy=True).getBestCmap())
        for family, faces in _SCRIPT_FONTS.items()
    }


@cache
def _script_font_for(code: int) -> str | None:
    return next((family for family, covered in _script_font_cmaps().items() if code in covered), None)


@cache
def _printable_characters() -> frozenset[int]:
    """Every code point one of the fonts has a glyph for (the bold face covers what the regular does)."""
    covered = set(TTFont(FONTS_DIR / _REGULAR, lazy=True).getBestCmap())
    for script_font in _script_font_cmaps().values():
        covered |= script_font
    return frozenset(covered)


def printable(text: str) -> str:
    """Text as the report's fonts print it: what no font has becomes a visible replacement sign, invisible
    modifiers and control characters without a glyph are left out. Line breaks and tabs stay."""
    covered = _printable_characters()
    kept = []
    # Composed (NFC): Hangul typed as separate jamo prints as its syllables, an accent typed apart as one
    # letter, and the fonts have glyphs for the composed forms.
    for character in unicodedata.normalize("NFC", text):
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


def paragraph_align(text: str) -> str:
    """L for a paragraph that starts in a left-to-right script, R for one typed in Arabic or Hebrew: its
    lines start at the right margin, as its writer reads them."""
    return "R" if auto_detect_base_direction(text) is TextDirection.RTL else "L"


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
