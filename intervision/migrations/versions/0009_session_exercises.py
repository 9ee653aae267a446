"""The exercise a facilitator adds to a session's opening or closing, and whether the projector shows it.

Revision ID: 0009_session_exercises
Revises: 0008_learning_goals

One exercise per slot (opening, closing) of a session, kept with the session so a restart shows the same one.
It names an exercise of the library (`data/exercises/`) by id; it holds nothing about a person.
"""

from __future__ import annotations

from alembic import op

revision = "0009_session_exercises"
down_revision = "0008_learning_goals"
branch_labels = None
depends_on = None

SCHEMA = """
CREATE TABLE session_exercises (
    live_session_id INTEGER NOT NULL REFERENCES live_sessions(id) ON DELETE CASCADE,
    slot TEXT NOT NULL,
    exercise_id TEXT NOT NULL,
    shown INTEGER NOT NULL DEFAULT 1,
    added_at TEXT NOT NULL,
    PRIMARY KEY (live_session_id, slot)
)
"""


def upgrade() -> None:
    op.execute(SCHEMA)


def downgrade() -> None:
    op.execute("DROP TABLE session_exercises")
