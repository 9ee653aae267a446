"""The session engine: phases, transitions and the countdown, computed from stored moments.

Nothing about a running session lives in memory. The phase, when its timer started, how long it was
paused and how many minutes were added are in the database; every screen computes the countdown from
them with the clock it is given. Every change carries the revision it was made on, so a double click
or a second facilitator device can never move the session twice.
"""

from __future__ import annotations

import math
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from intervision import store
from intervision.database import Database, Unit
from intervision.errors import DomainError
from intervision.i18n import day, t
from intervision.membership import circle, require_in_circle
from intervision.method_library import method_as_run, method_entry, pin_version
from intervision.methods import BoardKind, Lines, Method, Phase
from intervision.models import (
    ActionItem,
    ActionItemInput,
    BoardItem,
    BoardItemInput,
    CaseStatus,
    ChangeStamp,
    GroupRole,
    Language,
    LiveSession,
    MeetingStatus,
    Observation,
    ObservationDetailsInput,
    ObservationKind,
    Person,
    RatingInput,
    SessionRole,
    SessionStatus,
    StartSessionInput,
)
from intervision.observation_log import LEVELS, Balance, balance_of, categories
from intervision.permissions import Action, require
from intervision.reports import SessionReport
from intervision.store.live_sessions import LiveSessionChange, NewLiveSession, RoleHeld, RoleHolder
from intervision.surveys import open_scheduled_waves

AMBER_FRACTION = 0.2  # the countdown turns amber when a fifth of the phase is left
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
# In the closing round people still send what the session brought them.
CLOSING_KINDS = (BoardKind.INSIGHT, BoardKind.ACTION_ITEM)
# Before any session: who never held a role comes first when roles are suggested.
NEVER = datetime.min.replace(tzinfo=UTC)


# --- the countdown (pure) ------------------------------------------------------------------------


@dataclass(frozen=True)
class Countdown:
    planned_seconds: float
    elapsed_seconds: float
    started: bool
    running: bool

    @property
    def remaining_seconds(self) -> float:
        return self.planned_seconds - self.elapsed_seconds

    @property
    def colour(self) -> str:
        """green while there is time, amber in the last fifth, red once over time."""
        if self.remaining_seconds <= 0:
            return "red"
        if self.remaining_seconds <= AMBER_FRACTION * self.planned_seconds:
            return "amber"
        return "green"


def countdown(session: LiveSession, phase: Phase, now: datetime) -> Countdown:
    planned = (phase.minutes + session.extra_minutes) * 60
    if session.phase_started_at is None:
        return Countdown(planned, 0.0, started=False, running=False)
    paused = session.paused_seconds
    if session.paused_at is not None:
        paused += (now - session.paused_at).total_seconds()
    elapsed = max(0.0, (now - session.phase_started_at).total_seconds() - paused)
    return Countdown(planned, elapsed, started=True, running=session.paused_at is None)


def behind_plan_seconds(method: Method, spent: dict[int, float], current: int, clock: Countdown) -> float:
    """How far the session runs behind its plan (negative: ahead), in seconds.

    Phases already left count with the time they took against their minutes; the current phase counts
    only once it runs over, since until then it may still end on time.
    """
    behind = sum(
        seconds - method.phases[index].minutes * 60
        for index, seconds in spent.items()
        if index != current and index < len(method.phases)
    )
    # The current phase against its own minutes (not the extra ones), with its earlier visits.
    so_far = spent.get(current, 0.0) + clock.elapsed_seconds
    return behind + max(0.0, so_far - method.phases[current].minutes * 60)


def format_clock(seconds: float) -> str:
    """12:05, or −1:30 once over time."""
    sign = "−" if seconds < 0 else ""
    whole = int(abs(seconds))
    return f"{sign}{whole // 60}:{whole % 60:02d}"


REDRAW_MARGIN_SECONDS = 0.3  # a redraw asked for a moment after the change, so it surely shows it


def seconds_until_redrawn(view: SessionView) -> float | None:
    """When a running clock next looks different other than in its digits: it turns amber, time is up, or
    the plan's "n min behind" changes. A browser that counts the digits down itself asks for a redraw then.
    None while the clock stands still (not started, paused, no phase)."""
    clock, phase = view.clock, view.phase
    if clock is None or phase is None or not clock.running:
        return None
    moments = _colour_turns(clock)
    # The plan moves only once the phase runs past its own minutes (behind_plan_seconds), then second by second.
    slack = max(0.0, phase.minutes * 60 - (view.phase_spent_before + clock.elapsed_seconds))
    behind = view.behind_seconds
    moments.append(slack + _next_minute_turn(behind) - behind)
    return min(moments) + REDRAW_MARGIN_SECONDS


