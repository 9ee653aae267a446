"""Backups are the operator's: a consistent copy of the database while the server runs, and putting one back.

A backup holds everything (case texts, board items, observation notes, survey answers, password hashes), so
only whoever runs the server makes or restores one, from the command line; the app offers neither.

SQLite's online backup copies the database page by page under its own locking, so a backup taken in the
middle of a live session is a database as it was at one moment, never half a write. With a key in
`INTERVISION_BACKUP_KEY` the copy is encrypted (Fernet: AES with an HMAC, so a changed byte is noticed).

A restore accepts only a file whose schema is exactly this release's: a file can carry triggers, views,
tables or sign-in sessions planted by whoever made it. The file is checked in memory; only then, in one
write, every sign-in ends, the audit log records the restore, and the result replaces the live database.

From the command line (`make backup` and `make restore FILE=…` use these):
    python -m intervision.backup create [FILE]
    python -m intervision.backup restore FILE
"""

from __future__ import annotations

import os
import re
import sqlite3
import sys
import tempfile
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from sqlite_utils import Database

from intervision import store
from intervision.clock import utcnow
from intervision.config import backup_key, database_path
from intervision.database import BUSY_TIMEOUT_MS
from intervision.db import migrate
from intervision.models import AuditAction

KEY_VARIABLE = "INTERVISION_BACKUP_KEY"
NEW_KEY = 'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
# An encrypted backup starts with this line, then the Fernet token; a plain one is a SQLite file.
ENCRYPTED = b"intervision-backup fernet 1\n"
SQLITE = b"SQLite format 3\x00"
RESTORED_BY = "command line"  # who restored, in the audit log: the app cannot
MAX_LISTED = 8  # differences named in one refusal; an old release's file can differ in dozens of places


class BackupProblem(Exception):
    """A backup that cannot be made or restored. The message is one line for the operator; it never holds
    the key."""


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)
    connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return connection


def _fernet(key: str) -> Fernet:
    try:
        return Fernet(key.encode())
    except ValueError:
        raise BackupProblem(f"{KEY_VARIABLE} is not a valid key; make one with: {NEW_KEY}") from None


def _new_file(target: Path) -> None:
    """Create `target`, readable by its owner only, refusing to overwrite a file (an earlier backup)."""
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        raise BackupProblem(f"{target} exists already: choose another file name") from None


# --- making a backup ------------------------------------------------------------------------------------


def default_target(now: datetime, encrypted: bool) -> Path:
    """Beside the database, in backups/: in the container that is the /data volume."""
    stamp = now.strftime("%Y%m%d-%H%M%S")
    return database_path().parent / "backups" / f"intervision-{stamp}.db{'.enc' if encrypted else ''}"


def create_backup(target: Path, source: Path | None = None, key: str | None = None) -> Path:
    """Copy the database, consistently, to `target` (a new file); encrypted when a key is given."""
    source = Path(source or database_path())
    if not source.exists():
        raise BackupProblem(f"there is no database at {source} to back up")
    fernet = _fernet(key) if key else None  # a bad key is refused before anything is written
    _new_file(target)
    try:
        if fernet is None:
            with closing(_connect(source)) as live, closing(sqlite3.connect(target)) as copy:
                live.backup(copy)
        else:
            # The copy is made in memory, so the unencrypted database never touches the disk.
            with closing(_connect(source)) as live, closing(sqlite3.connect(":memory:")) as copy:
                live.backup(copy)
                image = copy.serialize()
            target.write_bytes(ENCRYPTED + fernet.encrypt(image))
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return target


# --- what the product's schema is -----------------------------------------------------------------------


@dataclass(frozen=True)
class Schema:
    """What a restore compares: everything in sqlite_master that code could run or read, and the migrations."""

    tables: dict[str, str]  # name → its CREATE statement, whitespace folded (constraints and checks too)
    columns: dict[str, dict[str, tuple]]  # table → column → (position, type, not null, default, key, hidden)
    indexes: dict[str, str]  # name → table and its CREATE statement (SQLite's own indexes have none)
    triggers: frozenset[str]
    views: frozenset[str]
    migrations: frozenset[tuple[str, str]]  # (migration set, name) applied


def _folded(sql: str | None) -> str:
    return re.sub(r"\s+", " ", sql or "").strip()


