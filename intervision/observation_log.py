"""The observation log as data: categories per level, and the balance between intervening and self-correction.

The categories live in data/observation_categories.toml (Dutch and English; helpful, hindering or a signal). The
balance is the measure of a group that learns to run itself (DOMAIN.md sections 1 and 6): how often the
facilitator stepped in, against how often the group corrected itself, per level and over sessions.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from intervision.config import PROJECT_ROOT
from intervision.data_files import DataFileError, parse_toml
from intervision.methods import Level, Name, Slug
from intervision.models import Language, ObservationKind

CATEGORIES_FILE = PROJECT_ROOT / "data" / "observation_categories.toml"
LEVELS = tuple(level.value for level in Level)
MIN_SESSIONS_FOR_TREND = 3


class Effect(StrEnum):
    """Whether what was observed helps the group's work, gets in its way, or is a signal to look at."""

    HELPFUL = "helpful"
    HINDERING = "hindering"
    # Neither: what the facilitator feels in their own body is information about the group (seed 004).
    SIGNAL = "signal"


# Every level offers both sides, so that a facilitator notes what goes well as readily as a breach.
EVERY_LEVEL_OFFERS = (Effect.HELPFUL, Effect.HINDERING)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Category(_Strict):
    id: Slug
    level: Level
    effect: Effect
    name: Name
    # A retired category is no longer offered, but observations logged with it keep their text.
    offered: bool = True


class CategoryFile(_Strict):
    categories: list[Category] = Field(min_length=1, max_length=200)

    @model_validator(mode="after")
    def _complete(self) -> CategoryFile:
        seen: set[tuple[str, str]] = set()
        for category in self.categories:
            key = (category.level.value, category.id)
            if key in seen:
                raise PydanticCustomError(
                    "duplicate", "{id} is listed twice on {level}", {"id": key[1], "level": key[0]}
                )
            seen.add(key)
        for level in Level:
            for effect in EVERY_LEVEL_OFFERS:
                if not any(c.level is level and c.effect is effect and c.offered for c in self.categories):
                    raise PydanticCustomError(
                        "incomplete",
                        "{level} offers no {effect} category",
                        {"level": level.value, "effect": effect.value},
                    )
        return self


class CategoryFileError(DataFileError):
    """The categories file cannot be used; every problem is spelled out (file, category, field)."""


@dataclass(frozen=True)
class Categories:
    entries: tuple[Category, ...]

    def offered(self, level: str, effect: Effect | None = None) -> list[Category]:
        """What the console offers on a level, in the file's order."""
        return [
            c for c in self.entries if c.level.value == level and c.offered and (effect is None or c.effect is effect)
        ]

    def find(self, level: str, category_id: str) -> Category | None:
        return next((c for c in self.entries if c.level.value == level and c.id == category_id), None)

    def label(self, level: str, category_id: str, language: Language) -> str:
        """The category's text; a key the file does not know is shown as it is stored, never an error."""
        found = self.find(level, category_id)
        return found.name(language) if found else category_id


def parse_categories(text: str, source: str) -> Categories:
    parsed = parse_toml(text, source, CategoryFile, CategoryFileError, "categories", "category")
    return Categories(tuple(parsed.categories))


@cache
def _loaded(path: Path, modified: float) -> Categories:
    return parse_categories(path.read_text(encoding="utf-8"), path.name)


def categories(path: Path = CATEGORIES_FILE) -> Categories:
    """The shipped categories, read again when the file changes; a broken file raises CategoryFileError."""
    return _loaded(path, path.stat().st_mtime)


# --- the balance --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Balance:
    """How often the facilitator intervened and how often the group corrected itself, per level."""

    interventions: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LEVELS, 0))
    self_corrections: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LEVELS, 0))

    @property
    def total_interventions(self) -> int:
        return sum(self.interventions.values())

    @property
    def total_self_corrections(self) -> int:
        return sum(self.self_corrections.values())

    @property
    def corrections(self) -> int:
        return self.total_interventions + self.total_self_corrections

    @property
    def self_share(self) -> float | None:
        """The share of the corrections the group made itself (0–1); None when nothing needed correcting."""
        if not self.corrections:
            return None
        return self.total_self_corrections / self.corrections

    def level_share(self, level: str) -> float | None:
        both = self.interventions.get(level, 0) + self.self_corrections.get(level, 0)
        return self.self_corrections.get(level, 0) / both if both else None


def balance_of(presses: Iterable[tuple[str, str, int]]) -> Balance:
    """The balance from (level, kind, count) rows; plain observations do not count either way."""
    balance = Balance()
    for level, kind, count in presses:
        if level not in LEVELS:
            continue
        if kind == ObservationKind.INTERVENTION:
            balance.interventions[level] += count
        elif kind == ObservationKind.SELF_CORRECTION:
            balance.self_corrections[level] += count
    return balance


def share_trend(balances: list[Balance]) -> float | None:
    """The change per session in the share of corrections the group made itself (least squares over the
    sessions that had any correction); rising means the group runs itself more. None with too few sessions."""
    points = [(index, b.self_share) for index, b in enumerate(balances) if b.self_share is not None]
    if len(points) < MIN_SESSIONS_FOR_TREND:
        return None
    xs = [float(x) for x, _ in points]
    ys = [float(y) for _, y in points if y is not None]
    if len(set(xs)) < 2:
        return None
    return statistics.linear_regression(xs, ys).slope


def trend_direction(slope: float) -> str:
    """rising, falling or steady: a change under one percentage point per session counts as steady."""
    return "rising" if slope > 0.01 else "falling" if slope < -0.01 else "steady"


def _share_over(counted: list[Balance]) -> float | None:
    made = sum(b.corrections for b in counted)
    return sum(b.total_self_corrections for b in counted) / made if made else None


def recent_share(balances: list[Balance], last: int = 3) -> float | None:
    """The share of corrections the group made itself over its last few sessions with corrections."""
    return _share_over([b for b in balances if b.corrections][-last:])


def early_share(balances: list[Balance], first: int = 3) -> float | None:
    """The same over its first few sessions with corrections: where the trend started."""
    return _share_over([b for b in balances if b.corrections][:first])
