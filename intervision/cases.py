"""Cases: brought in by a member, chosen fairly, discussed, and followed up at the next session.

A case is confidential. Its texts reach only its group and that group's facilitator; coordinators get
counts. Every function here checks who asks before it reads or writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from intervision import store
from intervision.database import Database, Unit
from intervision.errors import Conflict, DomainError, NotAllowed
from intervision.membership import circle
from intervision.models import (
    AuditAction,
    Case,
    CaseCount,
    CaseInput,
    CaseStatus,
    DiscussionInput,
    FollowUpInput,
    GroupRole,
    Person,
    ReportItem,
    RetentionInput,
)
from intervision.permissions import Action, require

OPEN = (CaseStatus.SUBMITTED, CaseStatus.CHOSEN)
DONE = (CaseStatus.DISCUSSED, CaseStatus.FOLLOWED_UP)


def _role_in(db: Unit, person: Person, group_id: int) -> GroupRole | None:
    if store.group(db, group_id) is None:
        raise DomainError("group_not_found")
    return store.group_role(db, group_id, person.id)


def _own_case(db: Unit, person: Person, case_id: int) -> Case:
    found = store.case(db, case_id)
    if found is None:
        raise DomainError("case_not_found")
    if found.author_id != person.id:
        raise NotAllowed("own_case")
    return found


def _case_for(db: Unit, person: Person, case_id: int, action: Action) -> Case:
    """A case of a group this person is in, if their role there allows `action`."""
    found = store.case(db, case_id)
    if found is None:
        raise DomainError("case_not_found")
    role = store.group_role(db, found.group_id, person.id)
    require(Action.READ_CASES, person.role, role)
    require(action, person.role, role)
    if not circle(db, found.group_id, person.id).case(found):
        raise NotAllowed("before_joining")
    return found


# --- bringing a case in ------------------------------------------------------------------------


def draft(database: Database, person: Person) -> Case | None:
    """The case this person is writing, as last saved."""
    with database.reading() as db:
        case_id = store.draft_case_id(db, person.id)
        return store.case(db, case_id) if case_id else None


def save_draft(database: Database, person: Person, group_id: int, values: dict, now: datetime | None = None) -> int:
    """Keep what the person has typed so far, checked only for where it may go."""
    now = now or database.clock.now()
    with database.writing() as db:
        require(Action.BRING_CASE, person.role, _role_in(db, person, group_id))
        case_id = store.draft_case_id(db, person.id)
        if case_id is None:
            return store.add_case(db, group_id, person.id, CaseStatus.DRAFT, values, now)
        store.update_case_values(db, case_id, group_id, values)
        return case_id


def submit_case(database: Database, person: Person, form: CaseInput, now: datetime | None = None) -> int:
    """Bring the case to the group's queue; the draft becomes the case."""
    now = now or database.clock.now()
    values = form.model_dump(exclude={"group_id"})
    with database.writing() as db:
        require(Action.BRING_CASE, person.role, _role_in(db, person, form.group_id))
        case_id = store.draft_case_id(db, person.id)
        if case_id is None:
            return store.add_case(db, form.group_id, person.id, CaseStatus.SUBMITTED, values, now)
        store.update_case_values(db, case_id, form.group_id, values)
        store.set_case_status(db, case_id, CaseStatus.SUBMITTED, now)
        return case_id


def withdraw_case(database: Database, person: Person, case_id: int, now: datetime | None = None) -> None:
    """The case bringer takes the case back, until it has been discussed."""
    now = now or database.clock.now()
    with database.writing() as db:
        found = _own_case(db, person, case_id)
        if found.status not in OPEN:
            raise DomainError("case_not_open")
        store.set_case_status(db, case_id, CaseStatus.WITHDRAWN, now, meeting_id=None)
        # Whoever voted for it may vote again for another case.
        store.drop_case_votes(db, case_id)