def _schema(connection: sqlite3.Connection) -> Schema:
    # The query planner's statistics (ANALYZE, PRAGMA optimize) are SQLite's, not the product's schema.
    entries = [
        (kind, name, table, sql)
        for kind, name, table, sql in connection.execute("SELECT type, name, tbl_name, sql FROM sqlite_master")
        if not name.startswith("sqlite_stat")
    ]
    tables = {name: _folded(sql) for kind, name, _, sql in entries if kind == "table"}
    columns = {
        name: {
            column: (position, kind, not_null, default, key, hidden)
            for position, column, kind, not_null, default, key, hidden in connection.execute(
                'SELECT cid, name, type, "notnull", dflt_value, pk, hidden FROM pragma_table_xinfo(?)', [name]
            )
        }
        for name, sql in tables.items()
        if not sql.upper().startswith("CREATE VIRTUAL")  # a virtual table's module may not even be loaded
    }
    migrations: frozenset[tuple[str, str]] = frozenset()
    if {"migration_set", "name"} <= set(columns.get("_sqlite_migrations", {})):
        migrations = frozenset(
            (group, name) for group, name in connection.execute("SELECT migration_set, name FROM _sqlite_migrations")
        )
    return Schema(
        tables=tables,
        columns=columns,
        indexes={name: f"{table}: {_folded(sql)}" for kind, name, table, sql in entries if kind == "index"},
        triggers=frozenset(name for kind, name, _, _ in entries if kind == "trigger"),
        views=frozenset(name for kind, name, _, _ in entries if kind == "view"),
        migrations=migrations,
    )


@cache
def product_schema() -> Schema:
    """The schema of this release: a freshly migrated database's."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "product.db"
        migrate(path)
        with closing(sqlite3.connect(path)) as connection:
            return _schema(connection)


def _named(names: set[tuple[str, str]]) -> str:
    return ", ".join(name if group == "intervision" else f"{group}/{name}" for group, name in sorted(names))


def schema_differences(found: Schema, product: Schema) -> list[str]:
    """What in `found` is not exactly as in the product's schema, each named; empty when they are equal."""
    problems: list[str] = []
    older = product.migrations - found.migrations
    if older:
        word = "migration" if len(older) == 1 else "migrations"
        problems.append(
            f"made by an older release (without {word} {_named(older)}): "
            "restore it with the release that made it, then upgrade"
        )
    for group, name in sorted(found.migrations - product.migrations):
        problems.append(f"unknown migration {_named({(group, name)})} (a newer release, or changed by hand)")
    problems += [f"unexpected trigger {name}" for name in sorted(found.triggers)]
    problems += [f"unexpected view {name}" for name in sorted(found.views)]
    problems += [f"missing table {name}" for name in sorted(product.tables.keys() - found.tables.keys())]
    problems += [f"unexpected table {name}" for name in sorted(found.tables.keys() - product.tables.keys())]
    for table in sorted(product.tables.keys() & found.tables.keys()):
        problems += _table_differences(table, found, product)
    problems += [f"missing index {name}" for name in sorted(product.indexes.keys() - found.indexes.keys())]
    problems += [f"unexpected index {name}" for name in sorted(found.indexes.keys() - product.indexes.keys())]
    problems += [
        f"index {name} differs"
        for name in sorted(product.indexes.keys() & found.indexes.keys())
        if product.indexes[name] != found.indexes[name]
    ]
    return problems


def _table_differences(table: str, found: Schema, product: Schema) -> list[str]:
    theirs, ours = found.columns.get(table, {}), product.columns[table]
    problems = [f"table {table}: missing column {name}" for name in ours if name not in theirs]
    problems += [f"table {table}: unexpected column {name}" for name in theirs if name not in ours]
    problems += [
        f"table {table}: column {name} differs" for name in ours if name in theirs and ours[name] != theirs[name]
    ]
    if not problems and found.tables[table] != product.tables[table]:
        # Same columns, other constraints: a dropped CHECK (privacy_threshold >= 3), another foreign key.
        problems.append(f"table {table}: its definition differs (constraints or keys)")
    return problems


# --- reading and checking a backup ----------------------------------------------------------------------


def _decrypted(source: Path, key: str | None) -> bytes:
    data = source.read_bytes()
    if data.startswith(ENCRYPTED):
        if not key:
            raise BackupProblem(f"{source.name} is encrypted: set {KEY_VARIABLE} to the key it was made with")
        try:
            return _fernet(key).decrypt(data[len(ENCRYPTED) :])
        except InvalidToken:
            raise BackupProblem(f"the key in {KEY_VARIABLE} does not fit this file, or the file is damaged") from None
    if data.startswith(SQLITE):
        return data
    raise BackupProblem(f"{source.name} is not an Intervision backup (neither a SQLite database nor encrypted)")


