"""Indexes for reading (and erasing) one person's rows: their data export, and removing an account.

Revision ID: 0002_person_indexes
Revises: 0001_schema

The profile page's "download my data" read each table by the person's column, and on the large data set
(bench/large.db) each of these was a scan of the whole table (board items, attendance, survey responses,
sessions, action items, the audit log). On PostgreSQL a foreign key's referencing column has no index of
its own either, so deleting a person scanned every table that points at people.
"""

from __future__ import annotations

from alembic import op

revision = "0002_person_indexes"
down_revision = "0001_schema"
branch_labels = None
depends_on = None

# (index, table, column): the same on both engines.
INDEXES = (
    ("attendance_by_person", "attendance", "person_id"),
    ("board_items_by_author", "board_items", "author_id"),
    ("action_items_by_owner", "action_items", "owner_id"),
    ("audit_log_by_actor", "audit_log", "actor_id"),
    ("audit_log_by_subject", "audit_log", "subject"),
    ("live_sessions_by_facilitator", "live_sessions", "facilitator_id"),
    ("survey_waves_by_opener", "survey_waves", "opened_by"),
    ("survey_responses_by_person", "survey_responses", "person_id"),
    ("session_roles_by_person", "session_roles", "person_id"),
    ("session_presence_by_person", "session_presence", "person_id"),
    ("session_ratings_by_person", "session_ratings", "person_id"),
    ("case_votes_by_voter", "case_votes", "voter_id"),
    ("invitations_by_creator", "invitations", "created_by"),
    ("goals_by_creator", "goals", "created_by"),
)


def upgrade() -> None:
    for name, table, column in INDEXES:
        op.execute(f"CREATE INDEX {name} ON {table}({column})")


def downgrade() -> None:
    for name, _, _ in INDEXES:
        op.execute(f"DROP INDEX {name}")
