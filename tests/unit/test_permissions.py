"""The permission matrix, written out in full: changing who may do what must be a deliberate edit here."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from unit_support import NOW, group_form

from intervision import groups, invitations
from intervision.errors import DomainError, NotAllowed
from intervision.models import GroupRole, InvitationInput, MeetingInput, Role
from intervision.permissions import Action, allows, require

# One column per (organisation role, role in the group concerned): "-" is no role in that group,
# F is the group's facilitator, M a member. Y: allowed, ".": refused.
COLUMNS = [
    (role, group_role)
    for role in (Role.COORDINATOR, Role.FACILITATOR, Role.PARTICIPANT)
    for group_role in (None, GroupRole.FACILITATOR, GroupRole.MEMBER)
]
EXPECTED = """
                      coordinator  facilitator  participant
                      -  F  M      -  F  M      -  F  M
create_group          Y  Y  Y      Y  Y  Y      .  .  .
view_group            Y  Y  Y      .  Y  Y      .  Y  Y
edit_contract         Y  Y  Y      .  Y  .      .  Y  .
delete_group          Y  Y  Y      .  .  .      .  .  .
assign_facilitators   Y  Y  Y      .  .  .      .  .  .
manage_members        Y  Y  Y      .  Y  .      .  Y  .
view_membership_history .  Y  Y      .  Y  Y      .  Y  Y
manage_invitations    Y  Y  Y      .  Y  .      .  Y  .
invite_facilitators   Y  Y  Y      .  .  .      .  .  .
plan_sessions         Y  Y  Y      .  Y  .      .  Y  .
view_people           Y  Y  Y      .  .  .      .  .  .
change_roles          Y  Y  Y      .  .  .      .  .  .
view_audit_log        Y  Y  Y      .  .  .      .  .  .
edit_own_profile      Y  Y  Y      Y  Y  Y      Y  Y  Y
join_with_code        Y  Y  Y      Y  Y  Y      Y  Y  Y
create_method         Y  Y  Y      Y  Y  Y      .  Y  .
share_method          Y  Y  Y      .  .  .      .  .  .
read_cases            .  Y  Y      .  Y  Y      .  Y  Y
bring_case            .  Y  Y      .  Y  Y      .  Y  Y
vote_for_case         .  Y  Y      .  Y  Y      .  Y  Y
choose_case           .  Y  .      .  Y  .      .  Y  .
record_discussion     .  Y  .      .  Y  .      .  Y  .
view_case_counts      Y  Y  Y      .  .  .      .  .  .
set_case_retention    Y  Y  Y      .  .  .      .  .  .
run_session           .  Y  .      .  Y  .      .  Y  .
take_part             .  Y  Y      .  Y  Y      .  Y  Y
manage_surveys        Y  Y  Y      .  Y  .      .  Y  .
view_survey_results   Y  Y  Y      .  Y  Y      .  Y  Y
load_instrument       Y  Y  Y      .  .  .      .  .  .
set_privacy_threshold Y  Y  Y      .  .  .      .  .  .
view_overview         Y  Y  Y      .  .  .      .  .  .
manage_goals          Y  Y  Y      .  .  .      .  .  .
export_own_data       Y  Y  Y      Y  Y  Y      Y  Y  Y
erase_person          Y  Y  Y      .  .  .      .  .  .
keep_learning_goals   Y  Y  Y      Y  Y  Y      Y  Y  Y
read_shared_learning_goals .  Y  .      .  Y  .      .  Y  .
manage_programmes     Y  Y  Y      .  .  .      .  .  .
view_programme        Y  Y  Y      .  Y  .      .  Y  .
view_outbox           Y  Y  Y      .  .  .      .  .  .
hand_out_reset_link   Y  Y  Y      .  .  .      .  .  .
"""


def _expected_table() -> dict[tuple[Action, Role, GroupRole | None], bool]:
    table = {}
    for line in EXPECTED.strip().splitlines()[2:]:
        action, *cells = line.split()
        assert len(cells) == len(COLUMNS), line
        for (role, group_role), cell in zip(COLUMNS, cells, strict=True):
            table[Action(action), role, group_role] = cell == "Y"
    return table


TABLE = _expected_table()


def test_the_table_covers_every_action_and_every_role():
    # A new action, organisation role or group role must get its own row or column above.
    assert {action for action, _, _ in TABLE} == set(Action)
    assert {role for _, role, _ in TABLE} == set(Role)
    assert {group_role for _, _, group_role in TABLE} == {None, *GroupRole}
    assert len(TABLE) == len(Action) * len(Role) * (len(GroupRole) + 1)


@pytest.mark.parametrize(
    ("action", "role", "group_role"),
    list(itertools.product(Action, Role, [None, *GroupRole])),
    ids=lambda value: str(value),
)
def test_allows_matches_the_written_table(action, role, group_role):
    assert allows(action, role, group_role) is TABLE[action, role, group_role]


def test_require_refuses_with_not_allowed_naming_the_action():
    with pytest.raises(NotAllowed) as refused:
        require(Action.DELETE_GROUP, Role.FACILITATOR, GroupRole.FACILITATOR)
    assert isinstance(refused.value, DomainError)
    assert refused.value.key == "not_allowed"
    assert refused.value.params == {"action": "delete_group"}


def test_require_lets_an_allowed_action_through():
    assert require(Action.EDIT_CONTRACT, Role.PARTICIPANT, GroupRole.FACILITATOR) is None


def test_group_role_counts_only_for_its_own_group_in_the_matrix():
    # A participant who facilitates group A and takes part in group B.
    assert allows(Action.EDIT_CONTRACT, Role.PARTICIPANT, GroupRole.FACILITATOR)
    assert not allows(Action.EDIT_CONTRACT, Role.PARTICIPANT, GroupRole.MEMBER)
    assert allows(Action.VIEW_GROUP, Role.PARTICIPANT, GroupRole.MEMBER)
    assert not allows(Action.CREATE_GROUP, Role.PARTICIPANT, GroupRole.FACILITATOR)


def test_participant_facilitating_one_group_and_member_of_another(path, make_person, make_group):
    """Permissions follow the group: the same person leads group A and is an ordinary member of B."""
    pat = make_person("Pat Participant", Role.PARTICIPANT)
    group_a = make_group("Group A", facilitators=(pat,))
    group_b = make_group("Group B", members=(pat,))
    tomorrow = NOW + timedelta(days=1)

    # Group A: Pat edits the contract, invites and plans sessions.
    groups.update_group(path, pat, group_a, group_form("Group A", meets_every_weeks=4))
    assert groups.group_for(path, pat, group_a)[0].contract.meets_every_weeks == 4
    invitations.create_invitation(path, pat, InvitationInput(group_id=group_a), now=NOW)
    groups.plan_session(path, pat, MeetingInput(group_id=group_a, starts_at=tomorrow, minutes=90), now=NOW)

    # Group B: Pat may look, but not lead.
    assert groups.group_for(path, pat, group_b)[1] is GroupRole.MEMBER
    with pytest.raises(NotAllowed):
        groups.update_group(path, pat, group_b, group_form("Group B", meets_every_weeks=4))
    with pytest.raises(NotAllowed):
        invitations.create_invitation(path, pat, InvitationInput(group_id=group_b), now=NOW)
    with pytest.raises(NotAllowed):
        groups.plan_session(path, pat, MeetingInput(group_id=group_b, starts_at=tomorrow, minutes=90), now=NOW)
    assert groups.group_for(path, pat, group_b)[0].contract.meets_every_weeks == 6

    # Facilitating a group does not make Pat someone who may start groups.
    with pytest.raises(NotAllowed):
        groups.create_group(path, pat, group_form("Group C"), now=NOW)
    # Nor a facilitator of someone else's group: facilitator invitations are a coordinator's call.
    with pytest.raises(NotAllowed):
        invitations.create_invitation(
            path, pat, InvitationInput(group_id=group_a, group_role=GroupRole.FACILITATOR), now=NOW
        )
