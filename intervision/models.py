"""Entities and the inputs that forms submit. Validation lives here, once.

Custom errors carry a `type` that the interface translates (`error.<type>` in the catalogs), so a
Dutch facilitator reads a Dutch message next to the field.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Literal, NamedTuple

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)
from pydantic_core import PydanticCustomError

from intervision import clock


class Role(StrEnum):
    """What a person may do in the organisation as a whole."""

    COORDINATOR = "coordinator"
    FACILITATOR = "facilitator"
    PARTICIPANT = "participant"


class GroupRole(StrEnum):
    """What a person is in one group."""

    FACILITATOR = "facilitator"
    MEMBER = "member"


class Language(StrEnum):
    NL = "nl"
    EN = "en"


class DevelopmentPhase(StrEnum):
    """Tuckman's phases of a group's life."""

    FORMING = "forming"
    STORMING = "storming"
    NORMING = "norming"
    PERFORMING = "performing"
    ADJOURNING = "adjourning"


class QuestionType(StrEnum):
    """What the case bringer's learning question is about."""

    OWN_BEHAVIOUR = "own_behaviour"  # a concrete incident: how do I act
    BELIEFS_FEELINGS = "beliefs_feelings"  # what moves me, what I believe
    DECISION = "decision"  # a choice or a plan
    PERSONAL_PATTERN = "personal_pattern"  # something I keep running into
    INTERACTION_PATTERN = "interaction_pattern"  # how I and another keep evoking each other
    VALUES = "values"  # a principle: what is right here
    UNCLEAR = "unclear"  # "I don't know yet what I want from you": the question itself needs finding
    STUCK = "stuck"  # stuck in what does not work: look for what does


class Want(StrEnum):
    """What the case bringer wants from the group."""

    QUESTIONS = "questions"
    ADVICE = "advice"
    RECOGNITION = "recognition"
    PRACTICE = "practice"
    PERSPECTIVES = "perspectives"


class ReportItem(StrEnum):
    """What a group's contract allows to be reported to the organisation (never content)."""

    ATTENDANCE = "attendance"
    SESSIONS_HELD = "sessions_held"
    METHODS_USED = "methods_used"
    SURVEY_AGGREGATES = "survey_aggregates"
    CASE_COUNTS = "case_counts"  # cases brought, discussed, followed up; action items done
    OBSERVATION_PROFILE = "observation_profile"  # the facilitator's observations counted per level


class AuditAction(StrEnum):
    """Sensitive actions that the audit log keeps."""

    ACCOUNT_CREATED = "account_created"
    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    ACCOUNT_LOCKED = "account_locked"  # no longer written (waits replaced the lock); old entries keep their label
    SIGN_OUT = "sign_out"
    SIGN_OUT_EVERYWHERE = "sign_out_everywhere"
    PASSWORD_CHANGED = "password_changed"
    ROLE_CHANGED = "role_changed"
    MEMBER_INVITED = "member_invited"
    MEMBER_ADDED = "member_added"
    MEMBER_REMOVED = "member_removed"
    INVITATION_REVOKED = "invitation_revoked"
    GROUP_DELETED = "group_deleted"
    DEMO_LOADED = "demo_loaded"
    CASE_DELETED = "case_deleted"
    CASE_TEXTS_ERASED = "case_texts_erased"
    RETENTION_CHANGED = "retention_changed"
    PERSON_ERASED = "person_erased"
    BACKUP_TAKEN = "backup_taken"  # by the coordinator's backup button of earlier releases; their rows still show
    BACKUP_RESTORED = "backup_restored"
    RESET_LINK_HANDED_OUT = "reset_link_handed_out"  # a coordinator made a link to set a new password
    PASSWORD_RESET = "password_reset"  # a new password set with a one-time link
    ADDRESS_CONFIRMED = "address_confirmed"  # a new account's owner confirmed the e-mail address


class InvitationStatus(StrEnum):
    ACTIVE = "active"
    REVOKED = "revoked"
    EXPIRED = "expired"
    USED_UP = "used_up"


class MembershipChange(StrEnum):
    """What a group's membership history records."""

    JOINED = "joined"
    ROLE_CHANGED = "role_changed"
    LEFT = "left"  # the person took themselves out
    REMOVED = "removed"  # someone who manages the members took them out


