"""A mail round: write the reminders that have come due, deliver what is due in the outbox, and forget mails
that left it long ago.

The app runs a round every half minute, and at once when a page queues a mail (app.py); `python -m
intervision.mail` runs one from cron or by hand. Each reminder writer queues with a dedupe key, so a round
that runs twice, or in two processes at once, writes each reminder once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from intervision.database import Database
from intervision.mail.outbox import DeliveryRound, deliver_due_mail, forget_old_mail

log = logging.getLogger("intervision.mail")

ReminderWriter = Callable[[Database, datetime], int]


def reminder_writers() -> list[ReminderWriter]:
    """Every kind of reminder a round looks for; each returns how many mails it queued."""
    # Imported here: the features import the mail package, so the package cannot import them at the top.
    from intervision.reminders import write_action_item_reminders, write_follow_up_questions, write_survey_reminders
    from intervision.session_calendar import write_session_reminders
    from intervision.surveys import close_waves_past_their_date

    return [
        write_session_reminders,
        write_survey_reminders,
        close_waves_past_their_date,  # after the reminders: a wave past its date is closed, no mail
        write_action_item_reminders,
        write_follow_up_questions,
    ]


def mail_round(database: Database, now: datetime | None = None) -> DeliveryRound:
    now = now or database.clock.now()
    for write in reminder_writers():
        try:
            write(database, now)
        except Exception:  # noqa: BLE001 - one kind of reminder failing must not stop the others or delivery
            log.exception("Writing reminders failed: %s", getattr(write, "__name__", write))
    done = deliver_due_mail(database, now)
    forget_old_mail(database, now)
    from intervision.account_mail import forget_addresses_of_old_invitations  # see reminder_writers

    forget_addresses_of_old_invitations(database, now)
    return done
