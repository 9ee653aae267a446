"""Everything stored about one person, and erasing them (what is shown and kept is decided in
intervision/personal_data.py)."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import TypeVar

from pydantic import BaseModel, ConfigDict

from intervision.database import Unit
from intervision.models import (
    CaseStatus,
    GoalMeasure,
    GroupRole,
    Language,
    MembershipChange,
    Role,
    SessionRole,
)

# Which of these the export shows, and what erasing a person removes or keeps, is decided (and explained)
# in intervision/personal_data.py. Each kind of record is one class with the columns the export shows;
# pydantic turns the stored ISO text into aware datetimes and dates, 0/1 into booleans, names into enums.


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True)


class PersonalAccount(_Record):
    """The account as the person may read it: never the password hash or the sign-in failures."""

    id: int
    name: str
    email: str
    role: Role
    language: Language | None
    created_at: datetime


class PersonalMembership(_Record):
    group_id: int
    group_name: str
    group_role: GroupRole
    joined_at: datetime


class PersonalMembershipEvent(_Record):
    group_id: int
    change: MembershipChange
    group_role: GroupRole
    at: datetime


class PersonalGroupInvitation(_Record):
    group_id: int
    group_role: GroupRole
    created_at: datetime
    expires_at: datetime
    accepted_at: datetime | None
    declined_at: datetime | None
    withdrawn_at: datetime | None


class PersonalCase(_Record):
    """A case with all its columns, as its author may read it back."""

    id: int
    group_id: int
    author_id: int | None
    status: CaseStatus
    title: str
    situation: str
    involved: str
    own_role: str
    evoked: str
    learning_question: str
    question_type: str | None
    wants: list[str]
    tried: str
    urgency: str
    preferred_method: str | None
    anonymised: bool
    created_at: datetime
    submitted_at: datetime | None
    meeting_id: int | None
    chosen_at: datetime | None
    discussed_at: datetime | None
    method_id: str | None
    chosen_advice: str
    follow_up: str
    followed_up_at: datetime | None
    erased_at: datetime | None
    group_name: str


class PersonalCaseVote(_Record):
    group_id: int
    round: int
    case_id: int
    cast_at: datetime


class PersonalBoardItem(_Record):
    id: int
    live_session_id: int
    group_id: int
    phase_index: int
    kind: str
    text: str
    helpful: bool
    created_at: datetime


class PersonalActionItem(_Record):
    id: int
    live_session_id: int
    group_id: int
    text: str
    due_date: date | None
    confirmed: bool
    done: bool
    created_at: datetime


class PersonalSessionRole(_Record):
    live_session_id: int
    group_id: int
    started_at: datetime
    role: SessionRole


class PersonalSpeakingTurn(_Record):
    live_session_id: int
    phase_index: int
    position: int
    skipped: bool
    spoke_at: datetime | None


class PersonalSessionRating(_Record):
    live_session_id: int
    usefulness: int
    rated_at: datetime


class PersonalAttendance(_Record):
    meeting_id: int
    group_id: int
    starts_at: datetime
    present: bool


class PersonalSessionPresence(_Record):
    live_session_id: int
    group_id: int
    started_at: datetime
    present: bool


class PersonalSurveyResponse(_Record):
    """One of the person's own responses, with the wave's instrument text (to name the items)."""

    wave_id: int
    group_id: int
    instrument_id: str
    instrument_definition: str
    moment: str
    answered_at: datetime
    answers: dict[str, int | None]


class PersonalSignInSession(_Record):
    """When a sign-in session began and ends; never its token (hash)."""

    created_at: datetime
    expires_at: datetime


class PersonalAuditEvent(_Record):
    """An audit event of the person's own doings."""

    at: datetime
    action: str  # an AuditAction, or one a release before it logged
    subject: str
    detail: str


class AuditEventAbout(_Record):
    """What someone else did to the person's account, without who did it."""

    at: datetime
    action: str
    detail: str


class PersonalCustomMethod(_Record):
    method_id: str
    shared: bool
    current_version: int
    created_at: datetime
    definition: str


class PersonalMethodDraft(_Record):
    body: str
    updated_at: datetime


class PersonalSessionFacilitated(_Record):
    live_session_id: int
    group_id: int
    method_id: str
    started_at: datetime
    closed_at: datetime | None


