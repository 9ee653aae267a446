"""Backups are the operator's: a consistent copy while the app writes, optionally encrypted, and a restore
that accepts only a file whose schema is exactly the product's, ends every sign-in and is audit-logged."""

from __future__ import annotations

import sqlite3
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from unit_support import NOW, audit_actions, count_rows

from intervision import auth, backup, db, groups, store
from intervision.models import Person

KEY = Fernet.generate_key().decode()
SECRET_CASE = "Wat er in de klas gebeurde, vertrouwelijk"
LATER = NOW + timedelta(hours=1)


def dump(path: Path) -> list[str]:
    """Everything in a database, schema and rows, as SQL: equal dumps are equal databases."""
    connection = sqlite3.connect(path)
    try:
        return list(connection.iterdump())
    finally:
        connection.close()


def run_sql(path: Path, script: str) -> None:
    connection = sqlite3.connect(path)
    try:
        connection.executescript(script)
    finally:
        connection.close()


@pytest.fixture
def saved(path: Path, make_group, tmp_path: Path) -> Path:
    """A backup of an organisation with one group."""
    make_group("Team North")
    return backup.create_backup(tmp_path / "saved.db", path)


def tampered(saved: Path, script: str) -> Path:
    """The backup as someone changed it after it was made."""
    run_sql(saved, script)
    return saved


# --- making a backup ------------------------------------------------------------------------------------


def test_a_backup_taken_while_someone_writes_is_a_sound_copy_of_one_moment(path, coordinator, make_group, tmp_path):
    make_group("Team North")
    stop = threading.Event()

    def keep_writing() -> None:
        number = 0
        while not stop.is_set():
            number += 1
            with db.writing(path) as conn:
                store.add_audit_event(conn, NOW, coordinator.id, "sign_in", f"write {number}", "")

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        copies = [backup.create_backup(tmp_path / f"copy-{n}.db", path) for n in range(5)]
    finally:
        stop.set()
        writer.join()
    for copy in copies:
        assert backup.integrity_problems(copy) == []
        assert backup.check_backup(copy) == []
        assert count_rows(copy, "groups") == 1


def test_a_backup_never_overwrites_an_existing_file(path, saved):
    before = saved.read_bytes()
    with pytest.raises(backup.BackupProblem, match="exists already"):
        backup.create_backup(saved, path)
    assert saved.read_bytes() == before


# --- restoring ------------------------------------------------------------------------------------------


def test_restoring_brings_back_the_database_as_it_was_and_the_audit_log_records_it(
    path, coordinator, make_group, saved
):
    group_id = make_group("Team South")
    groups.delete_group(path, coordinator, group_id, now=NOW)
    make_group("Team East")

    backup.restore_backup(saved, path, now=LATER)

    with db.reading(path) as conn:
        assert [group.name for group in store.all_groups(conn)] == ["Team North"]
        last = conn.execute("SELECT at, actor_id, action, subject, detail FROM audit_log ORDER BY id DESC").fetchone()
    assert tuple(last) == (LATER.isoformat(), None, "backup_restored", "saved.db", "command line")


def test_a_restored_database_keeps_its_write_ahead_log(path, saved, tmp_path):
    fresh = tmp_path / "fresh" / "intervision.db"
    backup.restore_backup(saved, fresh, now=NOW)
    with db.reading(fresh) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_after_a_restore_nobody_is_signed_in_not_even_with_a_session_planted_in_the_file(
    path, coordinator: Person, saved, tmp_path
):
    planted = tmp_path / "planted.db"
    token_in_file = auth.open_session_for(path, coordinator.id, now=NOW)
    ticket_in_file = auth.issue_cookie_ticket(path, token_in_file, "this-browser", now=NOW)
    backup.create_backup(planted, path)
    browser_before = auth.open_session_for(path, coordinator.id, now=NOW)
    assert auth.signed_in_person(path, token_in_file, now=NOW) is not None

    backup.restore_backup(planted, path, now=NOW)

    assert auth.signed_in_person(path, token_in_file, now=NOW) is None
    assert auth.signed_in_person(path, browser_before, now=NOW) is None
    assert auth.redeem_cookie_ticket(path, ticket_in_file, "this-browser", now=NOW) is None
    assert count_rows(path, "sign_in_sessions") == count_rows(path, "sign_in_tickets") == 0


def test_waits_after_failed_sign_ins_in_the_file_are_lifted_by_the_restore(path, coordinator: Person, saved):
    run_sql(
        saved,
        "INSERT INTO sign_in_delays (key, failures, last_failed_at, wait_until) "
        f"VALUES ('planted', 12, '{NOW.isoformat()}', '{LATER.isoformat()}')",
    )
    backup.restore_backup(saved, path, now=NOW)
    assert count_rows(path, "sign_in_delays") == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "not an Intervision backup"),
        (b"not a database at all", "not an Intervision backup"),
        (b"SQLite format 3\x00" + b"\x00" * 200, "damaged"),
    ],
)
def test_a_damaged_or_foreign_file_is_refused_and_nothing_changes(path, make_group, tmp_path, content, message):
    make_group("Team North")
    before = dump(path)
    upload = tmp_path / "upload.db"
    upload.write_bytes(content)
    with pytest.raises(backup.BackupProblem, match=message):
        backup.restore_backup(upload, path, now=NOW)
    assert dump(path) == before


