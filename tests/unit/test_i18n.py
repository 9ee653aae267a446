"""Dutch and English: the catalogs match each other and every key the code asks for exists."""

from __future__ import annotations

import ast
import re
import string
from collections.abc import Mapping
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from intervision.errors import NotAllowed
from intervision.i18n import (
    MISSING,
    catalog,
    day,
    forms,
    language_from_locale,
    moment,
    number,
    plural_form,
    short_day,
    short_number,
    t,
)
from intervision.models import (
    AuditAction,
    DevelopmentPhase,
    GroupRole,
    InvitationStatus,
    Language,
    ReportItem,
    Role,
)
from ui.registry import SCREENS

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ["app.py", "pages", "ui", "intervision"]
EN, NL = catalog(Language.EN), catalog(Language.NL)


def _python_files() -> list[Path]:
    files = []
    for source in SOURCES:
        found = ROOT / source
        files.extend([found] if found.is_file() else sorted(found.rglob("*.py")))
    return files


@cache
def _trees() -> dict[str, ast.Module]:
    return {str(file.relative_to(ROOT)): ast.parse(file.read_text(encoding="utf-8")) for file in _python_files()}


def _placeholders(text: str | Mapping[str, str]) -> set[str]:
    """The names a text fills in; for a text with plural forms, those of all its forms."""
    return {name for form in forms(text) for _, name, _, _ in string.Formatter().parse(form) if name is not None}


def _called(node: ast.Call, name: str) -> bool:
    func = node.func
    return (isinstance(func, ast.Name) and func.id == name) or (isinstance(func, ast.Attribute) and func.attr == name)


def _keys_used_in_code() -> set[tuple[str, str]]:
    """(file, key) for every catalog key written out in the code.

    That is the literal first argument of every `t(...)` / `viewer.t(...)` call and of the core's
    `Waiting(...)` items, and in the interface every other string literal of the form
    `<catalog section>.<name>`: notice keys that actions return, label keys in tuples. (Not in the core,
    where such a string is as likely an e-mail domain.)
    """
    key_shape = re.compile(r"[a-z_]+\.[a-z0-9_]+")
    sections = {key.split(".")[0] for key in EN}
    used = set()
    for file, tree in _trees().items():
        in_fstrings = {id(part) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for part in node.values}
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and (_called(node, "t") or _called(node, "Waiting")) and node.args:
                first = node.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    used.add((file, first.value))
            elif (
                not file.startswith("intervision")
                and isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in in_fstrings
                and key_shape.fullmatch(node.value)
                and node.value.split(".")[0] in sections
                and not node.value.endswith(".py")
            ):
                used.add((file, node.value))
    return used


def _domain_error_keys() -> set[str]:
    """Every key the core raises as DomainError("<key>", ...), written out."""
    keys = {NotAllowed("any").key}
    for file, tree in _trees().items():
        if not file.startswith("intervision"):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _called(node, "DomainError") and node.args:
                first = node.args[0]
                if isinstance(first, ast.Constant):
                    keys.add(first.value)
    return keys


# --- the catalogs match ------------------------------------------------------------------------


def test_both_catalogs_have_exactly_the_same_keys():
    assert sorted(EN.keys() - NL.keys()) == [], "only in en.toml"
    assert sorted(NL.keys() - EN.keys()) == [], "only in nl.toml"


def test_every_text_is_a_non_empty_string():
    for language, texts in ((Language.EN, EN), (Language.NL, NL)):
        empty = sorted(
            key for key, text in texts.items() for form in forms(text) if not isinstance(form, str) or not form.strip()
        )
        assert empty == [], language


def test_placeholders_are_the_same_in_both_languages():
    differ = {
        key: (sorted(_placeholders(EN[key])), sorted(_placeholders(NL[key])))
        for key in EN.keys() & NL.keys()
        if _placeholders(EN[key]) != _placeholders(NL[key])
    }
    assert differ == {}


@pytest.mark.parametrize("language", list(Language))
def test_every_text_renders_with_its_placeholders_filled(language):
    """No stray brace or positional `{}` that would crash t() when the interface fills in the params."""
    for key, text in catalog(language).items():
        params = {name: "X" for name in _placeholders(text)}
        assert all(name.isidentifier() for name in params), key
        for form in forms(text):
            rendered = form.format(**params)
            assert "{" not in rendered and "}" not in rendered, key


