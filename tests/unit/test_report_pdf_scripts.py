"""The session report's PDF prints names in every script as their writers read them: Arabic letters joined
and running right to left (also inside a Dutch line), Hebrew right to left, Hangul syllables, Indic
conjuncts and Thai, and never cuts one. The PDF is read back through its fonts' ToUnicode maps
(tests/pdf_reading.py): the glyphs as they stand on the page, and the text in the order it was typed."""

from __future__ import annotations

import re
import unicodedata

import pytest
from pdf_reading import Glyph, drawn_lines, pdf_text
from unit_support import small_report

from intervision.models import Language
from intervision.pdf_fonts import paragraph_align
from intervision.reports import session_report_pdf

# Names as people write them, in scripts the main font (DejaVu Sans) has no glyphs or no joins for.
NAMES = {
    "Arabic": "أحمد بن علي",
    "Urdu": "عائشہ شاہد",
    "Persian": "مهرداد مهدی\u200cزاده",  # with a zero-width non-joiner, as Persian writes it
    "Hebrew": "שרה כהן",
    "Korean": "김민준",
    "Hindi": "लक्ष्मी शर्मा",
    "Bengali": "ক্ষিতীশ রায়",
    "Punjabi": "ਹਰਪ੍ਰੀਤ ਕੌਰ",
    "Tamil": "தமிழ்செல்வன்",
    "Telugu": "శ్రీనివాస్",
    "Sinhala": "ශ්\u200dරී ලතා",  # with a zero-width joiner: ශ්‍රී is one conjunct
    "Thai": "สมชาย ใจดี",
}
RIGHT_TO_LEFT = ["Arabic", "Urdu", "Persian", "Hebrew"]


def _pdf(**changes: object) -> bytes:
    return session_report_pdf(small_report(**changes), Language.NL)


def _drawn_line(pdf: bytes, start: str) -> list[Glyph]:
    """The glyphs of the one line the PDF draws starting with this (left-to-right) text."""
    found = [line for line in drawn_lines(pdf) if "".join(glyph.text for glyph in line).startswith(start)]
    assert len(found) == 1, [("".join(glyph.text for glyph in line)) for line in drawn_lines(pdf)]
    return found[0]


@pytest.mark.parametrize("name", NAMES.values(), ids=NAMES.keys())
def test_a_name_in_any_script_prints_as_typed_in_a_heading_a_list_and_a_dutch_sentence(name):
    shown = pdf_text(
        _pdf(
            group_name=name,
            roles={"case_bringer": [name]},
            board={"Fase": [("insight", f"Inzicht van {name}, goed gedaan", True, 0)]},
        )
    )

    lines = shown.splitlines()
    assert lines[0] == f"Bijeenkomst van {name}", shown  # the title, in bold
    assert f"Inbrenger: {name}" in lines
    assert f"★ Inzichten: Inzicht van {name}, goed gedaan" in lines
    assert "\ufffd" not in shown


@pytest.mark.parametrize("script", RIGHT_TO_LEFT)
def test_a_right_to_left_name_in_a_dutch_line_is_drawn_from_right_to_left_between_the_dutch_words(script):
    name = NAMES[script]

    pdf = _pdf(action_items=[(f"Bel {name} terug", "", "", True)])

    drawn = "".join(glyph.text for glyph in _drawn_line(pdf, "Bel "))
    # On the page, left to right: the Dutch words in their order, the name from its last letter to its first.
    assert drawn == f"Bel {name[::-1]} terug (—)", drawn
    assert f"Bel {name} terug (—)" in pdf_text(pdf).splitlines()


def test_arabic_letters_take_their_joined_forms_and_lam_alef_its_ligature():
    # Muhammad: an initial and a medial mim; Alaa: lam and alef joined into one glyph.
    pdf = _pdf(action_items=[("Bel محمد علاء", "", "", True)])

    line = _drawn_line(pdf, "Bel ")

    mims = {glyph.number for glyph in line if glyph.text == "م"}
    assert len(mims) == 2, "the same letter drawn with two glyphs: its initial and its medial form"
    assert [glyph.text for glyph in line if "ل" in glyph.text] == ["لا"], "lam-alef is one glyph"
    assert "Bel محمد علاء (—)" in pdf_text(pdf).splitlines()


