"""A failing disk or a read-only database is named as such, so the person sees what is wrong, not a bug."""

from __future__ import annotations

import sqlite3

import pytest
from unit_support import SQLITE_FILE

from intervision import db
from intervision.errors import StorageProblem
from intervision.i18n import t
from intervision.models import Language


def _error_of(action) -> sqlite3.OperationalError:  # noqa: ANN001 - a callable that fails
    with pytest.raises(sqlite3.OperationalError) as raised:
        action()
    return raised.value


@SQLITE_FILE
def test_a_full_disk_is_named(path):
    with db.writing(path) as conn:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]

        def fill() -> None:
            conn.execute(f"PRAGMA max_page_count = {pages}")  # as if the disk had no room left
            for number in range(10_000):
                conn.execute(
                    "INSERT INTO audit_log (at, action, subject) VALUES ('x', 'sign_in', ?)", [str(number) * 50]
                )

        with pytest.raises(StorageProblem) as raised:
            fill()
        assert db.storage_problem(raised.value) == "storage_full"


@SQLITE_FILE
def test_a_read_only_database_is_named(path):
    connection = sqlite3.connect(f"file:{path.path}?mode=ro", uri=True)
    try:
        error = _error_of(lambda: connection.execute("INSERT INTO audit_log (at, action) VALUES ('x', 'y')"))
    finally:
        connection.close()
    assert db.storage_problem(error) == "storage_read_only"


def test_a_missing_folder_is_named(tmp_path):
    error = _error_of(lambda: sqlite3.connect(tmp_path / "gone" / "x.db").execute("SELECT 1"))
    assert db.storage_problem(error) == "storage_unreachable"


def test_other_errors_are_left_to_the_general_apology():
    assert db.storage_problem(ValueError("database or disk is full")) is None
    assert db.storage_problem(sqlite3.OperationalError("no such table: x")) is None


@pytest.mark.parametrize("language", list(Language))
@pytest.mark.parametrize("key", ["storage_full", "storage_read_only", "storage_unreachable", "storage_busy"])
def test_each_storage_problem_has_a_message_in_both_languages(key, language):
    assert not t(f"error.{key}", language).startswith("⟦")
