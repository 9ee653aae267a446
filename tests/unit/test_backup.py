"""Backups are the operator's: a consistent copy while the app writes, optionally encrypted, and a restore
that accepts only a file whose schema is exactly the product's, ends every sign-in and is audit-logged.

Every rule holds on both engines (the `path` database is SQLite, then PostgreSQL): a SQLite file checked in
memory, a pg_dump checked in a scratch database. Tests of the SQLite file itself are marked SQLITE_FILE."""

from __future__ import annotations

import gzip
import sqlite3
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from cryptography.fernet import Fernet
from psycopg import sql
from sqlalchemy.engine import make_url
from unit_support import NOW, SQLITE_FILE, audit_actions, count_rows

from intervision import auth, backup, db, groups, store
from intervision.config import database_path
from intervision.database import POSTGRESQL, Database, configured
from intervision.models import Person

KEY = Fernet.generate_key().decode()
SECRET_CASE = "Wat er in de klas gebeurde, vertrouwelijk"
LATER = NOW + timedelta(hours=1)
ON_POSTGRESQL = pytest.mark.parametrize("database", ["postgresql"], indirect=True)
# What a backup of each engine starts with, unencrypted.
OWN_KIND = {"sqlite": backup.SQLITE, POSTGRESQL: backup.PG_DUMP}
OTHER_KIND = {"sqlite": backup.PG_DUMP, POSTGRESQL: backup.SQLITE}

# The demo organisation as the release of November 2026 left it (tests/unit/test_migrations.py).
LAST_RELEASE_DEMO = Path(__file__).resolve().parent.parent / "data" / "release-2026-11-demo.sql.gz"

Tamper = Callable[[Path, str], Path]


def contents(database: Database) -> dict[str, list[str]]:
    """Every table and every row in it: equal contents are equal databases, for what the app reads."""
    if database.engine_name == POSTGRESQL:
        listing = "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
    else:
        listing = "SELECT name FROM sqlite_master WHERE type = 'table'"
    with db.reading(database) as conn:
        tables = sorted(row[0] for row in conn.execute(listing))
        return {table: sorted(repr(tuple(row)) for row in conn.execute(f'SELECT * FROM "{table}"')) for table in tables}


def run_sql(path: Path, script: str) -> None:
    connection = sqlite3.connect(path)
    try:
        connection.executescript(script)
    finally:
        connection.close()


@pytest.fixture
def saved(path: Database, make_group, tmp_path: Path) -> Path:
    """A backup of an organisation with one group."""
    make_group("Team North")
    return backup.create_backup(path, tmp_path / "saved.db")


@pytest.fixture
def made_by_hand(path: Database, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Tamper]:
    """A backup as someone made or changed it by hand: `script` run on it (on PostgreSQL: on the dump
    restored into a database of its own, dumped again). An empty `saved` file starts from nothing."""
    made: list[str] = []

    def make(saved: Path, script: str) -> Path:
        if path.engine_name != POSTGRESQL:
            run_sql(saved, script)
            return saved
        server = request.getfixturevalue("postgres_server")
        name = f"by_hand_{uuid.uuid4().hex[:12]}"
        made.append(name)
        other = Database(server.create_database(name), pool_size=1, max_overflow=0)
        try:
            if saved.exists():
                backup._restore_into(other, saved.read_bytes(), clean=False)
            with server.connect(name) as connection:
                connection.execute(script)
            target = tmp_path / uuid.uuid4().hex / saved.name
            return backup.create_backup(other, target)
        finally:
            other.dispose()

    yield make
    if made:
        server = request.getfixturevalue("postgres_server")
        for name in made:
            server.drop_database(name)


def triggers_in(database: Database) -> list[str]:
    if database.engine_name == POSTGRESQL:
        listing = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
    else:
        listing = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    with db.reading(database) as conn:
        return [row[0] for row in conn.execute(listing)]


