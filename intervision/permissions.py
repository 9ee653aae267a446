"""The permission matrix: who may do what, in one place.

Permissions are per group: the same person can facilitate one group and take part in another. A
person's capacities for an action are their organisation role plus their role in the group the action
concerns.
"""

from __future__ import annotations

from enum import StrEnum

from intervision.errors import NotAllowed
from intervision.models import GroupRole, Role


class Capacity(StrEnum):
    COORDINATOR = "coordinator"  # administers the organisation
    FACILITATOR_ROLE = "facilitator_role"  # may start groups and be invited to facilitate
    GROUP_FACILITATOR = "group_facilitator"  # facilitates the group concerned
    GROUP_MEMBER = "group_member"  # takes part in the group concerned
    SIGNED_IN = "signed_in"  # anyone with an account


class Action(StrEnum):
    CREATE_GROUP = "create_group"
    VIEW_GROUP = "view_group"
    EDIT_CONTRACT = "edit_contract"
    DELETE_GROUP = "delete_group"
    ASSIGN_FACILITATORS = "assign_facilitators"
    MANAGE_MEMBERS = "manage_members"
    VIEW_MEMBERSHIP_HISTORY = "view_membership_history"
    MANAGE_INVITATIONS = "manage_invitations"
    INVITE_FACILITATORS = "invite_facilitators"
    PLAN_SESSIONS = "plan_sessions"
    VIEW_PEOPLE = "view_people"
    CHANGE_ROLES = "change_roles"
    VIEW_AUDIT_LOG = "view_audit_log"
    EDIT_OWN_PROFILE = "edit_own_profile"
    JOIN_WITH_CODE = "join_with_code"
    CREATE_METHOD = "create_method"
    SHARE_METHOD = "share_method"
    READ_CASES = "read_cases"
    BRING_CASE = "bring_case"
    VOTE_FOR_CASE = "vote_for_case"
    CHOOSE_CASE = "choose_case"
    RECORD_DISCUSSION = "record_discussion"
    VIEW_CASE_COUNTS = "view_case_counts"
    SET_CASE_RETENTION = "set_case_retention"
    RUN_SESSION = "run_session"
    TAKE_PART = "take_part"
    MANAGE_SURVEYS = "manage_surveys"
    VIEW_SURVEY_RESULTS = "view_survey_results"
    LOAD_INSTRUMENT = "load_instrument"
    SET_PRIVACY_THRESHOLD = "set_privacy_threshold"
    VIEW_OVERVIEW = "view_overview"
    MANAGE_GOALS = "manage_goals"
    EXPORT_OWN_DATA = "export_own_data"
    ERASE_PERSON = "erase_person"
    KEEP_LEARNING_GOALS = "keep_learning_goals"
    READ_SHARED_LEARNING_GOALS = "read_shared_learning_goals"
    MANAGE_PROGRAMMES = "manage_programmes"
    VIEW_PROGRAMME = "view_programme"
    VIEW_OUTBOX = "view_outbox"
    HAND_OUT_RESET_LINK = "hand_out_reset_link"


