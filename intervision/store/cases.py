"""Cases: the intake, the queue, votes, discussion and follow-up, and erasing texts after the retention."""

from __future__ import annotations

import json
from datetime import datetime

from intervision.database import Unit
from intervision.errors import Missing
from intervision.models import (
    CASE_TEXT_FIELDS,
    Case,
    CaseCount,
    CaseStatus,
    Urgency,
)
from intervision.store._sql import UNCHANGED, _iso, _Unchanged

_CASE_SELECT = (
    "SELECT c.*, g.name AS group_name, coalesce(p.name, '') AS author, m.starts_at AS meeting_starts_at"
    " FROM cases c JOIN groups g ON g.id = c.group_id LEFT JOIN people p ON p.id = c.author_id"
    " LEFT JOIN meetings m ON m.id = c.meeting_id"
)
_CASE_VALUE_COLUMNS = (
    "title",
    "situation",
    "involved",
    "own_role",
    "evoked",
    "learning_question",
    "question_type",
    "wants",
    "tried",
    "urgency",
    "preferred_method",
    "anonymised",
)


def _case_values(values: dict) -> dict:
    row = {column: values.get(column) for column in _CASE_VALUE_COLUMNS}
    row["wants"] = json.dumps([str(want) for want in values.get("wants") or []])
    row["anonymised"] = int(bool(values.get("anonymised")))
    row["urgency"] = str(values.get("urgency") or Urgency.NORMAL.value)
    for column in ("title", "situation", "involved", "own_role", "evoked", "learning_question", "tried"):
        row[column] = row[column] or ""
    return row


def case(db: Unit, case_id: int) -> Case | None:
    row = db.execute(f"{_CASE_SELECT} WHERE c.id = ?", [case_id]).fetchone()
    return Case.from_row(dict(row)) if row else None


def draft_case_id(db: Unit, author_id: int) -> int | None:
    row = db.execute(
        "SELECT id FROM cases WHERE author_id = ? AND status = ? ORDER BY id DESC LIMIT 1",
        [author_id, CaseStatus.DRAFT.value],
    ).fetchone()
    return row[0] if row else None


def add_case(db: Unit, group_id: int, author_id: int, status: CaseStatus, values: dict, now: datetime) -> int:
    row = _case_values(values) | {
        "group_id": group_id,
        "author_id": author_id,
        "status": status.value,
        "created_at": _iso(now),
        "submitted_at": _iso(now) if status is CaseStatus.SUBMITTED else None,
    }
    names = ", ".join(row)
    marks = ", ".join("?" for _ in row)
    return db.execute(f"INSERT INTO cases ({names}) VALUES ({marks}) RETURNING id", list(row.values())).scalar()


def update_case_values(db: Unit, case_id: int, group_id: int, values: dict) -> None:
    """Write the intake's fields (only those of _CASE_VALUE_COLUMNS: other keys are never read)."""
    row = _case_values(values) | {"group_id": group_id}
    assignments = ", ".join(f"{name} = ?" for name in row)
    cursor = db.execute(f"UPDATE cases SET {assignments} WHERE id = ?", [*row.values(), case_id])
    if cursor.rowcount == 0:
        raise Missing(f"case {case_id}")


# The column that keeps the moment a case reached each status.
_STATUS_MOMENTS = {
    CaseStatus.SUBMITTED: "submitted_at",
    CaseStatus.CHOSEN: "chosen_at",
    CaseStatus.DISCUSSED: "discussed_at",
    CaseStatus.FOLLOWED_UP: "followed_up_at",
}


def set_case_status(
    db: Unit,
    case_id: int,
    status: CaseStatus,
    now: datetime,
    *,
    meeting_id: int | None | _Unchanged = UNCHANGED,
    method_id: str | None | _Unchanged = UNCHANGED,
    chosen_advice: str | _Unchanged = UNCHANGED,
    follow_up: str | _Unchanged = UNCHANGED,
) -> None:
    """Move a case on; the moment is kept in the column that belongs to the new status. What goes with the
    step (the meeting it is chosen for, the method and advice of its discussion, the follow-up) is written
    when given. Raises Missing when the case is gone."""
    columns: dict[str, object] = {"status": status.value}
    if status in _STATUS_MOMENTS:
        columns[_STATUS_MOMENTS[status]] = _iso(now)
    given = {"meeting_id": meeting_id, "method_id": method_id, "chosen_advice": chosen_advice, "follow_up": follow_up}
    columns |= {name: value for name, value in given.items() if value is not UNCHANGED}
    assignments = ", ".join(f"{name} = ?" for name in columns)
    cursor = db.execute(f"UPDATE cases SET {assignments} WHERE id = ?", [*columns.values(), case_id])
    if cursor.rowcount == 0:
        raise Missing(f"case {case_id}")


def delete_case(db: Unit, case_id: int) -> None:
    db.execute("DELETE FROM cases WHERE id = ?", [case_id])