class CaseStatus(StrEnum):
    """A case's way through the group: brought in, chosen, discussed, followed up (or withdrawn)."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    CHOSEN = "chosen"
    DISCUSSED = "discussed"
    FOLLOWED_UP = "followed_up"
    WITHDRAWN = "withdrawn"


class Urgency(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"


class MeetingStatus(StrEnum):
    PLANNED = "planned"
    HELD = "held"
    CANCELLED = "cancelled"


class WaveRelease(StrEnum):
    """How a closed survey wave may reach the organisation, settled when it closes."""

    ALONE = "alone"  # enough people answered: its own average
    POOL = "pool"  # too few answered: only within its half-year's pool
    PRIVATE = "private"  # the group's contract did not report survey results then


NAME_MAX = 80
EMAIL_MAX = 254
PASSWORD_MIN = 10
PASSWORD_MAX = 200
DESCRIPTION_MAX = 1000
CONTRACT_TEXT_MAX = 2000

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _email(value: str) -> str:
    value = value.strip().lower()
    if not _EMAIL.match(value):
        raise PydanticCustomError("email_invalid", "not an e-mail address")
    return value


def _not_blank(value: str) -> str:
    value = value.strip()
    if not value:
        raise PydanticCustomError("required", "required")
    return value


# The length check comes first so that an overlong text gets its own message.
Name = Annotated[str, StringConstraints(max_length=NAME_MAX), AfterValidator(_not_blank)]
Email = Annotated[str, StringConstraints(max_length=EMAIL_MAX), AfterValidator(_email)]
# A password is taken exactly as typed, spaces included.
Password = Annotated[str, StringConstraints(strip_whitespace=False, min_length=PASSWORD_MIN, max_length=PASSWORD_MAX)]
AnyPassword = Annotated[str, StringConstraints(strip_whitespace=False, min_length=1, max_length=PASSWORD_MAX)]
InvitationCode = Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, min_length=1, max_length=32)]


class _Input(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")


# --- entities ---------------------------------------------------------------------------------


# No aggregate over fewer respondents is ever shown, whatever an organisation sets (DOMAIN.md section 5).
PRIVACY_FLOOR = 3


class Organisation(BaseModel):
    name: str
    is_demo: bool
    privacy_threshold: int


class Person(BaseModel):
    id: int
    name: str
    email: str
    role: Role
    language: Language | None = None


class Contract(_Input):
    """How a group works together: the agreements made at its start."""

    meets_every_weeks: int = Field(ge=1, le=26)
    session_minutes: int = Field(ge=30, le=480)
    confidentiality: Annotated[str, StringConstraints(max_length=CONTRACT_TEXT_MAX), AfterValidator(_not_blank)]
    attendance_rule: str = Field(default="", max_length=CONTRACT_TEXT_MAX)
    reported_to_organisation: list[ReportItem] = Field(default_factory=lambda: [ReportItem.ATTENDANCE])
    start_date: date
    development_phase: DevelopmentPhase = DevelopmentPhase.FORMING


class GroupInput(_Input):
    """What the group form submits: its name, description and contract."""

    name: Name
    description: str = Field(default="", max_length=DESCRIPTION_MAX)
    label: str = Field(default="", max_length=NAME_MAX)
    contract: Contract
    language: Language = Language.NL  # what the projector speaks in the group's sessions, whatever the browser


class Group(BaseModel):
    id: int
    name: str
    description: str
    label: str
    contract: Contract
    language: Language = Language.NL

    @classmethod
    def from_row(cls, row: dict) -> Group:
        contract = Contract(
            meets_every_weeks=row["meets_every_weeks"],
            session_minutes=row["session_minutes"],
            confidentiality=row["confidentiality"],
            attendance_rule=row["attendance_rule"],
            reported_to_organisation=json.loads(row["reported_to_organisation"]),
            start_date=row["start_date"],
            development_phase=row["development_phase"],
        )
        return cls(
            id=row["id"],
            name=row["name"],
            description=row["description"],
            label=row["label"],
            contract=contract,
            language=row["language"],
        )

    def reports(self, item: ReportItem) -> bool:
        """Whether the group's contract lets the organisation see this (coordinators outside the group)."""
        return item in self.contract.reported_to_organisation


class Member(BaseModel):
    """A person as seen in one group."""

    person_id: int
    name: str
    email: str
    group_role: GroupRole
    joined_at: datetime | None = None


class MembershipEvent(BaseModel):
    """One line of a group's membership history: who joined, changed role or left, and when."""

    person_id: int
    name: str
    change: MembershipChange
    group_role: GroupRole
    at: datetime