def seconds_until_recoloured(clock: Countdown) -> float | None:
    """When a running countdown (a speaker's in a round) next changes colour: amber, then red at time up.
    None while it stands still or once it is past both."""
    moments = _colour_turns(clock) if clock.running else []
    return min(moments) + REDRAW_MARGIN_SECONDS if moments else None


def _colour_turns(clock: Countdown) -> list[float]:
    """The seconds from now until the countdown turns amber and until its time is up, those still ahead."""
    remaining = clock.remaining_seconds
    return [moment for moment in (remaining - AMBER_FRACTION * clock.planned_seconds, remaining) if moment > 0]


def _next_minute_turn(behind: float) -> float:
    """The next value above `behind` where round(|behind| / 60) changes: ±(60k + 30) seconds."""
    if behind < 30:
        ahead = -behind
        if ahead <= 30:
            return 30.0
        return -(60 * (math.ceil((ahead - 30) / 60) - 1) + 30)
    return 60 * (math.floor((behind - 30) / 60) + 1) + 30


# --- reading a session ---------------------------------------------------------------------------


def session_method(database: Database, session: LiveSession) -> Method:
    """The method exactly as this session runs it (its pinned version, in its chosen hat order)."""
    method = method_as_run(database, session.method_id, session.method_version)
    if method is None:
        raise DomainError("method_not_found")
    return method.in_sequence(session.sequence_id) if session.sequence_id else method


@dataclass(frozen=True)
class SessionView:
    """Everything a screen of the session shows, read in one go."""

    session: LiveSession
    method: Method
    phase: Phase | None  # None during check-in and closing
    clock: Countdown | None
    behind_seconds: float
    board: list[BoardItem]
    roles: dict[SessionRole, list[RoleHolder]]
    viewer_roles: tuple[SessionRole, ...]
    phase_spent_before: float = 0.0  # seconds of earlier visits to this phase (going back keeps them)


@dataclass(frozen=True)
class _Stored:
    """What a screen of the session reads from the store; the countdown is worked out from it at each draw."""

    session: LiveSession
    method: Method
    spent: dict[int, float]
    board: list[BoardItem]
    roles: dict[SessionRole, list[RoleHolder]]


def _stored(db: Unit, session: LiveSession, method: Method, including_hidden: bool = False) -> _Stored:
    """Hidden board items only for the facilitator's console: a phone's or the projector's read never has them."""
    return _Stored(
        session,
        method,
        store.phase_seconds(db, session.id),
        store.board_items(db, session.id, including_hidden=including_hidden),
        store.session_roles(db, session.id),
    )


def _drawn(stored: _Stored, viewer_id: int | None, now: datetime) -> SessionView:
    session, method = stored.session, stored.method
    phase = method.phases[session.phase_index] if session.status is SessionStatus.RUNNING else None
    clock = countdown(session, phase, now) if phase else None
    behind = behind_plan_seconds(method, stored.spent, session.phase_index, clock) if clock else 0.0
    roles = stored.roles
    mine = tuple(role for role, people in roles.items() if any(holder.person_id == viewer_id for holder in people))
    before = stored.spent.get(session.phase_index, 0.0)
    return SessionView(session, method, phase, clock, behind, stored.board, roles, mine, before)


def _view(db: Unit, session: LiveSession, method: Method, viewer_id: int | None, now: datetime) -> SessionView:
    return _drawn(_stored(db, session, method), viewer_id, now)


# Live screens redraw when their session changed, and also on a slow safety timer and when their clock needs
# a new colour: several screens per session, and many redraws find nothing new. So a screen's last read is kept with
# the change signal it was read at (`Database.changes`, which moves on any process's commit) and used again
# while the signal stands still. Only reads are kept, never the countdown, which is drawn anew from `now`.
_KEPT_READS = 256
_kept_reads: OrderedDict[tuple[object, ...], tuple[int, _Stored | None]] = OrderedDict()
_kept_reads_lock = threading.Lock()


def _read_unless_unchanged(
    database: Database, screen: tuple[object, ...], read: Callable[[], _Stored | None]
) -> _Stored | None:
    # The Database object itself in the key: SQLite's signal is counted per object, not per file.
    key = (database, *screen)
    signal = database.changes()  # before reading: a write landing during the read moves it again
    with _kept_reads_lock:
        kept = _kept_reads.get(key)
        if kept is not None and kept[0] == signal:
            _kept_reads.move_to_end(key)
            return kept[1]
    stored = read()
    with _kept_reads_lock:
        _kept_reads[key] = (signal, stored)
        _kept_reads.move_to_end(key)
        while len(_kept_reads) > _KEPT_READS:
            _kept_reads.popitem(last=False)
    return stored


def _session_for(db: Unit, viewer: Person, session_id: int, action: Action) -> LiveSession:
    session = store.live_session(db, session_id)
    if session is None:
        raise DomainError("session_not_found")
    require(action, viewer.role, store.group_role(db, session.group_id, viewer.id))
    require_in_circle(db, viewer, session)
    return session