# --- every key the code asks for exists ----------------------------------------------------------


def test_the_key_scan_finds_the_keys_the_pages_use():
    # Guards the scan itself: if it silently found nothing, the next test would pass for nothing.
    found = {key for _, key in _keys_used_in_code()}
    assert {"home.title", "groups.created", "field.password_again", "waiting.no_facilitator"} <= found


@pytest.mark.parametrize("language", list(Language))
def test_every_key_written_in_the_code_exists(language):
    texts = catalog(language)
    missing = sorted(f"{file}: {key}" for file, key in _keys_used_in_code() if key not in texts)
    assert missing == []


def _families() -> list[str]:
    return [
        *(f"role.{role}" for role in Role),
        *(f"group_role.{role}" for role in GroupRole),
        *(f"phase.{phase}" for phase in DevelopmentPhase),
        *(f"report.{item}" for item in ReportItem),
        *(f"audit.{action}" for action in AuditAction),
        *(f"language.{language}" for language in Language),
        "language.name",
        *(f"nav.{screen}" for screen in SCREENS),
        *(f"invitations.status_{status}" for status in InvitationStatus),
        *(f"error.invitation_{status}" for status in InvitationStatus if status is not InvitationStatus.ACTIVE),
        *(f"error.{key}" for key in _domain_error_keys()),
        "error.invalid",  # the fallback for a validation type without its own message
        "error.unexpected",
    ]


def test_the_domain_error_scan_finds_the_errors_the_core_raises():
    assert {"sign_in_failed", "last_coordinator", "not_allowed", "group_name_taken"} <= _domain_error_keys()


@pytest.mark.parametrize("language", list(Language))
def test_every_key_built_from_a_value_exists(language):
    texts = catalog(language)
    assert sorted(key for key in _families() if key not in texts) == []


# --- t() and the language ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "language"),
    [
        ("nl-BE", Language.NL),
        ("nl-NL", Language.NL),
        ("nl", Language.NL),
        ("NL-nl", Language.NL),
        ("de-DE", Language.EN),
        ("en-GB", Language.EN),
        ("fr", Language.EN),
        ("", Language.EN),
        (None, Language.EN),
    ],
)
def test_language_from_locale(locale, language):
    assert language_from_locale(locale) is language


@pytest.mark.parametrize("language", list(Language))
def test_a_missing_key_renders_as_the_key_in_brackets(language):
    assert t("no.such_key", language) == "⟦no.such_key⟧" == MISSING.format(key="no.such_key")
    assert t("no.such_key", language, name="Noor") == "⟦no.such_key⟧"


def test_t_fills_in_the_params_in_each_language():
    assert "Noor" in t("home.title", Language.EN, name="Noor")
    assert "Noor" in t("home.title", Language.NL, name="Noor")
    assert t("home.title", Language.NL, name="Noor") != t("home.title", Language.EN, name="Noor")


def test_english_is_the_default_language():
    assert t("nav.home") == EN["nav.home"]


def test_each_language_names_itself_in_its_own_language():
    assert (EN["language.name"], NL["language.name"]) == (EN["language.en"], NL["language.nl"])


# --- plurals, numbers and dates through Babel ----------------------------------------------------


@pytest.mark.parametrize(
    ("language", "count", "expected"),
    [
        (Language.NL, 0, "0 stemmen"),
        (Language.NL, 1, "1 stem"),
        (Language.NL, 2, "2 stemmen"),
        (Language.EN, 0, "0 votes"),
        (Language.EN, 1, "1 vote"),
        (Language.EN, 2, "2 votes"),
    ],
)
def test_a_count_takes_the_plural_form_of_its_language(language, count, expected):
    assert t("cases.votes", language, count=count) == expected


@pytest.mark.parametrize(
    ("language", "one", "two"),
    [
        (Language.NL, "Hierboven staat 1 veld in het rood.", "Hierboven staan 2 velden in het rood."),
        (Language.EN, "1 field is marked in red above.", "2 fields are marked in red above."),
    ],
)
def test_the_verb_agrees_with_the_count_too(language, one, two):
    assert (t("editor.fields_to_fix", language, count=1), t("editor.fields_to_fix", language, count=2)) == (one, two)


