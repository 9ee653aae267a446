"""A person's own data: the export holds all of theirs and none of anyone else's; erasing someone deletes
their cases, keeps their survey answers only anonymously (so no aggregate changes), and is logged without
their name or e-mail address.

Team North: facilitator Fay, members Ann, Bob and Cas. Ann is the one who asks for her data and who is
erased; Bob is the "someone else" whose data must never show up in her export.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from unit_support import JOINED, NOW, PASSWORD, count_rows

from intervision import accounts, auth, db, personal_data, store, surveys
from intervision.errors import DomainError, NotAllowed
from intervision.instruments import shipped_instruments
from intervision.models import CaseStatus, MeetingStatus, Person, Role, SessionRole, SessionStatus, SignInInput

SE_ITEMS = [item.id for item in shipped_instruments().instruments["self_efficacy"].items]
ANN_SECRET, BOB_SECRET = "Ann's manager shouts at her", "Bob's client threatens him"


@dataclass(frozen=True)
class World:
    path: Path
    coordinator: Person
    fay: Person
    ann: Person
    bob: Person
    cas: Person
    group_id: int
    ann_case: int
    bob_case: int
    session_id: int
    wave_id: int
    ann_token: str


def _case(conn, group_id: int, author: Person, title: str, situation: str) -> int:
    values = {"title": title, "situation": situation, "learning_question": "What now?", "wants": ["advice"]}
    return store.add_case(conn, group_id, author.id, CaseStatus.SUBMITTED, values, NOW)


@pytest.fixture
def world(path: Path, coordinator: Person, make_person, make_group) -> World:
    fay = make_person("Fay Facilitator", Role.FACILITATOR)
    ann, bob, cas = (make_person(f"{name} Member") for name in ("Ann", "Bob", "Cas"))
    group_id = make_group(facilitators=(fay,), members=(ann, bob, cas))
    with db.writing(path) as conn:
        store.create_organisation(conn, "Test Org", is_demo=False, now=NOW)
        ann_case = _case(conn, group_id, ann, "Ann's case", ANN_SECRET)
        bob_case = _case(conn, group_id, bob, "Bob's case", BOB_SECRET)
        store.add_case_vote(conn, group_id, ann.id, 1, bob_case, NOW)
        store.add_case_vote(conn, group_id, bob.id, 1, ann_case, NOW)
        meeting_id = store.add_meeting(conn, group_id, NOW, 90, MeetingStatus.HELD)
        store.record_attendance(conn, meeting_id, ann.id, True)
        store.record_attendance(conn, meeting_id, bob.id, False)
        session_id = store.add_live_session(
            conn,
            store.NewLiveSession(
                group_id=group_id,
                meeting_id=meeting_id,
                case_id=ann_case,
                case_title="Ann's case",
                method_id="incident",
                method_version=1,
                status=SessionStatus.CLOSED,
                join_code="ABC123",
                projector_token="projector-token",
                facilitator_id=fay.id,
                started_at=NOW,
                closed_at=NOW + timedelta(hours=1),
            ),
        )
        store.set_session_roles(conn, session_id, {SessionRole.CASE_BRINGER: [ann.id], SessionRole.CHAIR: [bob.id]})
        store.set_presence(conn, session_id, ann.id, True)
        store.set_presence(conn, session_id, bob.id, True)
        store.add_board_item(conn, session_id, 2, "question", "Ann asks: since when?", ann.id, NOW)
        store.add_board_item(conn, session_id, 4, "advice", "Bob advises: talk to HR", bob.id, NOW)
        store.add_action_item(conn, session_id, group_id, "Ann books a talk", ann.id, None, NOW)
        store.add_action_item(conn, session_id, group_id, "Bob reads the protocol", bob.id, None, NOW)
        store.rate_session(conn, session_id, ann.id, 4, NOW)
        store.rate_session(conn, session_id, bob.id, 5, NOW)
        store.add_speaking_round(conn, session_id, 3, [bob.id, ann.id], NOW)
    wave_id = surveys.open_wave(path, fay, group_id, "self_efficacy", "after_session", now=NOW)
    for person, value in ((ann, 4), (bob, 2), (cas, 3)):
        surveys.answer(path, person, wave_id, dict.fromkeys(SE_ITEMS, value), now=NOW)
    surveys.close_wave(path, fay, wave_id, now=NOW + timedelta(hours=1))
    ann_token = auth.sign_in(path, SignInInput(email=ann.email, password=PASSWORD), now=NOW)
    auth.sign_in(path, SignInInput(email=bob.email, password=PASSWORD), now=NOW)
    accounts.change_role(path, coordinator, ann.id, Role.FACILITATOR, now=NOW)
    ann = accounts.person(path, ann.id)
    return World(path, coordinator, fay, ann, bob, cas, group_id, ann_case, bob_case, session_id, wave_id, ann_token)


def _export(world: World, person: Person) -> tuple[str, dict]:
    raw = personal_data.export_my_data(world.path, person)
    text = raw.decode("utf-8")
    return text, json.loads(text)


def _rows(world: World, sql: str, params: tuple = ()) -> list[tuple]:
    with db.reading(world.path) as conn:
        return [tuple(row) for row in conn.execute(sql, params)]


# --- the export --------------------------------------------------------------------------------------


def test_the_export_is_indented_utf8_json_with_the_account(world):
    raw = personal_data.export_my_data(world.path, world.ann)
    assert raw.startswith(b"{\n  ")
    document = json.loads(raw.decode("utf-8"))
    assert document["format"] == personal_data.EXPORT_FORMAT
    account = document["account"]
    assert set(account) == {"name", "email", "role", "language", "created_at"}
    assert (account["name"], account["email"], account["role"]) == ("Ann Member", world.ann.email, "facilitator")
    assert document["memberships"] == [
        {
            "group_id": world.group_id,
            "group_name": "Team North",
            "group_role": "member",
            "joined_at": JOINED.isoformat(),
        }
    ]
    assert document["membership_history"] == [
        {"group_id": world.group_id, "change": "joined", "group_role": "member", "at": JOINED.isoformat()}
    ]


def test_the_export_holds_everything_of_hers(world):
    _, document = _export(world, world.ann)

    [case] = document["cases"]
    assert (case["id"], case["title"], case["situation"], case["wants"]) == (
        world.ann_case,
        "Ann's case",
        ANN_SECRET,
        ["advice"],
    )
    assert {"learning_question", "status", "created_at", "anonymised", "follow_up"} <= set(case)
    assert [(vote["case_id"], vote["round"]) for vote in document["case_votes"]] == [(world.bob_case, 1)]
    assert [item["text"] for item in document["board_items"]] == ["Ann asks: since when?"]
    assert [item["text"] for item in document["action_items"]] == ["Ann books a talk"]
    assert [role["role"] for role in document["session_roles"]] == ["case_bringer"]
    assert [rating["usefulness"] for rating in document["session_ratings"]] == [4]
    assert document["speaking_turns"] == [
        {"live_session_id": world.session_id, "phase_index": 3, "position": 1, "skipped": False, "spoke_at": None}
    ]
    assert [row["present"] for row in document["attendance"]] == [True]
    assert [row["present"] for row in document["session_presence"]] == [True]

    [response] = document["survey_responses"]
    assert response["wave_id"] == world.wave_id and response["instrument_id"] == "self_efficacy"
    assert sorted(answer["item_id"] for answer in response["answers"]) == sorted(SE_ITEMS)
    assert {answer["value"] for answer in response["answers"]} == {4}
    assert all(answer["statement"] for answer in response["answers"])

    [sign_in_session] = document["sign_in_sessions"]
    assert set(sign_in_session) == {"created_at", "expires_at"}
    assert "sign_in" in [event["action"] for event in document["audit_events"]]
    # The coordinator changed her role: she sees that it happened, not who did it.
    assert [(event["action"], event["detail"]) for event in document["audit_events_about_me"]] == [
        ("role_changed", "participant → facilitator")
    ]


def test_the_export_holds_nothing_of_anyone_else(world):
    text, document = _export(world, world.ann)

    for foreign in (BOB_SECRET, "Bob's case", "Bob advises", "Bob reads", world.bob.name, world.bob.email):
        assert foreign not in text
    for foreign in (world.coordinator.name, world.coordinator.email, world.fay.name, world.cas.name):
        assert foreign not in text
    # Only her own answers (Bob answered 2, Cas 3).
    assert [answer["value"] for answer in document["survey_responses"][0]["answers"]] == [4] * len(SE_ITEMS)
    assert [rating["usefulness"] for rating in document["session_ratings"]] == [4]


def test_the_export_never_holds_a_password_hash_or_a_token(world):
    text, _ = _export(world, world.ann)
    with db.reading(world.path) as conn:
        hashed = store.password_hash(conn, world.ann.id)
        token_hashes = [row[0] for row in conn.execute("SELECT token_hash FROM sign_in_sessions")]
    assert hashed and hashed not in text and "argon2" not in text and "password" not in text
    assert world.ann_token not in text
    assert token_hashes and not any(token_hash in text for token_hash in token_hashes)
    assert "ABC123" not in text and "projector-token" not in text


def test_a_coordinators_export_leaves_out_whom_they_acted_on(world):
    text, document = _export(world, world.coordinator)
    assert world.ann.email not in text and world.ann.name not in text
    changed = [event for event in document["audit_events"] if event["action"] == "role_changed"]
    assert [event["subject"] for event in changed] == [personal_data.ANOTHER_PERSON]
    account_created = [event for event in document["audit_events"] if event["action"] == "account_created"]
    assert all(event["subject"] in ("", world.coordinator.email) for event in account_created)


def test_anyone_signed_in_may_export_only_while_the_account_exists(world):
    for person in (world.ann, world.fay, world.coordinator):
        assert personal_data.export_my_data(world.path, person)
    personal_data.erase_person(world.path, world.coordinator, world.bob.id, now=NOW)
    with pytest.raises(DomainError) as refused:
        personal_data.export_my_data(world.path, world.bob)
    assert refused.value.key == "person_not_found"


# --- erasing -----------------------------------------------------------------------------------------


def test_erasing_deletes_her_cases_and_votes_and_the_account(world):
    erasure = personal_data.erase_person(world.path, world.coordinator, world.ann.id, now=NOW)

    assert erasure == personal_data.Erasure(
        cases_deleted=1, responses_anonymised=1, board_items_kept=1, action_items_kept=1
    )
    assert _rows(world, "SELECT id, author_id FROM cases") == [(world.bob_case, world.bob.id)]
    assert _rows(world, "SELECT voter_id, case_id FROM case_votes") == [], "her vote and the vote for her case"
    # The session about her case keeps no copy of its title.
    assert _rows(world, "SELECT case_id, case_title FROM live_sessions") == [(None, "")]
    assert _rows(world, "SELECT id FROM people WHERE id = ?", (world.ann.id,)) == []
    tables = ("memberships", "sign_in_sessions", "session_roles", "session_ratings", "attendance", "speaking_turns")
    for table in tables:
        assert _rows(world, f"SELECT count(*) FROM {table} WHERE person_id = ?", (world.ann.id,)) == [(0,)], table
    assert auth.signed_in_person(world.path, world.ann_token, now=NOW) is None
    # Bob's things are untouched.
    assert accounts.person(world.path, world.bob.id) == world.bob
    assert _rows(world, "SELECT usefulness FROM session_ratings") == [(5,)]


def test_her_survey_answers_stay_anonymously_and_no_aggregate_changes(world):
    before = surveys.group_results(world.path, world.fay, world.group_id, "self_efficacy")
    with db.reading(world.path) as conn:
        answers_before = sorted(sorted(r.answers.items()) for r in store.wave_answers(conn, world.wave_id))
    assert before.waves[0].scales[0].shown and before.waves[0].respondents == 3

    personal_data.erase_person(world.path, world.coordinator, world.ann.id, now=NOW)

    assert surveys.group_results(world.path, world.fay, world.group_id, "self_efficacy") == before
    with db.reading(world.path) as conn:
        answers_after = sorted(sorted(r.answers.items()) for r in store.wave_answers(conn, world.wave_id))
        assert store.respondent_count(conn, world.wave_id) == 3
        assert store.answers_of(conn, world.wave_id, world.ann.id) == {}
    assert answers_after == answers_before
    assert _rows(world, "SELECT count(*) FROM survey_responses WHERE person_id IS NULL") == [(1,)]


def test_her_board_and_action_items_stay_with_the_group_without_her_name(world):
    personal_data.erase_person(world.path, world.coordinator, world.ann.id, now=NOW)

    with db.reading(world.path) as conn:
        board = {item.text: item.author for item in store.board_items(conn, world.session_id)}
        actions = {item.text: item.owner for item in store.action_items(conn, world.session_id)}
    assert board == {"Ann asks: since when?": "", "Bob advises: talk to HR": world.bob.name}
    assert actions == {"Ann books a talk": "", "Bob reads the protocol": world.bob.name}


def test_the_erasure_is_logged_without_her_name_or_email(world):
    personal_data.erase_person(world.path, world.coordinator, world.ann.id, now=NOW)

    events = _rows(world, "SELECT actor_id, action, subject, detail FROM audit_log ORDER BY id")
    actor, action, subject, detail = events[-1]
    assert (actor, action, subject) == (world.coordinator.id, "person_erased", f"person {world.ann.id}")
    assert "cases deleted: 1" in detail and "survey responses anonymised: 1" in detail
    # Nowhere in the log any more: not her e-mail address, not her name, not a link to her old id.
    for _, _, subject, detail in events:
        for personal in (world.ann.email, world.ann.name, "Ann"):
            assert personal not in subject and personal not in detail
    assert _rows(world, "SELECT count(*) FROM audit_log WHERE actor_id = ?", (world.ann.id,)) == [(0,)]
    assert (None, "sign_in", f"person {world.ann.id}", "") in events
    assert (world.coordinator.id, "role_changed", f"person {world.ann.id}", "participant → facilitator") in events
    shown = accounts.audit_log(world.path, world.coordinator)[0]
    assert (shown.actor, shown.action, shown.subject) == (world.coordinator.name, "person_erased", subject)


def test_only_a_coordinator_may_erase(world):
    for viewer in (world.fay, world.bob):
        with pytest.raises(NotAllowed):
            personal_data.erase_person(world.path, viewer, world.ann.id, now=NOW)
    assert accounts.person(world.path, world.ann.id) is not None


def test_nobody_erases_themselves(world):
    with pytest.raises(DomainError) as refused:
        personal_data.erase_person(world.path, world.coordinator, world.coordinator.id, now=NOW)
    assert refused.value.key == "cannot_erase_self"
    assert accounts.person(world.path, world.coordinator.id) is not None


def test_the_last_coordinator_is_never_erased(world, make_person):
    # Dan was a coordinator when his page opened; since then Cora made him a participant.
    dan = make_person("Dan Coordinator", Role.COORDINATOR)
    accounts.change_role(world.path, world.coordinator, dan.id, Role.PARTICIPANT, now=NOW)
    people_before = count_rows(world.path, "people")

    with pytest.raises(DomainError) as refused:
        personal_data.erase_person(world.path, dan, world.coordinator.id, now=NOW)
    assert refused.value.key == "last_coordinator"
    assert count_rows(world.path, "people") == people_before


def test_another_coordinator_may_be_erased(world, make_person):
    dan = make_person("Dan Coordinator", Role.COORDINATOR)
    personal_data.erase_person(world.path, world.coordinator, dan.id, now=NOW)
    assert accounts.person(world.path, dan.id) is None


def test_erasing_someone_unknown_is_refused_and_changes_nothing(world):
    log_before = count_rows(world.path, "audit_log")
    with pytest.raises(DomainError) as refused:
        personal_data.erase_person(world.path, world.coordinator, 9999, now=NOW)
    assert refused.value.key == "person_not_found"
    assert count_rows(world.path, "audit_log") == log_before
