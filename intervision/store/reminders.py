"""What the reminder mails need to know: who to write to, in which language, and what has come due.

Nothing here reads a text a group keeps confidential: no case title or text, no action item's text, no
answer. A reminder needs only who, which group, and when.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel

from intervision.database import Unit
from intervision.models import CaseStatus, GroupRole, Language, MeetingStatus
from intervision.store._sql import _iso, _moment

# The reader's own language, else the language their group speaks.
_RECIPIENT = (
    "p.id AS person_id, p.name, p.email, coalesce(p.language, g.language) AS language,"
    " g.id AS group_id, g.name AS group_name"
)


class Recipient(BaseModel):
    """Someone in a group to mail, in their language."""

    person_id: int
    name: str
    email: str
    language: Language
    group_id: int
    group_name: str


class ClosingWave(BaseModel):
    """An open survey wave with a planned closing moment."""

    id: int
    group_id: int
    opened_at: datetime
    closes_at: datetime


class DueActionItem(BaseModel):
    """A confirmed action item that is not done yet, without its text: only whose it is and when it is due."""

    id: int
    due_date: date
    owner: Recipient


class PlannedSession(BaseModel):
    id: int
    group_id: int
    starts_at: datetime


class FollowUpWaiting(BaseModel):
    """A discussed case still waiting for its follow-up, without its title: only its number and its bringer."""

    case_id: int
    bringer: Recipient


def recipients_in_group(db: Unit, group_id: int, roles: tuple[GroupRole, ...]) -> list[Recipient]:
    """The group's current people in these group roles, by name."""
    marks = ", ".join("?" for _ in roles)
    rows = db.execute(
        f"SELECT {_RECIPIENT} FROM memberships m JOIN people p ON p.id = m.person_id JOIN groups g ON g.id = m.group_id"
        f" WHERE m.group_id = ? AND m.group_role IN ({marks}) ORDER BY lower(p.name), p.id",
        [group_id, *(role.value for role in roles)],
    )
    return [Recipient(**dict(row)) for row in rows]


def members_yet_to_answer(db: Unit, wave_id: int) -> list[Recipient]:
    """The wave's group's members who have not answered it (a response with at least one answer counts)."""
    rows = db.execute(
        f"SELECT {_RECIPIENT} FROM survey_waves w JOIN groups g ON g.id = w.group_id"
        " JOIN memberships m ON m.group_id = w.group_id AND m.group_role = ?"
        " JOIN people p ON p.id = m.person_id"
        " WHERE w.id = ? AND NOT EXISTS (SELECT 1 FROM survey_responses r JOIN survey_answers a"
        " ON a.response_id = r.id WHERE r.wave_id = w.id AND r.person_id = p.id AND a.value IS NOT NULL)"
        " ORDER BY lower(p.name), p.id",
        [GroupRole.MEMBER.value, wave_id],
    )
    return [Recipient(**dict(row)) for row in rows]


def open_waves_closing_by(db: Unit, moment: datetime) -> list[ClosingWave]:
    """Open waves whose planned closing moment is at or before `moment` (those past it included)."""
    rows = db.execute(
        "SELECT id, group_id, opened_at, closes_at FROM survey_waves"
        " WHERE closed_at IS NULL AND closes_at IS NOT NULL AND closes_at <= ? ORDER BY closes_at, id",
        [_iso(moment)],
    )
    return [
        ClosingWave(
            id=row["id"],
            group_id=row["group_id"],
            opened_at=_moment(row["opened_at"]),
            closes_at=_moment(row["closes_at"]),
        )
        for row in rows
    ]


def action_items_due_between(db: Unit, first: date, last: date) -> list[DueActionItem]:
    """Confirmed, not done action items due from `first` to `last`, whose owner is still in the group."""
    rows = db.execute(
        f"SELECT a.id, a.due_date, {_RECIPIENT} FROM action_items a"
        " JOIN people p ON p.id = a.owner_id JOIN groups g ON g.id = a.group_id"
        " JOIN memberships m ON m.group_id = a.group_id AND m.person_id = a.owner_id"
        " WHERE a.confirmed = 1 AND a.done = 0 AND a.due_date >= ? AND a.due_date <= ? ORDER BY a.due_date, a.id",
        [first.isoformat(), last.isoformat()],
    )
    found = []
    for row in rows:
        values = dict(row)
        item_id, due = values.pop("id"), values.pop("due_date")
        found.append(DueActionItem(id=item_id, due_date=date.fromisoformat(str(due)), owner=Recipient(**values)))
    return found


def sessions_planned_between(db: Unit, start: datetime, end: datetime) -> list[PlannedSession]:
    rows = db.execute(
        "SELECT id, group_id, starts_at FROM meetings WHERE status = ? AND starts_at >= ? AND starts_at <= ?"
        " ORDER BY starts_at, id",
        [MeetingStatus.PLANNED.value, _iso(start), _iso(end)],
    )
    return [PlannedSession(id=row["id"], group_id=row["group_id"], starts_at=_moment(row["starts_at"])) for row in rows]


def follow_ups_waiting_in_group(db: Unit, group_id: int) -> list[FollowUpWaiting]:
    """The group's discussed cases whose bringer, still in the group, has not told how it went."""
    rows = db.execute(
        f"SELECT c.id AS case_id, {_RECIPIENT} FROM cases c JOIN people p ON p.id = c.author_id"
        " JOIN groups g ON g.id = c.group_id"
        " JOIN memberships m ON m.group_id = c.group_id AND m.person_id = c.author_id"
        " WHERE c.group_id = ? AND c.status = ? AND c.erased_at IS NULL ORDER BY c.discussed_at, c.id",
        [group_id, CaseStatus.DISCUSSED.value],
    )
    found = []
    for row in rows:
        values = dict(row)
        case_id = values.pop("case_id")
        found.append(FollowUpWaiting(case_id=case_id, bringer=Recipient(**values)))
    return found