# --- making a backup ------------------------------------------------------------------------------------


def test_a_backup_taken_while_someone_writes_is_a_sound_copy_of_one_moment(path, coordinator, make_group, tmp_path):
    make_group("Team North")
    stop = threading.Event()
    written = threading.Event()

    def keep_writing() -> None:
        number = 0
        while not stop.is_set():
            number += 1
            with db.writing(path) as conn:
                store.add_audit_event(conn, NOW, coordinator.id, "sign_in", f"write {number}", "")
            written.set()

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        assert written.wait(timeout=30), "the writer never wrote"
        copies = [backup.create_backup(path, tmp_path / f"copy-{n}.db") for n in range(3)]
    finally:
        stop.set()
        writer.join()
    for copy in copies:
        assert backup.check_backup(path, copy) == []
        if path.engine_name != POSTGRESQL:
            assert backup.integrity_problems(copy) == []
    make_group("Team South")
    backup.restore_backup(path, copies[-1], now=LATER)
    assert count_rows(path, "groups") == 1


def test_a_backup_never_overwrites_an_existing_file(path, saved):
    before = saved.read_bytes()
    with pytest.raises(backup.BackupProblem, match="exists already"):
        backup.create_backup(path, saved)
    assert saved.read_bytes() == before


# --- restoring ------------------------------------------------------------------------------------------


def test_restoring_brings_back_the_database_as_it_was_and_the_audit_log_records_it(
    path, coordinator, make_group, saved
):
    group_id = make_group("Team South")
    groups.delete_group(path, coordinator, group_id, now=NOW)
    make_group("Team East")

    backup.restore_backup(path, saved, now=LATER)

    with db.reading(path) as conn:
        assert [group.name for group in store.all_groups(conn)] == ["Team North"]
        last = conn.execute("SELECT at, actor_id, action, subject, detail FROM audit_log ORDER BY id DESC").fetchone()
    assert tuple(last) == (LATER.isoformat(), None, "backup_restored", "saved.db", "command line")
    # The id counters came back with the rows: a new group takes an id no restored row has.
    make_group("Team West")
    assert count_rows(path, "groups") == 2


@SQLITE_FILE
def test_a_restored_database_keeps_its_write_ahead_log(path, saved, tmp_path):
    fresh = tmp_path / "fresh" / "intervision.db"
    backup.restore_backup(Database.for_path(fresh), saved, now=NOW)
    # Read by hand: the app's own connections would switch the file to WAL themselves.
    connection = sqlite3.connect(fresh)
    try:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        connection.close()


def test_after_a_restore_nobody_is_signed_in_not_even_with_a_session_planted_in_the_file(
    path, coordinator: Person, saved, tmp_path
):
    planted = tmp_path / "planted.db"
    token_in_file = auth.open_session_for(path, coordinator.id, now=NOW)
    ticket_in_file = auth.issue_cookie_ticket(path, token_in_file, "this-browser", now=NOW)
    backup.create_backup(path, planted)
    browser_before = auth.open_session_for(path, coordinator.id, now=NOW)
    assert auth.signed_in_person(path, token_in_file, now=NOW) is not None

    backup.restore_backup(path, planted, now=NOW)

    assert auth.signed_in_person(path, token_in_file, now=NOW) is None
    assert auth.signed_in_person(path, browser_before, now=NOW) is None
    assert auth.redeem_cookie_ticket(path, ticket_in_file, "this-browser", now=NOW) is None
    assert count_rows(path, "sign_in_sessions") == count_rows(path, "sign_in_tickets") == 0


