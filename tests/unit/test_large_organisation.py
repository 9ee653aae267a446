"""The large synthetic organisation (bench/large_organisation.py): deterministic, complete, readable by the
overview, on each engine."""

from __future__ import annotations

import sqlite3
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from unit_support import SQLITE_FILE

from intervision import overview, store
from intervision.database import Database
from intervision.errors import DomainError
from intervision.models import Person
from intervision.overview import Period

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository root, where bench/ lives
from bench import large_organisation  # noqa: E402

NOW = datetime(2025, 6, 1, tzinfo=UTC)
SMALL = {"groups": 3, "people": 30, "years": 1, "now": NOW}


def _content(database: Database) -> list[str]:
    """The SQLite file's rows, without what is salted (password hashes) or stamped with the time (migrations)."""
    assert database.path is not None
    connection = sqlite3.connect(database.path)
    try:
        return [line for line in connection.iterdump() if "argon2" not in line and "alembic_version" not in line]
    finally:
        connection.close()


def _coordinator(database: Database) -> Person:
    with database.reading() as db:
        return store.person(db, store.person_id_by_email(db, large_organisation.COORDINATOR_EMAIL))


@SQLITE_FILE
def test_a_small_run_is_deterministic(path: Database, tmp_path: Path) -> None:
    other = Database.for_path(tmp_path / "other.db")
    other.migrate()
    try:
        large_organisation.load_large(path, **SMALL)
        large_organisation.load_large(other, **SMALL)
        assert _content(path) == _content(other)
    finally:
        other.dispose()


def test_a_small_run_fills_every_table(path: Database) -> None:
    counts = large_organisation.load_large(path, **SMALL)
    assert all(counts[table] > 0 for table in large_organisation.TABLES), counts
    with path.reading() as db:
        assert db.execute("SELECT count(*) FROM organisation").scalar() == 1
        releases = {row[0] for row in db.execute("SELECT release FROM survey_waves")}
        assert releases and releases <= {"alone", "pool", "private"}
        assert db.execute("SELECT count(*) FROM survey_waves WHERE closed_at IS NULL").scalar() == 0
        statuses = {row[0] for row in db.execute("SELECT DISTINCT status FROM cases")}
        assert {"submitted", "discussed"} <= statuses
        scored = db.execute("SELECT count(*) FROM survey_responses WHERE main_score IS NOT NULL").scalar()
        assert scored > 0  # closing the waves kept their scores, as the overview reads them


def test_it_refuses_a_database_that_is_not_empty(path: Database) -> None:
    large_organisation.load_large(path, **SMALL)
    with pytest.raises(DomainError):
        large_organisation.load_large(path, **SMALL)


def test_the_overview_compares_its_groups(path: Database) -> None:
    large_organisation.load_large(path, **SMALL)
    comparison = overview.compare_groups(path, _coordinator(path), Period.year_before(NOW.date()), today=NOW.date())
    assert len(comparison.groups) == 3


def test_the_large_organisation_shows_groups_learning_to_run_themselves(path: Database) -> None:
    large_organisation.load_large(path, **SMALL)
    with path.reading() as db:
        group_ids = [row[0] for row in db.execute("SELECT id FROM groups")]
        kinds = {row[0] for row in db.execute("SELECT DISTINCT kind FROM observations")}
    assert kinds == {"observation", "intervention", "self_correction"}
    coordinator, period = _coordinator(path), Period.year_before(NOW.date())
    trends = {}
    for group_id in group_ids:
        story = overview.group_story(path, coordinator, group_id, period, today=NOW.date())
        if story.self_share_trend is not None:  # None: the contract does not report it, or too few sessions
            trends[group_id] = story.self_share_trend
    assert trends and all(trend > 0 for trend in trends.values()), trends


def test_waves_of_the_last_year_answer_the_current_questions_and_older_ones_the_first_version(
    path: Database,
) -> None:
    large_organisation.load_large(path, **(SMALL | {"years": 2}))
    with path.reading() as db:
        rows = db.execute("SELECT opened_at, instrument_version FROM survey_waves ORDER BY opened_at").fetchall()
    year_ago = NOW.replace(year=NOW.year - 1).isoformat()
    assert {version for opened, version in rows if opened < year_ago} == {1}
    assert {version for opened, version in rows if opened >= year_ago} == {2}
