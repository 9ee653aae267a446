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

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from intervision.database import Database, Unit
from intervision.i18n import day
from intervision.mail.compose import write_mail
from intervision.mail.models import MailKind
from intervision.mail.outbox import queue, wanting
from intervision.mail.settings import link
from intervision.models import GroupRole
from intervision.store import mail as outbox_store
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


@dataclass(frozen=True)
class _Letter:
    """A reminder to write: its kind, its reader, what makes it unique, and its placeholders."""

    kind: MailKind
    reader: Recipient
    about: str  # with the kind and the reader, the dedupe key: the same reminder is written once
    params: dict[str, object]

    @property
    def dedupe_key(self) -> str:
        return f"{self.kind.value}:{self.about}:{self.reader.person_id}"


def _queue(db: Unit, letter: _Letter, now: datetime) -> bool:
    reader = letter.reader
    mail = write_mail(
        letter.kind,
        reader.language,
        reader.email,
        name=reader.name,
        person_id=reader.person_id,
        group_id=reader.group_id,
        dedupe_key=letter.dedupe_key,
        group=reader.group_name,
        **letter.params,
    )
    return queue(db, mail, now) is not None


def _write_new(database: Database, letters: list[_Letter], now: datetime) -> int:
    """Queue the reminders not written before. A round runs every half minute: it takes the write lock only
    when a reminder is new, not for each one it already wrote."""
    with database.reading() as db:
        # Not written before, and wanted: a reader who turned this kind off is not asked again each round.
        new = [
            letter
            for letter in letters
            if not outbox_store.is_queued_before(db, letter.dedupe_key)
            and wanting(db, letter.kind, [letter.reader.person_id])
        ]
    if not new:
        return 0
    with database.writing() as db:
        return sum(_queue(db, letter, now) for letter in new)


# --- surveys -----------------------------------------------------------------------------------------


def announce_wave(db: Unit, wave_id: int, group_id: int, closes_at: datetime, now: datetime) -> int:
    """Tell every member of the group (those the surveys page asks to answer) that a wave opened, inside the
    transaction that opens it. Returns how many mails were queued."""
    return sum(
        _queue(db, _survey_letter(MailKind.SURVEY_OPENED, reader, wave_id, closes_at), now)
        for reader in reminder_store.recipients_in_group(db, group_id, (GroupRole.MEMBER,))
    )


def _survey_letter(kind: MailKind, reader: Recipient, wave_id: int, closes_at: datetime) -> _Letter:
    closes = day(last_open_day(closes_at), reader.language)
    return _Letter(kind, reader, str(wave_id), {"closes": closes, "link": link(SURVEYS_PAGE)})


def write_survey_reminders(database: Database, now: datetime) -> int:
    """The one reminder before a wave closes, to each member who has not answered it yet."""
    with database.reading() as db:
        letters = [
            _survey_letter(MailKind.SURVEY_REMINDER, reader, wave.id, wave.closes_at)
            for wave in reminder_store.open_waves_closing_by(db, now + SURVEY_REMINDER_BEFORE)
            if wave.closes_at > now and now - wave.opened_at >= SURVEY_REMINDER_NOT_BEFORE
            for reader in reminder_store.members_yet_to_answer(db, wave.id)
        ]
    return _write_new(database, letters, now)


# --- action items ------------------------------------------------------------------------------------


def write_action_item_reminders(database: Database, now: datetime) -> int:
    """Remind each owner once of a confirmed action item due within the next few days (never its text)."""
    today = _local_day(now)
    with database.reading() as db:
        due = reminder_store.action_items_due_between(db, today, today + timedelta(days=ACTION_ITEM_DAYS_AHEAD))
    letters = [
        _Letter(
            MailKind.ACTION_ITEM_REMINDER,
            item.owner,
            str(item.id),
            {"due": day(item.due_date, item.owner.language), "link": link(REPORTS_PAGE)},
        )
        for item in due
    ]
    return _write_new(database, letters, now)


# --- the follow-up question --------------------------------------------------------------------------


def write_follow_up_questions(database: Database, now: datetime) -> int:
    """Before a group's next planned session, ask each bringer of a case waiting for its follow-up how it went."""
    with database.reading() as db:
        letters = [
            _Letter(
                MailKind.FOLLOW_UP_QUESTION,
                waiting.bringer,
                f"{waiting.case_id}:{session.id}",
                {"session": day(_local_day(session.starts_at), waiting.bringer.language), "link": link(CASES_PAGE)},
            )
            for session in reminder_store.sessions_planned_between(db, now, now + FOLLOW_UP_BEFORE)
            for waiting in reminder_store.follow_ups_waiting_in_group(db, session.group_id)
        ]
    return _write_new(database, letters, now)
