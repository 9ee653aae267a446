"""Backups: a consistent copy of the database while the server runs, and putting one back.

SQLite's online backup copies the database page by page under its own locking, so a backup taken in the
middle of a live session is a database as it was at one moment, never half a write. Restoring goes the
same way in the other direction, into the open database, after the copy has passed an integrity check.

From the command line (`make backup` uses the first):
    python -m intervision.backup create [FILE]
    python -m intervision.backup restore FILE
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
from datetime import datetime
from pathlib import Path

from intervision import store
from intervision.auth import utcnow
from intervision.config import database_path
from intervision.db import BUSY_TIMEOUT_MS, migrate, writing
from intervision.errors import DomainError
from intervision.models import AuditAction, Person
from intervision.permissions import Action, require


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)
    connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return connection


def create_backup(target: Path, source: Path | None = None) -> Path:
    """Copy the database, consistently, to `target` (a new file)."""
    source = Path(source or database_path())
    if not source.exists():
        raise DomainError("backup_no_database")
    target.parent.mkdir(parents=True, exist_ok=True)
    with _connect(source) as live, sqlite3.connect(target) as copy:
        live.backup(copy)
    copy.close()
    live.close()
    return target


def integrity_problems(path: Path) -> list[str]:
    """What SQLite's integrity check finds wrong with a database file; empty when it is sound."""
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
            rows = connection.execute("PRAGMA integrity_check").fetchall()
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as problem:
        return [str(problem)]
    problems = [row[0] for row in rows if row[0] != "ok"]
    if not {"organisation", "people", "_sqlite_migrations"} <= tables:
        problems.append("not a database of this product")
    return problems


def backup_for_download(viewer: Person, now: datetime | None = None, path: Path | None = None) -> bytes:
    """A coordinator's backup as bytes to download; the audit log keeps that it was taken."""
    require(Action.BACKUP, viewer.role)
    with tempfile.TemporaryDirectory() as folder:
        copy = create_backup(Path(folder) / "backup.db", path)
        data = copy.read_bytes()
    with writing(path) as db:
        store.add_audit_event(db, now or utcnow(), viewer.id, AuditAction.BACKUP_TAKEN.value, "", "")
    return data


def restore_backup(source: Path, target: Path | None = None) -> None:
    """Put a backup back in place of the database, after checking it; then bring it up to date."""
    problems = integrity_problems(source)
    if problems:
        raise DomainError("backup_damaged", field="file")
    target = Path(target or database_path())
    with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as copy, _connect(target) as live:
        copy.backup(live)
    copy.close()
    live.close()
    migrate(target)


def restore_upload(viewer: Person, data: bytes, now: datetime | None = None, path: Path | None = None) -> None:
    """A coordinator restores an uploaded backup; the audit log of the restored database records it."""
    require(Action.BACKUP, viewer.role)
    with tempfile.TemporaryDirectory() as folder:
        upload = Path(folder) / "upload.db"
        upload.write_bytes(data)
        restore_backup(upload, path)
    with writing(path) as db:
        store.add_audit_event(db, now or utcnow(), None, AuditAction.BACKUP_RESTORED.value, "", viewer.email)


def main(arguments: list[str]) -> int:
    command = arguments[0] if arguments else ""
    if command == "create":
        stamp = utcnow().strftime("%Y%m%d-%H%M%S")
        target = Path(arguments[1]) if len(arguments) > 1 else Path("backups") / f"intervision-{stamp}.db"
        create_backup(target)
        print(f"Backup written to {target}")
        return 0
    if command == "restore" and len(arguments) == 2:
        restore_backup(Path(arguments[1]))
        print(f"Restored {arguments[1]} into {database_path()}")
        return 0
    print(__doc__.split("From the command line")[1], file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
