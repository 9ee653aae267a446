"""The database: a connection per unit of work, write transactions, and versioned migrations.

Connections are never cached: Streamlit reruns in new threads, and a connection opened in one thread
must not be used in another. Opening one costs a fraction of a millisecond.
"""

from __future__ import annotations

import sqlite3
import threading
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from intervision.config import database_path

BUSY_TIMEOUT_MS = 5000

migrations = Migrations("intervision")


def _open(path: Path | None = None) -> Database:
    path = Path(path or database_path())
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    return Database(conn)


@contextmanager
def reading(path: Path | None = None) -> Iterator[Database]:
    """A connection for reads; closed when the block ends."""
    db = _open(path)
    try:
        yield db
    finally:
        db.close()


@contextmanager
def writing(path: Path | None = None) -> Iterator[Database]:
    """A write transaction that takes the write lock first (BEGIN IMMEDIATE).

    A deferred transaction that reads and then writes can fail with "database is locked" when another
    writer got in between; taking the lock up front makes the writer wait its turn instead.
    """
    db = _open(path)
    try:
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.rollback()
            raise
        db.commit()
        _count_commit()
    finally:
        db.close()


_commits = 0
_commits_lock = threading.Lock()


def _count_commit() -> None:
    global _commits
    with _commits_lock:
        _commits += 1


def commits() -> int:
    """How many write transactions this process has committed so far.

    A cache of what the database holds stays fresh while this number does not move; writes by another
    process (a restore from the command line) are not counted, so such caches also expire after a while.
    """
    return _commits


_migrated: set[Path] = set()


def migrate(path: Path | None = None) -> None:
    """Apply every pending migration."""
    resolved = Path(path or database_path()).resolve()
    with reading(resolved) as db:
        migrations.apply(db)
    _migrated.add(resolved)


def ensure_migrated(path: Path | None = None) -> None:
    """Migrate once per process and database file: pages call this on every rerun."""
    resolved = Path(path or database_path()).resolve()
    if resolved not in _migrated or not resolved.exists():
        migrate(resolved)


# --- migrations ------------------------------------------------------------------------------
# Append new migrations at the end; never edit one that has shipped.


def _run_statements(db: Database, script: str) -> None:
    # executescript() would commit the migration's transaction first; one statement at a time keeps
    # a migration all-or-nothing.
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


@migrations(name="0001_wal_mode", transactional=False)
def _wal_mode(db: Database) -> None:
    # WAL lets readers carry on while one writer writes; it is a property of the file, set once.
    db.execute("PRAGMA journal_mode = WAL")


@migrations(name="0002_foundation")
def _foundation(db: Database) -> None:
    _run_statements(
        db,
        """
        CREATE TABLE organisation (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            name TEXT NOT NULL,
            is_demo INTEGER NOT NULL DEFAULT 0,
            privacy_threshold INTEGER NOT NULL DEFAULT 3 CHECK (privacy_threshold >= 3),
            created_at TEXT NOT NULL
        );
        CREATE TABLE people (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            email TEXT NOT NULL UNIQUE,
            role TEXT NOT NULL CHECK (role IN ('coordinator', 'facilitator', 'participant')),
            language TEXT CHECK (language IN ('nl', 'en')),
            password_hash TEXT,
            failed_sign_ins INTEGER NOT NULL DEFAULT 0,
            locked_until TEXT,
            created_at TEXT NOT NULL
        );
        CREATE TABLE groups (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            description TEXT NOT NULL DEFAULT '',
            label TEXT NOT NULL DEFAULT '',
            meets_every_weeks INTEGER NOT NULL,
            session_minutes INTEGER NOT NULL,
            confidentiality TEXT NOT NULL,
            attendance_rule TEXT NOT NULL DEFAULT '',
            reported_to_organisation TEXT NOT NULL DEFAULT '[]',
            start_date TEXT NOT NULL,
            development_phase TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE TABLE memberships (
            group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
            person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
            group_role TEXT NOT NULL CHECK (group_role IN ('facilitator', 'member')),
            joined_at TEXT NOT NULL,
            PRIMARY KEY (group_id, person_id)
        );
        CREATE INDEX memberships_by_person ON memberships(person_id);
        CREATE TABLE invitations (
            id INTEGER PRIMARY KEY,
            code TEXT NOT NULL UNIQUE,
            group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
            group_role TEXT NOT NULL CHECK (group_role IN ('facilitator', 'member')),
            created_by INTEGER REFERENCES people(id) ON DELETE SET NULL,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            max_uses INTEGER NOT NULL CHECK (max_uses >= 1),
            uses INTEGER NOT NULL DEFAULT 0,
            revoked_at TEXT
        );
        CREATE INDEX invitations_by_group ON invitations(group_id);
        CREATE TABLE sign_in_sessions (
            token_hash TEXT PRIMARY KEY,
            person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL
        );
        CREATE INDEX sign_in_sessions_by_person ON sign_in_sessions(person_id);
        CREATE TABLE sign_in_tickets (
            ticket_hash TEXT PRIMARY KEY,
            session_token TEXT NOT NULL,
            expires_at TEXT NOT NULL
        );
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            actor_id INTEGER,
            action TEXT NOT NULL,
            subject TEXT NOT NULL DEFAULT '',
            detail TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX audit_log_by_time ON audit_log(at);
        CREATE TABLE meetings (
            id INTEGER PRIMARY KEY,
            group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
            starts_at TEXT NOT NULL,
            minutes INTEGER NOT NULL,
            method_id TEXT,
            status TEXT NOT NULL CHECK (status IN ('planned', 'held', 'cancelled'))
        );
        CREATE INDEX meetings_by_group ON meetings(group_id, starts_at);
        CREATE TABLE attendance (
            meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
            person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
            present INTEGER NOT NULL,
            PRIMARY KEY (meeting_id, person_id)
        );
        """,
    )


