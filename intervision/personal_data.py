"""A person's own data: taking all of it out, and a coordinator erasing someone.

DOMAIN.md section 5: an organisation asks "how a person can take it out or have it deleted". The export
holds everything stored about the person who asks, and nothing about anyone else. Erasing is in
`erase_person`, whose docstring says what goes, what stays anonymised, and why.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel

from intervision import store
from intervision.database import Database
from intervision.errors import DomainError
from intervision.instruments import InstrumentFileError, parse_instrument
from intervision.models import AuditAction, Language, Person, Role
from intervision.permissions import Action, require
from intervision.store import account_mail as account_mail_store
from intervision.store import community as community_store
from intervision.store import learning_goals as learning_goal_store
from intervision.store import mail as outbox_store
from intervision.store import programmes as programme_store
from intervision.store import shared_reports as sharing_store
from intervision.store.personal_data import PersonalAuditEvent, PersonalSurveyResponse

EXPORT_FORMAT = "intervision personal data export, version 1"
# Someone else's e-mail address in an audit event of the person's own (a role they changed): not theirs.
ANOTHER_PERSON = "[another person]"
_EMAIL_LIKE = re.compile(r"[^@\s]+@[^@\s]+")


def _plain(value: object) -> object:
    """A stored value as the export writes it: moments as the store keeps them (UTC, to the second)."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, dict):
        return {name: _plain(inner) for name, inner in value.items()}
    if isinstance(value, list):
        return [_plain(inner) for inner in value]
    return value


def _exported(record: BaseModel) -> dict:
    return {name: _plain(value) for name, value in record.model_dump().items()}


def _rows(records: Sequence[BaseModel]) -> list[dict]:
    return [_exported(record) for record in records]


def _response(response: PersonalSurveyResponse, language: Language) -> dict:
    """A survey response with each answer beside the statement it answers, in the person's language."""
    try:
        instrument = parse_instrument(response.instrument_definition, f"wave {response.wave_id}")
        statements = {item.id: item.text(language) for item in instrument.items}
    except InstrumentFileError:  # pragma: no cover - a wave keeps a definition that was valid when opened
        statements = {}
    return {
        "wave_id": response.wave_id,
        "group_id": response.group_id,
        "instrument_id": response.instrument_id,
        "moment": response.moment,
        "answered_at": _plain(response.answered_at),
        "answers": [
            {"item_id": item_id, "statement": statements.get(item_id, ""), "value": value}
            for item_id, value in response.answers.items()
        ],
    }


def _own_event(event: PersonalAuditEvent, email: str) -> dict:
    """An audit event of the person's own, with other people's e-mail addresses left out."""

    def scrub(text: str) -> str:
        return _EMAIL_LIKE.sub(lambda found: found[0] if found[0] == email else ANOTHER_PERSON, text)

    return {**_exported(event), "subject": scrub(event.subject), "detail": scrub(event.detail)}


def export_my_data(database: Database, person: Person) -> bytes:
    """Everything stored about this person, as an indented UTF-8 JSON document.

    Left out on purpose: the password hash, sign-in failures and locks, sign-in tokens (only when each
    session began and ends), invitation codes (a code still lets someone in), and anything of anyone
    else: other members' answers, cases, votes and board items, and other people's e-mail addresses in
    the audit events of the person's own doings. Groups and sessions appear by id (and a group by name).
    """
    require(Action.EXPORT_OWN_DATA, person.role)
    language = person.language or Language.EN
    with database.reading() as db:
        account = store.personal_account(db, person.id)
        if account is None:
            raise DomainError("person_not_found")
        email = account.email
        draft = store.personal_method_draft(db, person.id)
        document = {
            "format": EXPORT_FORMAT,
            "exported_at": database.clock.now().isoformat(timespec="seconds"),
            "account": {
                name: _plain(getattr(account, name)) for name in ("name", "email", "role", "language", "created_at")
            },
            "memberships": _rows(store.personal_memberships(db, person.id)),
            "membership_history": _rows(store.personal_membership_events(db, person.id)),
            "group_invitations_received": _rows(store.personal_group_invitations(db, person.id)),
            "cases": _rows(store.personal_cases(db, person.id)),
            "case_votes": _rows(store.personal_case_votes(db, person.id)),
            "board_items": _rows(store.personal_board_items(db, person.id)),
            "board_dots": _rows(store.personal_board_dots(db, person.id)),
            "board_changes_made": _rows(store.personal_board_changes(db, person.id)),
            "action_items": _rows(store.personal_action_items(db, person.id)),
            "session_roles": _rows(store.personal_session_roles(db, person.id)),
            "session_ratings": _rows(store.personal_session_ratings(db, person.id)),
            "speaking_turns": _rows(store.personal_speaking_turns(db, person.id)),
            "attendance": _rows(store.personal_attendance(db, person.id)),
            "session_presence": _rows(store.personal_session_presence(db, person.id)),
            "survey_responses": [_response(row, language) for row in store.personal_survey_responses(db, person.id)],
            "sign_in_sessions": _rows(store.personal_sign_in_sessions(db, person.id)),
            "audit_events": [_own_event(event, email) for event in store.personal_audit_events(db, person.id)],
            "audit_events_about_me": _rows(store.audit_events_about(db, person.id, email)),
            "custom_methods": _rows(store.personal_custom_methods(db, person.id)),
            "method_draft": _exported(draft) if draft else None,
            "sessions_facilitated": _rows(store.personal_sessions_facilitated(db, person.id)),
            "invitations_created": _rows(store.personal_invitations_created(db, person.id)),
            "survey_waves_opened": _rows(store.personal_waves_opened(db, person.id)),
            "goals_set": _rows(store.personal_goals_set(db, person.id)),
            # Their own learning contract: each goal as they wrote it (with the group it is shared with while
            # that share holds) and every progress note.
            "learning_goals": _rows(learning_goal_store.learning_goals_of(db, person.id)),
            "learning_goal_progress": _rows(learning_goal_store.progress_notes_of(db, person.id)),
            # As a session's second observer: where, what they noted, and the debrief notes they wrote last.
            "observer_sessions": _rows(community_store.personal_observer_roles(db, person.id)),
            "observer_observations": _rows(community_store.personal_observer_observations(db, person.id)),
            "debrief_notes_written": _rows(community_store.personal_debrief_notes(db, person.id)),
            "programme_actions": _rows(programme_store.personal_programme_actions(db, person.id)),
            # What was mailed to them, without the text (a one-time link may be in it), and their choice of mails.
            "mails_to_me": [
                {
                    "kind": mail.kind.value,
                    "subject": mail.subject,
                    "status": mail.status.value,
                    "queued_at": _plain(mail.created_at),
                    "finished_at": _plain(mail.finished_at),
                }
                for mail in outbox_store.mails_to_person(db, person.id)
            ],
            "mail_choices": {kind.value: wanted for kind, wanted in outbox_store.mail_choices(db, person.id).items()},
            # When their address was confirmed, and the one-time links made for them (never a link's token).
            "email_confirmed_at": _plain(account_mail_store.email_confirmed_at(db, person.id)),
            "account_links": _rows(account_mail_store.personal_account_links(db, person.id)),
            # As a facilitator: the sessions whose report they sent to the group, and when.
            "session_reports_sent": _rows(sharing_store.reports_sent_by(db, person.id)),
        }
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


