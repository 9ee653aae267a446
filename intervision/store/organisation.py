"""The organisation: its name, whether it is the demo, its privacy threshold and case retention."""

from __future__ import annotations

from datetime import datetime

from intervision.database import Unit
from intervision.models import (
    Organisation,
)
from intervision.store._sql import _iso


def organisation(db: Unit) -> Organisation | None:
    row = db.execute("SELECT name, is_demo, privacy_threshold FROM organisation").fetchone()
    return Organisation(**dict(row)) if row else None


def create_organisation(db: Unit, name: str, is_demo: bool, now: datetime) -> None:
    db.execute(
        "INSERT INTO organisation (id, name, is_demo, created_at) VALUES (1, ?, ?, ?)",
        [name, int(is_demo), _iso(now)],
    )


def anyone_has_an_account(db: Unit) -> bool:
    """Whether the organisation is set up: asked on every page, so it stops at the first account it finds
    (counting them all scans the whole table on PostgreSQL)."""
    return bool(db.execute("SELECT EXISTS (SELECT 1 FROM people)").scalar())