def test_a_plural_text_without_a_count_reads_in_its_other_form():
    assert t("cases.votes", Language.NL) == "{count} stemmen"


def test_every_plural_text_has_the_forms_its_language_needs():
    for language in Language:
        needed = {plural_form(count, language) for count in (0, 1, 2, 5, 21, 100)}
        for key, text in catalog(language).items():
            if not isinstance(text, str):
                assert needed <= set(text), (language, key)
                # "one" may spell its number out ("once", "één keer"): in Dutch and English it is exactly 1.
                assert all("{count}" in form for name, form in text.items() if name != "one"), (language, key)


# "veld(en)", "case(s)", "had(den)": a bracketed ending glued to a word ("alfa (n)" is a sample size).
PLURAL_HACKS = re.compile(r"(?<=\w)\((?:s|en|den|sen|n|e|es|ren)\)")


@pytest.mark.parametrize("language", list(Language))
def test_no_text_writes_a_plural_with_brackets(language):
    hacks = sorted(
        key
        for key, text in catalog(language).items()
        if key != "surveys.hidden_waves"  # rewritten without a plural by the instruments work
        for form in forms(text)
        if PLURAL_HACKS.search(form)
    )
    assert hacks == [], "use a table of plural forms: { one = …, other = … }"


# Phrasing a Dutch or Flemish facilitator would not use, found in earlier versions of the catalog.
NOT_SAID = [
    "incluis",
    "met lege handen",
    "hun toe",
    "Match {",
    "Geeft minder",
    "Goed zo",
    "hij of zij",
    "hem of haar",
    "nabespr",
    "nazorg",
    "follow-up",
    "Collectieve efficacy",
    "Self-efficacy",
    "methoden",  # "methodes", as on every other screen
    "observatielog meenemen",
    "minst eens",  # the widest spread of answers is where they differ most, not what the group rejects
]


def test_the_dutch_screens_speak_as_a_facilitator_does():
    said = sorted(
        (key, phrase)
        for key, text in NL.items()
        for form in forms(text)
        for phrase in NOT_SAID
        # the explanation of a measure may name the research term beside the plain one
        if phrase.lower() in form.lower() and not key.startswith("overview.explain_title.")
    )
    assert said == []


def test_the_follow_up_of_a_case_is_called_opvolging_everywhere():
    follow_up_keys = ["case_field.follow_up", "cases.follow_up_save", "case_status.followed_up", "live.no_follow_up"]
    assert all("opvolg" in NL[key].lower() or "opgevolgd" in NL[key].lower() for key in follow_up_keys)


@pytest.mark.parametrize(
    ("language", "value", "decimals", "expected"),
    [
        (Language.NL, 3.5, 1, "3,5"),
        (Language.EN, 3.5, 1, "3.5"),
        (Language.NL, 3.456, 2, "3,46"),
        (Language.EN, 4, 2, "4.00"),
        (Language.NL, 1234.5, 1, "1.234,5"),
        (Language.EN, 1234.5, 1, "1,234.5"),
        (Language.NL, 12, 0, "12"),
    ],
)
def test_numbers_are_written_as_the_reader_writes_them(language, value, decimals, expected):
    assert number(value, language, decimals) == expected


@pytest.mark.parametrize(
    ("language", "expected"), [(Language.NL, ["7,5", "50", "0,5"]), (Language.EN, ["7.5", "50", "0.5"])]
)
def test_minutes_show_a_decimal_only_when_there_is_one(language, expected):
    assert [short_number(minutes, language) for minutes in (7.5, 50.0, 0.5)] == expected


@pytest.mark.parametrize(
    ("language", "long", "short", "when"),
    [
        (Language.NL, "2 december 2026", "2 dec", "2 december 2026, 14:05"),
        (Language.EN, "2 December 2026", "2 Dec", "2 December 2026, 14:05"),
    ],
)
def test_dates_are_written_as_people_write_them(language, long, short, when):
    amsterdam = ZoneInfo("Europe/Amsterdam")

    assert day(date(2026, 12, 2), language) == long
    assert short_day(date(2026, 12, 2), language) == short
    # 13:05 UTC is 14:05 in Amsterdam in winter: the time is shown in the reader's zone
    assert moment(datetime(2026, 12, 2, 13, 5, tzinfo=UTC), language, amsterdam) == when