def test_waits_after_failed_sign_ins_in_the_file_are_lifted_by_the_restore(path, saved, made_by_hand):
    planted = made_by_hand(
        saved,
        "INSERT INTO sign_in_delays (key, failures, last_failed_at, wait_until) "
        f"VALUES ('planted', 12, '{NOW.isoformat()}', '{LATER.isoformat()}')",
    )
    backup.restore_backup(path, planted, now=NOW)
    assert count_rows(path, "sign_in_delays") == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(b"", "not an Intervision backup", id="empty"),
        pytest.param(b"not a database at all", "not an Intervision backup", id="foreign"),
        pytest.param(None, "damaged", id="damaged"),
    ],
)
def test_a_damaged_or_foreign_file_is_refused_and_nothing_changes(path, make_group, tmp_path, content, message):
    make_group("Team North")
    before = contents(path)
    upload = tmp_path / "upload.db"
    upload.write_bytes(content if content is not None else OWN_KIND[path.engine_name] + b"\x00" * 200)
    with pytest.raises(backup.BackupProblem, match=message):
        backup.restore_backup(path, upload, now=NOW)
    assert contents(path) == before


def test_a_backup_of_the_other_engine_is_refused(path, make_group, tmp_path):
    make_group("Team North")
    before = contents(path)
    other = tmp_path / "other.db"
    other.write_bytes(OTHER_KIND[path.engine_name] + b"\x00" * 200)
    with pytest.raises(
        backup.BackupProblem, match=f"this database is {'PostgreSQL' if path.engine_name == POSTGRESQL else 'SQLite'}"
    ):
        backup.restore_backup(path, other, now=NOW)
    assert contents(path) == before


def test_another_products_database_is_refused(path, made_by_hand, tmp_path):
    other = made_by_hand(tmp_path / "other.db", "CREATE TABLE notes (text TEXT)")
    assert backup.check_backup(path, other) == ["not an Intervision backup: it has none of the product's tables"]
    with pytest.raises(backup.BackupProblem):
        backup.restore_backup(path, other, now=NOW)


@SQLITE_FILE
def test_the_integrity_check_names_a_file_of_another_product(path, tmp_path):
    other = tmp_path / "other.db"
    run_sql(other, "CREATE TABLE notes (text TEXT)")
    assert backup.integrity_problems(other) == ["not a database of this product"]
    assert backup.integrity_problems(path.path) == []


# --- the schema must be exactly the product's --------------------------------------------------------------

COPY_CASES = {
    "sqlite": """
        CREATE TRIGGER copy_cases AFTER INSERT ON cases BEGIN
            INSERT INTO audit_log (at, action, subject, detail)
            VALUES (new.created_at, 'sign_in', new.title, new.situation);
        END;
    """,
    POSTGRESQL: """
        CREATE FUNCTION copy_cases() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
            INSERT INTO audit_log (at, action, subject, detail)
            VALUES (new.created_at, 'sign_in', new.title, new.situation);
            RETURN new;
        END $$;
        CREATE TRIGGER copy_cases AFTER INSERT ON cases FOR EACH ROW EXECUTE FUNCTION copy_cases();
    """,
}
COPY_CASES_FOUND = {
    "sqlite": ["unexpected trigger copy_cases"],
    POSTGRESQL: ["unexpected function copy_cases", "unexpected trigger copy_cases"],
}


def test_a_planted_trigger_is_refused_and_the_live_database_is_unchanged(
    path, coordinator, make_group, saved, made_by_hand
):
    planted = made_by_hand(saved, COPY_CASES[path.engine_name])
    group_id = make_group("Team South")
    before = contents(path)

    assert backup.check_backup(path, planted) == COPY_CASES_FOUND[path.engine_name]
    with pytest.raises(backup.BackupProblem, match="unexpected trigger copy_cases"):
        backup.restore_backup(path, planted, now=NOW)

    assert contents(path) == before
    assert triggers_in(path) == []
    with db.writing(path) as conn:
        conn.execute(
            "INSERT INTO cases (group_id, author_id, status, title, situation, created_at)"
            " VALUES (?, ?, 'draft', 'Titel', ?, ?)",
            [group_id, coordinator.id, SECRET_CASE, NOW.isoformat()],
        )
    with db.reading(path) as conn:
        assert conn.execute("SELECT count(*) FROM audit_log WHERE detail = ?", [SECRET_CASE]).scalar() == 0


