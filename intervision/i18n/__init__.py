"""Dutch and English: one catalog per language, and t() to look a text up.

A key missing from a catalog renders as ⟦key⟧, so that a test (and anyone looking) spots it at once.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

from intervision.models import Language

_CATALOGS = Path(__file__).parent
DEFAULT_LANGUAGE = Language.EN
MISSING = "⟦{key}⟧"


def _flatten(table: dict, prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in table.items():
        if isinstance(value, dict):
            flat |= _flatten(value, f"{prefix}{key}.")
        else:
            flat[f"{prefix}{key}"] = value
    return flat


@cache
def catalog(language: Language) -> dict[str, str]:
    with open(_CATALOGS / f"{language.value}.toml", "rb") as file:
        return _flatten(tomllib.load(file))


def t(key: str, language: Language = DEFAULT_LANGUAGE, **params: object) -> str:
    text = catalog(language).get(key)
    if text is None:
        return MISSING.format(key=key)
    return text.format(**params) if params else text


def language_from_locale(locale: str | None) -> Language:
    """The browser's language when it is Dutch or English; English otherwise."""
    if locale and locale.lower().startswith("nl"):
        return Language.NL
    return Language.EN


def number(value: float, language: Language, decimals: int = 1) -> str:
    """A number as the reader writes it: a decimal comma in Dutch."""
    text = f"{value:.{decimals}f}"
    return text.replace(".", ",") if language is Language.NL else text