class GroupInvitation(BaseModel):
    """An invitation for one person to join one group in one role; they become a member only by accepting."""

    id: int
    group_id: int
    group_name: str
    person_id: int
    person_name: str
    group_role: GroupRole
    invited_by: str
    created_at: datetime
    expires_at: datetime
    accepted_at: datetime | None = None
    declined_at: datetime | None = None
    withdrawn_at: datetime | None = None

    def open(self, now: datetime) -> bool:
        """Still waiting for the person's answer."""
        answered = self.accepted_at or self.declined_at or self.withdrawn_at
        return answered is None and self.expires_at > now


class Invitation(BaseModel):
    id: int
    code: str
    group_id: int
    group_name: str
    group_role: GroupRole
    created_at: datetime
    expires_at: datetime
    max_uses: int
    uses: int
    revoked_at: datetime | None = None
    mailed_to: str | None = None  # the address "Invite by e-mail" sent it to; None for a code shared by hand

    def status(self, now: datetime) -> InvitationStatus:
        if self.revoked_at is not None:
            return InvitationStatus.REVOKED
        if self.expires_at <= now:
            return InvitationStatus.EXPIRED
        if self.uses >= self.max_uses:
            return InvitationStatus.USED_UP
        return InvitationStatus.ACTIVE


class Meeting(BaseModel):
    """A planned or held session of a group."""

    id: int
    group_id: int
    group_name: str
    starts_at: datetime
    minutes: int
    method_id: str | None
    method_version: int | None = None
    status: MeetingStatus
    sequence: int = 0  # moves and cancellation so far: a calendar keeps the invitation with the highest


class AuditEvent(BaseModel):
    at: datetime
    actor: str
    action: str
    subject: str
    detail: str


# --- form inputs -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignInDelay:
    """Failed sign-ins counted against an e-mail address, a client address or the two together."""

    failures: int
    last_failed_at: datetime
    wait_until: datetime


class SignInInput(_Input):
    email: Annotated[str, AfterValidator(_not_blank), StringConstraints(max_length=EMAIL_MAX)]
    password: AnyPassword

    @field_validator("email")
    @classmethod
    def _lowercase(cls, value: str) -> str:
        return value.lower()


class NewAccountInput(_Input):
    """A new person's account: the first coordinator, or someone joining with an invitation."""

    name: Name
    email: Email
    password: Password
    password_again: Annotated[str, StringConstraints(strip_whitespace=False)]
    language: Language = Language.NL

    @field_validator("password_again")
    @classmethod
    def _same_password(cls, value: str, info) -> str:  # noqa: ANN001 - pydantic's ValidationInfo
        if "password" in info.data and value != info.data["password"]:
            raise PydanticCustomError("passwords_differ", "the passwords differ")
        return value


class FirstRunInput(NewAccountInput):
    organisation_name: Name


class ProfileInput(_Input):
    name: Name
    email: Email
    language: Language


class NewPasswordInput(_Input):
    """A new password, typed twice (a one-time reset link)."""

    new_password: Password
    new_password_again: Annotated[str, StringConstraints(strip_whitespace=False)]

    @field_validator("new_password_again")
    @classmethod
    def _same_password(cls, value: str, info) -> str:  # noqa: ANN001 - pydantic's ValidationInfo
        if "new_password" in info.data and value != info.data["new_password"]:
            raise PydanticCustomError("passwords_differ", "the passwords differ")
        return value


class PasswordChangeInput(NewPasswordInput):
    """A new password on one's profile: the current one first."""

    current_password: AnyPassword


class RoleChangeInput(_Input):
    person_id: int
    role: Role


class PersonErasureInput(_Input):
    """A coordinator confirms erasing someone by typing that person's e-mail address."""

    person_id: int
    email: str  # the address on record, filled in by the interface, not typed
    confirm_email: Annotated[str, StringConstraints(min_length=1, max_length=EMAIL_MAX)]

    @field_validator("confirm_email")
    @classmethod
    def _same_email(cls, value: str, info) -> str:  # noqa: ANN001 - pydantic's ValidationInfo
        if value.strip().lower() != str(info.data.get("email", "")).strip().lower():
            raise PydanticCustomError("confirmation_differs", "not the person's e-mail address")
        return value


class InvitationInput(_Input):
    group_id: int
    group_role: GroupRole = GroupRole.MEMBER
    valid_days: int = Field(default=14, ge=1, le=90)
    max_uses: int = Field(default=10, ge=1, le=100)