def test_indic_conjuncts_are_drawn_as_one_glyph_and_read_back_as_typed():
    hindi, bengali = NAMES["Hindi"], NAMES["Bengali"]

    pdf = _pdf(action_items=[(f"Bel {hindi} en {bengali}", "", "", True)])

    line = _drawn_line(pdf, "Bel ")
    indic = [glyph for glyph in line if glyph.font != line[0].font]
    typed = len(hindi.replace(" ", "")) + len(bengali.replace(" ", ""))
    assert len(indic) < typed, "क्ष, ক্ষ: a consonant, virama and consonant make one conjunct glyph"
    assert any("्" in glyph.text and len(glyph.text) > 2 for glyph in indic)
    assert f"Bel {hindi} en {bengali} (—)" in pdf_text(pdf).splitlines()


@pytest.mark.parametrize(("script", "joiner"), [("Persian", "\u200c"), ("Sinhala", "\u200d")])
def test_a_joiner_prints_in_the_font_of_its_word_so_that_the_word_is_shaped_whole(script, joiner):
    name = NAMES[script]
    assert joiner in name

    pdf = _pdf(action_items=[(f"Bel {name}", "", "", True)])

    line = _drawn_line(pdf, "Bel ")
    in_script_font = [glyph for glyph in line if glyph.font != line[0].font]
    assert joiner in "".join(glyph.text for glyph in in_script_font), "not cut out into the main font"
    assert f"Bel {name} (—)" in pdf_text(pdf).splitlines()


def test_korean_typed_as_separate_jamo_prints_as_its_syllables():
    typed = unicodedata.normalize("NFD", NAMES["Korean"])
    assert len(typed) == 9  # ㄱ ㅣ ㅁ, ㅁ ㅣ ㄴ, ㅈ ㅜ ㄴ: three syllables typed as nine letters

    pdf = _pdf(action_items=[(f"Bel {typed}", "", "", True)])

    line = _drawn_line(pdf, "Bel ")
    assert [glyph.text for glyph in line if glyph.font != line[0].font] == ["김", "민", "준"]
    assert "Bel 김민준 (—)" in pdf_text(pdf).splitlines()


def test_a_paragraph_typed_in_arabic_starts_at_the_right_margin_and_a_dutch_one_at_the_left():
    assert paragraph_align("أريد أن أتحدث مع مديري أولا") == "R"
    assert paragraph_align("שלום, אני רוצה לדבר") == "R"
    assert paragraph_align("Ik bel أحمد morgen") == "L"
    assert paragraph_align("") == "L"


def test_a_long_arabic_phase_name_wraps_in_its_cell_and_no_word_is_cut():
    long_name = " ".join(["مرحلة التعارف الطويلة جدا مع المجموعة كلها والمشرف"] * 3)

    shown = pdf_text(_pdf(phases=[(long_name, 5, 12.5)]))

    name_lines = [line for line in shown.splitlines() if re.search("[\u0600-\u06ff]", line)]
    assert len(name_lines) > 1, "the name wraps over several lines of its cell"
    assert " ".join(shown.split()).count(long_name) == 1, shown
    assert "12,5" in shown.splitlines()


def test_a_long_line_of_names_in_every_script_wraps_and_every_name_reads_back_whole():
    names = list(NAMES.values()) * 2

    shown = pdf_text(_pdf(roles={"case_bringer": names}))

    assert shown.count("Inbrenger:") == 1
    assert f"Inbrenger: {', '.join(names)}" in " ".join(shown.split()), shown
    assert "\ufffd" not in shown


def _embedded_fonts(pdf: bytes) -> set[str]:
    """The families a PDF embeds, without the subset tag (ABCDEF+)."""
    return {name.split("+")[-1] for name in re.findall(r"/BaseFont /(\S+)", pdf.decode("latin-1"))}


def test_a_report_loads_and_embeds_only_the_fonts_its_text_needs():
    # Loading every script font for every report would take seconds; a Dutch report needs only DejaVu.
    dutch = _embedded_fonts(_pdf(roles={"case_bringer": ["Zoë de Vries"]}))
    korean = _embedded_fonts(_pdf(roles={"case_bringer": [NAMES["Korean"]]}))

    assert dutch and all(font.startswith("DejaVu") for font in dutch), dutch
    assert korean - dutch == {"ReportHangul"}, korean