def _session_and_method(
    database: Database, viewer: Person, session_id: int, action: Action
) -> tuple[LiveSession, Method]:
    """The session (if this person may do `action` in it) and its method, read before a write."""
    with database.reading() as db:
        session = _session_for(db, viewer, session_id, action)
    return session, session_method(database, session)


def console_view(database: Database, viewer: Person, session_id: int, now: datetime | None = None) -> SessionView:
    def read() -> _Stored:
        session, method = _session_and_method(database, viewer, session_id, Action.RUN_SESSION)
        with database.reading() as db:
            return _stored(db, session, method, including_hidden=True)

    stored = _read_unless_unchanged(database, ("console", viewer.id, viewer.role, session_id), read)
    return _drawn(stored, viewer.id, now or database.clock.now())


def participant_view(database: Database, person: Person, join_code: str, now: datetime | None = None) -> SessionView:
    """A phone's view: for members of the session's group who know its code."""
    code = join_code.strip().upper()

    def read() -> _Stored:
        with database.reading() as db:
            session = store.live_session_by_join_code(db, code)
            if session is None:
                raise DomainError("session_code_unknown", field="code")
            require(Action.TAKE_PART, person.role, store.group_role(db, session.group_id, person.id))
            require_in_circle(db, person, session)
        method = session_method(database, session)
        with database.reading() as db:
            return _stored(db, session, method)

    stored = _read_unless_unchanged(database, ("phone", person.id, person.role, code), read)
    return _drawn(stored, person.id, now or database.clock.now())


def projector_view(database: Database, token: str, now: datetime | None = None) -> SessionView | None:
    """What the beamer shows; the link's token is the key. Tips and observations are never in it."""

    def read() -> _Stored | None:
        with database.reading() as db:
            session = store.live_session_by_projector_token(db, token)
        if session is None:
            return None
        method = session_method(database, session)
        # The beamer's view carries no facilitator tips at all, not only a page that leaves them out.
        untipped = [phase.model_copy(update={"tips": Lines()}) for phase in method.phases]
        method = method.model_copy(update={"phases": untipped})
        with database.reading() as db:
            return _stored(db, session, method)

    stored = _read_unless_unchanged(database, ("projector", token), read)
    return _drawn(stored, None, now or database.clock.now()) if stored is not None else None


def stamp_to_follow(
    database: Database, session_id: int, person: Person | None = None, projector_token: str | None = None
) -> ChangeStamp | None:
    """The session's change stamp, for someone who may follow it live: the beamer by the session's projector
    token, or a member or facilitator of its group who could open its phone or console view. None for anyone
    else (and for a session that does not exist): they hear nothing, not even that it changed."""
    with database.reading() as db:
        session = store.live_session(db, session_id)
        if session is None:
            return None
        if projector_token:
            return session.stamp if secrets.compare_digest(projector_token, session.projector_token) else None
        if person is None:
            return None
        try:
            _session_for(db, person, session_id, Action.TAKE_PART)
        except DomainError:
            return None
        return session.stamp


def change_stamps(database: Database, session_ids: list[int]) -> dict[int, ChangeStamp]:
    """The change stamps of these sessions, read in one go (the live change feed asks when anything moved)."""
    with database.reading() as db:
        return store.change_stamps(db, session_ids)


def open_sessions(database: Database, viewer: Person) -> list[LiveSession]:
    """Sessions under way in the groups this person is in."""
    with database.reading() as db:
        group_ids = [group.id for group, _ in store.groups_of(db, viewer.id)]
        under_way = store.open_live_sessions(db, group_ids)
        return [session for session in under_way if circle(db, session.group_id, viewer.id).session(session)]


# --- starting ------------------------------------------------------------------------------------


def _code(db: Unit) -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))
        if store.live_session_by_join_code(db, code) is None:
            return code


def suggest_roles(
    database: Database, viewer: Person, group_id: int, case_bringer: int | None
) -> dict[SessionRole, int]:
    """Who could take each role now: whoever held it least recently (never first), a different person for each."""
    with database.reading() as db:
        require(Action.RUN_SESSION, viewer.role, store.group_role(db, group_id, viewer.id))
        members = [member.person_id for member in store.members(db, group_id) if member.group_role is GroupRole.MEMBER]
        history = store.role_history(db, group_id)
    taken = {case_bringer} if case_bringer else set()
    suggestion: dict[SessionRole, int] = {}
    for role in (SessionRole.CHAIR, SessionRole.TIMEKEEPER, SessionRole.NOTE_TAKER):
        free = [person_id for person_id in members if person_id not in taken]
        if not free:
            break
        chosen = min(free, key=lambda person_id: (history.get(RoleHeld(person_id, role), NEVER), person_id))
        suggestion[role] = chosen
        taken.add(chosen)
    return suggestion