@migrations(name="0003_group_name_key")
def _group_name_key(db: Database) -> None:
    # SQLite's NOCASE folds only A-Z; "Één team" and "één team" must count as the same name too.
    db.execute("ALTER TABLE groups ADD COLUMN name_key TEXT")
    for group_id, name in db.execute("SELECT id, name FROM groups").fetchall():
        db.execute("UPDATE groups SET name_key = ? WHERE id = ?", [name_key(name), group_id])
    db.execute("CREATE UNIQUE INDEX groups_by_name_key ON groups(name_key)")


@migrations(name="0004_method_versions")
def _method_versions(db: Database) -> None:
    _run_statements(
        db,
        """
        CREATE TABLE method_versions (
            method_id TEXT NOT NULL,
            version INTEGER NOT NULL,
            definition TEXT NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (method_id, version)
        );
        CREATE TABLE custom_methods (
            method_id TEXT PRIMARY KEY,
            author_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
            shared INTEGER NOT NULL DEFAULT 0,
            current_version INTEGER NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE INDEX custom_methods_by_author ON custom_methods(author_id);
        CREATE TABLE method_drafts (
            person_id INTEGER PRIMARY KEY REFERENCES people(id) ON DELETE CASCADE,
            body TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        ALTER TABLE meetings ADD COLUMN method_version INTEGER
        """,
    )


@migrations(name="0005_cases")
def _cases(db: Database) -> None:
    _run_statements(
        db,
        """
        CREATE TABLE cases (
            id INTEGER PRIMARY KEY,
            group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
            author_id INTEGER REFERENCES people(id) ON DELETE CASCADE,
            status TEXT NOT NULL CHECK (status IN
                ('draft', 'submitted', 'chosen', 'discussed', 'followed_up', 'withdrawn')),
            title TEXT NOT NULL DEFAULT '',
            situation TEXT NOT NULL DEFAULT '',
            involved TEXT NOT NULL DEFAULT '',
            own_role TEXT NOT NULL DEFAULT '',
            evoked TEXT NOT NULL DEFAULT '',
            learning_question TEXT NOT NULL DEFAULT '',
            question_type TEXT,
            wants TEXT NOT NULL DEFAULT '[]',
            tried TEXT NOT NULL DEFAULT '',
            urgency TEXT NOT NULL DEFAULT 'normal',
            preferred_method TEXT,
            anonymised INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            submitted_at TEXT,
            meeting_id INTEGER REFERENCES meetings(id) ON DELETE SET NULL,
            chosen_at TEXT,
            discussed_at TEXT,
            method_id TEXT,
            chosen_advice TEXT NOT NULL DEFAULT '',
            follow_up TEXT NOT NULL DEFAULT '',
            followed_up_at TEXT,
            erased_at TEXT
        );
        CREATE INDEX cases_by_group ON cases(group_id, status);
        CREATE INDEX cases_by_author ON cases(author_id, status);
        CREATE TABLE case_votes (
            group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
            voter_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
            round INTEGER NOT NULL,
            case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
            cast_at TEXT NOT NULL,
            PRIMARY KEY (group_id, voter_id, round)
        );
        ALTER TABLE organisation ADD COLUMN case_retention_days INTEGER
        """,
    )


