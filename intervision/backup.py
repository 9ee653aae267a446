"""Backups are the operator's: a consistent copy of the database while the server runs, and putting one back.

A backup holds everything (case texts, board items, observation notes, survey answers, password hashes), so
only whoever runs the server makes or restores one, from the command line; the app offers neither.

On SQLite, the online backup copies the database page by page under its own locking, so a backup taken in
the middle of a live session is a database as it was at one moment, never half a write. On PostgreSQL,
`pg_dump --format=custom` reads one snapshot for the same reason. With a key in `INTERVISION_BACKUP_KEY`
either is encrypted (Fernet: AES with an HMAC, so a changed byte is noticed).

A restore accepts only a file whose schema is exactly this release's: a file can carry triggers, views,
functions, tables or sign-in sessions planted by whoever made it. On SQLite the file is checked in memory;
on PostgreSQL it is restored into a scratch database first and checked there. Only then, in one write,
every sign-in ends, the audit log records the restore, and the result replaces the live database.

From the command line (`make backup` and `make restore FILE=…` use these; they work on the configured
database, `INTERVISION_DATABASE_URL` or `INTERVISION_DB`):
    python -m intervision.backup create [FILE]
    python -m intervision.backup restore FILE
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

import psycopg
from cryptography.fernet import Fernet, InvalidToken
from psycopg import sql
from psycopg.conninfo import make_conninfo

from intervision import migrations, store
from intervision.clock import utcnow
from intervision.config import backup_key, database_path
from intervision.database import BUSY_TIMEOUT_MS, POSTGRESQL, Database, Unit, configured
from intervision.errors import StoreError
from intervision.models import AuditAction

KEY_VARIABLE = "INTERVISION_BACKUP_KEY"
NEW_KEY = 'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
# An encrypted backup starts with this line, then the Fernet token; a plain one is a SQLite file or a
# PostgreSQL custom-format dump, each recognised by its first bytes.
ENCRYPTED = b"intervision-backup fernet 1\n"
SQLITE = b"SQLite format 3\x00"
PG_DUMP = b"PGDMP"
RESTORED_BY = "command line"  # who restored, in the audit log: the app cannot
MAX_LISTED = 8  # differences named in one refusal; an old release's file can differ in dozens of places
POSTGRES_ROOT = Path("/usr/lib/postgresql")  # where Debian installs each major version's binaries
TOOL_TIMEOUT_SECONDS = 3600  # pg_dump and pg_restore of a large organisation; never forever
SCRATCH_PREFIX = "intervision_restore_check_"


class BackupProblem(Exception):
    """A backup that cannot be made or restored. The message is one line for the operator; it never holds
    the key or the database password."""


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


def _sqlite_file(database: Database) -> Path:
    path = database.path
    if path is None:
        raise BackupProblem(f"{database!r} has no file")
    return path


# --- PostgreSQL's own tools -------------------------------------------------------------------------------


def postgres_tool(name: str) -> Path:
    """`pg_dump` or `pg_restore`: the one on PATH, else the newest under Debian's /usr/lib/postgresql/<version>/bin.

    It must be of the server's major version or newer; pg_dump says so when it is not.
    """
    on_path = shutil.which(name)
    if on_path:
        return Path(on_path)
    versions = [
        folder
        for folder in POSTGRES_ROOT.glob("*")
        if re.fullmatch(r"\d+(\.\d+)?", folder.name) and (folder / "bin" / name).exists()
    ]
    if not versions:
        raise BackupProblem(f"{name} is not installed here: install PostgreSQL's client tools (postgresql-client)")
    newest = max(versions, key=lambda folder: tuple(int(part) for part in folder.name.split(".")))
    return newest / "bin" / name


def _conninfo(database: Database, **more: str) -> str:
    """libpq connection parameters of the database, without its password (that never goes on a command
    line, which `ps` shows)."""
    url = database.url
    parameters: dict[str, str] = {
        name: value for name, value in url.query.items() if isinstance(value, str)
    }  # sslmode, host=/socket/dir, …: libpq's own keywords
    for name, value in (("host", url.host), ("port", url.port), ("user", url.username)):
        if value is not None:
            parameters[name] = str(value)
    parameters["dbname"] = url.database or ""
    return make_conninfo(**parameters, **more)


@contextmanager
def _password_file(database: Database) -> Iterator[dict[str, str]]:
    """For PostgreSQL's tools, the password in a file only we read (libpq's passfile), for as long as they run."""
    if not database.url.password:
        yield {}
        return
    escaped = str(database.url.password).replace("\\", "\\\\").replace(":", "\\:")
    with tempfile.TemporaryDirectory(prefix="intervision-pg-") as folder:
        passfile = Path(folder) / "pgpass"
        passfile.touch(mode=0o600)
        passfile.write_text(f"*:*:*:*:{escaped}\n")
        yield {"passfile": str(passfile)}


def _run_tool(name: str, arguments: list[str], database: Database, data: bytes | None = None) -> bytes:
    """Run pg_dump or pg_restore against the database; its standard output."""
    try:
        with _password_file(database) as password:
            finished = subprocess.run(
                [str(postgres_tool(name)), *arguments, f"--dbname={_conninfo(database, **password)}"],
                input=data,
                capture_output=True,
                timeout=TOOL_TIMEOUT_SECONDS,
            )
    except subprocess.TimeoutExpired:
        raise BackupProblem(f"{name} did not finish within {TOOL_TIMEOUT_SECONDS} seconds") from None
    if finished.returncode != 0:
        complaint = finished.stderr.decode(errors="replace").strip().splitlines() or ["no message"]
        raise BackupProblem(f"{name} failed: {complaint[0]}")
    return finished.stdout


def _admin_connection(database: Database) -> psycopg.Connection:
    password = database.url.password
    return psycopg.connect(_conninfo(database), autocommit=True, **({"password": str(password)} if password else {}))


@contextmanager
def _scratch_database(database: Database) -> Iterator[Database]:
    """An empty database of its own on the same server, dropped afterwards (the role needs CREATEDB)."""
    name = f"{SCRATCH_PREFIX}{uuid.uuid4().hex[:12]}"
    try:
        with closing(_admin_connection(database)) as admin:
            # template0: nothing an administrator added to template1 ends up in the comparison.
            admin.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name)))
    except psycopg.Error as problem:
        raise BackupProblem(
            f"cannot create a scratch database to check the backup in (the role needs CREATEDB): {_first(problem)}"
        ) from None
    scratch = Database(database.url.set(database=name), pool_size=1, max_overflow=0)
    try:
        yield scratch
    finally:
        scratch.dispose()
        with closing(_admin_connection(database)) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _first(problem: BaseException) -> str:
    lines = str(problem).strip().splitlines()
    return lines[0] if lines else type(problem).__name__


# --- making a backup ------------------------------------------------------------------------------------


def default_target(database: Database, now: datetime, encrypted: bool) -> Path:
    """In backups/ beside the SQLite database (in the container that is the /data volume); on PostgreSQL,
    in backups/ beside where the SQLite file would be (`INTERVISION_DB`'s folder)."""
    stamp = now.strftime("%Y%m%d-%H%M%S")
    kind = "dump" if database.engine_name == POSTGRESQL else "db"
    folder = (database.path or database_path()).parent / "backups"
    return folder / f"intervision-{stamp}.{kind}{'.enc' if encrypted else ''}"


def create_backup(database: Database, target: Path, key: str | None = None) -> Path:
    """Copy the database, consistently, to `target` (a new file); encrypted when a key is given."""
    target = Path(target)
    if database.engine_name != POSTGRESQL and not _sqlite_file(database).exists():
        raise BackupProblem(f"there is no database at {database.path} to back up")
    fernet = _fernet(key) if key else None  # a bad key is refused before anything is written
    _new_file(target)
    try:
        if database.engine_name == POSTGRESQL:
            # Into memory, so that an encrypted backup never touches the disk unencrypted.
            image = _run_tool("pg_dump", ["--format=custom", "--no-owner", "--no-privileges"], database)
            target.write_bytes(image if fernet is None else ENCRYPTED + fernet.encrypt(image))
        elif fernet is None:
            with closing(_connect(_sqlite_file(database))) as live, closing(sqlite3.connect(target)) as copy:
                live.backup(copy)
        else:
            with closing(_connect(_sqlite_file(database))) as live, closing(sqlite3.connect(":memory:")) as copy:
                live.backup(copy)
                image = copy.serialize()
            target.write_bytes(ENCRYPTED + fernet.encrypt(image))
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return target


# --- which release's schema a backup is at ----------------------------------------------------------------


def revision_problems(revision: str | None, legacy: bool) -> list[str]:
    """Why a backup at this Alembic revision is not this release's; empty when it is at head.

    `legacy`: the file still has the bookkeeping of the releases before Alembic (`_sqlite_migrations`).
    """
    head = migrations.head()
    if revision == head:
        return []
    if legacy or revision is None or revision in migrations.older_revisions():
        at = "made before the schema was tracked by revision" if revision is None else f"at revision {revision}"
        return [
            f"made by an older release ({at}; this release is at {head}): "
            "restore it with the release that made it, then upgrade"
        ]
    return [f"unknown revision {revision} (a newer release, or changed by hand)"]


# --- what the product's schema is on SQLite ---------------------------------------------------------------


@dataclass(frozen=True)
class Schema:
    """What a restore compares: every object the database holds that code could run or read, and the revision.

    On SQLite the objects come from sqlite_master; on PostgreSQL from the catalogs of a scratch database.
    """

    tables: dict[str, str]  # name → its definition (SQLite: its CREATE statement; PostgreSQL: its constraints)
    columns: dict[str, dict[str, tuple]]  # table → column → (type, not null, default, key, …)
    indexes: dict[str, str]  # name → table and its definition
    others: frozenset[tuple[str, str]]  # (kind, name) of everything else: trigger, view, function, sequence, …
    revision: str | None
    legacy: bool = False  # the pre-Alembic bookkeeping is there


def _folded(text: str | None) -> str:
    # Whitespace only; also the " , kind TEXT)" that SQLite's ALTER TABLE … ADD COLUMN leaves in a definition.
    return re.sub(r"\s*([(),])\s*", r"\1", re.sub(r"\s+", " ", text or "")).strip()


def _revision(read: Iterator[tuple]) -> str | None:
    rows = list(read)
    return rows[0][0] if len(rows) == 1 else None


def _sqlite_schema(connection: sqlite3.Connection) -> Schema:
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
    revision = None
    if "version_num" in columns.get("alembic_version", {}):
        revision = _revision(connection.execute("SELECT version_num FROM alembic_version"))
    return Schema(
        tables=tables,
        columns=columns,
        indexes={name: f"{table}: {_folded(sql)}" for kind, name, table, sql in entries if kind == "index"},
        others=frozenset((kind, name) for kind, name, _, _ in entries if kind in ("trigger", "view")),
        revision=revision,
        legacy="_sqlite_migrations" in tables,
    )


@cache
def product_schema() -> Schema:
    """The schema of this release on SQLite: a freshly migrated database's."""
    with tempfile.TemporaryDirectory() as folder:
        fresh = Database.for_path(Path(folder) / "product.db")
        try:
            fresh.migrate()
        finally:
            fresh.dispose()
        with closing(sqlite3.connect(Path(folder) / "product.db")) as connection:
            return _sqlite_schema(connection)


# --- what the product's schema is on PostgreSQL -----------------------------------------------------------

# Everything a database can hold outside PostgreSQL's own schemas, as (kind, name). Tables, their columns,
# constraints and indexes are compared in detail apart from this.
_PG_OBJECTS = """
SELECT CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'S' THEN 'sequence'
                      WHEN 'f' THEN 'foreign table' WHEN 'c' THEN 'type' ELSE 'relation' END,
       n.nspname || '.' || c.relname
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind NOT IN ('r', 'p', 'i', 'I', 't') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND NOT EXISTS (SELECT 1 FROM pg_depend d  -- an identity column's sequence: compared with its column
                    WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'i')
   AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'
UNION ALL
SELECT CASE WHEN c.relkind IN ('r', 'p') THEN 'table' ELSE 'relation' END, n.nspname || '.' || c.relname
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p') AND n.nspname <> 'public'
   AND n.nspname NOT IN ('pg_catalog', 'information_schema')
UNION ALL
SELECT 'function', n.nspname || '.' || p.proname
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
UNION ALL
SELECT 'trigger', t.tgname FROM pg_trigger t WHERE NOT t.tgisinternal
UNION ALL
SELECT 'event trigger', evtname FROM pg_event_trigger
UNION ALL
SELECT 'rule', r.rulename FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE r.rulename <> '_RETURN' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
UNION ALL
SELECT 'policy', polname FROM pg_policy
UNION ALL
SELECT 'schema', nspname FROM pg_namespace
 WHERE nspname NOT IN ('public', 'pg_catalog', 'information_schema', 'pg_toast')
   AND nspname NOT LIKE 'pg\\_temp%' AND nspname NOT LIKE 'pg\\_toast\\_temp%'
UNION ALL
SELECT 'extension', extname FROM pg_extension WHERE extname <> 'plpgsql'
UNION ALL
SELECT 'type', n.nspname || '.' || t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
 WHERE t.typrelid = 0 AND t.typcategory <> 'A' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
"""

_PG_COLUMNS = """
SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
       pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
 WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
"""

_PG_CONSTRAINTS = """
SELECT c.relname, k.conname, pg_get_constraintdef(k.oid)
  FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
"""

_PG_INDEXES = "SELECT indexname, tablename, indexdef FROM pg_indexes WHERE schemaname = 'public'"


def _pg_schema(unit: Unit) -> Schema:
    columns: dict[str, dict[str, tuple]] = {}
    for table, column, *definition in unit.execute(_PG_COLUMNS):
        columns.setdefault(table, {})[column] = tuple(definition)
    constraints: dict[str, list[str]] = {table: [] for table in columns}
    for table, name, definition in unit.execute(_PG_CONSTRAINTS):
        constraints.setdefault(table, []).append(f"{name} {definition}")
    revision = None
    if "version_num" in columns.get("alembic_version", {}):
        revision = _revision(iter(unit.execute("SELECT version_num FROM alembic_version")))
    return Schema(
        tables={table: "; ".join(sorted(found)) for table, found in constraints.items()},
        columns=columns,
        indexes={name: f"{table}: {definition}" for name, table, definition in unit.execute(_PG_INDEXES)},
        others=frozenset((kind, name.removeprefix("public.")) for kind, name in unit.execute(_PG_OBJECTS)),
        revision=revision,
    )


_product_pg_schemas: dict[str, Schema] = {}


def product_pg_schema(database: Database) -> Schema:
    """The schema of this release on this database's server: a freshly migrated scratch database's."""
    server = database.url.set(database="").render_as_string(hide_password=True)
    if server not in _product_pg_schemas:
        with _scratch_database(database) as fresh:
            fresh.migrate()
            with fresh.reading() as unit:
                _product_pg_schemas[server] = _pg_schema(unit)
    return _product_pg_schemas[server]


# --- comparing schemas ------------------------------------------------------------------------------------


def schema_differences(found: Schema, product: Schema) -> list[str]:
    """What in `found` is not exactly as in the product's schema, each named; empty when they are equal.

    A file at another revision is named for that alone: everything else would follow from it.
    """
    problems = revision_problems(found.revision, found.legacy)
    if problems:
        return problems
    problems += [f"unexpected {kind} {name}" for kind, name in sorted(found.others - product.others)]
    problems += [f"missing {kind} {name}" for kind, name in sorted(product.others - found.others)]
    problems += [f"missing table {name}" for name in sorted(product.tables.keys() - found.tables.keys())]
    problems += [f"unexpected table {name}" for name in sorted(found.tables.keys() - product.tables.keys())]
    for table in sorted(product.tables.keys() & found.tables.keys()):
        problems += _table_differences(table, found, product)
    # The indexes of a missing or unexpected table are named with it already.
    either = product.tables.keys() ^ found.tables.keys()
    problems += [
        f"missing index {name}"
        for name in sorted(product.indexes.keys() - found.indexes.keys())
        if product.indexes[name].split(":")[0] not in either
    ]
    problems += [
        f"unexpected index {name}"
        for name in sorted(found.indexes.keys() - product.indexes.keys())
        if found.indexes[name].split(":")[0] not in either
    ]
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


def _refusal(problems: list[str]) -> str:
    more = len(problems) - MAX_LISTED
    return "; ".join(problems[:MAX_LISTED]) + (f"; and {more} more" if more > 0 else "")


# --- reading a backup -----------------------------------------------------------------------------------


def _decrypted(source: Path, key: str | None) -> bytes:
    data = source.read_bytes()
    if data.startswith(ENCRYPTED):
        if not key:
            raise BackupProblem(f"{source.name} is encrypted: set {KEY_VARIABLE} to the key it was made with")
        try:
            data = _fernet(key).decrypt(data[len(ENCRYPTED) :])
        except InvalidToken:
            raise BackupProblem(f"the key in {KEY_VARIABLE} does not fit this file, or the file is damaged") from None
    if data.startswith((SQLITE, PG_DUMP)):
        return data
    raise BackupProblem(
        f"{source.name} is not an Intervision backup (neither a SQLite database, a PostgreSQL dump nor encrypted)"
    )


def _for_this_engine(database: Database, data: bytes, source: Path) -> None:
    """A SQLite backup goes back into a SQLite database, a dump into PostgreSQL: moving engines is another task."""
    if database.engine_name == POSTGRESQL and data.startswith(SQLITE):
        raise BackupProblem(f"{source.name} is a SQLite backup; this database is PostgreSQL")
    if database.engine_name != POSTGRESQL and data.startswith(PG_DUMP):
        raise BackupProblem(f"{source.name} is a PostgreSQL dump; this database is SQLite ({database.path})")


# --- SQLite: checked in memory ----------------------------------------------------------------------------


def _in_memory(data: bytes) -> sqlite3.Connection:
    """The backup as a database in memory: checked and prepared there, it never touches the live file."""
    image = bytearray(data)
    image[18:20] = b"\x01\x01"  # the header's WAL flag: a database in memory cannot open in WAL mode
    connection = sqlite3.connect(":memory:")
    connection.execute("PRAGMA trusted_schema = OFF")  # no side effects from functions its schema names
    try:
        connection.deserialize(image)
    except sqlite3.DatabaseError as problem:
        connection.close()
        raise BackupProblem(f"the file is damaged: {problem}") from None
    return connection


def _sqlite_problems(copy: sqlite3.Connection) -> list[str]:
    try:
        found = [row[0] for row in copy.execute("PRAGMA integrity_check")]
        if found != ["ok"]:
            return [f"the file is damaged (SQLite's integrity check: {found[0]})"]
        schema = _sqlite_schema(copy)
    except sqlite3.DatabaseError as problem:
        return [f"the file is damaged: {problem}"]
    product = product_schema()
    if not schema.tables.keys() & product.tables.keys():
        return ["not an Intervision backup: it has none of the product's tables"]
    return schema_differences(schema, product)


def _restore_sqlite(database: Database, data: bytes, source: Path, now: datetime) -> None:
    copy = _in_memory(data)
    try:
        problems = _sqlite_problems(copy)
        if problems:
            raise BackupProblem(_refusal(problems))
        with copy:  # one transaction in the copy; the live database is replaced by the result in one write
            _end_sign_ins_and_record(copy, source, now)
        target = _sqlite_file(database)
        target.parent.mkdir(parents=True, exist_ok=True)
        with closing(_connect(target)) as live:
            copy.backup(live)
            live.execute("PRAGMA journal_mode = WAL")  # a new file would otherwise take the copy's rollback journal
    finally:
        copy.close()


# --- PostgreSQL: checked in a scratch database ------------------------------------------------------------


def _restore_into(database: Database, data: bytes, clean: bool) -> None:
    """pg_restore a dump into the database, all of it or nothing (one transaction)."""
    arguments = ["--single-transaction", "--exit-on-error", "--no-owner", "--no-privileges"]
    if clean:
        arguments += ["--clean", "--if-exists"]
    _run_tool("pg_restore", arguments, database, data=data)


def _pg_problems(scratch: Database, data: bytes) -> list[str]:
    try:
        _restore_into(scratch, data, clean=False)
    except BackupProblem as problem:
        return [f"the file is damaged, or not a dump pg_restore can take ({problem})"]
    with scratch.reading() as unit:
        schema = _pg_schema(unit)
    product = product_pg_schema(scratch)
    if not schema.tables.keys() & product.tables.keys():
        return ["not an Intervision backup: it has none of the product's tables"]
    return schema_differences(schema, product)


def _restore_postgresql(database: Database, data: bytes, source: Path, now: datetime) -> None:
    with _scratch_database(database) as scratch:
        problems = _pg_problems(scratch, data)
        if problems:
            raise BackupProblem(_refusal(problems))
        # The checked copy, with every sign-in ended and the restore recorded, is what goes live: the file's
        # own dump never reaches the live database, and live nobody is signed in for a moment by the file.
        with scratch.writing() as unit:
            _end_sign_ins_and_record(unit, source, now)
        checked = _run_tool("pg_dump", ["--format=custom", "--no-owner", "--no-privileges"], scratch)
    _restore_into(database, checked, clean=True)
    database.dispose()  # pooled connections may hold plans of the tables just replaced
    with database.writing():
        pass  # the change signal moves after the restore (it came back with the dump's number)


def _end_sign_ins_and_record(unit: Unit | sqlite3.Connection, source: Path, now: datetime) -> None:
    """In the copy that is about to go live: nothing from the file signs a browser in. (A sqlite3 connection
    runs the store's `?` statements as they are.)"""
    store.end_every_sign_in(unit)
    store.add_audit_event(unit, now, None, AuditAction.BACKUP_RESTORED, source.name, RESTORED_BY)


# --- checking and restoring -------------------------------------------------------------------------------


def check_backup(database: Database, source: Path, key: str | None = None) -> list[str]:
    """Everything that keeps this file from being restored into `database`, each named; empty when it may be.

    Raises BackupProblem when the file cannot be read as a backup at all (foreign, encrypted without its key,
    of the other engine).
    """
    source = Path(source)
    data = _decrypted(source, key)
    _for_this_engine(database, data, source)
    if database.engine_name == POSTGRESQL:
        with _scratch_database(database) as scratch:
            return _pg_problems(scratch, data)
    with closing(_in_memory(data)) as copy:
        return _sqlite_problems(copy)


def restore_backup(database: Database, source: Path, key: str | None = None, now: datetime | None = None) -> None:
    """Put a backup in place of the database, once it has passed every check; nobody stays signed in."""
    source = Path(source)
    data = _decrypted(source, key)
    _for_this_engine(database, data, source)
    if database.engine_name == POSTGRESQL:
        _restore_postgresql(database, data, source, now or database.clock.now())
    else:
        _restore_sqlite(database, data, source, now or database.clock.now())


def integrity_problems(path: Path) -> list[str]:
    """What SQLite's integrity check finds wrong with a database file; empty when it is sound."""
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
            rows = connection.execute("PRAGMA integrity_check").fetchall()
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as problem:
        return [str(problem)]
    problems = [row[0] for row in rows if row[0] != "ok"]
    if not {"organisation", "people", "alembic_version"} <= tables:
        problems.append("not a database of this product")
    return problems


# --- the command line -----------------------------------------------------------------------------------

USAGE = """usage:
    python -m intervision.backup create [FILE]    a consistent copy, also while the app runs; encrypted when
                                                  INTERVISION_BACKUP_KEY is set; default: backups/ beside the
                                                  database (INTERVISION_DB's folder)
    python -m intervision.backup restore FILE     replace the database with a checked backup; everyone signs
                                                  in again"""


def _one_line(problem: BaseException) -> str:
    return " ".join(str(problem).split())


def main(arguments: list[str]) -> int:
    command, files = (arguments[0], arguments[1:]) if arguments else ("", [])
    key = backup_key()
    try:
        if command == "create" and len(files) <= 1:
            database = configured()
            target = Path(files[0]) if files else default_target(database, utcnow(), encrypted=bool(key))
            create_backup(database, target, key=key)
            how = f"encrypted with the key in {KEY_VARIABLE}" if key else f"not encrypted: {KEY_VARIABLE} is not set"
            print(f"Backup written to {target} ({how})")
            return 0
        if command == "restore" and len(files) == 1:
            database = configured()
            restore_backup(database, Path(files[0]), key=key)
            where = database.path or database.url.render_as_string(hide_password=True)
            print(f"Restored {files[0]} into {where}: every sign-in has ended, everyone signs in again.")
            return 0
    except (BackupProblem, OSError, sqlite3.Error, psycopg.Error, StoreError) as problem:
        verb = "No backup made" if command == "create" else "Not restored"
        print(f"{verb}: {_one_line(problem)}", file=sys.stderr)
        return 1
    print(USAGE, file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