_C = Capacity
PERMISSIONS: dict[Action, frozenset[Capacity]] = {
    Action.CREATE_GROUP: frozenset({_C.COORDINATOR, _C.FACILITATOR_ROLE}),
    Action.VIEW_GROUP: frozenset({_C.COORDINATOR, _C.GROUP_FACILITATOR, _C.GROUP_MEMBER}),
    Action.EDIT_CONTRACT: frozenset({_C.COORDINATOR, _C.GROUP_FACILITATOR}),
    Action.DELETE_GROUP: frozenset({_C.COORDINATOR}),
    Action.ASSIGN_FACILITATORS: frozenset({_C.COORDINATOR}),
    Action.MANAGE_MEMBERS: frozenset({_C.COORDINATOR, _C.GROUP_FACILITATOR}),
    # Who joined and left when is the group's own business, like its cases: a coordinator outside it sees
    # the current members only.
    Action.VIEW_MEMBERSHIP_HISTORY: frozenset({_C.GROUP_FACILITATOR, _C.GROUP_MEMBER}),
    Action.MANAGE_INVITATIONS: frozenset({_C.COORDINATOR, _C.GROUP_FACILITATOR}),
    Action.INVITE_FACILITATORS: frozenset({_C.COORDINATOR}),
    Action.PLAN_SESSIONS: frozenset({_C.COORDINATOR, _C.GROUP_FACILITATOR}),
    Action.VIEW_PEOPLE: frozenset({_C.COORDINATOR}),
    Action.CHANGE_ROLES: frozenset({_C.COORDINATOR}),
    Action.VIEW_AUDIT_LOG: frozenset({_C.COORDINATOR}),
    Action.EDIT_OWN_PROFILE: frozenset({_C.SIGNED_IN}),
    Action.JOIN_WITH_CODE: frozenset({_C.SIGNED_IN}),
    # Making methods goes with facilitating; sharing one with the whole organisation is a coordinator's call.
    Action.CREATE_METHOD: frozenset({_C.COORDINATOR, _C.FACILITATOR_ROLE, _C.GROUP_FACILITATOR}),
    Action.SHARE_METHOD: frozenset({_C.COORDINATOR}),
    # A case is confidential: its group and that group's facilitator read it, nobody else. Coordinators
    # only count cases, unless they are in the group themselves.
    Action.READ_CASES: frozenset({_C.GROUP_FACILITATOR, _C.GROUP_MEMBER}),
    Action.BRING_CASE: frozenset({_C.GROUP_FACILITATOR, _C.GROUP_MEMBER}),
    Action.VOTE_FOR_CASE: frozenset({_C.GROUP_FACILITATOR, _C.GROUP_MEMBER}),
    Action.CHOOSE_CASE: frozenset({_C.GROUP_FACILITATOR}),
    Action.RECORD_DISCUSSION: frozenset({_C.GROUP_FACILITATOR}),
    Action.VIEW_CASE_COUNTS: frozenset({_C.COORDINATOR}),
    Action.SET_CASE_RETENTION: frozenset({_C.COORDINATOR}),
    # A live session is the group's: its facilitator runs it, its members take part. The observation log
    # goes with running it, so it stays the facilitator's.
    Action.RUN_SESSION: frozenset({_C.GROUP_FACILITATOR}),
    Action.TAKE_PART: frozenset({_C.GROUP_FACILITATOR, _C.GROUP_MEMBER}),
    # Surveys: the facilitator (or a coordinator) opens and closes waves; aggregates above the threshold
    # are for the group and the coordinator; an individual answer is for nobody but its respondent.
    Action.MANAGE_SURVEYS: frozenset({_C.COORDINATOR, _C.GROUP_FACILITATOR}),
    Action.VIEW_SURVEY_RESULTS: frozenset({_C.COORDINATOR, _C.GROUP_FACILITATOR, _C.GROUP_MEMBER}),
    Action.LOAD_INSTRUMENT: frozenset({_C.COORDINATOR}),
    Action.SET_PRIVACY_THRESHOLD: frozenset({_C.COORDINATOR}),
    # The overview compares groups in counts and safe averages, as far as each contract reports them.
    Action.VIEW_OVERVIEW: frozenset({_C.COORDINATOR}),
    Action.MANAGE_GOALS: frozenset({_C.COORDINATOR}),
    # Everyone may take out all that is stored about them; erasing someone is a coordinator's call.
    Action.EXPORT_OWN_DATA: frozenset({_C.SIGNED_IN}),
    Action.ERASE_PERSON: frozenset({_C.COORDINATOR}),
    # Personal learning goals are their writer's alone; a group's facilitator reads only what was shared
    # with that group (the core checks the share itself). Coordinators see counts under VIEW_OVERVIEW.
    Action.KEEP_LEARNING_GOALS: frozenset({_C.SIGNED_IN}),
    Action.READ_SHARED_LEARNING_GOALS: frozenset({_C.GROUP_FACILITATOR}),
    # A learning programme is the coordinator's plan; the facilitators of its groups read it (the core checks
    # that they facilitate one of its groups); its members see only its name and phase on their group's page.
    Action.MANAGE_PROGRAMMES: frozenset({_C.COORDINATOR}),
    Action.VIEW_PROGRAMME: frozenset({_C.COORDINATOR, _C.GROUP_FACILITATOR}),
    # Whom a mail went to and whether it failed, never what it said.
    Action.VIEW_OUTBOX: frozenset({_C.COORDINATOR}),
    # Without a mail server, a coordinator makes the link to set a new password (audit-logged).
    Action.HAND_OUT_RESET_LINK: frozenset({_C.COORDINATOR}),
}


def capacities(role: Role, group_role: GroupRole | None = None) -> frozenset[Capacity]:
    """What a person counts as, given their organisation role and their role in one group."""
    held = {Capacity.SIGNED_IN}
    if role is Role.COORDINATOR:
        held.add(Capacity.COORDINATOR)
    if role in (Role.COORDINATOR, Role.FACILITATOR):
        held.add(Capacity.FACILITATOR_ROLE)
    if group_role is GroupRole.FACILITATOR:
        held.add(Capacity.GROUP_FACILITATOR)
    elif group_role is GroupRole.MEMBER:
        held.add(Capacity.GROUP_MEMBER)
    return frozenset(held)


def allows(action: Action, role: Role, group_role: GroupRole | None = None) -> bool:
    return bool(PERMISSIONS[action] & capacities(role, group_role))


def require(action: Action, role: Role, group_role: GroupRole | None = None) -> None:
    if not allows(action, role, group_role):
        raise NotAllowed(action.value)