def _in_memory(data: bytes) -> sqlite3.Connection:
    """The backup as a database in memory: checked and prepared there, it never touches the live file."""
    image = bytearray(data)
    image[18:20] = b"\x01\x01"  # the header's WAL flag: a database in memory cannot open in WAL mode
    connection = sqlite3.connect(":memory:")
    connection.row_factory = sqlite3.Row
    connection.execute("PRAGMA trusted_schema = OFF")  # no side effects from functions its schema names
    try:
        connection.deserialize(image)
    except sqlite3.DatabaseError as problem:
        connection.close()
        raise BackupProblem(f"the file is damaged: {problem}") from None
    return connection


def _problems(copy: sqlite3.Connection) -> list[str]:
    try:
        found = [row[0] for row in copy.execute("PRAGMA integrity_check")]
        if found != ["ok"]:
            return [f"the file is damaged (SQLite's integrity check: {found[0]})"]
        schema = _schema(copy)
    except sqlite3.DatabaseError as problem:
        return [f"the file is damaged: {problem}"]
    product = product_schema()
    if not schema.tables.keys() & product.tables.keys():
        return ["not an Intervision backup: it has none of the product's tables"]
    return schema_differences(schema, product)


def _load(source: Path, key: str | None) -> tuple[sqlite3.Connection, list[str]]:
    copy = _in_memory(_decrypted(Path(source), key))
    return copy, _problems(copy)


def check_backup(source: Path, key: str | None = None) -> list[str]:
    """Everything that keeps this file from being restored, each named; empty when it may be restored.

    Raises BackupProblem when the file cannot be read as a backup at all (foreign, encrypted without its key).
    """
    copy, problems = _load(source, key)
    copy.close()
    return problems


def _refusal(problems: list[str]) -> str:
    more = len(problems) - MAX_LISTED
    return "; ".join(problems[:MAX_LISTED]) + (f"; and {more} more" if more > 0 else "")


def restore_backup(
    source: Path, target: Path | None = None, key: str | None = None, now: datetime | None = None
) -> None:
    """Put a backup in place of the database, once it has passed every check; nobody stays signed in."""
    source = Path(source)
    copy, problems = _load(source, key)
    try:
        if problems:
            raise BackupProblem(_refusal(problems))
        with copy:  # one transaction in the copy; the live database is replaced by the result in one write
            restored = Database(copy)
            store.end_every_sign_in(restored)
            store.add_audit_event(
                restored, now or utcnow(), None, AuditAction.BACKUP_RESTORED, source.name, RESTORED_BY
            )
        target = Path(target or database_path())
        target.parent.mkdir(parents=True, exist_ok=True)
        with closing(_connect(target)) as live:
            copy.backup(live)
            live.execute("PRAGMA journal_mode = WAL")  # a new file would otherwise take the copy's rollback journal
    finally:
        copy.close()


def integrity_problems(path: Path) -> list[str]:
    """What SQLite's integrity check finds wrong with a database file; empty when it is sound."""
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
            rows = connection.execute("PRAGMA integrity_check").fetchall()
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as problem:
        return [str(problem)]
    problems = [row[0] for row in rows if row[0] != "ok"]
    if not {"organisation", "people", "_sqlite_migrations"} <= tables:
        problems.append("not a database of this product")
    return problems


# --- the command line -----------------------------------------------------------------------------------

USAGE = """usage:
    python -m intervision.backup create [FILE]    a consistent copy, also while the app runs; encrypted when
                                                  INTERVISION_BACKUP_KEY is set; default: backups/ beside the
                                                  database
    python -m intervision.backup restore FILE     replace the database with a checked backup; everyone signs
                                                  in again"""


def _one_line(problem: BaseException) -> str:
    return " ".join(str(problem).split())


def main(arguments: list[str]) -> int:
    command, files = (arguments[0], arguments[1:]) if arguments else ("", [])
    key = backup_key()
    try:
        if command == "create" and len(files) <= 1:
            target = Path(files[0]) if files else default_target(utcnow(), encrypted=bool(key))
            create_backup(target, key=key)
            how = f"encrypted with the key in {KEY_VARIABLE}" if key else f"not encrypted: {KEY_VARIABLE} is not set"
            print(f"Backup written to {target} ({how})")
            return 0
        if command == "restore" and len(files) == 1:
            restore_backup(Path(files[0]), key=key)
            print(f"Restored {files[0]} into {database_path()}: every sign-in has ended, everyone signs in again.")
            return 0
    except (BackupProblem, OSError, sqlite3.Error) as problem:
        verb = "No backup made" if command == "create" else "Not restored"
        print(f"{verb}: {_one_line(problem)}", file=sys.stderr)
        return 1
    print(USAGE, file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
