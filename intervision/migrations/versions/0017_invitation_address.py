"""The address an invitation was mailed to, so that who sent it sees whom each code went to.

Revision ID: 0017_invitation_address
Revises: 0016_reminder_mail

`invitations.mailed_to`: set for the single-use invitations that "Invite by e-mail" makes, NULL for a code
made to share by hand. A mail round empties it 90 days after the invitation expired, as it deletes old mails
(intervision/account_mail.py): the address of someone who never joined is kept no longer than the mail was.
"""

from __future__ import annotations

from alembic import op

revision = "0017_invitation_address"
down_revision = "0016_reminder_mail"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE invitations ADD COLUMN mailed_to TEXT")


def downgrade() -> None:
    op.execute("ALTER TABLE invitations DROP COLUMN mailed_to")