def start_session(database: Database, viewer: Person, form: StartSessionInput, now: datetime | None = None) -> int:
    """Open a session for a group: its case, its method (pinned at this version), its roles."""
    now = now or database.clock.now()
    entry = method_entry(database, viewer, form.method_id)
    if entry is None:
        raise DomainError("method_not_found", field="method_id")
    if form.sequence_id and form.sequence_id not in {sequence.id for sequence in entry.method.sequences}:
        raise DomainError("sequence_not_found", field="sequence_id")
    with database.writing() as db:
        require(Action.RUN_SESSION, viewer.role, store.group_role(db, form.group_id, viewer.id))
        # One starter at a time: the open-session check and the fresh join code hold until this one commits.
        db.lock("start_session")
        if store.open_live_sessions(db, [form.group_id]):
            raise DomainError("session_already_open")
        if form.language is not None:
            store.set_group_language(db, form.group_id, form.language)
        title = form.spot_case_title.strip()
        if form.case_id is not None:
            case = store.case(db, form.case_id)
            if (
                case is None
                or case.group_id != form.group_id
                or case.status not in (CaseStatus.SUBMITTED, CaseStatus.CHOSEN)
            ):
                raise DomainError("case_not_open", field="case_id")
            title = case.title
            if case.status is CaseStatus.SUBMITTED:
                store.set_case_status(db, case.id, CaseStatus.CHOSEN, now)
        upcoming = store.next_meetings(db, [form.group_id], now.replace(hour=0, minute=0, second=0)).get(form.group_id)
        session_id = store.add_live_session(
            db,
            NewLiveSession(
                group_id=form.group_id,
                meeting_id=upcoming.id if upcoming and upcoming.starts_at.date() == now.date() else None,
                case_id=form.case_id,
                case_title=title,
                method_id=entry.method.id,
                method_version=pin_version(db, entry.method, now),
                sequence_id=form.sequence_id,
                status=SessionStatus.CHECK_IN,
                join_code=_code(db),
                projector_token=secrets.token_urlsafe(24),
                facilitator_id=viewer.id,
                started_at=now,
            ),
        )
        members = {member.person_id for member in store.members(db, form.group_id)}
        if any(person_id not in members for people in form.roles.values() for person_id in people):
            raise DomainError("role_outside_group", field="roles")
        store.set_session_roles(db, session_id, form.roles)
        # Nobody is ticked present in advance: attendance starts unknown and is asked at the check-in.
        return session_id


def presence(database: Database, viewer: Person, session_id: int) -> dict[int, bool | None]:
    """Per member of the group: here (True), not here (False), or not asked yet (None)."""
    with database.reading() as db:
        session = _session_for(db, viewer, session_id, Action.RUN_SESSION)
        marked = store.presence(db, session.id)
        members = [m.person_id for m in store.members(db, session.group_id) if m.group_role is GroupRole.MEMBER]
    return {person_id: marked.get(person_id) for person_id in members}


def set_present(database: Database, viewer: Person, session_id: int, person_id: int, present: bool | None) -> None:
    """Mark a member here or not here; None takes the mark back (not known)."""
    with database.writing() as db:
        session = _session_for(db, viewer, session_id, Action.RUN_SESSION)
        if store.group_role(db, session.group_id, person_id) is not GroupRole.MEMBER:
            raise DomainError("role_outside_group")
        if present is None:
            store.forget_presence(db, session.id, person_id)
        else:
            store.set_presence(db, session.id, person_id, present)
        store.session_changed(db, session.id)


def attendance_to_record(marked: dict[int, bool], members: list[int]) -> dict[int, bool]:
    """What the meeting's attendance records at the close: only a member marked present counts as present.

    When the facilitator marked no one, attendance was not taken and nothing is recorded (the overview counts
    only sessions with attendance). Once anyone is marked, a member left unknown counts as absent: a
    facilitator who ticks who is here leaves the others unmarked, and counting those as present would
    overstate the figures. Someone marked who has left the group meanwhile keeps their mark.
    """
    if not marked:
        return {}
    return {person_id: marked.get(person_id, False) for person_id in members} | marked


# --- moving through the phases -----------------------------------------------------------------


def _change(db: Unit, session: LiveSession, revision: int, change: LiveSessionChange) -> None:
    if session.revision != revision or not store.update_live_session(db, session.id, revision, change):
        # Someone (or a second click) changed the session since this screen was drawn: do nothing twice.
        raise DomainError("session_moved_on")
    store.session_changed(db, session.id)


def _fresh_phase(index: int, now: datetime, status: SessionStatus = SessionStatus.RUNNING) -> LiveSessionChange:
    return LiveSessionChange(
        status=status,
        phase_index=index,
        phase_started_at=now if status is SessionStatus.RUNNING else None,
        paused_at=None,
        paused_seconds=0.0,
        extra_minutes=0.0,
        overrun_logged=False,
    )


