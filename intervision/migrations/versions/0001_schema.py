"""The schema as of the move to two engines; adopts a SQLite file made by the releases before it.

Revision ID: 0001_schema
Revises:
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import inspect

revision = "0001_schema"
down_revision = None
branch_labels = None
depends_on = None

# The pre-Alembic track (sqlite-utils migrations), in the order it applied them. A file that has all of them
# holds exactly this revision's schema; one that stopped earlier was made by a release older than the
# previous one and must be opened once with that release first.
LEGACY_TRACK = (
    "0001_wal_mode",
    "0002_foundation",
    "0003_group_name_key",
    "0004_method_versions",
    "0005_cases",
    "0006_live_sessions",
    "0007_surveys",
    "0008_goals_and_presence",
    "0009_wave_releases",
    "0010_main_scores",
    "0011_period_indexes",
    "0012_membership_invitations",
    "0013_sign_in_delays",
    "0014_observation_kinds",
    "0015_wave_instrument_versions",
)

# Rules the app kept with one writer, now kept by the database on every engine.
RULE_INDEXES = """
CREATE UNIQUE INDEX live_sessions_one_open_per_group ON live_sessions(group_id) WHERE status <> 'closed'
"""

# {id}: a row id the database hands out; {real}: a double-precision number (REAL is single precision on
# PostgreSQL); {nocase}: SQLite's case-blind collation of a group's name, as the files of the last release have
# it, so that an adopted file and a new one hold the same schema (uniqueness itself is groups.name_key's, on
# both engines). An invitation's use limit is kept by the conditional update that counts a use.
# Times are ISO 8601 text in UTC on both engines, so comparing the text compares the moments.
SCHEMA = """
CREATE TABLE organisation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    name TEXT NOT NULL,
    is_demo INTEGER NOT NULL DEFAULT 0,
    privacy_threshold INTEGER NOT NULL DEFAULT 3 CHECK (privacy_threshold >= 3),
    created_at TEXT NOT NULL,
    case_retention_days INTEGER
);
CREATE TABLE people (
    id {id},
    name TEXT NOT NULL,
    email TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('coordinator', 'facilitator', 'participant')),
    language TEXT CHECK (language IN ('nl', 'en')),
    password_hash TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE groups (
    id {id},
    name TEXT NOT NULL UNIQUE{nocase},
    description TEXT NOT NULL DEFAULT '',
    label TEXT NOT NULL DEFAULT '',
    meets_every_weeks INTEGER NOT NULL,
    session_minutes INTEGER NOT NULL,
    confidentiality TEXT NOT NULL,
    attendance_rule TEXT NOT NULL DEFAULT '',
    reported_to_organisation TEXT NOT NULL DEFAULT '[]',
    start_date TEXT NOT NULL,
    development_phase TEXT NOT NULL,
    created_at TEXT NOT NULL,
    name_key TEXT
);
CREATE UNIQUE INDEX groups_by_name_key ON groups(name_key);
CREATE TABLE memberships (
    group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    group_role TEXT NOT NULL CHECK (group_role IN ('facilitator', 'member')),
    joined_at TEXT NOT NULL,
    PRIMARY KEY (group_id, person_id)
);
CREATE INDEX memberships_by_person ON memberships(person_id);
CREATE TABLE group_invitations (
    id {id},
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
    id {id},
    group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    change TEXT NOT NULL CHECK (change IN ('joined', 'role_changed', 'left', 'removed')),
    group_role TEXT NOT NULL CHECK (group_role IN ('facilitator', 'member')),
    at TEXT NOT NULL,
    by_id INTEGER REFERENCES people(id) ON DELETE SET NULL
);
CREATE INDEX membership_events_by_group ON membership_events(group_id, at);
CREATE INDEX membership_events_by_person ON membership_events(person_id);
CREATE TABLE invitations (
    id {id},
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
    expires_at TEXT NOT NULL,
    browser_hash TEXT NOT NULL DEFAULT ''
);
CREATE TABLE sign_in_delays (
    key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    last_failed_at TEXT NOT NULL,
    wait_until TEXT NOT NULL
);
CREATE INDEX sign_in_delays_by_time ON sign_in_delays(last_failed_at);
CREATE TABLE audit_log (
    id {id},
    at TEXT NOT NULL,
    actor_id INTEGER,
    action TEXT NOT NULL,
    subject TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_by_time ON audit_log(at);
CREATE TABLE meetings (
    id {id},
    group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    starts_at TEXT NOT NULL,
    minutes INTEGER NOT NULL,
    method_id TEXT,
    status TEXT NOT NULL CHECK (status IN ('planned', 'held', 'cancelled')),
    method_version INTEGER
);
CREATE INDEX meetings_by_group ON meetings(group_id, starts_at);
CREATE INDEX meetings_by_time ON meetings(starts_at);
CREATE TABLE attendance (
    meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    present INTEGER NOT NULL,
    PRIMARY KEY (meeting_id, person_id)
);
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
CREATE TABLE cases (
    id {id},
    group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    author_id INTEGER REFERENCES people(id) ON DELETE CASCADE,
    status TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'chosen', 'discussed', 'followed_up', 'withdrawn')),
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
CREATE TABLE live_sessions (
    id {id},
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
    paused_seconds {real} NOT NULL DEFAULT 0,
    extra_minutes {real} NOT NULL DEFAULT 0,
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
    id {id},
    live_session_id INTEGER NOT NULL REFERENCES live_sessions(id) ON DELETE CASCADE,
    phase_index INTEGER NOT NULL,
    phase_id TEXT NOT NULL,
    planned_minutes {real} NOT NULL,
    seconds {real} NOT NULL,
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
    id {id},
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
    id {id},
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
CREATE INDEX action_items_by_session ON action_items(live_session_id);
CREATE INDEX action_items_by_time ON action_items(created_at);
CREATE TABLE observations (
    id {id},
    live_session_id INTEGER NOT NULL REFERENCES live_sessions(id) ON DELETE CASCADE,
    phase_index INTEGER NOT NULL,
    level TEXT NOT NULL CHECK (level IN ('content', 'procedure', 'interaction', 'feelings')),
    category TEXT,
    concerns TEXT,
    note TEXT NOT NULL DEFAULT '',
    automatic INTEGER NOT NULL DEFAULT 0,
    at TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'observation' CHECK (kind IN ('observation', 'intervention', 'self_correction'))
);
CREATE INDEX observations_by_session ON observations(live_session_id);
CREATE INDEX observations_by_kind ON observations(live_session_id, kind);
CREATE TABLE session_ratings (
    live_session_id INTEGER NOT NULL REFERENCES live_sessions(id) ON DELETE CASCADE,
    person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    usefulness INTEGER NOT NULL CHECK (usefulness BETWEEN 1 AND 5),
    rated_at TEXT NOT NULL,
    PRIMARY KEY (live_session_id, person_id)
);
CREATE TABLE session_presence (
    live_session_id INTEGER NOT NULL REFERENCES live_sessions(id) ON DELETE CASCADE,
    person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    present INTEGER NOT NULL,
    PRIMARY KEY (live_session_id, person_id)
);
CREATE TABLE loaded_instruments (
    id TEXT PRIMARY KEY,
    definition TEXT NOT NULL,
    loaded_by INTEGER REFERENCES people(id) ON DELETE SET NULL,
    loaded_at TEXT NOT NULL
);
CREATE TABLE survey_waves (
    id {id},
    group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    instrument_id TEXT NOT NULL,
    instrument_definition TEXT NOT NULL,
    moment TEXT NOT NULL,
    opened_by INTEGER REFERENCES people(id) ON DELETE SET NULL,
    opened_at TEXT NOT NULL,
    closed_at TEXT,
    release TEXT CHECK (release IN ('alone', 'pool', 'private')),
    instrument_version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX survey_waves_by_group ON survey_waves(group_id, opened_at);
CREATE INDEX survey_waves_by_instrument ON survey_waves(instrument_id, closed_at);
CREATE TABLE survey_responses (
    id {id},
    wave_id INTEGER NOT NULL REFERENCES survey_waves(id) ON DELETE CASCADE,
    person_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
    answered_at TEXT NOT NULL,
    main_score {real},
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
);
CREATE TABLE goals (
    id {id},
    group_id INTEGER REFERENCES groups(id) ON DELETE CASCADE,
    measure TEXT NOT NULL,
    target {real} NOT NULL,
    due TEXT NOT NULL,
    created_by INTEGER REFERENCES people(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL
)
"""

_TYPES = {
    "sqlite": {"id": "INTEGER PRIMARY KEY", "real": "REAL", "nocase": " COLLATE NOCASE"},
    "postgresql": {
        "id": "INTEGER GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
        "real": "DOUBLE PRECISION",
        "nocase": "",
    },
}


def _run(script: str) -> None:
    for statement in script.split(";"):
        if statement.strip():
            op.execute(statement)


def _adopt_legacy_sqlite_file() -> bool:
    """A file from the sqlite-utils track: keep its tables and rows, hand its bookkeeping over to Alembic."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite" or "_sqlite_migrations" not in inspect(bind).get_table_names():
        return False
    applied = {row[0] for row in bind.exec_driver_sql("SELECT name FROM _sqlite_migrations")}
    missing = [name for name in LEGACY_TRACK if name not in applied]
    if missing:
        raise RuntimeError(
            f"This database was made by an older release (it lacks migration {missing[0]}): open it once with "
            "the release of November 2026, then with this one."
        )
    op.execute("DROP TABLE _sqlite_migrations")
    return True


def upgrade() -> None:
    if not _adopt_legacy_sqlite_file():
        _run(SCHEMA.format(**_TYPES[op.get_bind().dialect.name]))
    _run(RULE_INDEXES)
    if op.get_bind().dialect.name == "postgresql":
        # The change signal (intervision/database.py, Database.changes).
        op.execute("CREATE SEQUENCE intervision_changes")
