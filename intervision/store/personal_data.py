"""Everything stored about one person, and erasing them (what is shown and kept is decided in
intervision/personal_data.py)."""

from __future__ import annotations

from intervision.database import Unit

# Which of these the export shows, and what erasing a person removes or keeps, is decided (and explained)
# in intervision/personal_data.py.


def _dicts(db: Unit, sql: str, params: list) -> list[dict]:
    return [dict(row) for row in db.execute(sql, params)]


def personal_account(db: Unit, person_id: int) -> dict | None:
    """The account as the person may read it: never the password hash or the sign-in failures."""
    row = db.execute(
        "SELECT id, name, email, role, language, created_at FROM people WHERE id = ?", [person_id]
    ).fetchone()
    return dict(row) if row else None


def personal_memberships(db: Unit, person_id: int) -> list[dict]:
    return _dicts(
        db,
        "SELECT m.group_id, g.name AS group_name, m.group_role, m.joined_at"
        " FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.person_id = ? ORDER BY m.joined_at, g.id",
        [person_id],
    )


def personal_membership_events(db: Unit, person_id: int) -> list[dict]:
    return _dicts(
        db,
        "SELECT group_id, change, group_role, at FROM membership_events WHERE person_id = ? ORDER BY at, id",
        [person_id],
    )


def personal_group_invitations(db: Unit, person_id: int) -> list[dict]:
    """Invitations to join a group that this person received (who sent them is that person's data)."""
    return _dicts(
        db,
        "SELECT group_id, group_role, created_at, expires_at, accepted_at, declined_at, withdrawn_at"
        " FROM group_invitations WHERE person_id = ? ORDER BY created_at",
        [person_id],
    )


def personal_cases(db: Unit, person_id: int) -> list[dict]:
    """Every case this person brought, drafts too, with all its columns."""
    return _dicts(
        db,
        "SELECT c.*, g.name AS group_name FROM cases c JOIN groups g ON g.id = c.group_id"
        " WHERE c.author_id = ? ORDER BY c.id",
        [person_id],
    )


def personal_case_votes(db: Unit, person_id: int) -> list[dict]:
    return _dicts(
        db,
        "SELECT group_id, round, case_id, cast_at FROM case_votes WHERE voter_id = ? ORDER BY cast_at",
        [person_id],
    )


def personal_board_items(db: Unit, person_id: int) -> list[dict]:
    return _dicts(
        db,
        "SELECT b.id, b.live_session_id, s.group_id, b.phase_index, b.kind, b.text, b.helpful, b.created_at"
        " FROM board_items b JOIN live_sessions s ON s.id = b.live_session_id WHERE b.author_id = ? ORDER BY b.id",
        [person_id],
    )


def personal_action_items(db: Unit, person_id: int) -> list[dict]:
    return _dicts(
        db,
        "SELECT id, live_session_id, group_id, text, due_date, confirmed, done, created_at"
        " FROM action_items WHERE owner_id = ? ORDER BY id",
        [person_id],
    )


def personal_session_roles(db: Unit, person_id: int) -> list[dict]:
    return _dicts(
        db,
        "SELECT r.live_session_id, s.group_id, s.started_at, r.role"
        " FROM session_roles r JOIN live_sessions s ON s.id = r.live_session_id"
        " WHERE r.person_id = ? ORDER BY s.started_at, r.role",
        [person_id],
    )


def personal_session_ratings(db: Unit, person_id: int) -> list[dict]:
    return _dicts(
        db,
        "SELECT live_session_id, usefulness, rated_at FROM session_ratings WHERE person_id = ? ORDER BY rated_at",
        [person_id],
    )


def personal_attendance(db: Unit, person_id: int) -> list[dict]:
    return _dicts(
        db,
        "SELECT a.meeting_id, m.group_id, m.starts_at, a.present"
        " FROM attendance a JOIN meetings m ON m.id = a.meeting_id WHERE a.person_id = ? ORDER BY m.starts_at",
        [person_id],
    )