def begin_phases(
    database: Database, viewer: Person, session_id: int, revision: int, now: datetime | None = None
) -> None:
    """After the check-in: the first phase starts, and its countdown with it."""
    now = now or database.clock.now()
    with database.writing() as db:
        session = _session_for(db, viewer, session_id, Action.RUN_SESSION)
        if session.status is not SessionStatus.CHECK_IN:
            raise DomainError("session_moved_on")
        _change(db, session, revision, _fresh_phase(0, now))


def pause(database: Database, viewer: Person, session_id: int, revision: int, now: datetime | None = None) -> None:
    now = now or database.clock.now()
    with database.writing() as db:
        session = _session_for(db, viewer, session_id, Action.RUN_SESSION)
        if session.paused_at is None and session.phase_started_at is not None:
            _change(db, session, revision, LiveSessionChange(paused_at=now))


def resume(database: Database, viewer: Person, session_id: int, revision: int, now: datetime | None = None) -> None:
    now = now or database.clock.now()
    with database.writing() as db:
        session = _session_for(db, viewer, session_id, Action.RUN_SESSION)
        if session.phase_started_at is None:
            _change(db, session, revision, LiveSessionChange(phase_started_at=now))
        elif session.paused_at is not None:
            paused = session.paused_seconds + (now - session.paused_at).total_seconds()
            _change(db, session, revision, LiveSessionChange(paused_at=None, paused_seconds=paused))


def add_minutes(
    database: Database, viewer: Person, session_id: int, revision: int, minutes: float, now: datetime | None = None
) -> None:
    now = now or database.clock.now()
    session, method = _session_and_method(database, viewer, session_id, Action.RUN_SESSION)
    with database.writing() as db:
        session = _session_for(db, viewer, session_id, Action.RUN_SESSION)
        extra = max(0.0, session.extra_minutes + minutes)
        change = LiveSessionChange(extra_minutes=extra)
        if session.status is SessionStatus.RUNNING:
            longer = session.model_copy(update={"extra_minutes": extra})
            if countdown(longer, method.phases[session.phase_index], now).remaining_seconds > 0:
                # Back within time: a new overrun will be logged again.
                change = replace(change, overrun_logged=False)
        _change(db, session, revision, change)


def move(
    database: Database,
    viewer: Person,
    session_id: int,
    revision: int,
    steps: int,
    skip: bool = False,
    now: datetime | None = None,
) -> None:
    """Next (+1), previous (−1) or skip: the phase left keeps its time; going back loses nothing."""
    now = now or database.clock.now()
    session, method = _session_and_method(database, viewer, session_id, Action.RUN_SESSION)
    with database.writing() as db:
        session = _session_for(db, viewer, session_id, Action.RUN_SESSION)
        if session.status is SessionStatus.CLOSING and steps < 0:
            _change(db, session, revision, _fresh_phase(len(method.phases) - 1, now))
            return
        if session.status is not SessionStatus.RUNNING:
            raise DomainError("session_moved_on")
        phase = method.phases[session.phase_index]
        clock = countdown(session, phase, now)
        _log_overrun(db, session, clock, now)
        store.add_phase_visit(
            db, session.id, session.phase_index, phase.id, phase.minutes, clock.elapsed_seconds, skip, now
        )
        target = session.phase_index + steps
        if target >= len(method.phases):
            _change(db, session, revision, _fresh_phase(session.phase_index, now, SessionStatus.CLOSING))
        else:
            _change(db, session, revision, _fresh_phase(max(0, target), now))


def _log_overrun(db: Unit, session: LiveSession, clock: Countdown, now: datetime) -> None:
    """A phase over its time is a procedure event: logged once, by itself."""
    if clock.remaining_seconds < 0 and store.mark_overrun_logged(db, session.id, session.phase_index):
        store.add_observation(
            db, session.id, session.phase_index, "procedure", now, automatic=True, category="time_overrun"
        )


def log_overrun_if_due(database: Database, session_id: int, now: datetime | None = None) -> None:
    """Called by the console as its countdown ticks: the moment a phase runs over, it is logged."""
    now = now or database.clock.now()
    with database.reading() as db:
        session = store.live_session(db, session_id)
    if session is None or session.status is not SessionStatus.RUNNING or session.overrun_logged:
        return
    method = session_method(database, session)
    clock = countdown(session, method.phases[session.phase_index], now)
    if clock.remaining_seconds < 0:
        with database.writing() as db:
            _log_overrun(db, session, clock, now)


# --- the board -----------------------------------------------------------------------------------


def accepted_kinds(view: SessionView) -> tuple[str, ...]:
    """What the board takes now: what the phase collects, or in the closing round, insights and actions."""
    return collected_kinds(view.session, view.method)


