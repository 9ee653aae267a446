"""Versions of methods as they were used, custom methods and their drafts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from intervision.database import Unit
from intervision.errors import Missing
from intervision.models import GroupRole
from intervision.store._sql import _iso


@dataclass(frozen=True)
class CustomMethod:
    """A custom method as stored: who made it, whether it is shared, and its current version's definition."""

    method_id: str
    author_id: int | None
    author: str  # empty once the author's account is erased
    shared: bool
    current_version: int
    definition: str  # TOML, parsed by the method library


_CUSTOM_METHOD_SELECT = (
    "SELECT c.method_id, c.author_id, coalesce(p.name, '') AS author, c.shared, c.current_version,"
    " v.definition FROM custom_methods c"
    " JOIN method_versions v ON v.method_id = c.method_id AND v.version = c.current_version"
    " LEFT JOIN people p ON p.id = c.author_id"
)


def _custom_method(row: dict) -> CustomMethod:
    return CustomMethod(**(row | {"shared": bool(row["shared"])}))


def method_version_definition(db: Unit, method_id: str, version: int) -> str | None:
    row = db.execute(
        "SELECT definition FROM method_versions WHERE method_id = ? AND version = ?", [method_id, version]
    ).fetchone()
    return row[0] if row else None


def keep_method_version(db: Unit, method_id: str, version: int, definition: str, now: datetime) -> None:
    """Store a method as it is at this version; a version once stored never changes."""
    db.execute(
        "INSERT INTO method_versions (method_id, version, definition, created_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT DO NOTHING",
        [method_id, version, definition, _iso(now)],
    )


def add_custom_method(db: Unit, method_id: str, author_id: int, now: datetime) -> None:
    db.execute(
        "INSERT INTO custom_methods (method_id, author_id, current_version, created_at) VALUES (?, ?, 1, ?)",
        [method_id, author_id, _iso(now)],
    )


def set_custom_method_version(db: Unit, method_id: str, version: int) -> None:
    cursor = db.execute("UPDATE custom_methods SET current_version = ? WHERE method_id = ?", [version, method_id])
    if cursor.rowcount == 0:
        raise Missing(f"custom method {method_id}")


def share_custom_method(db: Unit, method_id: str, shared: bool) -> None:
    cursor = db.execute("UPDATE custom_methods SET shared = ? WHERE method_id = ?", [int(shared), method_id])
    if cursor.rowcount == 0:
        raise Missing(f"custom method {method_id}")


def custom_method(db: Unit, method_id: str) -> CustomMethod | None:
    row = db.execute(f"{_CUSTOM_METHOD_SELECT} WHERE c.method_id = ?", [method_id]).fetchone()
    return _custom_method(dict(row)) if row else None


def custom_methods(db: Unit, person_id: int | None) -> list[CustomMethod]:
    """Custom methods at their current version: all of them (person_id None), or those this person may use:
    their own, shared ones, and those of anyone who facilitates a group the person is in."""
    if person_id is None:
        rows = db.execute(f"{_CUSTOM_METHOD_SELECT} ORDER BY c.method_id")
    else:
        rows = db.execute(
            f"{_CUSTOM_METHOD_SELECT} WHERE c.shared = 1 OR c.author_id = ? OR c.author_id IN ("
            " SELECT f.person_id FROM memberships f JOIN memberships mine ON mine.group_id = f.group_id"
            " WHERE f.group_role = ? AND mine.person_id = ?) ORDER BY c.method_id",
            [person_id, GroupRole.FACILITATOR.value, person_id],
        )
    return [_custom_method(dict(row)) for row in rows]


def custom_method_count(db: Unit) -> int:
    return db.execute("SELECT count(*) FROM custom_methods").fetchone()[0]


def save_method_draft(db: Unit, person_id: int, body: str, now: datetime) -> None:
    db.execute(
        "INSERT INTO method_drafts (person_id, body, updated_at) VALUES (?, ?, ?)"
        " ON CONFLICT (person_id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
        [person_id, body, _iso(now)],
    )


def method_draft(db: Unit, person_id: int) -> str | None:
    row = db.execute("SELECT body FROM method_drafts WHERE person_id = ?", [person_id]).fetchone()
    return row[0] if row else None


def drop_method_draft(db: Unit, person_id: int) -> None:
    db.execute("DELETE FROM method_drafts WHERE person_id = ?", [person_id])
