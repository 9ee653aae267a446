"""Joining a group (issue 14, path 2): nobody joins without taking up an invitation, the group sees who
joined and left when, and a new member sees only what the group shared since they joined.

Team North's history: Anna's case "kiwi" was discussed 28 days before NOW in a session whose action item
and board hold the same code word; Ben's case "mango" waits in the queue. Fenna facilitates, Anna and Ben
have taken part since JOINED, long before.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from unit_support import JOINED, NOW, audit_actions

from intervision import cases, db, groups, invitations, live, membership, personal_data, store
from intervision.errors import DomainError, NotAllowed
from intervision.models import (
    ActionItemInput,
    CaseInput,
    FollowUpInput,
    GroupRole,
    InvitationInput,
    JoinInput,
    Language,
    MembershipChange,
    Person,
    QuestionType,
    Role,
    SessionRole,
    StartSessionInput,
)

DAY = timedelta(days=1)
DISCUSSED = NOW - 28 * DAY
LATER = NOW + DAY


@dataclass(frozen=True)
class Team:
    path: Path
    coordinator: Person
    lead: Person
    anna: Person
    ben: Person
    newcomer: Person
    group_id: int
    kiwi: int  # Anna's case, discussed before NOW in session `kiwi_session`
    kiwi_session: int
    mango: int  # Ben's case, waiting in the queue


def _case(group_id: int, code: str) -> CaseInput:
    return CaseInput(
        group_id=group_id,
        title=f"title {code}",
        situation=f"situation {code}",
        learning_question=f"question {code}",
        question_type=QuestionType.OWN_BEHAVIOUR,
        anonymised=True,
    )


def _revision(path: Path, session_id: int) -> int:
    with db.reading(path) as conn:
        return store.live_session(conn, session_id).revision


def _hold_session(team_path: Path, lead: Person, group_id: int, case_id: int, bringer: Person, code: str, at) -> int:
    """A session about the case, with a confirmed action item, closed the same day."""
    form = StartSessionInput(
        group_id=group_id, method_id="incident", case_id=case_id, roles={SessionRole.CASE_BRINGER: [bringer.id]}
    )
    session_id = live.start_session(team_path, lead, form, now=at)
    item = live.add_action_item(team_path, lead, session_id, ActionItemInput(text=f"action {code}"), now=at)
    live.confirm_action_item(team_path, lead, session_id, item, True)
    live.close_session(team_path, lead, session_id, _revision(team_path, session_id), now=at + timedelta(hours=2))
    return session_id


@pytest.fixture
def team(path, coordinator, make_person, make_group) -> Team:
    lead = make_person("Fenna Facilitator", Role.FACILITATOR)
    anna, ben, newcomer = make_person("Anna Member"), make_person("Ben Member"), make_person("Nina Newcomer")
    group_id = make_group("Team North", facilitators=(lead,), members=(anna, ben))
    kiwi = cases.submit_case(path, anna, _case(group_id, "kiwi"), now=DISCUSSED - 5 * DAY)
    kiwi_session = _hold_session(path, lead, group_id, kiwi, anna, "kiwi", DISCUSSED)
    cases.follow_up(path, anna, kiwi, FollowUpInput(text="follow-up kiwi"), now=NOW - 2 * DAY)
    mango = cases.submit_case(path, ben, _case(group_id, "mango"), now=NOW - DAY)
    return Team(path, coordinator, lead, anna, ben, newcomer, group_id, kiwi, kiwi_session, mango)


def _archive_titles(team: Team, viewer: Person) -> list[str]:
    return [case.title for case in cases.archive(team.path, viewer, team.group_id)]


def _role(team: Team, person: Person) -> GroupRole | None:
    with db.reading(team.path) as conn:
        return store.group_role(conn, team.group_id, person.id)


def _join_at(team: Team, person: Person, role: GroupRole, moment) -> None:
    """Someone is invited by the coordinator and accepts at `moment`."""
    invitation = membership.invite(team.path, team.coordinator, team.group_id, person.id, role, now=moment)
    membership.accept(team.path, person, invitation, now=moment)


# --- joining is the person's own act -------------------------------------------------------------------------


def test_a_coordinator_who_invites_themselves_reads_nothing_until_they_accept_and_then_only_what_follows(team):
    invitation = membership.invite(
        team.path, team.coordinator, team.group_id, team.coordinator.id, GroupRole.MEMBER, now=NOW
    )

    assert _role(team, team.coordinator) is None, "an invitation is not a membership"
    with pytest.raises(NotAllowed):
        cases.archive(team.path, team.coordinator, team.group_id)
    with pytest.raises(NotAllowed):
        cases.queue(team.path, team.coordinator, team.group_id, now=NOW)

    membership.accept(team.path, team.coordinator, invitation, now=NOW)

    assert _role(team, team.coordinator) is GroupRole.MEMBER
    assert _archive_titles(team, team.coordinator) == [], "the case discussed before they joined stays closed"
    # A case still in the queue is for whoever will be in the room when it is discussed.
    queue = cases.queue(team.path, team.coordinator, team.group_id, now=NOW)
    assert [queued.case.title for queued in queue.cases] == ["title mango"]
    assert audit_actions(team.path)[-2:] == ["member_invited", "member_added"]


def test_an_invitation_cannot_be_accepted_or_declined_by_someone_else(team):
    invitation = membership.invite(team.path, team.lead, team.group_id, team.newcomer.id, GroupRole.MEMBER, now=NOW)

    for other in (team.coordinator, team.lead, team.ben):
        with pytest.raises(NotAllowed):
            membership.accept(team.path, other, invitation, now=NOW)
        with pytest.raises(NotAllowed):
            membership.decline(team.path, other, invitation, now=NOW)
    assert _role(team, team.newcomer) is None
    assert [found.id for found in membership.my_invitations(team.path, team.newcomer, now=NOW)] == [invitation]
    assert membership.my_invitations(team.path, team.coordinator, now=NOW) == []


def test_a_declined_invitation_leaves_no_membership_and_cannot_be_accepted_after(team):
    invitation = membership.invite(team.path, team.lead, team.group_id, team.newcomer.id, GroupRole.MEMBER, now=NOW)

    membership.decline(team.path, team.newcomer, invitation, now=NOW)

    assert _role(team, team.newcomer) is None
    assert membership.my_invitations(team.path, team.newcomer, now=NOW) == []
    with pytest.raises(DomainError) as refused:
        membership.accept(team.path, team.newcomer, invitation, now=NOW)
    assert refused.value.key == "invitation_answered"
    assert _role(team, team.newcomer) is None
    assert [event.person_id for event in membership.history(team.path, team.lead, team.group_id)] == [
        team.ben.id,
        team.anna.id,
        team.lead.id,
    ], "declining leaves no line in the group's history"


def test_an_invitation_expires_and_can_be_withdrawn_by_who_manages_members(team):
    expiring = membership.invite(team.path, team.lead, team.group_id, team.newcomer.id, GroupRole.MEMBER, now=NOW)
    expired_at = NOW + timedelta(days=membership.INVITATION_DAYS)
    assert membership.my_invitations(team.path, team.newcomer, now=expired_at) == []
    with pytest.raises(DomainError) as refused:
        membership.accept(team.path, team.newcomer, expiring, now=expired_at)
    assert refused.value.key == "invitation_expired"

    withdrawn = membership.invite(
        team.path, team.lead, team.group_id, team.newcomer.id, GroupRole.MEMBER, now=expired_at
    )
    with pytest.raises(NotAllowed):
        membership.withdraw(team.path, team.ben, withdrawn, now=expired_at)  # a member does not manage members
    membership.withdraw(team.path, team.lead, withdrawn, now=expired_at)
    with pytest.raises(DomainError) as refused:
        membership.accept(team.path, team.newcomer, withdrawn, now=expired_at)
    assert refused.value.key == "invitation_answered"
    assert _role(team, team.newcomer) is None


def test_a_facilitator_invites_members_but_only_a_coordinator_invites_or_withdraws_a_facilitator(team):
    with pytest.raises(NotAllowed):
        membership.invite(team.path, team.lead, team.group_id, team.newcomer.id, GroupRole.FACILITATOR, now=NOW)
    invitation = membership.invite(
        team.path, team.coordinator, team.group_id, team.newcomer.id, GroupRole.FACILITATOR, now=NOW
    )
    with pytest.raises(NotAllowed):
        membership.withdraw(team.path, team.lead, invitation, now=NOW)
    with pytest.raises(DomainError) as refused:
        membership.invite(team.path, team.coordinator, team.group_id, team.newcomer.id, GroupRole.MEMBER, now=NOW)
    assert refused.value.key == "already_invited"
    with pytest.raises(DomainError) as refused:
        membership.invite(team.path, team.lead, team.group_id, team.ben.id, GroupRole.MEMBER, now=NOW)
    assert refused.value.key == "already_member"


def test_changing_a_role_is_for_people_in_the_group_only(team):
    with pytest.raises(DomainError) as refused:
        groups.change_member_role(
            team.path, team.coordinator, team.group_id, team.newcomer.id, GroupRole.MEMBER, now=NOW
        )
    assert refused.value.key == "not_a_member_yet"
    assert _role(team, team.newcomer) is None

    groups.change_member_role(team.path, team.coordinator, team.group_id, team.ben.id, GroupRole.FACILITATOR, now=NOW)
    assert _role(team, team.ben) is GroupRole.FACILITATOR
    assert _archive_titles(team, team.ben) == ["title kiwi"], "a new role keeps the circle Ben was in"


# --- what a new member sees ------------------------------------------------------------------------------


def test_a_new_member_sees_no_case_discussed_before_they_joined(team):
    with db.writing(team.path) as conn:  # however they joined: the rule reads the membership itself
        store.set_membership(conn, team.group_id, team.newcomer.id, GroupRole.MEMBER, NOW)

    assert _archive_titles(team, team.newcomer) == []
    assert _archive_titles(team, team.ben) == ["title kiwi"]
    assert _archive_titles(team, team.anna) == ["title kiwi"]
    assert [session.id for session in live.history(team.path, team.newcomer, team.group_id)] == []
    with pytest.raises(NotAllowed):
        live.action_items(team.path, team.newcomer, team.kiwi_session)
    with pytest.raises(NotAllowed):
        live.rating_summary(team.path, team.newcomer, team.kiwi_session)
    assert [session.id for session in live.history(team.path, team.ben, team.group_id)] == [team.kiwi_session]


def test_a_session_under_way_since_before_they_joined_is_not_theirs_to_follow(team):
    form = StartSessionInput(group_id=team.group_id, method_id="incident", case_id=team.mango)
    session_id = live.start_session(team.path, team.lead, form, now=NOW - timedelta(hours=1))
    code = live.console_view(team.path, team.lead, session_id, now=NOW).session.join_code
    _join_at(team, team.newcomer, GroupRole.MEMBER, NOW)

    assert live.open_sessions(team.path, team.newcomer) == []
    with pytest.raises(NotAllowed):
        live.participant_view(team.path, team.newcomer, code, now=NOW)
    assert [session.id for session in live.open_sessions(team.path, team.ben)] == [session_id]


def test_a_new_member_sees_what_is_discussed_after_they_joined(team):
    _join_at(team, team.newcomer, GroupRole.MEMBER, NOW)
    cases.choose_case(team.path, team.lead, team.mango, now=NOW)
    mango_session = _hold_session(team.path, team.lead, team.group_id, team.mango, team.ben, "mango", LATER)

    assert _archive_titles(team, team.newcomer) == ["title mango"]
    assert [session.id for session in live.history(team.path, team.newcomer, team.group_id)] == [mango_session]
    assert [item.text for item in live.action_items(team.path, team.newcomer, mango_session)] == ["action mango"]


def test_a_newly_invited_facilitator_gets_no_report_action_items_or_follow_up_from_before(team):
    _join_at(team, team.newcomer, GroupRole.FACILITATOR, NOW)

    with pytest.raises(NotAllowed):
        live.session_report(team.path, team.newcomer, team.kiwi_session, Language.EN)
    assert live.history(team.path, team.newcomer, team.group_id) == []
    # Their first session's check-in looks back on nothing from before they joined.
    form = StartSessionInput(group_id=team.group_id, method_id="incident", case_id=team.mango)
    session_id = live.start_session(team.path, team.newcomer, form, now=LATER)
    back = live.look_back(team.path, team.newcomer, session_id)
    assert (back.action_items, back.last_case_title, back.last_case_follow_up) == ([], "", "")
    # The facilitator who was there looks back on all of it.
    old_hand = live.look_back(team.path, team.lead, session_id)
    assert [item.text for item in old_hand.action_items] == ["action kiwi"]
    assert (old_hand.last_case_title, old_hand.last_case_follow_up) == ("title kiwi", "follow-up kiwi")


def test_leaving_and_joining_again_starts_a_new_circle_but_the_bringer_keeps_their_own_cases(team):
    groups.remove_member(team.path, team.coordinator, team.group_id, team.ben.id, now=NOW)
    groups.remove_member(team.path, team.coordinator, team.group_id, team.anna.id, now=NOW)
    _join_at(team, team.ben, GroupRole.MEMBER, LATER)
    _join_at(team, team.anna, GroupRole.MEMBER, LATER)

    assert _archive_titles(team, team.ben) == [], "Ben read kiwi before, but his new circle starts today"
    assert _archive_titles(team, team.anna) == ["title kiwi"], "Anna always sees her own case"
    assert live.history(team.path, team.ben, team.group_id) == []
    with db.reading(team.path) as conn:
        assert store.joined_at(conn, team.group_id, team.ben.id) == LATER


# --- the group's membership history ------------------------------------------------------------------------


def test_the_history_shows_who_joined_changed_role_and_left_when_however_it_happened(team):
    code = invitations.create_invitation(team.path, team.lead, InvitationInput(group_id=team.group_id), now=NOW)
    invitations.join_with_code(team.path, team.newcomer, JoinInput(code=code.code), now=NOW + timedelta(hours=1))
    _join_at(team, team.coordinator, GroupRole.MEMBER, NOW + timedelta(hours=2))
    groups.change_member_role(
        team.path, team.coordinator, team.group_id, team.ben.id, GroupRole.FACILITATOR, now=NOW + timedelta(hours=3)
    )
    groups.remove_member(team.path, team.lead, team.group_id, team.anna.id, now=NOW + timedelta(hours=4))
    groups.remove_member(team.path, team.coordinator, team.group_id, team.coordinator.id, now=NOW + timedelta(hours=5))

    lines = [
        (event.name, event.change, event.group_role, event.at)
        for event in membership.history(team.path, team.newcomer, team.group_id)
    ]
    assert lines == [
        ("Cora Coordinator", MembershipChange.LEFT, GroupRole.MEMBER, NOW + timedelta(hours=5)),
        ("Anna Member", MembershipChange.REMOVED, GroupRole.MEMBER, NOW + timedelta(hours=4)),
        ("Ben Member", MembershipChange.ROLE_CHANGED, GroupRole.FACILITATOR, NOW + timedelta(hours=3)),
        ("Cora Coordinator", MembershipChange.JOINED, GroupRole.MEMBER, NOW + timedelta(hours=2)),
        ("Nina Newcomer", MembershipChange.JOINED, GroupRole.MEMBER, NOW + timedelta(hours=1)),
        ("Ben Member", MembershipChange.JOINED, GroupRole.MEMBER, JOINED),
        ("Anna Member", MembershipChange.JOINED, GroupRole.MEMBER, JOINED),
        ("Fenna Facilitator", MembershipChange.JOINED, GroupRole.FACILITATOR, JOINED),
    ]


def test_the_history_is_for_the_group_not_for_a_coordinator_outside_it(team, make_person):
    assert membership.history(team.path, team.lead, team.group_id)
    assert membership.history(team.path, team.ben, team.group_id)
    for outsider in (team.coordinator, team.newcomer):
        with pytest.raises(NotAllowed):
            membership.history(team.path, outsider, team.group_id)
    # The coordinator still sees who is in the group now.
    assert {member.person_id for member in groups.members(team.path, team.coordinator, team.group_id)} == {
        team.lead.id,
        team.anna.id,
        team.ben.id,
    }


# --- the person's own data ---------------------------------------------------------------------------------


def test_her_export_holds_her_invitations_and_her_lines_of_the_history_and_erasing_her_takes_them(team):
    declined = membership.invite(team.path, team.lead, team.group_id, team.newcomer.id, GroupRole.MEMBER, now=NOW)
    membership.decline(team.path, team.newcomer, declined, now=NOW)
    _join_at(team, team.newcomer, GroupRole.FACILITATOR, NOW)  # the coordinator's invitation, accepted

    document = json.loads(personal_data.export_my_data(team.path, team.newcomer))
    assert [line["change"] for line in document["membership_history"]] == ["joined"]
    received = document["group_invitations_received"]
    assert [(found["group_role"], found["accepted_at"] is not None) for found in received] == [
        ("member", False),
        ("facilitator", True),
    ]
    assert "Fenna" not in json.dumps(received), "who invited her is the inviter's data"

    personal_data.erase_person(team.path, team.coordinator, team.newcomer.id, now=LATER)
    with db.reading(team.path) as conn:
        for table in ("membership_events", "group_invitations"):
            count = conn.execute(f"SELECT count(*) FROM {table} WHERE person_id = ?", [team.newcomer.id]).fetchone()
            assert count[0] == 0, table