def delete_case(database: Database, person: Person, case_id: int, now: datetime | None = None) -> None:
    """The case bringer removes the case and everything in it, at any time."""
    now = now or database.clock.now()
    with database.writing() as db:
        found = _own_case(db, person, case_id)
        store.delete_case(db, case_id)
        # The log says that a case went, never what it was about.
        store.add_audit_event(db, now, person.id, AuditAction.CASE_DELETED, f"case {case_id}", str(found.group_id))


def my_cases(database: Database, person: Person) -> list[Case]:
    with database.reading() as db:
        return store.cases_of_author(db, person.id)


# --- the queue ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueuedCase:
    case: Case
    votes: int
    waited_days: int
    bringer_last_discussed: datetime | None


@dataclass(frozen=True)
class Queue:
    """A group's cases waiting for a session, with what a fair choice needs to know."""

    group_id: int
    cases: list[QueuedCase]
    chosen: list[Case]
    my_vote: int | None
    next_session_id: int | None


def _voting_round(db: Unit, group_id: int, now: datetime) -> int:
    """Votes count towards the group's next planned session (0 while none is planned)."""
    upcoming = store.next_meetings(db, [group_id], now).get(group_id)
    return upcoming.id if upcoming else 0


def queue(database: Database, viewer: Person, group_id: int, now: datetime | None = None) -> Queue:
    now = now or database.clock.now()
    with database.reading() as db:
        require(Action.READ_CASES, viewer.role, _role_in(db, viewer, group_id))
        round_id = _voting_round(db, group_id, now)
        votes = store.case_vote_counts(db, group_id, round_id)
        last_discussed = store.last_discussed_by_author(db, group_id)
        waiting = store.cases_of_group(db, group_id, (CaseStatus.SUBMITTED,))
        chosen = store.cases_of_group(db, group_id, (CaseStatus.CHOSEN,))
        my_vote = store.case_vote_of(db, group_id, viewer.id, round_id)
    queued = [
        QueuedCase(
            case,
            votes.get(case.id, 0),
            (now - case.submitted_at).days if case.submitted_at else 0,
            last_discussed.get(case.author_id) if case.author_id is not None else None,
        )
        for case in waiting
    ]
    # Fair order: most votes, then most urgent, then longest waiting, then whoever waited longest for a turn.
    urgency = {"high": 0, "normal": 1, "low": 2}
    queued.sort(
        key=lambda q: (
            -q.votes,
            urgency[q.case.urgency],
            q.case.submitted_at or now,
            q.bringer_last_discussed or datetime.min.replace(tzinfo=now.tzinfo),
        )
    )
    return Queue(group_id, queued, chosen, my_vote, round_id or None)


def vote(database: Database, viewer: Person, case_id: int, now: datetime | None = None) -> None:
    """One vote per member for the group's next case; a second vote is refused."""
    now = now or database.clock.now()
    with database.writing() as db:
        found = _case_for(db, viewer, case_id, Action.VOTE_FOR_CASE)
        if found.status is not CaseStatus.SUBMITTED:
            raise DomainError("case_not_open")
        try:
            store.add_case_vote(db, found.group_id, viewer.id, _voting_round(db, found.group_id, now), case_id, now)
        except Conflict:
            raise DomainError("already_voted") from None


def choose_case(database: Database, viewer: Person, case_id: int, now: datetime | None = None) -> None:
    """The facilitator takes the case for the group's next session; it leaves the queue."""
    now = now or database.clock.now()
    with database.writing() as db:
        found = _case_for(db, viewer, case_id, Action.CHOOSE_CASE)
        if found.status is CaseStatus.WITHDRAWN:
            raise DomainError("case_withdrawn")
        if found.status is not CaseStatus.SUBMITTED:
            raise DomainError("case_not_open")
        upcoming = store.next_meetings(db, [found.group_id], now).get(found.group_id)
        store.set_case_status(db, case_id, CaseStatus.CHOSEN, now, meeting_id=upcoming.id if upcoming else None)