@migrations(name="0006_live_sessions")
def _live_sessions(db: Database) -> None:
    _run_statements(
        db,
        """
        CREATE TABLE live_sessions (
            id INTEGER PRIMARY KEY,
            group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
            meeting_id INTEGER REFERENCES meetings(id) ON DELETE SET NULL,
            case_id INTEGER REFERENCES cases(id) ON DELETE SET NULL,
            case_title TEXT NOT NULL DEFAULT '',
            method_id TEXT NOT NULL,
            method_version INTEGER NOT NULL,
            sequence_id TEXT,
            status TEXT NOT NULL CHECK (status IN ('check_in', 'running', 'closing', 'closed')),
            phase_index INTEGER NOT NULL DEFAULT 0,
            phase_started_at TEXT,
            paused_at TEXT,
            paused_seconds REAL NOT NULL DEFAULT 0,
            extra_minutes REAL NOT NULL DEFAULT 0,
            overrun_logged INTEGER NOT NULL DEFAULT 0,
            bringer_choice TEXT NOT NULL DEFAULT '',
            revision INTEGER NOT NULL DEFAULT 0,
            join_code TEXT NOT NULL UNIQUE,
            projector_token TEXT NOT NULL UNIQUE,
            facilitator_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
            started_at TEXT NOT NULL,
            closed_at TEXT
        );
        CREATE INDEX live_sessions_by_group ON live_sessions(group_id, status);
        CREATE TABLE phase_visits (
            id INTEGER PRIMARY KEY,
            live_session_id INTEGER NOT NULL REFERENCES live_sessions(id) ON DELETE CASCADE,
            phase_index INTEGER NOT NULL,
            phase_id TEXT NOT NULL,
            planned_minutes REAL NOT NULL,
            seconds REAL NOT NULL,
            skipped INTEGER NOT NULL DEFAULT 0,
            ended_at TEXT NOT NULL
        );
        CREATE INDEX phase_visits_by_session ON phase_visits(live_session_id);
        CREATE TABLE session_roles (
            live_session_id INTEGER NOT NULL REFERENCES live_sessions(id) ON DELETE CASCADE,
            person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
            role TEXT NOT NULL CHECK (role IN ('case_bringer', 'chair', 'timekeeper', 'note_taker', 'observer')),
            PRIMARY KEY (live_session_id, person_id, role)
        );
        CREATE TABLE board_items (
            id INTEGER PRIMARY KEY,
            live_session_id INTEGER NOT NULL REFERENCES live_sessions(id) ON DELETE CASCADE,
            phase_index INTEGER NOT NULL,
            kind TEXT NOT NULL,
            text TEXT NOT NULL,
            author_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
            helpful INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL
        );
        CREATE INDEX board_items_by_session ON board_items(live_session_id, id);
        CREATE TABLE action_items (
            id INTEGER PRIMARY KEY,
            live_session_id INTEGER NOT NULL REFERENCES live_sessions(id) ON DELETE CASCADE,
            group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
            text TEXT NOT NULL,
            owner_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
            due_date TEXT,
            confirmed INTEGER NOT NULL DEFAULT 0,
            done INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL
        );
        CREATE INDEX action_items_by_group ON action_items(group_id, done);
        CREATE TABLE observations (
            id INTEGER PRIMARY KEY,
            live_session_id INTEGER NOT NULL REFERENCES live_sessions(id) ON DELETE CASCADE,
            phase_index INTEGER NOT NULL,
            level TEXT NOT NULL CHECK (level IN ('content', 'procedure', 'interaction', 'feelings')),
            category TEXT,
            concerns TEXT,
            note TEXT NOT NULL DEFAULT '',
            automatic INTEGER NOT NULL DEFAULT 0,
            at TEXT NOT NULL
        );
        CREATE INDEX observations_by_session ON observations(live_session_id);
        CREATE TABLE session_ratings (
            live_session_id INTEGER NOT NULL REFERENCES live_sessions(id) ON DELETE CASCADE,
            person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
            usefulness INTEGER NOT NULL CHECK (usefulness BETWEEN 1 AND 5),
            rated_at TEXT NOT NULL,
            PRIMARY KEY (live_session_id, person_id)
        )
        """,
    )


