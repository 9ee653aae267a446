"""The large synthetic organisation: deterministic, complete, and readable by the overview."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from intervision import db, demo_large, overview, store
from intervision.errors import DomainError
from intervision.overview import Period

NOW = datetime(2025, 6, 1, tzinfo=UTC)
SMALL = {"groups": 3, "people": 30, "years": 1, "now": NOW}


def _dump(path: Path) -> list[str]:
    connection = sqlite3.connect(path)
    try:
        return list(connection.iterdump())
    finally:
        connection.close()


def _content(path: Path) -> list[str]:
    """The database's rows, without what is salted (password hashes) or stamped with the time (migrations)."""
    return [line for line in _dump(path) if "argon2" not in line and "_sqlite_migrations" not in line]


def _load(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    db.migrate(path)
    demo_large.load_large(path, **SMALL)
    return path


def test_a_small_run_is_deterministic_and_fills_every_table(tmp_path: Path, fast_hashing: None) -> None:
    first, second = _load(tmp_path, "a.db"), _load(tmp_path, "b.db")
    assert _content(first) == _content(second)
    with db.reading(first) as conn:
        for table in (*demo_large.TABLES, "organisation"):
            assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] > 0, table
        releases = {row[0] for row in conn.execute("SELECT release FROM survey_waves")}
        assert releases <= {"alone", "pool", "private"} and releases
        assert conn.execute("SELECT count(*) FROM survey_waves WHERE closed_at IS NULL").fetchone()[0] == 0
        statuses = {row[0] for row in conn.execute("SELECT DISTINCT status FROM cases")}
        assert {"submitted", "discussed"} <= statuses


def test_it_refuses_a_database_that_is_not_empty(tmp_path: Path, fast_hashing: None) -> None:
    path = _load(tmp_path, "a.db")
    with pytest.raises(DomainError):
        demo_large.load_large(path, **SMALL)


def test_the_overview_compares_its_groups(tmp_path: Path, fast_hashing: None) -> None:
    path = _load(tmp_path, "a.db")
    with db.reading(path) as conn:
        coordinator = store.person(conn, store.person_id_by_email(conn, demo_large.COORDINATOR_EMAIL))
    comparison = overview.compare_groups(path, coordinator, Period.year_before(NOW.date()), today=NOW.date())
    assert len(comparison.groups) == 3


def test_the_large_demo_shows_groups_learning_to_run_themselves(tmp_path: Path, fast_hashing: None) -> None:
    path = _load(tmp_path, "a.db")
    with db.reading(path) as conn:
        coordinator = store.person(conn, store.person_id_by_email(conn, demo_large.COORDINATOR_EMAIL))
        group_ids = [row[0] for row in conn.execute("SELECT id FROM groups")]
        kinds = {row[0] for row in conn.execute("SELECT DISTINCT kind FROM observations")}
    assert kinds == {"observation", "intervention", "self_correction"}
    period = Period.year_before(NOW.date())
    trends = {}
    for group_id in group_ids:
        story = overview.group_story(path, coordinator, group_id, period, today=NOW.date())
        if story.self_share_trend is not None:  # None: the contract does not report it, or too few sessions
            trends[group_id] = story.self_share_trend
    assert trends and all(trend > 0 for trend in trends.values()), trends


def test_waves_of_the_last_year_answer_the_current_questions_and_older_ones_the_first_version(
    tmp_path: Path, fast_hashing: None
) -> None:
    path = tmp_path / "two_years.db"
    db.migrate(path)
    demo_large.load_large(path, **(SMALL | {"years": 2}))
    with db.reading(path) as conn:
        rows = conn.execute("SELECT opened_at, instrument_version FROM survey_waves ORDER BY opened_at").fetchall()
    year_ago = (NOW.replace(year=NOW.year - 1)).isoformat()
    assert {version for opened, version in rows if opened < year_ago} == {1}
    assert {version for opened, version in rows if opened >= year_ago} == {2}