def collected_kinds(session: LiveSession, method: Method) -> tuple[str, ...]:
    if session.status is SessionStatus.CLOSING:
        return tuple(kind.value for kind in CLOSING_KINDS)
    if session.status is not SessionStatus.RUNNING:
        return ()
    return tuple(kind.value for kind in method.phases[session.phase_index].collects)


def send_to_board(
    database: Database, person: Person, session_id: int, form: BoardItemInput, now: datetime | None = None
) -> int:
    """A question, association, advice … from a phone or the console; refused in a phase that does not collect it."""
    now = now or database.clock.now()
    _, method = _session_and_method(database, person, session_id, Action.TAKE_PART)
    with database.writing() as db:
        # Read again inside the write lock: the phase may have moved on while the person typed. Only the session:
        # a room sending questions waits for this lock, so nothing more is read while holding it.
        session = _session_for(db, person, session_id, Action.TAKE_PART)
        if form.kind not in collected_kinds(session, method):
            raise DomainError("phase_does_not_collect", field="kind", kind=form.kind)
        item_id = store.add_board_item(db, session.id, session.phase_index, form.kind, form.text, person.id, now)
        store.board_grew(db, session.id)
        return item_id


def mark_helpful(database: Database, person: Person, session_id: int, item_id: int, helpful: bool) -> None:
    """The case bringer (or the facilitator for them) marks what helped most."""
    with database.writing() as db:
        session = _session_for(db, person, session_id, Action.TAKE_PART)
        roles = store.session_roles(db, session.id)
        bringers = {holder.person_id for holder in roles.get(SessionRole.CASE_BRINGER, [])}
        if person.id not in bringers and person.id != session.facilitator_id:
            raise DomainError("only_case_bringer")
        store.set_board_item_helpful(db, session.id, item_id, helpful)
        store.board_grew(db, session.id)


# --- action items, observations, closing ---------------------------------------------------------


def add_action_item(
    database: Database, viewer: Person, session_id: int, form: ActionItemInput, now: datetime | None = None
) -> int:
    now = now or database.clock.now()
    with database.writing() as db:
        session = _session_for(db, viewer, session_id, Action.RUN_SESSION)
        if form.owner_id is not None and store.group_role(db, session.group_id, form.owner_id) is None:
            raise DomainError("owner_not_in_group", field="owner_id")  # a member or a facilitator of the group
        item_id = store.add_action_item(db, session.id, session.group_id, form.text, form.owner_id, form.due_date, now)
        store.session_changed(db, session.id)
        return item_id


def action_items(database: Database, viewer: Person, session_id: int) -> list[ActionItem]:
    with database.reading() as db:
        _session_for(db, viewer, session_id, Action.TAKE_PART)
        return store.action_items(db, session_id)


def confirm_action_item(database: Database, viewer: Person, session_id: int, item_id: int, confirmed: bool) -> None:
    with database.writing() as db:
        _session_for(db, viewer, session_id, Action.RUN_SESSION)
        store.set_action_item_confirmed(db, item_id, session_id, confirmed)
        store.session_changed(db, session_id)


def confirm_all_action_items(database: Database, viewer: Person, session_id: int) -> None:
    """Confirm every action item of the session still unconfirmed: the closing's "confirm all"."""
    with database.writing() as db:
        session = _session_for(db, viewer, session_id, Action.RUN_SESSION)
        for item in store.action_items(db, session.id):
            if not item.confirmed:
                store.set_action_item_confirmed(db, item.id, session.id, True)
        store.session_changed(db, session.id)


@dataclass(frozen=True)
class LookBack:
    """What the check-in looks back on: the action items agreed before, and how the last case went on."""

    action_items: list[ActionItem]
    last_case_title: str
    last_case_follow_up: str


def look_back(database: Database, viewer: Person, session_id: int) -> LookBack:
    """Only what the facilitator's circle shared: a facilitator new to the group does not read the action
    items of sessions, or the follow-up of a case, from before they joined."""
    with database.reading() as db:
        session = _session_for(db, viewer, session_id, Action.RUN_SESSION)
        sees = circle(db, session.group_id, viewer.id)
        shared = {earlier.id for earlier in store.closed_live_sessions(db, session.group_id) if sees.session(earlier)}
        items = [
            item
            for item in store.action_items_to_look_back_on(db, session.group_id, session.id)
            if item.live_session_id in shared
        ]
        last = store.last_discussed_case(db, session.group_id)
    if last is not None and not sees.case(last):
        last = None
    return LookBack(items, last.title if last else "", last.follow_up if last else "")


def set_action_item_done(database: Database, viewer: Person, session_id: int, item_id: int, done: bool) -> None:
    with database.writing() as db:
        session = _session_for(db, viewer, session_id, Action.RUN_SESSION)
        store.set_action_item_done(db, item_id, session.group_id, done)
        store.session_changed(db, session.id)