def refused_for(path: Database, planted: Path, difference: str) -> None:
    """The file is refused for `difference` and for nothing else, and the live database is unchanged."""
    before = contents(path)

    problems = backup.check_backup(path, planted)
    assert problems and [problem for problem in problems if problem.startswith(difference)] == problems, problems

    with pytest.raises(backup.BackupProblem, match=difference.replace("(", r"\(").replace(")", r"\)")):
        backup.restore_backup(path, planted, now=NOW)
    assert contents(path) == before


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
            "DELETE FROM alembic_version",
            "made by an older release (made before the schema was tracked by revision",
            id="an older revision",
        ),
        pytest.param(
            "UPDATE alembic_version SET version_num = '0099_x'",
            "unknown revision 0099_x (a newer release, or changed by hand)",
            id="a newer or foreign revision",
        ),
    ],
)
def test_a_file_whose_schema_differs_from_the_products_is_refused(path, saved, made_by_hand, script, difference):
    refused_for(path, made_by_hand(saved, script), difference)


@SQLITE_FILE
def test_a_backup_of_a_database_upgraded_from_the_last_release_restores(path, tmp_path):
    upgraded_path = tmp_path / "upgraded.db"
    connection = sqlite3.connect(upgraded_path)
    try:
        connection.executescript(gzip.decompress(LAST_RELEASE_DEMO.read_bytes()).decode())
    finally:
        connection.close()
    upgraded = Database.for_path(upgraded_path)
    try:
        upgraded.migrate()
        copy = backup.create_backup(upgraded, tmp_path / "upgraded-backup.db")
        assert backup.check_backup(upgraded, copy) == []
    finally:
        upgraded.dispose()


@SQLITE_FILE
def test_a_file_of_the_releases_before_revisions_is_refused_as_older(path, saved):
    run_sql(
        saved,
        "DROP TABLE alembic_version; CREATE TABLE _sqlite_migrations "
        "(migration_set TEXT, name TEXT, applied_at TEXT, PRIMARY KEY (migration_set, name))",
    )
    refused_for(path, saved, "made by an older release")


@ON_POSTGRESQL
@pytest.mark.parametrize(
    ("script", "difference"),
    [
        pytest.param(
            "CREATE FUNCTION leak() RETURNS integer LANGUAGE sql AS 'SELECT 1'",
            "unexpected function leak",
            id="a function",
        ),
        pytest.param(
            "CREATE RULE copy_cases AS ON INSERT TO cases DO ALSO"
            " INSERT INTO audit_log (at, action, subject, detail) VALUES (new.created_at, 'sign_in', '', '')",
            "unexpected rule copy_cases",
            id="a rule",
        ),
        pytest.param(
            "ALTER TABLE organisation DROP CONSTRAINT organisation_privacy_threshold_check",
            "table organisation: its definition differs",
            id="a dropped check",
        ),
        pytest.param("CREATE SEQUENCE counter", "unexpected sequence counter", id="a sequence"),
    ],
)
def test_a_dump_with_objects_beyond_the_products_is_refused(path, saved, made_by_hand, script, difference):
    refused_for(path, made_by_hand(saved, script), difference)


@ON_POSTGRESQL
def test_the_scratch_databases_of_a_check_are_dropped(path, saved, made_by_hand, postgres_server):
    refused_for(path, made_by_hand(saved, "CREATE TABLE stash (text TEXT)"), "unexpected table stash")
    with postgres_server.connect() as connection:
        left = connection.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s", [backup.SCRATCH_PREFIX + "%"]
        ).fetchall()
    assert left == []


DATABASE_PASSWORD = "p:w\\ord@/with?signs"


