"""What is next for a person: the home screen's content, per role."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from intervision import store
from intervision.database import Database
from intervision.models import Group, GroupRole, Meeting, Person, ReportItem, Role


@dataclass(frozen=True)
class GroupOverview:
    group: Group
    role: GroupRole | None
    next_session: Meeting | None
    members: int
    sessions_last_year: int | None  # None: the contract does not report it to a coordinator outside the group


@dataclass(frozen=True)
class Waiting:
    """Something that needs this person's attention: a message key, the group it concerns, and values."""

    key: str
    group_name: str
    params: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Agenda:
    groups: list[GroupOverview]
    waiting: list[Waiting] = field(default_factory=list)

    @property
    def next_session(self) -> Meeting | None:
        upcoming = [overview.next_session for overview in self.groups if overview.next_session]
        return min(upcoming, key=lambda meeting: meeting.starts_at, default=None)


def agenda_for(database: Database, person: Person, now: datetime | None = None) -> Agenda:
    now = now or database.clock.now()
    with database.reading() as db:
        own = store.groups_of(db, person.id)
        if person.role is Role.COORDINATOR:
            roles = {group.id: role for group, role in own}
            listed = [(group, roles.get(group.id)) for group in store.all_groups(db)]
        else:
            listed = own
        group_ids = [group.id for group, _ in listed]
        upcoming = store.next_meetings(db, group_ids, now)
        member_counts = store.member_counts(db)
        held = store.meeting_counts(db, now - timedelta(days=365))
        facilitated = store.facilitated_group_ids(db)
        queued = store.queue_sizes(db, group_ids)
        follow_ups = store.cases_waiting_for_follow_up(db, person.id)
        unanswered = [
            wave for wave in store.open_waves_for_member(db, person.id) if not store.answers_of(db, wave.id, person.id)
        ]

    overviews = [
        GroupOverview(
            group,
            role,
            upcoming.get(group.id),
            member_counts.get(group.id, 0),
            held.get(group.id, 0) if role or group.reports(ReportItem.SESSIONS_HELD) else None,
        )
        for group, role in listed
    ]
    waiting: list[Waiting] = [
        Waiting("waiting.follow_up", case.group_name, {"title": case.title}) for case in follow_ups if case.title
    ]
    waiting += [Waiting("waiting.survey", wave.group_name) for wave in unanswered]
    for overview in overviews:
        name = overview.group.name
        leads = overview.role is GroupRole.FACILITATOR or person.role is Role.COORDINATOR
        if leads and overview.next_session is None:
            waiting.append(Waiting("waiting.no_session_planned", name))
        if person.role is Role.COORDINATOR and overview.group.id not in facilitated:
            waiting.append(Waiting("waiting.no_facilitator", name))
        if leads and overview.members < 3:
            waiting.append(Waiting("waiting.too_few_members", name))
        if overview.role is GroupRole.FACILITATOR and queued.get(overview.group.id):
            waiting.append(Waiting("waiting.queue", name, {"count": queued[overview.group.id]}))
    return Agenda(overviews, waiting)