def observe(
    database: Database,
    viewer: Person,
    session_id: int,
    level: str,
    now: datetime | None = None,
    kind: ObservationKind = ObservationKind.OBSERVATION,
) -> int:
    """One press on a communication level, stored at once with the time and the phase: something noticed,
    the facilitator intervening, or the group correcting itself."""
    now = now or database.clock.now()
    if level not in LEVELS:
        raise DomainError("unknown_level")
    kind = ObservationKind(kind)
    with database.writing() as db:
        session = _session_for(db, viewer, session_id, Action.RUN_SESSION)
        return store.add_observation(db, session.id, session.phase_index, level, now, kind=kind)


def take_back(database: Database, viewer: Person, session_id: int, observation_id: int) -> None:
    """Undo a press made by mistake; what the timer logged by itself stays."""
    with database.writing() as db:
        _session_for(db, viewer, session_id, Action.RUN_SESSION)
        if not store.remove_observation(db, session_id, observation_id):
            raise DomainError("observation_not_found")


def describe_observation(
    database: Database, viewer: Person, session_id: int, observation_id: int, form: ObservationDetailsInput
) -> None:
    with database.writing() as db:
        _session_for(db, viewer, session_id, Action.RUN_SESSION)
        logged = {observation.id: observation for observation in store.observations(db, session_id)}
        if observation_id not in logged:
            raise DomainError("observation_not_found")
        level = logged[observation_id].level
        offered = {category.id for category in categories().offered(level)}
        if form.category is not None and form.category not in offered:
            raise DomainError("invalid_category", field="category")
        concerns = form.concerns.value if isinstance(form.concerns, SessionRole) else form.concerns
        store.set_observation_details(db, session_id, observation_id, form.category, concerns, form.note)


def observations(database: Database, viewer: Person, session_id: int) -> list[Observation]:
    """The facilitator's private log."""
    with database.reading() as db:
        _session_for(db, viewer, session_id, Action.RUN_SESSION)
        return store.observations(db, session_id)


def session_balance(database: Database, viewer: Person, session_id: int) -> Balance:
    """How often the facilitator intervened and the group corrected itself in one session, per level."""
    with database.reading() as db:
        _session_for(db, viewer, session_id, Action.RUN_SESSION)
        return _balance(store.observations(db, session_id))


def _balance(logged: list[Observation]) -> Balance:
    return balance_of((observation.level, observation.kind, 1) for observation in logged)


@dataclass(frozen=True)
class SessionBalance:
    session_id: int
    started_at: datetime
    balance: Balance


def group_balance(database: Database, viewer: Person, group_id: int) -> list[SessionBalance]:
    """The balance of each closed session of the group that this facilitator's circle shared, oldest first:
    the trend a facilitator follows to see the group learn to run itself."""
    with database.reading() as db:
        require(Action.RUN_SESSION, viewer.role, store.group_role(db, group_id, viewer.id))
        sees = circle(db, group_id, viewer.id)
        closed = [session for session in store.closed_live_sessions(db, group_id) if sees.session(session)]
        balances = [
            SessionBalance(session.id, session.started_at, _balance(store.observations(db, session.id)))
            for session in closed
        ]
    return sorted(balances, key=lambda entry: entry.started_at)


def record_bringer_choice(
    database: Database, viewer: Person, session_id: int, choice: str, now: datetime | None = None
) -> None:
    with database.writing() as db:
        session = _session_for(db, viewer, session_id, Action.RUN_SESSION)
        store.set_bringer_choice(db, session.id, choice.strip()[:1000])
        store.session_changed(db, session.id)


def rate(database: Database, person: Person, session_id: int, form: RatingInput, now: datetime | None = None) -> None:
    now = now or database.clock.now()
    with database.writing() as db:
        session = _session_for(db, person, session_id, Action.TAKE_PART)
        if session.status is SessionStatus.CLOSED:
            # Its mean is shown now: a late rating would change it, and the change would tell what it was.
            raise DomainError("rating_closed")
        store.rate_session(db, session_id, person.id, form.usefulness, now)
        store.session_changed(db, session_id)


def my_rating(database: Database, person: Person, session_id: int) -> int | None:
    with database.reading() as db:
        return store.my_rating(db, session_id, person.id)


@dataclass(frozen=True)
class RatingSummary:
    count: int
    # Only once the session is closed (a mean that moves with each new rating tells what that rating was),
    # and only from the privacy threshold on (too few to show without exposing someone).
    mean: float | None
    threshold: int
    closed: bool


def rating_summary(database: Database, viewer: Person, session_id: int) -> RatingSummary:
    """How many rated the session; their mean only after closing, and only when enough of them did."""
    with database.reading() as db:
        session = _session_for(db, viewer, session_id, Action.TAKE_PART)
    return _rating_summary(database, session)