class PersonalInvitationCreated(_Record):
    """An invitation the person made, without its code (a code still lets someone in)."""

    group_id: int
    group_role: GroupRole
    created_at: datetime
    expires_at: datetime
    max_uses: int
    uses: int
    revoked_at: datetime | None


class PersonalWaveOpened(_Record):
    wave_id: int
    group_id: int
    instrument_id: str
    moment: str
    opened_at: datetime
    closed_at: datetime | None


class PersonalGoalSet(_Record):
    group_id: int | None
    measure: GoalMeasure
    target: float
    due: date
    created_at: datetime


_Kind = TypeVar("_Kind", bound=_Record)


def _records(db: Unit, kind: type[_Kind], sql: str, params: list) -> list[_Kind]:
    return [kind.model_validate(dict(row)) for row in db.execute(sql, params)]


def personal_account(db: Unit, person_id: int) -> PersonalAccount | None:
    row = db.execute(
        "SELECT id, name, email, role, language, created_at FROM people WHERE id = ?", [person_id]
    ).fetchone()
    return PersonalAccount.model_validate(dict(row)) if row else None


def personal_memberships(db: Unit, person_id: int) -> list[PersonalMembership]:
    return _records(
        db,
        PersonalMembership,
        "SELECT m.group_id, g.name AS group_name, m.group_role, m.joined_at"
        " FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.person_id = ? ORDER BY m.joined_at, g.id",
        [person_id],
    )


def personal_membership_events(db: Unit, person_id: int) -> list[PersonalMembershipEvent]:
    return _records(
        db,
        PersonalMembershipEvent,
        "SELECT group_id, change, group_role, at FROM membership_events WHERE person_id = ? ORDER BY at, id",
        [person_id],
    )


def personal_group_invitations(db: Unit, person_id: int) -> list[PersonalGroupInvitation]:
    """Invitations to join a group that this person received (who sent them is that person's data)."""
    return _records(
        db,
        PersonalGroupInvitation,
        "SELECT group_id, group_role, created_at, expires_at, accepted_at, declined_at, withdrawn_at"
        " FROM group_invitations WHERE person_id = ? ORDER BY created_at",
        [person_id],
    )


_CASE_COLUMNS = ", ".join(f"c.{name}" for name in PersonalCase.model_fields if name != "group_name")


def personal_cases(db: Unit, person_id: int) -> list[PersonalCase]:
    """Every case this person brought, drafts too, with all its columns."""
    rows = db.execute(
        f"SELECT {_CASE_COLUMNS}, g.name AS group_name FROM cases c JOIN groups g ON g.id = c.group_id"
        " WHERE c.author_id = ? ORDER BY c.id",
        [person_id],
    )
    # What the author wants from the group is stored as a JSON list.
    return [PersonalCase.model_validate(dict(row) | {"wants": json.loads(row["wants"] or "[]")}) for row in rows]


def personal_case_votes(db: Unit, person_id: int) -> list[PersonalCaseVote]:
    return _records(
        db,
        PersonalCaseVote,
        "SELECT group_id, round, case_id, cast_at FROM case_votes WHERE voter_id = ? ORDER BY cast_at",
        [person_id],
    )


def personal_board_items(db: Unit, person_id: int) -> list[PersonalBoardItem]:
    return _records(
        db,
        PersonalBoardItem,
        "SELECT b.id, b.live_session_id, s.group_id, b.phase_index, b.kind, b.text, b.helpful, b.created_at"
        " FROM board_items b JOIN live_sessions s ON s.id = b.live_session_id WHERE b.author_id = ? ORDER BY b.id",
        [person_id],
    )


def personal_action_items(db: Unit, person_id: int) -> list[PersonalActionItem]:
    return _records(
        db,
        PersonalActionItem,
        "SELECT id, live_session_id, group_id, text, due_date, confirmed, done, created_at"
        " FROM action_items WHERE owner_id = ? ORDER BY id",
        [person_id],
    )


def personal_session_roles(db: Unit, person_id: int) -> list[PersonalSessionRole]:
    return _records(
        db,
        PersonalSessionRole,
        "SELECT r.live_session_id, s.group_id, s.started_at, r.role"
        " FROM session_roles r JOIN live_sessions s ON s.id = r.live_session_id"
        " WHERE r.person_id = ? ORDER BY s.started_at, r.role",
        [person_id],
    )