class JoinInput(_Input):
    code: InvitationCode


class MeetingInput(_Input):
    group_id: int
    starts_at: datetime
    minutes: int = Field(ge=30, le=480)
    method_id: str | None = None


# --- cases -------------------------------------------------------------------------------------

CASE_TITLE_MAX = 120
CASE_TEXT_MAX = 3000
CASE_FIELD_MAX = 1000
QUESTION_MAX = 500


def _confirmed(value: bool) -> bool:
    if not value:
        raise PydanticCustomError("not_anonymised", "confirm that the case is anonymised")
    return value


RequiredText = Annotated[str, StringConstraints(max_length=CASE_TEXT_MAX), AfterValidator(_not_blank)]


class CaseInput(_Input):
    """A case as its bringer submits it (DOMAIN.md section 3)."""

    group_id: int
    title: Annotated[str, StringConstraints(max_length=CASE_TITLE_MAX), AfterValidator(_not_blank)]
    situation: RequiredText
    involved: str = Field(default="", max_length=CASE_FIELD_MAX)
    own_role: str = Field(default="", max_length=CASE_FIELD_MAX)
    evoked: str = Field(default="", max_length=CASE_FIELD_MAX)
    learning_question: Annotated[str, StringConstraints(max_length=QUESTION_MAX), AfterValidator(_not_blank)]
    question_type: QuestionType
    wants: list[Want] = Field(default_factory=list)
    tried: str = Field(default="", max_length=CASE_FIELD_MAX)
    urgency: Urgency = Urgency.NORMAL
    preferred_method: str | None = None
    anonymised: Annotated[bool, AfterValidator(_confirmed)]


CASE_TEXT_FIELDS = ("title", "situation", "involved", "own_role", "evoked", "learning_question", "tried")


class Case(BaseModel):
    """A case as its group reads it. Texts are empty once the retention period erased them."""

    id: int
    group_id: int
    group_name: str
    author_id: int | None
    author: str
    status: CaseStatus
    title: str
    situation: str
    involved: str
    own_role: str
    evoked: str
    learning_question: str
    question_type: QuestionType | None
    wants: list[Want]
    tried: str
    urgency: Urgency
    preferred_method: str | None
    anonymised: bool
    created_at: datetime
    submitted_at: datetime | None
    meeting_id: int | None
    meeting_starts_at: datetime | None = None  # the session it was chosen for
    chosen_at: datetime | None
    discussed_at: datetime | None
    method_id: str | None
    chosen_advice: str
    follow_up: str
    followed_up_at: datetime | None
    erased_at: datetime | None

    @classmethod
    def from_row(cls, row: dict) -> Case:
        return cls(**(row | {"wants": json.loads(row["wants"])}))


class CaseCount(BaseModel):
    """What a coordinator may know of a group's cases in a period: how many, never which."""

    group_id: int
    group_name: str
    submitted: int
    discussed: int
    followed_up: int


class FollowUpInput(_Input):
    text: Annotated[str, StringConstraints(max_length=CASE_FIELD_MAX), AfterValidator(_not_blank)]


class DiscussionInput(_Input):
    """What the facilitator records after the session: the method used and the advice the bringer chose."""

    method_id: str | None = None
    chosen_advice: str = Field(default="", max_length=CASE_FIELD_MAX)


class RetentionInput(_Input):
    days: int | None = Field(default=None, ge=30, le=3650)


# --- live sessions -------------------------------------------------------------------------------

BOARD_TEXT_MAX = 500
NOTE_MAX = 500


class SessionStatus(StrEnum):
    CHECK_IN = "check_in"  # look back, check-in round
    RUNNING = "running"  # the method's phases
    CLOSING = "closing"  # closing round, action items, the bringer's choice, evaluation
    CLOSED = "closed"


class SessionRole(StrEnum):
    CASE_BRINGER = "case_bringer"
    CHAIR = "chair"
    TIMEKEEPER = "timekeeper"
    NOTE_TAKER = "note_taker"
    OBSERVER = "observer"


class ChangeStamp(NamedTuple):
    """How far a live session has changed: every change, and how many of them were only participants adding
    to the board (a question, a dot, a helpful mark). A screen that drew `change` is behind when it hears more."""

    change: int
    contributions: int

    @property
    def moments(self) -> int:
        """The changes that were more than a contribution: the phase, the clock, the speaker, the facilitator's
        hand on the board."""
        return self.change - self.contributions