def _rating_summary(database: Database, session: LiveSession) -> RatingSummary:
    with database.reading() as db:
        ratings = store.session_ratings(db, session.id)
        organisation = store.organisation(db)
    threshold = max(3, organisation.privacy_threshold if organisation else 3)
    closed = session.status is SessionStatus.CLOSED
    mean = sum(ratings) / len(ratings) if closed and len(ratings) >= threshold else None
    return RatingSummary(len(ratings), mean, threshold, closed)


def close_session(
    database: Database, viewer: Person, session_id: int, revision: int, now: datetime | None = None
) -> None:
    """The session ends: it is kept in the group's history, and its case counts as discussed."""
    now = now or database.clock.now()
    with database.writing() as db:
        session = _session_for(db, viewer, session_id, Action.RUN_SESSION)
        if session.status is SessionStatus.CLOSED:
            raise DomainError("session_moved_on")
        _change(db, session, revision, LiveSessionChange(status=SessionStatus.CLOSED, closed_at=now))
        meeting_id = session.meeting_id
        if meeting_id:
            store.set_meeting_status(db, meeting_id, MeetingStatus.HELD, session.method_id, session.method_version)
        else:
            minutes = max(30, round((now - session.started_at).total_seconds() / 60))
            meeting_id = store.add_meeting(
                db,
                session.group_id,
                session.started_at,
                minutes,
                MeetingStatus.HELD,
                session.method_id,
                session.method_version,
            )
        members = [m.person_id for m in store.members(db, session.group_id) if m.group_role is GroupRole.MEMBER]
        for person_id, present in attendance_to_record(store.presence(db, session.id), members).items():
            store.record_attendance(db, meeting_id, person_id, present)
        open_scheduled_waves(db, session.group_id, now)
        case = store.case(db, session.case_id) if session.case_id else None
        if case and case.status in (CaseStatus.SUBMITTED, CaseStatus.CHOSEN):
            store.set_case_status(
                db,
                case.id,
                CaseStatus.DISCUSSED,
                now,
                method_id=session.method_id,
                chosen_advice=session.bringer_choice,
            )


def history(database: Database, viewer: Person, group_id: int) -> list[LiveSession]:
    with database.reading() as db:
        require(Action.TAKE_PART, viewer.role, store.group_role(db, group_id, viewer.id))
        sees = circle(db, group_id, viewer.id)
        return [session for session in store.closed_live_sessions(db, group_id) if sees.session(session)]


# --- the report ----------------------------------------------------------------------------------


def session_report(
    database: Database, viewer: Person, session_id: int, language: Language, include_observations: bool = False
) -> SessionReport:
    """The report of a session, for its facilitator; the private observations only when asked for."""
    session, method = _session_and_method(database, viewer, session_id, Action.RUN_SESSION)
    return build_report(database, session, method, language, include_observations=include_observations)


def build_report(
    database: Database,
    session: LiveSession,
    method: Method,
    language: Language,
    *,
    include_observations: bool = False,
    include_balance: bool = True,
) -> SessionReport:
    """A session's report for a reader the caller has checked: the group's copy (shared_reports.py) leaves
    out the observation log and the balance counted from it."""
    with database.reading() as db:
        spent = store.phase_seconds(db, session.id)
        # What the group saw: hidden, removed and merged items stay out (the console's history keeps them).
        board = store.board_items(db, session.id)
        roles = store.session_roles(db, session.id)
        items = store.action_items(db, session.id)
        presses = store.observations(db, session.id)
    logged = presses if include_observations else None
    labels = categories()
    summary = _rating_summary(database, session)
    names = {index: phase.name(language) for index, phase in enumerate(method.phases)}
    grouped: dict[str, list[tuple[str, str, bool, int]]] = {}
    for item in board:
        grouped.setdefault(names.get(item.phase_index, "—"), []).append((item.kind, item.text, item.helpful, item.dots))
    return SessionReport(
        group_name=session.group_name,
        started_at=session.started_at.astimezone(),
        method_name=method.name(language),
        method_version=session.method_version,
        case_title=session.case_title,
        roles={role: [holder.name for holder in people] for role, people in roles.items()},
        phases=[
            (phase.name(language), phase.minutes, spent.get(index, 0.0) / 60)
            for index, phase in enumerate(method.phases)
        ],
        board=grouped,
        action_items=[
            # Every one of them, the unconfirmed marked as such: nothing agreed in the room is lost.
            (item.text, item.owner, day(item.due_date, language) if item.due_date else "", item.confirmed)
            for item in items
        ],
        bringer_choice=session.bringer_choice,
        rating_mean=summary.mean,
        rating_count=summary.count,
        rating_threshold=summary.threshold,
        balance=_balance(presses) if include_balance else None,
        observations=None
        if logged is None
        else [
            (
                observation.at.astimezone(),
                names.get(observation.phase_index, "—"),
                observation.level,
                t(f"observation_kind.{observation.kind}", language),
                labels.label(observation.level, observation.category, language) if observation.category else "",
                observation.note,
            )
            for observation in logged
        ],
    )
