"""Sessions in people's calendars: a change count per meeting, and a secret feed address per group.

Revision ID: 0014_calendar
Revises: 0013_mail

`meetings.sequence` goes up by one each time a planned meeting is moved or cancelled: a calendar program
replaces its copy of an invitation only by one with a higher SEQUENCE (RFC 5545), so the count has to live
with the meeting, not be worked out afresh.

`calendar_feeds` holds each group's feed address: the token (shown to the group's members and facilitators
on the group's page) and its SHA-256 digest, by which a request is looked up, so that how long a lookup
takes says nothing about how much of a guessed token was right. Renewing replaces the row: the old address
answers 404 from then on.
"""

from __future__ import annotations

from alembic import op

revision = "0014_calendar"
down_revision = "0013_mail"
branch_labels = None
depends_on = None

SCHEMA = """
ALTER TABLE meetings ADD COLUMN sequence INTEGER NOT NULL DEFAULT 0;
CREATE TABLE calendar_feeds (
    group_id INTEGER PRIMARY KEY REFERENCES groups(id) ON DELETE CASCADE,
    token TEXT NOT NULL,
    token_digest TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
)
"""


def upgrade() -> None:
    for statement in SCHEMA.split(";"):
        if statement.strip():
            op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TABLE calendar_feeds")
    op.execute("ALTER TABLE meetings DROP COLUMN sequence")