def test_another_products_database_is_refused(path, tmp_path):
    other = tmp_path / "other.db"
    run_sql(other, "CREATE TABLE notes (text TEXT)")
    assert backup.integrity_problems(other) == ["not a database of this product"]
    assert backup.check_backup(other) == ["not an Intervision backup: it has none of the product's tables"]
    with pytest.raises(backup.BackupProblem):
        backup.restore_backup(other, path, now=NOW)


# --- the schema must be exactly the product's --------------------------------------------------------------

COPY_CASES = """
CREATE TRIGGER copy_cases AFTER INSERT ON cases BEGIN
    INSERT INTO audit_log (at, action, subject, detail) VALUES (new.created_at, 'sign_in', new.title, new.situation);
END;
"""


def test_a_planted_trigger_is_refused_and_the_live_database_is_unchanged(path, coordinator, make_group, saved):
    tampered(saved, COPY_CASES)
    group_id = make_group("Team South")
    before = dump(path)

    assert backup.check_backup(saved) == ["unexpected trigger copy_cases"]
    with pytest.raises(backup.BackupProblem, match="unexpected trigger copy_cases"):
        backup.restore_backup(saved, path, now=NOW)

    assert dump(path) == before
    with db.writing(path) as conn:
        conn.execute(
            "INSERT INTO cases (group_id, author_id, status, title, situation, created_at)"
            " VALUES (?, ?, 'draft', 'Titel', ?, ?)",
            [group_id, coordinator.id, SECRET_CASE, NOW.isoformat()],
        )
    assert not [row for row in dump(path) if SECRET_CASE in row and "audit_log" in row]


@pytest.mark.parametrize(
    ("script", "difference"),
    [
        pytest.param("CREATE VIEW everything AS SELECT * FROM cases", "unexpected view everything", id="a view"),
        pytest.param("CREATE TABLE stash (text TEXT)", "unexpected table stash", id="an extra table"),
        pytest.param(
            "ALTER TABLE people ADD COLUMN api_key TEXT",
            "table people: unexpected column api_key",
            id="an extra column",
        ),
        pytest.param("DROP INDEX audit_log_by_time", "missing index audit_log_by_time", id="a missing index"),
        pytest.param(
            "CREATE INDEX cases_by_text ON cases(situation)", "unexpected index cases_by_text", id="an extra index"
        ),
        pytest.param(
            "DROP INDEX audit_log_by_time; CREATE INDEX audit_log_by_time ON audit_log(detail)",
            "index audit_log_by_time differs",
            id="a changed index",
        ),
        pytest.param(
            "DROP TABLE method_drafts; CREATE TABLE method_drafts (person_id INTEGER PRIMARY KEY"
            " REFERENCES people(id) ON DELETE CASCADE, body TEXT, updated_at TEXT NOT NULL)",
            "table method_drafts: column body differs",
            id="a changed column",
        ),
        pytest.param("DROP TABLE goals", "missing table goals", id="a missing table"),
        pytest.param(
            "DELETE FROM _sqlite_migrations WHERE name = '0011_period_indexes'",
            "made by an older release (without migration 0011_period_indexes)",
            id="an older migration version",
        ),
        pytest.param(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('intervision', '0099_x', '')",
            "unknown migration 0099_x",
            id="a newer or foreign migration version",
        ),
    ],
)
def test_a_file_whose_schema_differs_from_the_products_is_refused(path, saved, script, difference):
    tampered(saved, script)
    before = dump(path)

    problems = backup.check_backup(saved)
    assert [problem for problem in problems if problem.startswith(difference)] == problems, problems

    with pytest.raises(backup.BackupProblem, match=difference.replace("(", r"\(").replace(")", r"\)")):
        backup.restore_backup(saved, path, now=NOW)
    assert dump(path) == before


# --- encryption -----------------------------------------------------------------------------------------


def test_an_encrypted_backup_holds_nothing_readable_and_restores_with_its_key(path, coordinator, saved, tmp_path):
    with db.writing(path) as conn:
        conn.execute(
            "INSERT INTO cases (group_id, author_id, status, title, situation, created_at)"
            " VALUES (1, ?, 'draft', 'Titel', ?, ?)",
            [coordinator.id, SECRET_CASE, NOW.isoformat()],
        )
    encrypted = backup.create_backup(tmp_path / "encrypted.db", path, key=KEY)
    data = encrypted.read_bytes()
    assert not data.startswith(b"SQLite format 3")
    assert SECRET_CASE.encode() not in data and b"Team North" not in data

    backup.restore_backup(saved, path, now=NOW)
    assert count_rows(path, "cases") == 0
    assert backup.check_backup(encrypted, key=KEY) == []
    backup.restore_backup(encrypted, path, key=KEY, now=NOW)
    assert count_rows(path, "cases") == 1


