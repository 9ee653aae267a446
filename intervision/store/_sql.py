"""What the store's features share: how a moment is stored."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum


def _iso(moment: datetime) -> str:
    # Always UTC, so that comparing the stored text compares the moments.
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _moment(stored: str) -> datetime:
    """A stored moment as an aware UTC datetime (text from before offsets were written counts as UTC)."""
    moment = datetime.fromisoformat(stored)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _maybe_moment(stored: str | None) -> datetime | None:
    return None if stored is None else _moment(stored)


class _Unchanged(Enum):
    UNCHANGED = "unchanged"


# Marks a column a write leaves as it is (None is a value: a pause that ends, a case taken off a meeting).
UNCHANGED = _Unchanged.UNCHANGED