class LiveSession(BaseModel):
    """A session as it happens: which phase, and the stored moments its countdown is computed from."""

    id: int
    group_id: int
    group_name: str
    group_language: Language = Language.NL  # the projector speaks it, not the beamer browser's language
    meeting_id: int | None
    case_id: int | None
    case_title: str
    method_id: str
    method_version: int
    sequence_id: str | None
    status: SessionStatus
    phase_index: int
    phase_started_at: datetime | None
    paused_at: datetime | None
    paused_seconds: float
    extra_minutes: float
    overrun_logged: bool
    bringer_choice: str
    revision: int
    # Moves with every write a live screen shows (board, marks, presence, phases…); screens listen for it.
    change_stamp: int = 0
    # The part of change_stamp that participants' questions, dots and helpful marks made (store.board_grew).
    contribution_stamp: int = 0
    join_code: str
    projector_token: str
    facilitator_id: int | None
    started_at: datetime
    closed_at: datetime | None

    @property
    def stamp(self) -> ChangeStamp:
        return ChangeStamp(self.change_stamp, self.contribution_stamp)


class BoardItem(BaseModel):
    id: int
    phase_index: int
    kind: str
    text: str
    author: str
    helpful: bool
    created_at: datetime
    hidden: bool = False  # on the console only (greyed, with "reveal"); never on phones or the projector
    dots: int = 0  # how many dots members gave it; never who gave them


class BoardChangeAction(StrEnum):
    """What the facilitator did to a board item; the board's history keeps each one."""

    EDITED = "edited"
    HIDDEN = "hidden"
    REVEALED = "revealed"
    MERGED = "merged"  # this item was folded into another
    REMOVED = "removed"
    RESTORED = "restored"


class BoardChange(BaseModel):
    """One line of a session's board history: who did what to which item, when (the facilitator's only)."""

    id: int
    item_id: int
    action: BoardChangeAction
    actor: str
    earlier_text: str | None  # an edit keeps the wording it replaced
    other_item_id: int | None  # a merge: the item this one was folded into
    at: datetime


class SetAsideBoardItem(BaseModel):
    """A removed or merged item: off every screen, kept in the history, restorable by the facilitator."""

    id: int
    kind: str
    text: str
    author: str
    removed_at: datetime | None
    merged_into: int | None


class BoardEditInput(_Input):
    text: Annotated[str, StringConstraints(max_length=BOARD_TEXT_MAX), AfterValidator(_not_blank)]


class ActionItem(BaseModel):
    id: int
    live_session_id: int
    text: str
    owner_id: int | None
    owner: str
    due_date: date | None
    confirmed: bool
    done: bool


class ObservationKind(StrEnum):
    """What one press in the observation log records."""

    OBSERVATION = "observation"  # something the facilitator noticed
    INTERVENTION = "intervention"  # the facilitator stepped in
    SELF_CORRECTION = "self_correction"  # the group corrected itself, without the facilitator


class Observation(BaseModel):
    id: int
    phase_index: int
    level: str
    kind: ObservationKind = ObservationKind.OBSERVATION
    category: str | None
    concerns: str | None
    note: str
    automatic: bool
    at: datetime


class StartSessionInput(_Input):
    """What the facilitator chooses before the session starts."""

    group_id: int
    case_id: int | None = None
    spot_case_title: str = Field(default="", max_length=CASE_TITLE_MAX)  # a case told on the spot
    method_id: Annotated[str, StringConstraints(min_length=1)]
    sequence_id: str | None = None
    roles: dict[SessionRole, list[int]] = Field(default_factory=dict)
    # The projector's language, a setting of the group chosen again here; None leaves it as it is.
    language: Language | None = None

    @field_validator("spot_case_title")
    @classmethod
    def _a_case(cls, title: str, info) -> str:  # noqa: ANN001 - pydantic's ValidationInfo
        if info.data.get("case_id") is None and not title.strip():
            raise PydanticCustomError("required", "a case from the queue, or one told on the spot")
        return title

    @field_validator("roles")
    @classmethod
    def _one_case_bringer(cls, roles: dict) -> dict:
        if len(roles.get(SessionRole.CASE_BRINGER, [])) > 1:
            raise PydanticCustomError("one_case_bringer", "one case bringer")
        return roles


class BoardItemInput(_Input):
    kind: str
    text: Annotated[str, StringConstraints(max_length=BOARD_TEXT_MAX), AfterValidator(_not_blank)]