@pytest.mark.parametrize(
    ("key", "message"),
    [
        pytest.param(None, "encrypted: set INTERVISION_BACKUP_KEY", id="no key"),
        pytest.param(Fernet.generate_key().decode(), "does not fit this file", id="another key"),
        pytest.param("not a key", "INTERVISION_BACKUP_KEY is not a valid key", id="not a key"),
    ],
)
def test_an_encrypted_backup_without_its_key_is_refused(path, make_group, tmp_path, key, message):
    encrypted = backup.create_backup(tmp_path / "encrypted.db", path, key=KEY)
    make_group("Team North")
    before = dump(path)
    with pytest.raises(backup.BackupProblem, match=message):
        backup.restore_backup(encrypted, path, key=key, now=NOW)
    assert dump(path) == before


def test_a_damaged_encrypted_backup_is_refused(path, tmp_path):
    encrypted = backup.create_backup(tmp_path / "encrypted.db", path, key=KEY)
    data = bytearray(encrypted.read_bytes())
    data[len(data) // 2] ^= 1
    encrypted.write_bytes(bytes(data))
    with pytest.raises(backup.BackupProblem, match="does not fit this file, or the file is damaged"):
        backup.restore_backup(encrypted, path, key=KEY, now=NOW)


def test_an_unencrypted_backup_restores_while_a_key_is_set(path, saved):
    backup.restore_backup(saved, path, key=KEY, now=NOW)
    assert count_rows(path, "groups") == 1


# --- the command line -----------------------------------------------------------------------------------


@pytest.fixture
def cli(path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("INTERVISION_DB", str(path))
    monkeypatch.delenv("INTERVISION_BACKUP_KEY", raising=False)
    return path


def one_line_on_stderr(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err


def test_the_command_line_writes_and_restores_a_backup(cli, make_group, tmp_path, capsys):
    make_group("Team North")
    target = tmp_path / "cli.db"
    assert backup.main(["create", str(target)]) == 0
    assert backup.check_backup(target) == []
    assert f"Backup written to {target}" in capsys.readouterr().out

    make_group("Team South")
    assert backup.main(["restore", str(target)]) == 0
    assert "everyone signs in again" in capsys.readouterr().out
    assert count_rows(cli, "groups") == 1
    assert audit_actions(cli)[-1] == "backup_restored"


def test_the_command_line_without_a_file_writes_into_the_backups_folder_beside_the_database(cli, capsys):
    assert backup.main(["create"]) == 0
    [written] = (cli.parent / "backups").iterdir()
    assert written.name.startswith("intervision-") and backup.check_backup(written) == []


def test_the_command_line_encrypts_with_the_key_from_the_environment(cli, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("INTERVISION_BACKUP_KEY", KEY)
    target = tmp_path / "cli.db.enc"
    assert backup.main(["create", str(target)]) == 0
    assert "encrypted" in capsys.readouterr().out
    assert not target.read_bytes().startswith(b"SQLite format 3")
    assert backup.main(["restore", str(target)]) == 0

    monkeypatch.setenv("INTERVISION_BACKUP_KEY", Fernet.generate_key().decode())
    assert backup.main(["restore", str(target)]) == 1
    err = one_line_on_stderr(capsys)
    assert "does not fit this file" in err and KEY not in err

    monkeypatch.delenv("INTERVISION_BACKUP_KEY")
    assert backup.main(["restore", str(target)]) == 1
    assert "set INTERVISION_BACKUP_KEY" in one_line_on_stderr(capsys)


def test_the_command_line_refuses_with_one_line_and_a_failing_exit_code(cli, saved, tmp_path, monkeypatch, capsys):
    tampered(saved, COPY_CASES)
    assert backup.main(["restore", str(saved)]) == 1
    assert "unexpected trigger copy_cases" in one_line_on_stderr(capsys)

    foreign = tmp_path / "foreign.db"
    foreign.write_bytes(b"not a database at all")
    assert backup.main(["restore", str(foreign)]) == 1
    assert "not an Intervision backup" in one_line_on_stderr(capsys)

    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    assert backup.main(["restore", str(damaged)]) == 1
    assert "damaged" in one_line_on_stderr(capsys)

    assert backup.main(["restore", str(tmp_path / "missing.db")]) == 1
    assert "missing.db" in one_line_on_stderr(capsys)

    assert backup.main(["create", str(saved)]) == 1
    assert "exists already" in one_line_on_stderr(capsys)

    monkeypatch.setenv("INTERVISION_BACKUP_KEY", "not a key")
    assert backup.main(["create", str(tmp_path / "new.db")]) == 1
    assert "INTERVISION_BACKUP_KEY is not a valid key" in one_line_on_stderr(capsys)
    assert not (tmp_path / "new.db").exists()


def test_the_command_line_explains_itself_when_called_wrongly(cli, capsys):
    assert backup.main(["nonsense"]) == 2
    assert backup.main(["restore"]) == 2
    assert "python -m intervision.backup restore FILE" in capsys.readouterr().err
