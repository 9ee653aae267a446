"""A group's language: what the projector speaks in its sessions, whatever browser the beamer runs.

Revision ID: 0003_group_language
Revises: 0002_person_indexes

Until now the projector followed the beamer browser's language, so a Dutch group in a room whose laptop was
set to English saw its phases in English. Existing groups get Dutch, the language the app was made for.
"""

from __future__ import annotations

from alembic import op

revision = "0003_group_language"
down_revision = "0002_person_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN with a constant default: both engines fill existing rows without rewriting the table.
    op.execute("ALTER TABLE groups ADD COLUMN language TEXT NOT NULL DEFAULT 'nl' CHECK (language IN ('nl', 'en'))")


def downgrade() -> None:
    op.execute("ALTER TABLE groups DROP COLUMN language")
