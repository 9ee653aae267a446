"""Keeping the board tidy during a session, and the dots members give to advice.

The facilitator (or a co-facilitator of the group) edits, hides and reveals, merges, removes and restores
board items; nothing is deleted: each change is kept in the session's board history with who made it and
when. Members give dots to advice in a phase whose method asks for a choice (`dots = N` on the phase), at
most N each in that phase; the screens show how many dots an item has, never who gave them.

Writes, one transaction each, through these store functions only: edit_board_item, set_board_item_hidden,
merge_board_items, remove_board_item, restore_board_item, give_dot, take_back_dot; each that changes
something advances the session's change stamp in the same unit, so that the room's screens redraw.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from intervision import store
from intervision.database import Database, Unit
from intervision.errors import DomainError
from intervision.live import SessionView, _session_and_method, _session_for
from intervision.methods import DOTTED_KINDS
from intervision.models import (
    BoardChange,
    BoardEditInput,
    GroupRole,
    LiveSession,
    Person,
    SessionRole,
    SessionStatus,
    SetAsideBoardItem,
)
from intervision.permissions import Action

# --- the facilitator's changes ---------------------------------------------------------------------------


def _item_on_board(db: Unit, session_id: int, item_id: int) -> store.BoardItemState:
    """The item, if it is on this session's board now (shown or hidden); an item of another session, or one
    already removed or merged, is not found."""
    item = store.board_item_state(db, session_id, item_id)
    if item is None or item.set_aside:
        raise DomainError("board_item_not_found")
    return item


def edit_item(
    database: Database, viewer: Person, session_id: int, item_id: int, form: BoardEditInput, now: datetime | None = None
) -> None:
    """Correct a typo or shorten an item; the earlier wording stays in the history."""
    now = now or database.clock.now()
    with database.writing() as db:
        session = _session_for(db, viewer, session_id, Action.RUN_SESSION)
        _item_on_board(db, session.id, item_id)
        if store.edit_board_item(db, session.id, item_id, form.text, viewer.id, now):
            store.session_changed(db, session.id)


def hide_item(
    database: Database, viewer: Person, session_id: int, item_id: int, hidden: bool, now: datetime | None = None
) -> None:
    """Hide an item from the projector and the phones (the console still shows it), or reveal it again."""
    now = now or database.clock.now()
    with database.writing() as db:
        session = _session_for(db, viewer, session_id, Action.RUN_SESSION)
        _item_on_board(db, session.id, item_id)
        if store.set_board_item_hidden(db, session.id, item_id, hidden, viewer.id, now):
            store.session_changed(db, session.id)


def remove_item(database: Database, viewer: Person, session_id: int, item_id: int, now: datetime | None = None) -> None:
    """Take an item off every screen; the history keeps it, and the facilitator can restore it from there."""
    now = now or database.clock.now()
    with database.writing() as db:
        session = _session_for(db, viewer, session_id, Action.RUN_SESSION)
        _item_on_board(db, session.id, item_id)
        if store.remove_board_item(db, session.id, item_id, viewer.id, now):
            store.session_changed(db, session.id)


def restore_item(
    database: Database, viewer: Person, session_id: int, item_id: int, now: datetime | None = None
) -> None:
    """Bring a removed or merged item back onto the board."""
    now = now or database.clock.now()
    with database.writing() as db:
        session = _session_for(db, viewer, session_id, Action.RUN_SESSION)
        item = store.board_item_state(db, session.id, item_id)
        if item is None or not item.set_aside:
            raise DomainError("board_item_not_found")
        if store.restore_board_item(db, session.id, item_id, viewer.id, now):
            store.session_changed(db, session.id)


def merge_items(
    database: Database,
    viewer: Person,
    session_id: int,
    kept_id: int,
    folded_ids: list[int],
    text: str | None = None,
    now: datetime | None = None,
) -> None:
    """Items that say the same become one: `kept_id` stays (with `text`, when the facilitator adjusted it),
    the others are folded into it and kept in the history. It has helped when any of them had; it has all
    their dots. Only items of the same kind on this session's board merge."""
    now = now or database.clock.now()
    folded = sorted(set(folded_ids) - {kept_id})
    if not folded:
        raise DomainError("merge_needs_two")
    wording = BoardEditInput(text=text) if text is not None else None
    with database.writing() as db:
        session = _session_for(db, viewer, session_id, Action.RUN_SESSION)
        kept = _item_on_board(db, session.id, kept_id)
        for item_id in folded:
            if _item_on_board(db, session.id, item_id).kind != kept.kind:
                raise DomainError("merge_needs_same_kind")
        store.merge_board_items(db, session.id, kept_id, folded, viewer.id, now)
        if wording is not None:
            store.edit_board_item(db, session.id, kept_id, wording.text, viewer.id, now)
        store.session_changed(db, session.id)


