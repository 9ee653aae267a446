"""The mails that tell people something is waiting for them: a survey to answer, an action item coming due,
the follow-up of their case before the next session.

Each mail says only that something waits, in which group and until when, and links to where it is. It never
carries what a group keeps confidential: no survey answer, no case title or text, no action item's text.
A reminder about a survey says nothing about anyone else (who answered, how many).

Rules (chosen here, where the issue left them open):
- A survey wave plans its closing moment when it opens: the end of the day the facilitator chose, or
  `SURVEY_OPEN_DAYS` days on for a wave the group's schedule opened. A mail round closes it once that moment
  has passed (surveys.close_waves_past_their_date), so "open until" in the mail is true.
- The one survey reminder goes `SURVEY_REMINDER_BEFORE` the closing moment to the members who have not
  answered, but never within a day of the wave opening (they just got the mail that it opened).
- An action item's owner is reminded once, from `ACTION_ITEM_DAYS_AHEAD` days before its due date until the
  day itself (so an item made with less time left is reminded at once); only confirmed items, not done.
- A case bringer whose case waits for its follow-up is asked how it went once per planned session, from
  `FOLLOW_UP_BEFORE` before that session.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from intervision.database import Database, Unit
from intervision.i18n import day
from intervision.mail.compose import write_mail
from intervision.mail.models import MailKind
from intervision.mail.outbox import queue
from intervision.mail.settings import link
from intervision.models import GroupRole
from intervision.store import reminders as reminder_store
from intervision.store.reminders import Recipient

SURVEY_OPEN_DAYS = 14
SURVEY_REMINDER_BEFORE = timedelta(days=2)
SURVEY_REMINDER_NOT_BEFORE = timedelta(days=1)  # after the wave opened
ACTION_ITEM_DAYS_AHEAD = 2
FOLLOW_UP_BEFORE = timedelta(days=3)

# Where each mail links to (url paths of ui/registry.py's screens).
SURVEYS_PAGE = "surveys"
CASES_PAGE = "cases"  # "My cases", where a case bringer writes the follow-up
REPORTS_PAGE = "reports"  # the shared session reports and one's own action items


def closing_moment(last_day: date) -> datetime:
    """A wave open "until" a day closes at the end of that day, on the server's clock."""
    return datetime.combine(last_day + timedelta(days=1), time()).astimezone()


def last_open_day(closes_at: datetime) -> date:
    """The last day a wave closing at this moment is open (what a mail and the page say)."""
    return (closes_at - timedelta(seconds=1)).astimezone().date()


def _local_day(moment: datetime) -> date:
    return moment.astimezone().date()


def _queue_to(db: Unit, kind: MailKind, reader: Recipient, key: str, now: datetime, **params: object) -> bool:
    mail = write_mail(
        kind,
        reader.language,
        reader.email,
        name=reader.name,
        person_id=reader.person_id,
        group_id=reader.group_id,
        dedupe_key=f"{kind.value}:{key}:{reader.person_id}",
        group=reader.group_name,
        **params,
    )
    return queue(db, mail, now) is not None


# --- surveys -----------------------------------------------------------------------------------------


def announce_wave(db: Unit, wave_id: int, group_id: int, closes_at: datetime, now: datetime) -> int:
    """Tell every member of the group (those the surveys page asks to answer) that a wave opened, inside the
    transaction that opens it. Returns how many mails were queued."""
    sent = 0
    for reader in reminder_store.recipients_in_group(db, group_id, (GroupRole.MEMBER,)):
        closes = day(last_open_day(closes_at), reader.language)
        sent += _queue_to(db, MailKind.SURVEY_OPENED, reader, str(wave_id), now, closes=closes, link=link(SURVEYS_PAGE))
    return sent


def write_survey_reminders(database: Database, now: datetime) -> int:
    """The one reminder before a wave closes, to each member who has not answered it yet."""
    sent = 0
    with database.writing() as db:
        for wave in reminder_store.open_waves_closing_by(db, now + SURVEY_REMINDER_BEFORE):
            if wave.closes_at <= now or now - wave.opened_at < SURVEY_REMINDER_NOT_BEFORE:
                continue
            for reader in reminder_store.members_yet_to_answer(db, wave.id):
                closes = day(last_open_day(wave.closes_at), reader.language)
                sent += _queue_to(
                    db, MailKind.SURVEY_REMINDER, reader, str(wave.id), now, closes=closes, link=link(SURVEYS_PAGE)
                )
    return sent


# --- action items ------------------------------------------------------------------------------------


def write_action_item_reminders(database: Database, now: datetime) -> int:
    """Remind each owner once of a confirmed action item due within the next few days (never its text)."""
    today = _local_day(now)
    sent = 0
    with database.writing() as db:
        for item in reminder_store.action_items_due_between(db, today, today + timedelta(days=ACTION_ITEM_DAYS_AHEAD)):
            reader = item.owner
            sent += _queue_to(
                db,
                MailKind.ACTION_ITEM_REMINDER,
                reader,
                str(item.id),
                now,
                due=day(item.due_date, reader.language),
                link=link(REPORTS_PAGE),
            )
    return sent


# --- the follow-up question --------------------------------------------------------------------------


def write_follow_up_questions(database: Database, now: datetime) -> int:
    """Before a group's next planned session, ask each bringer of a case waiting for its follow-up how it went."""
    sent = 0
    with database.writing() as db:
        for session in reminder_store.sessions_planned_between(db, now, now + FOLLOW_UP_BEFORE):
            for waiting in reminder_store.follow_ups_waiting_in_group(db, session.group_id):
                reader = waiting.bringer
                sent += _queue_to(
                    db,
                    MailKind.FOLLOW_UP_QUESTION,
                    reader,
                    f"{waiting.case_id}:{session.id}",
                    now,
                    session=day(_local_day(session.starts_at), reader.language),
                    link=link(CASES_PAGE),
                )
    return sent
