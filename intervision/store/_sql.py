"""What the store's features share: how a moment is stored."""

from __future__ import annotations

from datetime import UTC, datetime


def _iso(moment: datetime) -> str:
    # Always UTC, so that comparing the stored text compares the moments.
    return moment.astimezone(UTC).isoformat(timespec="seconds")