@dataclass(frozen=True)
class BoardHistory:
    """What the facilitator can look back on: every change, and the items off the board (to restore)."""

    changes: list[BoardChange]
    set_aside: list[SetAsideBoardItem]


def board_history(database: Database, viewer: Person, session_id: int) -> BoardHistory:
    """The session's board history: the facilitator's only, never a member's."""
    with database.reading() as db:
        session = _session_for(db, viewer, session_id, Action.RUN_SESSION)
        return BoardHistory(store.board_changes(db, session.id), store.set_aside_board_items(db, session.id))


# --- dots ------------------------------------------------------------------------------------------------


def dots_per_member(view: SessionView) -> int:
    """How many dots each member may give now: the phase's `dots`, only while it runs."""
    if view.session.status is not SessionStatus.RUNNING or view.phase is None:
        return 0
    return view.phase.dots


def dotted(kind: str) -> bool:
    """Whether items of this kind take dots."""
    return kind in {dotted_kind.value for dotted_kind in DOTTED_KINDS}


@dataclass(frozen=True)
class MyDots:
    """A member's dots in the phase now: how many they may give, and on which items theirs are."""

    allowed: int
    given: dict[int, int]  # item id: this member's dots on it

    @property
    def left(self) -> int:
        return max(0, self.allowed - sum(self.given.values()))


def _dot_giver(db: Unit, person: Person, session_id: int) -> LiveSession:
    """The session, read inside the unit, if this person may give dots in it: a member, not the case bringer."""
    session = _session_for(db, person, session_id, Action.TAKE_PART)
    if store.group_role(db, session.group_id, person.id) is not GroupRole.MEMBER:
        raise DomainError("dots_for_members")
    bringers = {holder.person_id for holder in store.session_roles(db, session.id).get(SessionRole.CASE_BRINGER, [])}
    if person.id in bringers:
        raise DomainError("dots_for_members")  # the case bringer marks what helped instead
    return session


def my_dots(database: Database, person: Person, view: SessionView) -> MyDots:
    """This member's dots in the phase the view shows (none for the case bringer or a facilitator)."""
    allowed = dots_per_member(view)
    if not allowed:
        return MyDots(0, {})
    with database.reading() as db:
        try:
            _dot_giver(db, person, view.session.id)
        except DomainError:
            return MyDots(0, {})
        return MyDots(allowed, store.dots_given(db, view.session.id, person.id, view.session.phase_index))


def give_dot(database: Database, person: Person, session_id: int, item_id: int, now: datetime | None = None) -> None:
    """One dot on an item of advice; refused once this member gave all of theirs in this phase."""
    now = now or database.clock.now()
    _, method = _session_and_method(database, person, session_id, Action.TAKE_PART)
    with database.writing() as db:
        # One member's dots one at a time: a thousand requests at once still stop at the phase's number.
        db.lock(f"board_dots:{session_id}:{person.id}")
        session = _dot_giver(db, person, session_id)
        phase = method.phases[session.phase_index] if session.status is SessionStatus.RUNNING else None
        allowed = phase.dots if phase else 0
        if not allowed:
            raise DomainError("no_dots_now")
        item = store.board_item_state(db, session.id, item_id)
        if item is None or item.set_aside or item.hidden or not dotted(item.kind):
            raise DomainError("board_item_not_found")
        if sum(store.dots_given(db, session.id, person.id, session.phase_index).values()) >= allowed:
            raise DomainError("no_dots_left", count=allowed)
        store.give_dot(db, session.id, item_id, person.id, session.phase_index, now)
        store.board_grew(db, session.id)


def take_back_dot(database: Database, person: Person, session_id: int, item_id: int) -> None:
    """Take back one of this member's dots on the item, given in the phase now."""
    with database.writing() as db:
        db.lock(f"board_dots:{session_id}:{person.id}")
        session = _dot_giver(db, person, session_id)
        if not store.take_back_dot(db, session.id, item_id, person.id, session.phase_index):
            raise DomainError("no_dot_to_take_back")
        store.board_grew(db, session.id)