def cases_of_group(db: Unit, group_id: int, statuses: tuple[CaseStatus, ...]) -> list[Case]:
    marks = ", ".join("?" for _ in statuses)
    rows = db.execute(
        f"{_CASE_SELECT} WHERE c.group_id = ? AND c.status IN ({marks})"
        " ORDER BY coalesce(c.discussed_at, c.submitted_at, c.created_at) DESC",
        [group_id, *[status.value for status in statuses]],
    )
    return [Case.from_row(dict(row)) for row in rows]


def cases_of_author(db: Unit, author_id: int) -> list[Case]:
    rows = db.execute(
        f"{_CASE_SELECT} WHERE c.author_id = ? AND c.status != ? ORDER BY c.created_at DESC",
        [author_id, CaseStatus.DRAFT.value],
    )
    return [Case.from_row(dict(row)) for row in rows]


def last_discussed_by_author(db: Unit, group_id: int) -> dict[int, datetime]:
    """When each member of a group last had a case discussed there."""
    rows = db.execute(
        "SELECT author_id, max(discussed_at) FROM cases WHERE group_id = ? AND discussed_at IS NOT NULL"
        " GROUP BY author_id",
        [group_id],
    )
    return {row[0]: datetime.fromisoformat(row[1]) for row in rows if row[0] is not None}


def add_case_vote(db: Unit, group_id: int, voter_id: int, round_id: int, case_id: int, now: datetime) -> None:
    db.execute(
        "INSERT INTO case_votes (group_id, voter_id, round, case_id, cast_at) VALUES (?, ?, ?, ?, ?)",
        [group_id, voter_id, round_id, case_id, _iso(now)],
    )


def drop_case_votes(db: Unit, case_id: int) -> None:
    db.execute("DELETE FROM case_votes WHERE case_id = ?", [case_id])


def case_vote_of(db: Unit, group_id: int, voter_id: int, round_id: int) -> int | None:
    row = db.execute(
        "SELECT case_id FROM case_votes WHERE group_id = ? AND voter_id = ? AND round = ?",
        [group_id, voter_id, round_id],
    ).fetchone()
    return row[0] if row else None


def case_vote_counts(db: Unit, group_id: int, round_id: int) -> dict[int, int]:
    rows = db.execute(
        "SELECT case_id, count(*) FROM case_votes WHERE group_id = ? AND round = ? GROUP BY case_id",
        [group_id, round_id],
    )
    return {row[0]: row[1] for row in rows}


def case_counts(db: Unit, since: datetime, until: datetime) -> list[CaseCount]:
    """Per group: cases submitted, discussed and followed up in a period. Counts only, never texts."""
    rows = db.execute(
        "SELECT g.id AS group_id, g.name AS group_name,"
        " count(*) FILTER (WHERE c.submitted_at >= :since AND c.submitted_at < :until) AS submitted,"
        " count(*) FILTER (WHERE c.discussed_at >= :since AND c.discussed_at < :until) AS discussed,"
        " count(*) FILTER (WHERE c.followed_up_at >= :since AND c.followed_up_at < :until) AS followed_up"
        " FROM groups g LEFT JOIN cases c ON c.group_id = g.id AND c.status != :draft"
        " GROUP BY g.id ORDER BY lower(g.name)",
        {"since": _iso(since), "until": _iso(until), "draft": CaseStatus.DRAFT.value},
    )
    return [
        CaseCount(
            group_id=row["group_id"],
            group_name=row["group_name"],
            submitted=row["submitted"] or 0,
            discussed=row["discussed"] or 0,
            followed_up=row["followed_up"] or 0,
        )
        for row in rows
    ]


def erase_case_texts_discussed_before(db: Unit, moment: datetime, now: datetime) -> int:
    """Blank the texts of cases discussed before `moment`; their counts and dates stay. Returns how many."""
    blanks = ", ".join(f"{column} = ''" for column in CASE_TEXT_FIELDS)
    cursor = db.execute(
        f"UPDATE cases SET {blanks}, chosen_advice = '', follow_up = '', erased_at = ?"
        " WHERE discussed_at IS NOT NULL AND discussed_at < ? AND erased_at IS NULL",
        [_iso(now), _iso(moment)],
    )
    return cursor.rowcount


def set_case_retention(db: Unit, days: int | None) -> None:
    db.execute("UPDATE organisation SET case_retention_days = ?", [days])


def case_retention_days(db: Unit) -> int | None:
    row = db.execute("SELECT case_retention_days FROM organisation").fetchone()
    return row[0] if row else None


def cases_waiting_for_follow_up(db: Unit, author_id: int) -> list[Case]:
    rows = db.execute(f"{_CASE_SELECT} WHERE c.author_id = ? AND c.status = ?", [author_id, CaseStatus.DISCUSSED.value])
    return [Case.from_row(dict(row)) for row in rows]


def queue_sizes(db: Unit, group_ids: list[int]) -> dict[int, int]:
    if not group_ids:
        return {}
    marks = ", ".join("?" for _ in group_ids)
    rows = db.execute(
        f"SELECT group_id, count(*) FROM cases WHERE status = ? AND group_id IN ({marks}) GROUP BY group_id",
        [CaseStatus.SUBMITTED.value, *group_ids],
    )
    return {row[0]: row[1] for row in rows}