def personal_speaking_turns(db: Unit, person_id: int) -> list[PersonalSpeakingTurn]:
    """Their places in speaking rounds: where they were in the order, and when their turn ended."""
    return _records(
        db,
        PersonalSpeakingTurn,
        "SELECT r.live_session_id, r.phase_index, t.position, t.skipped, t.spoke_at"
        " FROM speaking_turns t JOIN speaking_rounds r ON r.id = t.round_id"
        " WHERE t.person_id = ? ORDER BY r.live_session_id, r.phase_index",
        [person_id],
    )


def personal_session_ratings(db: Unit, person_id: int) -> list[PersonalSessionRating]:
    return _records(
        db,
        PersonalSessionRating,
        "SELECT live_session_id, usefulness, rated_at FROM session_ratings WHERE person_id = ? ORDER BY rated_at",
        [person_id],
    )


def personal_attendance(db: Unit, person_id: int) -> list[PersonalAttendance]:
    return _records(
        db,
        PersonalAttendance,
        "SELECT a.meeting_id, m.group_id, m.starts_at, a.present"
        " FROM attendance a JOIN meetings m ON m.id = a.meeting_id WHERE a.person_id = ? ORDER BY m.starts_at",
        [person_id],
    )


def personal_session_presence(db: Unit, person_id: int) -> list[PersonalSessionPresence]:
    return _records(
        db,
        PersonalSessionPresence,
        "SELECT p.live_session_id, s.group_id, s.started_at, p.present"
        " FROM session_presence p JOIN live_sessions s ON s.id = p.live_session_id"
        " WHERE p.person_id = ? ORDER BY s.started_at",
        [person_id],
    )


def personal_survey_responses(db: Unit, person_id: int) -> list[PersonalSurveyResponse]:
    """This person's own responses, each with its answers and the wave's instrument (to name the items)."""
    rows = db.execute(
        "SELECT r.id, r.wave_id, w.group_id, w.instrument_id, w.instrument_definition, w.moment, r.answered_at,"
        " a.item_id, a.value FROM survey_responses r JOIN survey_waves w ON w.id = r.wave_id"
        " LEFT JOIN survey_answers a ON a.response_id = r.id"
        " WHERE r.person_id = ? ORDER BY r.answered_at, r.id, a.item_id",
        [person_id],
    )
    responses: dict[int, dict] = {}
    for row in rows:
        response = responses.setdefault(
            row["id"],
            {
                "wave_id": row["wave_id"],
                "group_id": row["group_id"],
                "instrument_id": row["instrument_id"],
                "instrument_definition": row["instrument_definition"],
                "moment": row["moment"],
                "answered_at": row["answered_at"],
                "answers": {},
            },
        )
        if row["item_id"] is not None:
            response["answers"][row["item_id"]] = row["value"]
    return [PersonalSurveyResponse.model_validate(response) for response in responses.values()]


def personal_sign_in_sessions(db: Unit, person_id: int) -> list[PersonalSignInSession]:
    """When each sign-in session began and ends; never its token (hash)."""
    return _records(
        db,
        PersonalSignInSession,
        "SELECT created_at, expires_at FROM sign_in_sessions WHERE person_id = ? ORDER BY created_at",
        [person_id],
    )


def personal_audit_events(db: Unit, person_id: int) -> list[PersonalAuditEvent]:
    """What the audit log holds of this person's own doings."""
    return _records(
        db,
        PersonalAuditEvent,
        "SELECT at, action, subject, detail FROM audit_log WHERE actor_id = ? ORDER BY id",
        [person_id],
    )


def audit_events_about(db: Unit, person_id: int, email: str) -> list[AuditEventAbout]:
    """What others did to this person's account (a role change, being added to a group), without who did it."""
    return _records(
        db,
        AuditEventAbout,
        "SELECT at, action, detail FROM audit_log WHERE subject = ? AND actor_id IS DISTINCT FROM ? ORDER BY id",
        [email, person_id],
    )


def personal_custom_methods(db: Unit, person_id: int) -> list[PersonalCustomMethod]:
    return _records(
        db,
        PersonalCustomMethod,
        "SELECT c.method_id, c.shared, c.current_version, c.created_at, v.definition FROM custom_methods c"
        " JOIN method_versions v ON v.method_id = c.method_id AND v.version = c.current_version"
        " WHERE c.author_id = ? ORDER BY c.method_id",
        [person_id],
    )