class ActionItemInput(_Input):
    text: Annotated[str, StringConstraints(max_length=BOARD_TEXT_MAX), AfterValidator(_not_blank)]
    owner_id: int | None = None
    due_date: date | None = None


class ObservationDetailsInput(_Input):
    category: str | None = None
    concerns: SessionRole | Literal["group", "facilitator", "member"] | None = None
    note: str = Field(default="", max_length=NOTE_MAX)


class RatingInput(_Input):
    usefulness: int = Field(ge=1, le=5)


# --- goals -----------------------------------------------------------------------------------------


class GoalMeasure(StrEnum):
    """What a goal is measured by, over the twelve months before it is read (or before its date)."""

    SESSIONS_HELD = "sessions_held"  # sessions held per group
    ATTENDANCE = "attendance"  # % of members present at held sessions
    ACTION_ITEMS_DONE = "action_items_done"  # % of confirmed action items done
    CASES_FOLLOWED_UP = "cases_followed_up"  # % of discussed cases whose bringer looked back
    SELF_EFFICACY = "self_efficacy"  # latest released average (1–5)
    COLLECTIVE_EFFICACY = "collective_efficacy"  # latest released average (1–5)


PERCENT_MEASURES = (GoalMeasure.ATTENDANCE, GoalMeasure.ACTION_ITEMS_DONE, GoalMeasure.CASES_FOLLOWED_UP)
EFFICACY_MEASURES = (GoalMeasure.SELF_EFFICACY, GoalMeasure.COLLECTIVE_EFFICACY)
# The range a target can take, per kind of measure.
GOAL_RANGES: dict[GoalMeasure, tuple[float, float]] = {
    GoalMeasure.SESSIONS_HELD: (1, 52),
    **{measure: (1, 100) for measure in PERCENT_MEASURES},
    **{measure: (1, 5) for measure in EFFICACY_MEASURES},
}


class GoalInput(_Input):
    """A concrete goal: a measure, a target and a date, for one group or for the whole organisation."""

    group_id: int | None = None  # None: the organisation as a whole
    measure: GoalMeasure
    target: float
    due: date

    @field_validator("target")
    @classmethod
    def _in_range(cls, target: float, info) -> float:  # noqa: ANN001 - pydantic's ValidationInfo
        measure = info.data.get("measure")
        if measure is not None:
            lowest, highest = GOAL_RANGES[measure]
            if not lowest <= target <= highest:
                raise PydanticCustomError(
                    "target_range", "between {lowest} and {highest}", {"lowest": lowest, "highest": highest}
                )
        return target

    @field_validator("due")
    @classmethod
    def _ahead(cls, due: date) -> date:
        if due <= clock.today():
            raise PydanticCustomError("date_in_future", "a date after today")
        return due


class Goal(BaseModel):
    id: int
    group_id: int | None
    group_name: str | None
    measure: GoalMeasure
    target: float
    due: date
    created_at: datetime


class SpeakingTurn(BaseModel):
    """One person's place in a speaking round."""

    model_config = ConfigDict(frozen=True)

    person_id: int
    name: str
    position: int
    skipped: bool  # left out by the facilitator (absent, or passing); can be added back
    spoke_at: datetime | None  # when their turn ended


class SpeakingRound(BaseModel):
    """A phase's speaking round: the drawn order, who speaks now and since when (stored, never in memory)."""

    model_config = ConfigDict(frozen=True)

    id: int
    live_session_id: int
    phase_index: int
    drawn_at: datetime
    speaker_id: int | None
    turn_started_at: datetime | None
    # The session's paused seconds when this turn started: pauses before it are not the speaker's.
    turn_paused_base: float
    finished_at: datetime | None
    turns: list[SpeakingTurn]


# --- sessions in calendars -------------------------------------------------------------------------


class SessionChangeInput(_Input):
    """A planned session moved: its new start and length (the method stays as planned)."""

    starts_at: datetime
    minutes: int = Field(ge=30, le=480)


class SessionAttendee(BaseModel):
    """Someone a session's calendar invitation and reminder go to: a member or facilitator of its group."""

    model_config = ConfigDict(frozen=True)

    person_id: int
    name: str
    email: str
    language: Language | None
    group_role: GroupRole


class CalendarFeed(BaseModel):
    """A group's calendar feed: its secret token, and since when it holds."""

    model_config = ConfigDict(frozen=True)

    group_id: int
    token: str
    created_at: datetime