@migrations(name="0007_surveys")
def _surveys(db: Database) -> None:
    _run_statements(
        db,
        """
        CREATE TABLE loaded_instruments (
            id TEXT PRIMARY KEY,
            definition TEXT NOT NULL,
            loaded_by INTEGER REFERENCES people(id) ON DELETE SET NULL,
            loaded_at TEXT NOT NULL
        );
        CREATE TABLE survey_waves (
            id INTEGER PRIMARY KEY,
            group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
            instrument_id TEXT NOT NULL,
            instrument_definition TEXT NOT NULL,
            moment TEXT NOT NULL,
            opened_by INTEGER REFERENCES people(id) ON DELETE SET NULL,
            opened_at TEXT NOT NULL,
            closed_at TEXT
        );
        CREATE INDEX survey_waves_by_group ON survey_waves(group_id, opened_at);
        CREATE TABLE survey_responses (
            id INTEGER PRIMARY KEY,
            wave_id INTEGER NOT NULL REFERENCES survey_waves(id) ON DELETE CASCADE,
            person_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
            answered_at TEXT NOT NULL,
            UNIQUE (wave_id, person_id)
        );
        CREATE TABLE survey_answers (
            response_id INTEGER NOT NULL REFERENCES survey_responses(id) ON DELETE CASCADE,
            item_id TEXT NOT NULL,
            value INTEGER,
            PRIMARY KEY (response_id, item_id)
        );
        CREATE TABLE survey_schedules (
            group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
            instrument_id TEXT NOT NULL,
            every_sessions INTEGER NOT NULL CHECK (every_sessions >= 1),
            PRIMARY KEY (group_id, instrument_id)
        )
        """,
    )


@migrations(name="0008_goals_and_presence")
def _goals_and_presence(db: Database) -> None:
    _run_statements(
        db,
        """
        CREATE TABLE goals (
            id INTEGER PRIMARY KEY,
            group_id INTEGER REFERENCES groups(id) ON DELETE CASCADE,
            measure TEXT NOT NULL,
            target REAL NOT NULL,
            due TEXT NOT NULL,
            created_by INTEGER REFERENCES people(id) ON DELETE SET NULL,
            created_at TEXT NOT NULL
        );
        CREATE TABLE session_presence (
            live_session_id INTEGER NOT NULL REFERENCES live_sessions(id) ON DELETE CASCADE,
            person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
            present INTEGER NOT NULL,
            PRIMARY KEY (live_session_id, person_id)
        );
        CREATE INDEX survey_waves_by_instrument ON survey_waves(instrument_id, closed_at);
        CREATE INDEX action_items_by_session ON action_items(live_session_id)
        """,
    )


@migrations(name="0009_wave_releases")
def _wave_releases(db: Database) -> None:
    from intervision.store import settle_wave_releases  # the store imports this module

    db.execute("ALTER TABLE survey_waves ADD COLUMN release TEXT CHECK (release IN ('alone', 'pool', 'private'))")
    settle_wave_releases(db)


@migrations(name="0010_main_scores")
def _main_scores(db: Database) -> None:
    from intervision.surveys import score_closed_waves  # the surveys module imports this one

    db.execute("ALTER TABLE survey_responses ADD COLUMN main_score REAL")
    score_closed_waves(db)


@migrations(name="0011_period_indexes")
def _period_indexes(db: Database) -> None:
    """The overview counts sessions and action items in a period: found by time, not by reading years."""
    _run_statements(
        db,
        """
        CREATE INDEX meetings_by_time ON meetings(starts_at);
        CREATE INDEX action_items_by_time ON action_items(created_at)
        """,
    )


