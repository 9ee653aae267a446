"""What the store's features share: how a moment is stored."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum


def _iso(moment: datetime) -> str:
    # Always UTC, so that comparing the stored text compares the moments.
    return moment.astimezone(UTC).isoformat(timespec="seconds")


class _Unchanged(Enum):
    UNCHANGED = "unchanged"


# Marks a column a write leaves as it is (None is a value: a pause that ends, a case taken off a meeting).
UNCHANGED = _Unchanged.UNCHANGED
