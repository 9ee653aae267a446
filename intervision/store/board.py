"""The board's history and dots: what the facilitator changed on the board, and the dots members gave.

Nothing here deletes a board item: an edit keeps the earlier wording, a removal or a merge sets the item
aside, and each change is a row in `board_changes`. Every function that writes takes the session's id and
touches only that session's rows, so an id from another session changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel

from intervision.database import Unit
from intervision.models import BoardChange, BoardChangeAction, SetAsideBoardItem
from intervision.store._sql import _iso


@dataclass(frozen=True)
class BoardItemState:
    """What the engine checks before it changes an item: its session, kind and where it stands."""

    id: int
    kind: str
    text: str
    helpful: bool
    hidden: bool
    set_aside: bool  # removed or merged into another: off every screen


def board_item_state(db: Unit, session_id: int, item_id: int) -> BoardItemState | None:
    """The item, if it belongs to this session; None for an item of any other session."""
    row = db.execute(
        "SELECT id, kind, text, helpful, hidden, removed_at IS NOT NULL OR merged_into IS NOT NULL AS set_aside"
        " FROM board_items WHERE id = ? AND live_session_id = ?",
        [item_id, session_id],
    ).fetchone()
    if row is None:
        return None
    return BoardItemState(row[0], row[1], row[2], bool(row[3]), bool(row[4]), bool(row[5]))


def _record(
    db: Unit,
    session_id: int,
    item_id: int,
    actor_id: int | None,
    action: BoardChangeAction,
    now: datetime,
    earlier_text: str | None = None,
    other_item_id: int | None = None,
) -> None:
    db.execute(
        "INSERT INTO board_changes (live_session_id, board_item_id, actor_id, action, earlier_text, other_item_id, at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [session_id, item_id, actor_id, BoardChangeAction(action).value, earlier_text, other_item_id, _iso(now)],
    )


# --- the facilitator's changes (each one also a line in the history) --------------------------------------


def edit_board_item(db: Unit, session_id: int, item_id: int, text: str, actor_id: int | None, now: datetime) -> bool:
    """New wording for an item on the board; the earlier one goes into the history. False when nothing changed."""
    row = db.execute(
        "SELECT text FROM board_items WHERE id = ? AND live_session_id = ?", [item_id, session_id]
    ).fetchone()
    if row is None or row[0] == text:
        return False
    db.execute("UPDATE board_items SET text = ? WHERE id = ? AND live_session_id = ?", [text, item_id, session_id])
    _record(db, session_id, item_id, actor_id, BoardChangeAction.EDITED, now, earlier_text=row[0])
    return True


def set_board_item_hidden(
    db: Unit, session_id: int, item_id: int, hidden: bool, actor_id: int | None, now: datetime
) -> bool:
    """Hide an item (the console alone still shows it) or reveal it again; False when it already was."""
    cursor = db.execute(
        "UPDATE board_items SET hidden = ? WHERE id = ? AND live_session_id = ? AND hidden != ?",
        [int(hidden), item_id, session_id, int(hidden)],
    )
    if cursor.rowcount == 0:
        return False
    action = BoardChangeAction.HIDDEN if hidden else BoardChangeAction.REVEALED
    _record(db, session_id, item_id, actor_id, action, now)
    return True


def remove_board_item(db: Unit, session_id: int, item_id: int, actor_id: int | None, now: datetime) -> bool:
    """Take an item off every screen; it stays in the history. Its dots go back to those who gave them."""
    cursor = db.execute(
        "UPDATE board_items SET removed_at = ? WHERE id = ? AND live_session_id = ?"
        " AND removed_at IS NULL AND merged_into IS NULL",
        [_iso(now), item_id, session_id],
    )
    if cursor.rowcount == 0:
        return False
    db.execute("DELETE FROM board_dots WHERE board_item_id = ? AND live_session_id = ?", [item_id, session_id])
    _record(db, session_id, item_id, actor_id, BoardChangeAction.REMOVED, now)
    return True


def merge_board_items(
    db: Unit, session_id: int, kept_id: int, folded_ids: list[int], actor_id: int | None, now: datetime
) -> None:
    """Fold items into the one kept: they leave the board but stay in the history; the kept item is marked as
    having helped when any of them was, and takes over their dots. The engine checks the ids first."""
    for folded_id in folded_ids:
        db.execute(
            "UPDATE board_items SET merged_into = ? WHERE id = ? AND live_session_id = ?",
            [kept_id, folded_id, session_id],
        )
        db.execute(
            "UPDATE board_dots SET board_item_id = ? WHERE board_item_id = ? AND live_session_id = ?",
            [kept_id, folded_id, session_id],
        )
        _record(db, session_id, folded_id, actor_id, BoardChangeAction.MERGED, now, other_item_id=kept_id)
    marks = ", ".join("?" for _ in folded_ids)
    db.execute(
        f"UPDATE board_items SET helpful = 1 WHERE id = ? AND live_session_id = ? AND EXISTS (SELECT 1 FROM"
        f" board_items f WHERE f.id IN ({marks}) AND f.live_session_id = ? AND f.helpful = 1)",
        [kept_id, session_id, *folded_ids, session_id],
    )


def restore_board_item(db: Unit, session_id: int, item_id: int, actor_id: int | None, now: datetime) -> bool:
    """Bring a removed or merged item back onto the board (hidden stays hidden); False when it was not set aside.

    Dots a merge handed on stay where they went: they were given to the item that was kept.
    """
    cursor = db.execute(
        "UPDATE board_items SET removed_at = NULL, merged_into = NULL WHERE id = ? AND live_session_id = ?"
        " AND (removed_at IS NOT NULL OR merged_into IS NOT NULL)",
        [item_id, session_id],
    )
    if cursor.rowcount == 0:
        return False
    _record(db, session_id, item_id, actor_id, BoardChangeAction.RESTORED, now)
    return True


# --- what the facilitator reads back ---------------------------------------------------------------------


def set_aside_board_items(db: Unit, session_id: int) -> list[SetAsideBoardItem]:
    rows = db.execute(
        "SELECT b.id, b.kind, b.text, coalesce(p.name, '') AS author, b.removed_at, b.merged_into"
        " FROM board_items b LEFT JOIN people p ON p.id = b.author_id"
        " WHERE b.live_session_id = ? AND (b.removed_at IS NOT NULL OR b.merged_into IS NOT NULL) ORDER BY b.id",
        [session_id],
    )
    return [SetAsideBoardItem(**dict(row)) for row in rows]


def board_changes(db: Unit, session_id: int) -> list[BoardChange]:
    rows = db.execute(
        "SELECT c.id, c.board_item_id AS item_id, c.action, coalesce(p.name, '') AS actor, c.earlier_text,"
        " c.other_item_id, c.at FROM board_changes c LEFT JOIN people p ON p.id = c.actor_id"
        " WHERE c.live_session_id = ? ORDER BY c.id",
        [session_id],
    )
    return [BoardChange(**dict(row)) for row in rows]


# --- dots ------------------------------------------------------------------------------------------------


def dots_given(db: Unit, session_id: int, person_id: int, phase_index: int) -> dict[int, int]:
    """Per item, how many dots this person gave in this phase."""
    rows = db.execute(
        "SELECT board_item_id, count(*) FROM board_dots WHERE live_session_id = ? AND person_id = ?"
        " AND phase_index = ? GROUP BY board_item_id",
        [session_id, person_id, phase_index],
    )
    return {row[0]: row[1] for row in rows}


def give_dot(db: Unit, session_id: int, item_id: int, person_id: int, phase_index: int, now: datetime) -> None:
    db.execute(
        "INSERT INTO board_dots (live_session_id, board_item_id, person_id, phase_index, given_at)"
        " VALUES (?, ?, ?, ?, ?)",
        [session_id, item_id, person_id, phase_index, _iso(now)],
    )


def take_back_dot(db: Unit, session_id: int, item_id: int, person_id: int, phase_index: int) -> bool:
    """Take back one of this person's dots on the item given in this phase; False when there was none."""
    cursor = db.execute(
        "DELETE FROM board_dots WHERE id = (SELECT max(id) FROM board_dots WHERE live_session_id = ?"
        " AND board_item_id = ? AND person_id = ? AND phase_index = ?)",
        [session_id, item_id, person_id, phase_index],
    )
    return cursor.rowcount == 1


# --- one person's part, for their data export ---------------------------------------------------------------


class PersonalDot(BaseModel):
    live_session_id: int
    board_item_id: int
    phase_index: int
    given_at: datetime


class PersonalBoardChange(BaseModel):
    live_session_id: int
    board_item_id: int
    action: BoardChangeAction
    earlier_text: str | None
    at: datetime


def personal_board_dots(db: Unit, person_id: int) -> list[PersonalDot]:
    rows = db.execute(
        "SELECT live_session_id, board_item_id, phase_index, given_at FROM board_dots WHERE person_id = ? ORDER BY id",
        [person_id],
    )
    return [PersonalDot(**dict(row)) for row in rows]


def personal_board_changes(db: Unit, person_id: int) -> list[PersonalBoardChange]:
    """The changes this person (as a facilitator) made to boards."""
    rows = db.execute(
        "SELECT live_session_id, board_item_id, action, earlier_text, at FROM board_changes WHERE actor_id = ?"
        " ORDER BY id",
        [person_id],
    )
    return [PersonalBoardChange(**dict(row)) for row in rows]
