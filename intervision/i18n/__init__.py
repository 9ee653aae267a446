"""Dutch and English: one catalog per language, and t() to look a text up.

A key missing from a catalog renders as ⟦key⟧, so that a test (and anyone looking) spots it at once.

Plurals, numbers and dates come from Babel (the Unicode CLDR data), not from rules written here. A text
that depends on a number is a table of CLDR plural forms in the catalog,
`votes = { one = "{count} stem", other = "{count} stemmen" }`, and t() picks the form for its `count`.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from datetime import date, datetime, tzinfo
from functools import cache, lru_cache
from pathlib import Path
from types import MappingProxyType

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal

from intervision.models import Language

_CATALOGS = Path(__file__).parent
DEFAULT_LANGUAGE = Language.EN
MISSING = "⟦{key}⟧"

# The CLDR locale each language is written in: Dutch as in the Netherlands (Flemish writes numbers and
# dates the same way), English as in Britain (day before month, as our readers expect).
LOCALES = {Language.NL: "nl_NL", Language.EN: "en_GB"}
# The names CLDR gives to plural forms; a catalog table with only these keys is one text with plurals.
PLURAL_FORMS = frozenset({"zero", "one", "two", "few", "many", "other"})

Plural = Mapping[str, str]
Text = str | Plural


def _is_plural(table: dict) -> bool:
    return "other" in table and set(table) <= PLURAL_FORMS and all(isinstance(v, str) for v in table.values())


def _flatten(table: dict, prefix: str = "") -> dict[str, Text]:
    flat: dict[str, Text] = {}
    for key, value in table.items():
        if isinstance(value, dict) and _is_plural(value):
            flat[f"{prefix}{key}"] = MappingProxyType(value)
        elif isinstance(value, dict):
            flat |= _flatten(value, f"{prefix}{key}.")
        else:
            flat[f"{prefix}{key}"] = value
    return flat


@cache
def catalog(language: Language) -> dict[str, Text]:
    with open(_CATALOGS / f"{language.value}.toml", "rb") as file:
        return _flatten(tomllib.load(file))


def forms(text: Text) -> list[str]:
    """Every way a catalog text can be written: the text itself, or each of its plural forms."""
    return [text] if isinstance(text, str) else list(text.values())


@cache
def locale(language: Language) -> Locale:
    return Locale.parse(LOCALES[language])


def plural_form(count: float, language: Language) -> str:
    """The CLDR plural form ("one", "other", …) that `count` takes in the language."""
    return locale(language).plural_form(abs(count))


def t(key: str, language: Language = DEFAULT_LANGUAGE, **params: object) -> str:
    """The text for `key`; a text with plural forms takes the form for the `count` param."""
    text = catalog(language).get(key)
    if text is None:
        return MISSING.format(key=key)
    if not isinstance(text, str):
        count = params.get("count")
        form = plural_form(count, language) if isinstance(count, int | float) else "other"
        text = text.get(form, text["other"])
    return text.format(**params) if params else text


def language_from_locale(locale: str | None) -> Language:
    """The browser's language when it is Dutch or English; English otherwise."""
    if locale and locale.lower().startswith("nl"):
        return Language.NL
    return Language.EN


# Pages format hundreds of numbers per rerun (the overview's table and heatmap), Babel takes tens of
# microseconds for each, and the same few values recur: formatting is pure, so it is remembered.
@lru_cache(maxsize=8192)
def number(value: float, language: Language, decimals: int = 1) -> str:
    """A number as the reader writes it, with a fixed number of decimals: "3,5" in Dutch, "3.5" in English."""
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return format_decimal(value, format=pattern, locale=locale(language))


@lru_cache(maxsize=8192)
def short_number(value: float, language: Language) -> str:
    """Minutes and the like: one decimal when there is one, none when whole ("7,5", "50")."""
    return format_decimal(value, format="#,##0.#", locale=locale(language))


def plain_number(value: float, language: Language) -> str:
    """A number for a spreadsheet cell: all its (up to ten) decimals, the language's decimal mark, no grouping."""
    return format_decimal(value, format="0.##########", locale=locale(language))


def day(moment: date, language: Language) -> str:
    """A date as people write it: "2 december 2026", "2 December 2026"."""
    return format_date(moment, format="long", locale=locale(language))


def short_day(moment: date, language: Language) -> str:
    """A date where space is short and the year is clear: "2 dec", "2 Dec"."""
    return format_date(moment, format="d MMM", locale=locale(language))


# CLDR date fields and the d3 directives Plotly formats a date axis with.
_D3_DIRECTIVES = {"d": "%-d", "dd": "%d", "M": "%-m", "MM": "%m", "y": "%Y", "yyyy": "%Y"}


def chart_date_format(language: Language, skeleton: str = "yMd") -> str:
    """The numeric date a chart axis shows, in the language's own order and marks ("2-12-2026", "02/12/2026").

    Plotly writes the axis in the browser, so it gets a d3 format built from the CLDR pattern for `skeleton`
    ("yMd": day, month and year; "yM": month and year).
    """
    pattern = str(locale(language).datetime_skeletons[skeleton])
    return re.sub(r"d+|M+|y+", lambda field: _D3_DIRECTIVES[field.group()], pattern)


def moment(when: datetime, language: Language, zone: tzinfo | None = None) -> str:
    """A day and a time: "2 december 2026, 14:05", in `zone` (or the moment's own zone)."""
    local = when.astimezone(zone) if zone else when
    return f"{day(local.date(), language)}, {format_datetime(local, format='HH:mm', locale=locale(language))}"