def personal_session_presence(db: Unit, person_id: int) -> list[dict]:
    return _dicts(
        db,
        "SELECT p.live_session_id, s.group_id, s.started_at, p.present"
        " FROM session_presence p JOIN live_sessions s ON s.id = p.live_session_id"
        " WHERE p.person_id = ? ORDER BY s.started_at",
        [person_id],
    )


def personal_survey_responses(db: Unit, person_id: int) -> list[dict]:
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
    return list(responses.values())


def personal_sign_in_sessions(db: Unit, person_id: int) -> list[dict]:
    """When each sign-in session began and ends; never its token (hash)."""
    return _dicts(
        db,
        "SELECT created_at, expires_at FROM sign_in_sessions WHERE person_id = ? ORDER BY created_at",
        [person_id],
    )


def personal_audit_events(db: Unit, person_id: int) -> list[dict]:
    """What the audit log holds of this person's own doings."""
    return _dicts(db, "SELECT at, action, subject, detail FROM audit_log WHERE actor_id = ? ORDER BY id", [person_id])


def audit_events_about(db: Unit, person_id: int, email: str) -> list[dict]:
    """What others did to this person's account (a role change, being added to a group), without who did it."""
    return _dicts(
        db,
        "SELECT at, action, detail FROM audit_log WHERE subject = ? AND actor_id IS DISTINCT FROM ? ORDER BY id",
        [email, person_id],
    )


def personal_custom_methods(db: Unit, person_id: int) -> list[dict]:
    return _dicts(
        db,
        "SELECT c.method_id, c.shared, c.current_version, c.created_at, v.definition FROM custom_methods c"
        " JOIN method_versions v ON v.method_id = c.method_id AND v.version = c.current_version"
        " WHERE c.author_id = ? ORDER BY c.method_id",
        [person_id],
    )


def personal_method_draft(db: Unit, person_id: int) -> dict | None:
    row = db.execute("SELECT body, updated_at FROM method_drafts WHERE person_id = ?", [person_id]).fetchone()
    return dict(row) if row else None


def personal_sessions_facilitated(db: Unit, person_id: int) -> list[dict]:
    return _dicts(
        db,
        "SELECT id AS live_session_id, group_id, method_id, started_at, closed_at FROM live_sessions"
        " WHERE facilitator_id = ? ORDER BY started_at",
        [person_id],
    )


def personal_invitations_created(db: Unit, person_id: int) -> list[dict]:
    """Invitations this person made, without their codes (a code still lets someone in)."""
    return _dicts(
        db,
        "SELECT group_id, group_role, created_at, expires_at, max_uses, uses, revoked_at FROM invitations"
        " WHERE created_by = ? ORDER BY created_at",
        [person_id],
    )


def personal_waves_opened(db: Unit, person_id: int) -> list[dict]:
    return _dicts(
        db,
        "SELECT id AS wave_id, group_id, instrument_id, moment, opened_at, closed_at FROM survey_waves"
        " WHERE opened_by = ? ORDER BY opened_at",
        [person_id],
    )


def personal_goals_set(db: Unit, person_id: int) -> list[dict]:
    return _dicts(
        db,
        "SELECT group_id, measure, target, due, created_at FROM goals WHERE created_by = ? ORDER BY created_at",
        [person_id],
    )


def forget_case_titles_of(db: Unit, person_id: int) -> None:
    """Blank the copied case title of sessions about this person's cases (queued, or told on the spot)."""
    db.execute(
        "UPDATE live_sessions SET case_title = '' WHERE case_id IN (SELECT id FROM cases WHERE author_id = :person)"
        " OR (case_id IS NULL AND id IN (SELECT live_session_id FROM session_roles"
        " WHERE person_id = :person AND role = 'case_bringer'))",
        {"person": person_id},
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