@dataclass(frozen=True)
class Erasure:
    """What erasing a person did, in numbers (never what any of it said)."""

    cases_deleted: int
    responses_anonymised: int
    board_items_kept: int
    action_items_kept: int


def pseudonym(person_id: int) -> str:
    """How the audit log names an erased person from then on."""
    return f"person {person_id}"


def erase_person(database: Database, viewer: Person, person_id: int, now: datetime | None = None) -> Erasure:
    """A coordinator erases someone, in one transaction. Refused for oneself and for the last coordinator.

    What goes and what stays:
    - **Cases** the person brought are deleted with everything in them (drafts too), and the votes cast
      for them. A session about one of their cases keeps no copy of its title. Case counts in the overview
      go down accordingly: a count says nothing of what a case was about.
    - **Survey answers** stay, without who gave them (`survey_responses.person_id` becomes NULL), as the
      README and the surveys page promise: averages already shown to the group or the organisation do
      not change, so nothing can be learned by comparing them before and after (DOMAIN.md section 5: no
      result recoverable by subtracting two selections). The overview counts everyone who left as one
      respondent when it pools waves, so a pool may drop below the threshold, never rise above it.
    - **Board items** (questions, advice, ...) and **action items** belong to the group's sessions: their
      texts stay, without the author or owner.
    - **Their votes**, session roles, speaking turns, usefulness ratings, attendance and check-in presence, memberships
      (with their lines in the groups' membership history), invitations to groups they received,
      sign-in sessions, method draft and personal learning goals (with their progress notes) are deleted (the
      database keeps them only with a person; the usefulness average is shown only above the threshold).
    - Records of what they did for the organisation (invitations, survey waves, goals, sessions they
      facilitated, methods they wrote) stay without their name. An invitation mailed to their address
      forgets the address.
    - **The audit log** keeps what happened, not who: their e-mail address becomes "person <id>"; their
      own events lose the link to the account (a later account may get the same id) and carry the
      pseudonym where they concerned nobody else. The erasure itself is logged as concerning "person <id>",
      with counts only: never their name or e-mail address.
    """
    require(Action.ERASE_PERSON, viewer.role)
    now = now or database.clock.now()
    if person_id == viewer.id:
        raise DomainError("cannot_erase_self")
    with database.writing() as db:
        erased = store.person(db, person_id)
        if erased is None:
            raise DomainError("person_not_found")
        db.lock("coordinators")  # as in accounts.change_role: the last coordinator stays
        if erased.role is Role.COORDINATOR and store.count_coordinators(db) <= 1:
            raise DomainError("last_coordinator")
        store.forget_case_titles_of(db, person_id)
        cases = store.delete_cases_of_author(db, person_id)
        store.delete_case_votes_of(db, person_id)
        learning_goal_store.delete_learning_goals_of(db, person_id)
        responses = store.anonymise_survey_responses(db, person_id)
        board_items = store.unlink_board_items(db, person_id)
        action_items = store.unlink_action_items(db, person_id)
        store.pseudonymise_audit_log(db, person_id, erased.email, pseudonym(person_id))
        store.forget_invitation_address(db, erased.email)
        store.delete_person(db, person_id)
        store.add_audit_event(
            db,
            now,
            viewer.id,
            AuditAction.PERSON_ERASED,
            pseudonym(person_id),
            f"cases deleted: {cases}, survey responses anonymised: {responses}",
        )
    return Erasure(cases, responses, board_items, action_items)
