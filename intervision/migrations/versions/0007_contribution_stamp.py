"""The part of a live session's change stamp that comes from what participants add to the board.

Revision ID: 0007_contribution_stamp
Revises: 0006_board_history

A question, a dot or a helpful mark advances `contribution_stamp` together with `change_stamp`. A screen that
hears a change can then tell a room sending questions (phones may draw their copy of the board a little later)
from the session moving on (every screen at once): with thirty rooms sending, redrawing every phone for every
question was more than one server process could do.
"""

from __future__ import annotations

from alembic import op

revision = "0007_contribution_stamp"
down_revision = "0006_board_history"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE live_sessions ADD COLUMN contribution_stamp INTEGER NOT NULL DEFAULT 0")


def downgrade() -> None:
    op.execute("ALTER TABLE live_sessions DROP COLUMN contribution_stamp")