def test_the_database_password_reaches_pg_dump_and_pg_restore_but_never_their_command_line(tmp_path, monkeypatch):
    """A server of its own that asks for passwords (the suite's servers trust everyone)."""
    from postgres_server import start_postgres_server

    server = start_postgres_server()
    try:
        with server.connect() as connection:
            connection.execute(sql.SQL("ALTER ROLE postgres PASSWORD {}").format(sql.Literal(DATABASE_PASSWORD)))
            hba = server.data_dir / "pg_hba.conf"
            hba.write_text(
                "\n".join(
                    line.replace("trust", "scram-sha-256") if line.startswith("host") else line
                    for line in hba.read_text().splitlines()
                )
                + "\n"
            )
            connection.execute("SELECT pg_reload_conf()")
        deadline = time.monotonic() + 30
        while True:  # the reload is asynchronous: wait until a connection without the password is refused
            try:
                psycopg.connect(server.url().replace("postgresql+psycopg", "postgresql")).close()
            except psycopg.OperationalError:
                break
            assert time.monotonic() < deadline, "the server never started asking for passwords"
        url = make_url(server.url()).set(password=DATABASE_PASSWORD)
        database = Database(url, pool_size=1, max_overflow=0)
        database.migrate()
        command_lines: list[list[str]] = []
        run = subprocess.run

        def watched(arguments: list[str], **options: object) -> subprocess.CompletedProcess:
            command_lines.append(arguments)
            return run(arguments, **options)

        monkeypatch.setattr(backup.subprocess, "run", watched)
        copy = backup.create_backup(database, tmp_path / "with-password.dump")
        backup.restore_backup(database, copy, now=NOW)
        assert audit_actions(database)[-1] == "backup_restored"
        assert {Path(line[0]).name for line in command_lines} == {"pg_dump", "pg_restore"}
        # Its tail, which no quoting (libpq's conninfo escapes the backslash) would change.
        assert not [line for line in command_lines if any(DATABASE_PASSWORD[-10:] in argument for argument in line)]

        wrong = Database(url.set(password="not the password"), pool_size=1, max_overflow=0)
        with pytest.raises(backup.BackupProblem, match="password authentication failed"):
            backup.create_backup(wrong, tmp_path / "wrong.dump")
        database.dispose()
    finally:
        server.stop()


# --- encryption -----------------------------------------------------------------------------------------


def test_an_encrypted_backup_holds_nothing_readable_and_restores_with_its_key(path, coordinator, saved, tmp_path):
    with db.writing(path) as conn:
        group_id = conn.execute("SELECT id FROM groups").scalar()
        conn.execute(
            "INSERT INTO cases (group_id, author_id, status, title, situation, created_at)"
            " VALUES (?, ?, 'draft', 'Titel', ?, ?)",
            [group_id, coordinator.id, SECRET_CASE, NOW.isoformat()],
        )
    encrypted = backup.create_backup(path, tmp_path / "encrypted.db", key=KEY)
    data = encrypted.read_bytes()
    assert data.startswith(backup.ENCRYPTED) and not data.startswith((backup.SQLITE, backup.PG_DUMP))
    assert SECRET_CASE.encode() not in data and b"Team North" not in data

    backup.restore_backup(path, saved, now=NOW)
    assert count_rows(path, "cases") == 0
    assert backup.check_backup(path, encrypted, key=KEY) == []
    backup.restore_backup(path, encrypted, key=KEY, now=NOW)
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
    encrypted = backup.create_backup(path, tmp_path / "encrypted.db", key=KEY)
    make_group("Team North")
    before = contents(path)
    with pytest.raises(backup.BackupProblem, match=message):
        backup.restore_backup(path, encrypted, key=key, now=NOW)
    assert contents(path) == before