def personal_method_draft(db: Unit, person_id: int) -> PersonalMethodDraft | None:
    row = db.execute("SELECT body, updated_at FROM method_drafts WHERE person_id = ?", [person_id]).fetchone()
    return PersonalMethodDraft.model_validate(dict(row)) if row else None


def personal_sessions_facilitated(db: Unit, person_id: int) -> list[PersonalSessionFacilitated]:
    return _records(
        db,
        PersonalSessionFacilitated,
        "SELECT id AS live_session_id, group_id, method_id, started_at, closed_at FROM live_sessions"
        " WHERE facilitator_id = ? ORDER BY started_at",
        [person_id],
    )


def personal_invitations_created(db: Unit, person_id: int) -> list[PersonalInvitationCreated]:
    """Invitations this person made, without their codes (a code still lets someone in)."""
    return _records(
        db,
        PersonalInvitationCreated,
        "SELECT group_id, group_role, created_at, expires_at, max_uses, uses, revoked_at FROM invitations"
        " WHERE created_by = ? ORDER BY created_at",
        [person_id],
    )


def personal_waves_opened(db: Unit, person_id: int) -> list[PersonalWaveOpened]:
    return _records(
        db,
        PersonalWaveOpened,
        "SELECT id AS wave_id, group_id, instrument_id, moment, opened_at, closed_at FROM survey_waves"
        " WHERE opened_by = ? ORDER BY opened_at",
        [person_id],
    )


def personal_goals_set(db: Unit, person_id: int) -> list[PersonalGoalSet]:
    return _records(
        db,
        PersonalGoalSet,
        "SELECT group_id, measure, target, due, created_at FROM goals WHERE created_by = ? ORDER BY created_at",
        [person_id],
    )


def forget_case_titles_of(db: Unit, person_id: int) -> None:
    """Blank the copied case title of sessions about this person's cases (queued, or told on the spot)."""
    db.execute(
        "UPDATE live_sessions SET case_title = '' WHERE case_id IN (SELECT id FROM cases WHERE author_id = :person)"
        " OR (case_id IS NULL AND id IN (SELECT live_session_id FROM session_roles"
        " WHERE person_id = :person AND role = :case_bringer))",
        {"person": person_id, "case_bringer": SessionRole.CASE_BRINGER.value},
    )


def delete_cases_of_author(db: Unit, person_id: int) -> int:
    """Delete every case this person brought, and the votes cast for them. Returns how many cases."""
    db.execute("DELETE FROM case_votes WHERE case_id IN (SELECT id FROM cases WHERE author_id = ?)", [person_id])
    return db.execute("DELETE FROM cases WHERE author_id = ?", [person_id]).rowcount


def delete_case_votes_of(db: Unit, person_id: int) -> None:
    db.execute("DELETE FROM case_votes WHERE voter_id = ?", [person_id])


def anonymise_survey_responses(db: Unit, person_id: int) -> int:
    """Keep this person's answers without who gave them. Returns how many responses."""
    return db.execute("UPDATE survey_responses SET person_id = NULL WHERE person_id = ?", [person_id]).rowcount


def unlink_board_items(db: Unit, person_id: int) -> int:
    return db.execute("UPDATE board_items SET author_id = NULL WHERE author_id = ?", [person_id]).rowcount


def unlink_action_items(db: Unit, person_id: int) -> int:
    return db.execute("UPDATE action_items SET owner_id = NULL WHERE owner_id = ?", [person_id]).rowcount


def pseudonymise_audit_log(db: Unit, person_id: int, email: str, pseudonym: str) -> None:
    """Replace this person's e-mail address in the log by a pseudonym, and drop the link to their account.

    Their own events lose the actor (a later account may get the same id) and, where they concern nobody
    else, carry the pseudonym as their subject.
    """
    db.execute("UPDATE audit_log SET subject = ? WHERE subject = ?", [pseudonym, email])
    db.execute("UPDATE audit_log SET detail = ? WHERE detail = ?", [pseudonym, email])
    db.execute(
        "UPDATE audit_log SET subject = CASE WHEN subject = '' THEN ? ELSE subject END, actor_id = NULL"
        " WHERE actor_id = ?",
        [pseudonym, person_id],
    )


def delete_person(db: Unit, person_id: int) -> None:
    """Delete the account; memberships, sign-in sessions, drafts, roles, ratings and attendance go with it."""
    db.execute("DELETE FROM people WHERE id = ?", [person_id])
