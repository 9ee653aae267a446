"""Reading back the text a PDF shows, for tests of the report PDFs (shared by the unit and page tests).

The reports embed TrueType fonts, so a page stream draws glyph numbers: each font's ToUnicode map turns
them back into characters. The built-in PDF fonts (Latin-1 text) are read too.

Shaped text draws glyphs in the order they stand on the page: a right-to-left word (Arabic, Hebrew) from
its last letter to its first. The reader puts such runs back in the order they were typed, as a PDF
viewer's copy does; it takes every line to be a left-to-right line (as the reports' lines are, each
starting with a label), and leaves a number inside right-to-left text as it is drawn."""

from __future__ import annotations

import re
import unicodedata
import zlib
from dataclasses import dataclass

_PDF_OBJECT = re.compile(rb"(\d+) 0 obj\s*(<<.*?>>)\s*(stream\r?\n|endobj)", re.S)


def _pdf_objects(pdf: bytes) -> list[tuple[bytes, bytes, bytes]]:
    """Each object's number, dictionary and raw stream, a stream skipped by its /Length (it is binary)."""
    found, position = [], 0
    while match := _PDF_OBJECT.search(pdf, position):
        number, dictionary, after = match.groups()
        position, stream = match.end(), b""
        if after.startswith(b"stream"):
            length = int(re.findall(rb"/Length (\d+)", dictionary)[0])
            stream, position = pdf[position : position + length], position + length
        found.append((number, dictionary, stream))
    return found


# In a page's content: a font switch, a literal string, the end of a text object (a line of the page), or
# saving and restoring the graphics state (which holds the font: fpdf2 restores it after a fallback font).
_CONTENT_TOKEN = re.compile(rb"/(\w+)\s+[\d.]+\s+Tf|\(((?:\\.|[^\\)])*)\)|\b(ET|q|Q)\b", re.S)
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _unescape(literal: bytes) -> bytes:
    """A PDF literal string's bytes, its backslash escapes (\\(, \\n, \\123) undone."""

    def undo(found: re.Match[bytes]) -> bytes:
        escaped = found.group(1)
        if escaped[:1].isdigit():
            return bytes([int(escaped, 8) & 0xFF])
        return _ESCAPES.get(escaped, escaped)

    return re.sub(rb"\\([0-7]{1,3}|.)", undo, literal, flags=re.S)


def _to_unicode(cmap: bytes) -> dict[int, str]:
    """A font's ToUnicode map: glyph id to the characters it prints."""
    glyphs: dict[int, str] = {}
    for section in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S):
        for glyph, text in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", section):
            glyphs[int(glyph, 16)] = bytes.fromhex(text.decode()).decode("utf-16-be")
    for section in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, re.S):
        for first, last, text in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", section):
            start = bytes.fromhex(text.decode()).decode("utf-16-be")
            for offset in range(int(last, 16) - int(first, 16) + 1):
                glyphs[int(first, 16) + offset] = start[:-1] + chr(ord(start[-1]) + offset)
    return glyphs


def _direction(glyph: str) -> str:
    """R for a glyph of a right-to-left script, L for one of a left-to-right script, else N (neutral)."""
    classes = {unicodedata.bidirectional(character) for character in glyph}
    return "R" if classes & {"R", "AL"} else "L" if "L" in classes else "N"


def _typed_order(glyphs: list[str]) -> str:
    """A left-to-right line's glyphs, as drawn, in the order they were typed: each right-to-left run (with
    the spaces and signs between its words) turned around, glyph by glyph, since one glyph can stand for
    several characters (a ligature: lam-alef)."""
    directions = [_direction(glyph) for glyph in glyphs]
    typed: list[str] = []
    index = 0
    while index < len(glyphs):
        if directions[index] != "R":
            typed.append(glyphs[index])
            index += 1
            continue
        end = index
        for ahead in range(index, len(glyphs)):
            if directions[ahead] == "L":
                break
            if directions[ahead] == "R":
                end = ahead
        typed += reversed(glyphs[index : end + 1])
        index = end + 1
    return "".join(typed)


@dataclass(frozen=True)
class Glyph:
    """One glyph as a page draws it: the font's resource name, the glyph's number, the characters it shows."""

    font: str
    number: int
    text: str


def drawn_lines(pdf: bytes) -> list[list[Glyph]]:
    """The glyphs a PDF draws, a line per text object, in the order they stand on the page (left to right).

    A font embedded from a TrueType file draws glyph ids, two bytes each; its ToUnicode map says which
    characters they are. A glyph that is not in it shows no characters: shaping can draw one character as
    several glyphs (a Bengali vowel sign around its consonant), and the first of them stands for them all.
    A built-in font draws Latin-1 bytes, a glyph each.
    """
    objects: dict[bytes, tuple[bytes, bytes]] = {}
    for number, dictionary, stream in _pdf_objects(pdf):
        try:
            content = zlib.decompress(stream) if b"FlateDecode" in dictionary else stream
        except zlib.error:
            content = stream
        objects[number] = (dictionary, content)
    maps: dict[bytes, dict[int, str]] = {}
    for name, number in re.findall(rb"/(F\d+) (\d+) 0 R", pdf):
        if found := re.search(rb"/ToUnicode (\d+) 0 R", objects.get(number, (b"", b""))[0]):
            maps[name] = _to_unicode(objects[found.group(1)][1])
    lines: list[list[Glyph]] = []
    line: list[Glyph] = []
    font: bytes = b""
    saved: list[bytes] = []
    for _, content in objects.values():
        if b"BT" not in content:
            continue
        for token in _CONTENT_TOKEN.finditer(content):
            switch, literal, operator = token.groups()
            if operator == b"q":
                saved.append(font)
            elif operator == b"Q":
                font = saved.pop() if saved else b""
            elif switch is not None:
                font = switch
            elif literal is not None:
                raw = _unescape(literal)
                glyphs = maps.get(font)
                if glyphs is None:
                    line += [Glyph(font.decode(), byte, chr(byte)) for byte in raw]
                else:
                    ids = [int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw) - 1, 2)]
                    line += [Glyph(font.decode(), glyph, glyphs.get(glyph, "")) for glyph in ids]
            elif line:
                lines.append(line)
                line = []
    return lines


def pdf_text(pdf: bytes) -> str:
    """The text a PDF shows, a line per text object, each in the order it was typed (see drawn_lines)."""
    return "\n".join(_typed_order([glyph.text for glyph in line]) for line in drawn_lines(pdf))
