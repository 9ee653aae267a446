"""Reminders by mail: a survey wave's planned closing moment, and which session reports the facilitator shared.

Revision ID: 0016_reminder_mail
Revises: 0015_account_mail

`survey_waves.closes_at`: when a wave is planned to close. The reminder to those who have not answered goes
two days before it, and a mail round closes the wave once it has passed (intervision/reminders.py). Waves
opened before this revision have none: they stay open until a facilitator closes them, as before.

`action_items_by_due_date`: a round looks every half minute for action items coming due.

`shared_reports`: a session whose report its facilitator sent to the group. From then on the group's members
read it in the app (the mail only says it is ready); kept so that it survives a restart and is sent once.
"""

from __future__ import annotations

from alembic import op

revision = "0016_reminder_mail"
down_revision = "0015_account_mail"
branch_labels = None
depends_on = None

SCHEMA = """
ALTER TABLE survey_waves ADD COLUMN closes_at TEXT;
CREATE INDEX survey_waves_closing ON survey_waves(closed_at, closes_at);
CREATE INDEX action_items_by_due_date ON action_items(due_date);
CREATE TABLE shared_reports (
    live_session_id INTEGER PRIMARY KEY REFERENCES live_sessions(id) ON DELETE CASCADE,
    shared_by INTEGER REFERENCES people(id) ON DELETE SET NULL,
    shared_at TEXT NOT NULL
)
"""


def upgrade() -> None:
    for statement in SCHEMA.split(";"):
        if statement.strip():
            op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TABLE shared_reports")
    op.execute("DROP INDEX action_items_by_due_date")
    op.execute("DROP INDEX survey_waves_closing")
    op.execute("ALTER TABLE survey_waves DROP COLUMN closes_at")