def test_a_damaged_encrypted_backup_is_refused(path, tmp_path):
    encrypted = backup.create_backup(path, tmp_path / "encrypted.db", key=KEY)
    data = bytearray(encrypted.read_bytes())
    data[len(data) // 2] ^= 1
    encrypted.write_bytes(bytes(data))
    with pytest.raises(backup.BackupProblem, match="does not fit this file, or the file is damaged"):
        backup.restore_backup(path, encrypted, key=KEY, now=NOW)


def test_an_unencrypted_backup_restores_while_a_key_is_set(path, saved):
    backup.restore_backup(path, saved, key=KEY, now=NOW)
    assert count_rows(path, "groups") == 1


# --- the command line -----------------------------------------------------------------------------------


@pytest.fixture
def cli(path: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    """The command line works on the configured database: this test's, on its engine."""
    if path.engine_name == POSTGRESQL:
        monkeypatch.setenv("INTERVISION_DATABASE_URL", path.url.render_as_string(hide_password=False))
        monkeypatch.setenv("INTERVISION_DB", str(tmp_path / "data" / "intervision.db"))  # beside it: backups/
    else:
        monkeypatch.delenv("INTERVISION_DATABASE_URL", raising=False)
        monkeypatch.setenv("INTERVISION_DB", str(path.path))
    monkeypatch.delenv("INTERVISION_BACKUP_KEY", raising=False)
    yield path
    configured().dispose()  # the command line's own connections to this test's database


def backups_folder() -> Path:
    return database_path().parent / "backups"


def one_line_on_stderr(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err


def test_the_command_line_writes_and_restores_a_backup(cli, make_group, tmp_path, capsys):
    make_group("Team North")
    target = tmp_path / "cli.db"
    assert backup.main(["create", str(target)]) == 0
    assert backup.check_backup(cli, target) == []
    assert f"Backup written to {target}" in capsys.readouterr().out

    make_group("Team South")
    assert backup.main(["restore", str(target)]) == 0
    assert "everyone signs in again" in capsys.readouterr().out
    assert count_rows(cli, "groups") == 1
    assert audit_actions(cli)[-1] == "backup_restored"


def test_the_command_line_without_a_file_writes_into_the_backups_folder_beside_the_database(cli, capsys):
    assert backup.main(["create"]) == 0
    [written] = backups_folder().iterdir()
    assert written.name.startswith("intervision-") and backup.check_backup(cli, written) == []
    assert "(not encrypted" in capsys.readouterr().out


def test_the_command_line_encrypts_with_the_key_from_the_environment(cli, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("INTERVISION_BACKUP_KEY", KEY)
    target = tmp_path / "cli.db.enc"
    assert backup.main(["create", str(target)]) == 0
    assert "encrypted" in capsys.readouterr().out
    assert target.read_bytes().startswith(backup.ENCRYPTED)
    assert backup.main(["restore", str(target)]) == 0

    monkeypatch.setenv("INTERVISION_BACKUP_KEY", Fernet.generate_key().decode())
    assert backup.main(["restore", str(target)]) == 1
    err = one_line_on_stderr(capsys)
    assert "does not fit this file" in err and KEY not in err

    monkeypatch.delenv("INTERVISION_BACKUP_KEY")
    assert backup.main(["restore", str(target)]) == 1
    assert "set INTERVISION_BACKUP_KEY" in one_line_on_stderr(capsys)


def test_the_command_line_refuses_with_one_line_and_a_failing_exit_code(
    cli, saved, made_by_hand, tmp_path, monkeypatch, capsys
):
    planted = made_by_hand(saved, COPY_CASES[cli.engine_name])
    assert backup.main(["restore", str(planted)]) == 1
    assert "unexpected trigger copy_cases" in one_line_on_stderr(capsys)

    foreign = tmp_path / "foreign.db"
    foreign.write_bytes(b"not a database at all")
    assert backup.main(["restore", str(foreign)]) == 1
    assert "not an Intervision backup" in one_line_on_stderr(capsys)

    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(OWN_KIND[cli.engine_name] + b"\x00" * 200)
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