@migrations(name="0012_membership_invitations")
def _membership_invitations(db: Database) -> None:
    """Joining a group is the person's own act (an invitation they accept), and the group keeps who joined
    and left when. Memberships that exist already enter the history as joined on their joined_at."""
    _run_statements(
        db,
        """
        CREATE TABLE group_invitations (
            id INTEGER PRIMARY KEY,
            group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
            person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
            group_role TEXT NOT NULL CHECK (group_role IN ('facilitator', 'member')),
            invited_by INTEGER REFERENCES people(id) ON DELETE SET NULL,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            accepted_at TEXT,
            declined_at TEXT,
            withdrawn_at TEXT
        );
        CREATE INDEX group_invitations_by_person ON group_invitations(person_id);
        CREATE INDEX group_invitations_by_group ON group_invitations(group_id);
        CREATE TABLE membership_events (
            id INTEGER PRIMARY KEY,
            group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
            person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
            change TEXT NOT NULL CHECK (change IN ('joined', 'role_changed', 'left', 'removed')),
            group_role TEXT NOT NULL CHECK (group_role IN ('facilitator', 'member')),
            at TEXT NOT NULL,
            by_id INTEGER REFERENCES people(id) ON DELETE SET NULL
        );
        CREATE INDEX membership_events_by_group ON membership_events(group_id, at);
        CREATE INDEX membership_events_by_person ON membership_events(person_id);
        INSERT INTO membership_events (group_id, person_id, change, group_role, at)
            SELECT group_id, person_id, 'joined', group_role, joined_at FROM memberships
        """,
    )


@migrations(name="0013_sign_in_delays")
def _sign_in_delays(db: Database) -> None:
    """Growing waits after failed sign-ins replace the account lock; a sign-in ticket names its browser.

    `key` is a hash of what the wait is for (an e-mail address and a client address, one of the two),
    never the addresses themselves. Times are ISO text with microseconds: waits are as short as a second.
    """
    _run_statements(
        db,
        """
        CREATE TABLE sign_in_delays (
            key TEXT PRIMARY KEY,
            failures INTEGER NOT NULL,
            last_failed_at TEXT NOT NULL,
            wait_until TEXT NOT NULL
        );
        CREATE INDEX sign_in_delays_by_time ON sign_in_delays(last_failed_at);
        ALTER TABLE people DROP COLUMN failed_sign_ins;
        ALTER TABLE people DROP COLUMN locked_until;
        DELETE FROM sign_in_tickets;
        ALTER TABLE sign_in_tickets ADD COLUMN browser_hash TEXT NOT NULL DEFAULT ''
        """,
    )


@migrations(name="0014_observation_kinds")
def _observation_kinds(db: Database) -> None:
    """A press in the observation log says what it records: an observation, the facilitator intervening,
    or the group correcting itself. Earlier rows are observations: none of them was an intervention by
    definition, so none is counted as one."""
    _run_statements(
        db,
        """
        ALTER TABLE observations ADD COLUMN kind TEXT NOT NULL DEFAULT 'observation'
            CHECK (kind IN ('observation', 'intervention', 'self_correction'));
        CREATE INDEX observations_by_kind ON observations(live_session_id, kind)
        """,
    )


@migrations(name="0015_wave_instrument_versions")
def _wave_instrument_versions(db: Database) -> None:
    """Each wave's instrument version as a column: the overview marks where the questions changed, in SQL."""
    import tomllib

    db.execute("ALTER TABLE survey_waves ADD COLUMN instrument_version INTEGER NOT NULL DEFAULT 1")
    # A wave keeps its instrument's definition as TOML; read the version from there, once.
    for wave_id, definition in list(db.execute("SELECT id, instrument_definition FROM survey_waves")):
        version = tomllib.loads(definition).get("version", 1)
        db.execute("UPDATE survey_waves SET instrument_version = ? WHERE id = ?", [version, wave_id])


# What SQLite says when the storage itself fails, and the message key a person reads instead.
_STORAGE_PROBLEMS = {
    "database or disk is full": "storage_full",
    "readonly database": "storage_read_only",
    "unable to open database file": "storage_unreachable",
    "disk i/o error": "storage_unreachable",
    "database is locked": "storage_busy",
}


def storage_problem(error: BaseException) -> str | None:
    """The message key for an error of the storage (a full disk, a read-only file), or None for any other."""
    if not isinstance(error, sqlite3.OperationalError):
        return None
    text = str(error).lower()
    return next((key for fragment, key in _STORAGE_PROBLEMS.items() if fragment in text), None)


def name_key(name: str) -> str:
    """A name as compared for uniqueness: Unicode-normalised and case-folded."""
    return unicodedata.normalize("NFC", name).casefold()


if __name__ == "__main__":
    migrate()
    print(f"Database ready at {database_path()}")
