"""A change stamp per live session: the number its live screens listen to.

Revision ID: 0005_live_change_stamp
Revises: 0004_speaking_rounds

Every write about a session (a board item, a helpful mark, presence, a phase move, a rating…) advances
`change_stamp` in the same unit of work, so a screen that rendered stamp n knows it is behind when it hears
n+1. It is kept apart from `revision`, which guards the console's controls against double clicks: a phone's
question must not make the console say "the session moved on".
"""

from __future__ import annotations

from alembic import op

revision = "0005_live_change_stamp"
down_revision = "0004_speaking_rounds"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN with a constant default: both engines fill existing rows without rewriting the table.
    op.execute("ALTER TABLE live_sessions ADD COLUMN change_stamp INTEGER NOT NULL DEFAULT 0")


def downgrade() -> None:
    op.execute("ALTER TABLE live_sessions DROP COLUMN change_stamp")