def put_back(database: Database, viewer: Person, case_id: int, now: datetime | None = None) -> None:
    """A chosen case that was not worked on goes back to the queue, keeping its place in time."""
    now = now or database.clock.now()
    with database.writing() as db:
        found = _case_for(db, viewer, case_id, Action.CHOOSE_CASE)
        if found.status is not CaseStatus.CHOSEN:
            raise DomainError("case_not_open")
        store.set_case_status(db, case_id, CaseStatus.SUBMITTED, found.submitted_at or now, meeting_id=None)


def record_discussion(
    database: Database, viewer: Person, case_id: int, form: DiscussionInput, now: datetime | None = None
) -> None:
    """After the session: the case was discussed, with this method, and the bringer chose this advice."""
    now = now or database.clock.now()
    with database.writing() as db:
        found = _case_for(db, viewer, case_id, Action.RECORD_DISCUSSION)
        if found.status is not CaseStatus.CHOSEN:
            raise DomainError("case_not_chosen")
        store.set_case_status(
            db, case_id, CaseStatus.DISCUSSED, now, method_id=form.method_id, chosen_advice=form.chosen_advice
        )


def follow_up(
    database: Database, person: Person, case_id: int, form: FollowUpInput, now: datetime | None = None
) -> None:
    """The case bringer tells what they did and what happened."""
    now = now or database.clock.now()
    with database.writing() as db:
        found = _own_case(db, person, case_id)
        if found.status not in DONE:
            raise DomainError("case_not_discussed")
        if found.erased_at is not None:
            raise DomainError("case_erased")
        store.set_case_status(db, case_id, CaseStatus.FOLLOWED_UP, now, follow_up=form.text)


def follow_ups_waiting(database: Database, person: Person) -> list[Case]:
    with database.reading() as db:
        return store.cases_waiting_for_follow_up(db, person.id)


def archive(database: Database, viewer: Person, group_id: int) -> list[Case]:
    """What the group discussed, with the method, the chosen advice and the follow-up: since the viewer joined
    (a case shared before that stays with the circle that heard it), and the viewer's own cases."""
    with database.reading() as db:
        require(Action.READ_CASES, viewer.role, _role_in(db, viewer, group_id))
        sees = circle(db, group_id, viewer.id)
        return [case for case in store.cases_of_group(db, group_id, DONE) if sees.case(case)]


# --- what the organisation may know --------------------------------------------------------------


def case_counts(database: Database, viewer: Person, since: date, until: date) -> list[CaseCount]:
    """Cases per group from the start of `since` to the end of `until`, in whole days.

    Whole days only: windows narrowed to the minute would show when one person submitted their case. Only
    groups whose contract reports case counts to the organisation are counted.
    """
    require(Action.VIEW_CASE_COUNTS, viewer.role)
    start = datetime.combine(since, time.min, UTC)
    end = datetime.combine(until + timedelta(days=1), time.min, UTC)
    with database.reading() as db:
        reporting = {group.id for group in store.all_groups(db) if group.reports(ReportItem.CASE_COUNTS)}
        return [count for count in store.case_counts(db, start, end) if count.group_id in reporting]


def set_retention(database: Database, viewer: Person, form: RetentionInput, now: datetime | None = None) -> None:
    require(Action.SET_CASE_RETENTION, viewer.role)
    now = now or database.clock.now()
    with database.writing() as db:
        store.set_case_retention(db, form.days)
        store.add_audit_event(db, now, viewer.id, AuditAction.RETENTION_CHANGED, "", str(form.days or ""))


def retention_days(database: Database) -> int | None:
    with database.reading() as db:
        return store.case_retention_days(db)


def erase_expired_case_texts(database: Database, now: datetime | None = None) -> int:
    """Erase the texts of cases discussed longer ago than the organisation keeps them; counts remain."""
    now = now or database.clock.now()
    with database.writing() as db:
        # Every app process runs this job: one at a time, and the later one finds nothing left to erase.
        db.lock("erase_expired_case_texts")
        days = store.case_retention_days(db)
        if not days:
            return 0
        erased = store.erase_case_texts_discussed_before(db, now - timedelta(days=days), now)
        if erased:
            store.add_audit_event(db, now, None, AuditAction.CASE_TEXTS_ERASED, "", str(erased))
        return erased
