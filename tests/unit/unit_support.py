"""Helpers shared by the unit tests: a fixed moment, a password, and shortcuts into a test database.

Kept out of conftest.py so that test modules can import them by name.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from pdf_reading import pdf_text  # noqa: F401 - the unit tests import it from here

from intervision import auth, db, store
from intervision.models import Contract, GroupInput, Language, Person, Role
from intervision.observation_log import Balance
from intervision.reports import SessionReport

NOW = datetime(2025, 3, 12, 10, 15, tzinfo=UTC)
# When the people of the fixtures' groups joined them: before anything a test shares in the group, so that
# they see all of it (a member sees only what was shared since they joined; tests of that join later).
JOINED = datetime(2024, 1, 8, 9, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"


def at(minutes: float) -> datetime:
    """`minutes` after NOW: a moment in a live session the tests walk through."""
    return NOW + timedelta(minutes=minutes)


def small_report(**changes: object) -> SessionReport:
    """A small session report of a Dutch group made directly, changed where a test says so."""
    report = SessionReport(
        group_name="Team Noord",
        started_at=NOW,
        method_name="Incidentmethode",
        method_version=1,
        case_title="",
        roles={},
        phases=[("Fase", 10, 12.0)],
        board={},
        action_items=[],
        bringer_choice="",
        rating_mean=None,
        rating_count=0,
        rating_threshold=3,
        balance=Balance(),
        observations=None,
    )
    return replace(report, **changes)


# For a test of the SQLite file itself (its pragmas, its locks, the disk under it): the `path` database on
# SQLite only. Every other test of the core runs on both engines.
SQLITE_FILE = pytest.mark.parametrize("database", ["sqlite"], indirect=True)


def add_person(path: Path, name: str, role: Role, email: str | None = None, password: str = PASSWORD) -> Person:
    """An account straight in the database (the account flows have their own tests)."""
    email = email or f"{name.lower().replace(' ', '.')}@example.org"
    with db.writing(path) as conn:
        person_id = store.add_person(conn, name, email, role, auth.hash_password(password), Language.EN, NOW)
        return store.person(conn, person_id)


def group_form(name: str = "Team North", **contract: object) -> GroupInput:
    terms = {
        "meets_every_weeks": 6,
        "session_minutes": 90,
        "confidentiality": "What is said here stays here.",
        "start_date": date(2025, 1, 6),
    } | contract
    return GroupInput(name=name, contract=Contract(**terms))


def count_rows(path: Path, table: str) -> int:
    with db.reading(path) as conn:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def audit_actions(path: Path) -> list[str]:
    """The audit log's actions, oldest first."""
    with db.reading(path) as conn:
        return [row[0] for row in conn.execute("SELECT action FROM audit_log ORDER BY id")]
