from datetime import UTC, date, datetime, timedelta

import pytest

from intervision import auth, clock, db, demo, goals, store
from intervision.database import Database
from intervision.errors import DomainError
from intervision.goals import GoalStatus
from intervision.models import (
    DevelopmentPhase,
    GoalMeasure,
    GroupRole,
    InvitationStatus,
    Language,
    MeetingStatus,
    Role,
    SignInInput,
)

NOW = datetime(2025, 3, 12, 10, 15, tzinfo=UTC)
TABLES = (
    "organisation",
    "people",
    "groups",
    "memberships",
    "invitations",
    "meetings",
    "attendance",
    "audit_log",
)


# `path`: tests/unit/conftest.py's fresh database, on SQLite and on PostgreSQL.


@pytest.fixture
def loaded(path):
    accounts = demo.load_demo(path, now=NOW)
    return path, accounts


def _row_counts(path):
    with db.reading(path) as conn:
        return {table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in TABLES}


def _meetings(path):
    with db.reading(path) as conn:
        rows = conn.execute("SELECT group_id, starts_at, minutes, method_id, status FROM meetings ORDER BY id")
        return [tuple(row) for row in rows]


def test_the_demo_organisation_is_marked_as_demo(loaded):
    path, _ = loaded
    with db.reading(path) as conn:
        organisation = store.organisation(conn)
    assert organisation.is_demo
    assert organisation.name == demo.DEMO_ORGANISATION


def test_people_are_a_coordinator_some_facilitators_and_many_participants(loaded):
    path, _ = loaded
    with db.reading(path) as conn:
        people = store.everyone(conn)
    roles = [person.role for person in people]
    assert roles.count(Role.COORDINATOR) == 1
    assert 3 <= roles.count(Role.FACILITATOR) <= 4
    assert 20 <= roles.count(Role.PARTICIPANT) <= 24
    assert all(person.email.endswith("@demo.example") for person in people)
    assert len({person.email for person in people}) == len(people)
    assert {person.language for person in people} == {"nl", "en"}


def test_groups_span_the_phases_and_each_has_a_facilitator_and_members(loaded):
    path, _ = loaded
    with db.reading(path) as conn:
        groups = store.all_groups(conn)
        members = {group.id: store.members(conn, group.id) for group in groups}
    assert len(groups) >= 4
    phases = {group.contract.development_phase for group in groups}
    assert len(phases) >= 4
    for group in groups:
        roles = [member.group_role for member in members[group.id]]
        assert roles.count(GroupRole.FACILITATOR) >= 1
        assert 4 <= roles.count(GroupRole.MEMBER) <= 8
        assert 4 <= group.contract.meets_every_weeks <= 8
        assert 90 <= group.contract.session_minutes <= 120
        assert NOW.date() - timedelta(days=2 * 366) <= group.contract.start_date <= NOW.date()


def test_someone_facilitates_one_group_and_takes_part_in_another(loaded):
    path, _ = loaded
    with db.reading(path) as conn:
        people = store.everyone(conn)
        groups_of = {person.id: store.groups_of(conn, person.id) for person in people}
    both = [
        person
        for person in people
        if person.role is Role.PARTICIPANT
        and {role for _, role in groups_of[person.id]} == {GroupRole.FACILITATOR, GroupRole.MEMBER}
    ]
    in_two = [
        person
        for person in people
        if [role for _, role in groups_of[person.id]] == [GroupRole.MEMBER, GroupRole.MEMBER]
    ]
    assert both and in_two


def test_each_group_held_a_year_of_sessions_with_varied_methods(loaded):
    path, _ = loaded
    with db.reading(path) as conn:
        groups = store.all_groups(conn)
        held = {group.id: store.held_meetings(conn, group.id) for group in groups}
    for group in groups:
        sessions = held[group.id]
        first, last = min(s.starts_at for s in sessions), max(s.starts_at for s in sessions)
        assert last - first >= timedelta(days=330)
        assert last < NOW
        assert len({s.method_id for s in sessions}) >= 3
        assert all(s.starts_at.tzinfo is not None for s in sessions)


def test_methods_that_need_safety_only_in_mature_groups(loaded):
    path, _ = loaded
    mature = {DevelopmentPhase.NORMING, DevelopmentPhase.PERFORMING}
    with db.reading(path) as conn:
        for group in store.all_groups(conn):
            methods = {s.method_id for s in store.held_meetings(conn, group.id)}
            if group.contract.development_phase not in mature:
                assert not methods & {"gossip", "balint"}


def test_attendance_is_recorded_for_held_sessions_at_a_realistic_rate(loaded):
    path, _ = loaded
    with db.reading(path) as conn:
        present, total = conn.execute("SELECT sum(present), count(*) FROM attendance").fetchone()
        cancelled_with_attendance = conn.execute(
            "SELECT count(*) FROM attendance a JOIN meetings m ON m.id = a.meeting_id WHERE m.status != 'held'"
        ).fetchone()[0]
    assert 0.75 <= present / total <= 0.93
    assert cancelled_with_attendance == 0


def test_all_but_one_group_has_one_session_planned(loaded):
    path, _ = loaded
    with db.reading(path) as conn:
        groups = store.all_groups(conn)
        upcoming = store.next_meetings(conn, [group.id for group in groups], NOW)
        planned = conn.execute("SELECT group_id FROM meetings WHERE status = 'planned'").fetchall()
    assert len(upcoming) == len(groups) - 1
    assert len(planned) == len(upcoming)
    assert all(meeting.status is MeetingStatus.PLANNED for meeting in upcoming.values())


def test_invitations_open_expired_and_revoked(loaded):
    path, _ = loaded
    with db.reading(path) as conn:
        invitations = store.invitations_for_groups(conn, [group.id for group in store.all_groups(conn)])
    assert len(invitations) == 3
    assert sum(invitation.status(NOW) is InvitationStatus.ACTIVE for invitation in invitations) == 1
    assert sum(invitation.revoked_at is not None for invitation in invitations) == 1
    assert sum(invitation.expires_at <= NOW for invitation in invitations) == 1


def test_loading_is_in_the_audit_log(loaded):
    path, _ = loaded
    with db.reading(path) as conn:
        events = store.audit_events(conn, 10)
    assert [event.action for event in events] == ["demo_loaded"]


def test_accounts_to_try_start_with_the_coordinator_then_facilitators(loaded):
    path, accounts = loaded
    assert accounts[0].is_coordinator
    assert all(account.facilitates for account in accounts[1:4])
    assert 2 <= len(accounts) - 4 <= 3
    assert any(a.facilitates and a.takes_part_in for a in accounts[4:])
    with db.reading(path) as conn:
        assert all(store.person_id_by_email(conn, account.email) for account in accounts)


def test_the_demo_coordinator_signs_in_with_the_demo_password(loaded):
    path, accounts = loaded
    token = auth.sign_in(path, SignInInput(email=accounts[0].email, password=demo.DEMO_PASSWORD))
    person = auth.signed_in_person(path, token)
    assert person.role is Role.COORDINATOR


def test_a_participant_signs_in_with_the_same_password(loaded):
    path, accounts = loaded
    token = auth.sign_in(path, SignInInput(email=accounts[-1].email, password=demo.DEMO_PASSWORD))
    assert auth.signed_in_person(path, token).role is Role.PARTICIPANT


def test_a_second_load_is_refused_and_writes_nothing(loaded):
    path, _ = loaded
    before = _row_counts(path)
    with pytest.raises(DomainError) as refused:
        demo.load_demo(path, now=NOW + timedelta(days=1))
    assert refused.value.key == "already_set_up"
    assert _row_counts(path) == before


def test_the_demo_is_refused_once_a_real_organisation_exists(path):
    with db.writing(path) as conn:
        store.create_organisation(conn, "Echt", is_demo=False, now=NOW)
        store.add_person(conn, "Echte Persoon", "echt@example.org", Role.COORDINATOR, None, Language.NL, NOW)
    with pytest.raises(DomainError):
        demo.load_demo(path, now=NOW)
    with db.reading(path) as conn:
        assert not store.organisation(conn).is_demo


def test_a_failure_halfway_leaves_nothing_behind(path, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(store, "add_audit_event", fail)
    with pytest.raises(RuntimeError):
        demo.load_demo(path, now=NOW)
    assert set(_row_counts(path).values()) == {0}


def test_the_demo_is_the_same_every_time(tmp_path):
    paths = [Database.for_path(tmp_path / "a.db"), Database.for_path(tmp_path / "b.db")]
    for each in paths:
        db.migrate(each)
        demo.load_demo(each, now=NOW)
    assert _meetings(paths[0]) == _meetings(paths[1])


@pytest.mark.date_sensitive
def test_dates_follow_the_moment_of_loading(path):
    demo.load_demo(path)
    now = clock.utcnow()
    with db.reading(path) as conn:
        groups = store.all_groups(conn)
        upcoming = store.next_meetings(conn, [group.id for group in groups], now)
    assert len(upcoming) == len(groups) - 1
    assert all(meeting.starts_at - now <= timedelta(weeks=8) for meeting in upcoming.values())


# Month and year ends, a leap day's eve, the turn of the half-year, and the day this was found (a December).
TURNS = [
    date(2026, 12, 31),
    date(2027, 1, 1),
    date(2028, 2, 28),
    date(2027, 6, 30),
    date(2027, 7, 1),
    date(2026, 12, 2),
]


@pytest.mark.parametrize("day", TURNS, ids=str)
def test_the_demo_looks_the_same_whichever_day_it_is_loaded(tmp_path, fast_hashing, set_clock, day):
    """What the screens list in order, and what is past or ahead, never depends on the month of loading."""
    set_clock(day)
    now = clock.utcnow()
    path = Database.for_path(tmp_path / "demo.db")
    db.migrate(path)
    demo.load_demo(path, now=now)
    with db.reading(path) as conn:
        coordinator = store.person(conn, store.person_id_by_email(conn, demo.demo_accounts()[0].email))
        groups = store.all_groups(conn)
        upcoming = store.next_meetings(conn, [group.id for group in groups], now)
        held = [meeting for group in groups for meeting in store.held_meetings(conn, group.id)]
        invitations = store.invitations_for_groups(conn, [group.id for group in groups])

    listed = goals.progress(path, coordinator)
    assert [(item.goal.group_name, item.goal.measure) for item in listed] == [
        (None, GoalMeasure.SESSIONS_HELD),
        (None, GoalMeasure.COLLECTIVE_EFFICACY),
        ("Leidinggevenden Zorg", GoalMeasure.ACTION_ITEMS_DONE),
        ("Wijkverpleging Noord", GoalMeasure.ATTENDANCE),
    ]
    assert all(item.goal.due > day for item in listed), "a coordinator could have set each goal today"
    assert GoalStatus.MISSED not in {item.status for item in listed}
    assert len(upcoming) == len(groups) - 1 and all(meeting.starts_at > now for meeting in upcoming.values())
    assert all(meeting.starts_at < now for meeting in held)
    assert [invitation.status(now) for invitation in invitations].count(InvitationStatus.ACTIVE) == 1


def test_in_every_group_the_facilitator_steps_in_less_and_the_group_corrects_itself_more(loaded):
    path, _ = loaded
    with db.reading(path) as conn:
        group_ids = [row[0] for row in conn.execute("SELECT DISTINCT group_id FROM live_sessions")]
        assert group_ids
        for group_id in group_ids:
            per_session: dict[int, dict[str, int]] = {}
            for observed in store.observation_counts(conn, group_id):
                counts = per_session.setdefault(observed.session_id, {"intervention": 0, "self_correction": 0})
                if observed.kind in counts:
                    counts[observed.kind] += observed.count
            sessions = list(per_session.values())  # oldest first
            third = max(1, len(sessions) // 3)
            early, late = sessions[:third], sessions[-third:]
            assert sum(s["intervention"] for s in early) > sum(s["intervention"] for s in late), group_id
            assert sum(s["self_correction"] for s in early) < sum(s["self_correction"] for s in late), group_id


def test_the_demo_answers_the_current_questions_and_keeps_a_few_waves_of_the_first_version(loaded):
    """So that a demo shows where the questions changed, and that old waves read with their own items."""
    from intervision.instruments import earlier_version, shipped_instruments

    path, _ = loaded
    for instrument_id in ("self_efficacy", "collective_efficacy"):
        items = {
            1: {item.id for item in earlier_version(instrument_id, 1).items},
            2: {item.id for item in shipped_instruments().instruments[instrument_id].items},
        }
        with db.reading(path) as conn:
            waves = conn.execute(
                "SELECT id, group_id, instrument_version FROM survey_waves WHERE instrument_id = ?"
                " ORDER BY opened_at, id",
                [instrument_id],
            ).fetchall()
            for wave_id, _, version in waves:
                answered = {row[0] for row in conn.execute(
                    "SELECT a.item_id FROM survey_answers a JOIN survey_responses r ON r.id = a.response_id"
                    " WHERE r.wave_id = ?", [wave_id])}  # fmt: skip
                assert answered <= items[version], (instrument_id, version)
        per_group: dict[int, list[int]] = {}
        for _, group_id, version in waves:
            per_group.setdefault(group_id, []).append(version)
        assert {version for _, _, version in waves} == {1, 2}
        assert per_group and all(versions == [1, 1, 2, 2] for versions in per_group.values()), "old, then new"


# --- issue 18: the learning programme, learning goals, exercises, the second observer, community profiles ----


def _person(path, name):
    with db.reading(path) as conn:
        return store.person(conn, store.person_id_by_email(conn, demo.demo_email(name)))


def _group_id(path, name):
    with db.reading(path) as conn:
        return next(group.id for group in store.all_groups(conn) if group.name == name)


def test_the_demo_has_a_programme_in_phase_3_with_every_step_done(loaded):
    from intervision import programmes
    from intervision.programmes import StepState

    path, _ = loaded
    coordinator = _person(path, "Marieke van Dijk")
    [summary] = programmes.programmes(path, coordinator)
    programme = programmes.programme(path, coordinator, summary.id)
    assert programme.phase == 3
    assert len(programme.groups) >= 2
    assert {status.key: status.state for status in programme.status()} == dict.fromkeys(
        programmes.STEPS, StepState.DONE
    )
    assert programme.open_steps() == []
    for earlier in (0, 1, 2):
        assert programme.open_conditions(earlier) == [], earlier
    assert 0 < len(programme.open_conditions()) < len(programmes.phase(3).conditions)
    moves = [(move.from_phase, move.to_phase) for move in programme.moves]
    assert moves == [(0, 1), (1, 2), (2, 3)]
    assert [move.moved_at for move in programme.moves] == sorted(move.moved_at for move in programme.moves)
    assert all(move.moved_at < NOW for move in programme.moves)
    # The facilitator of one of its groups reads it too.
    assert programmes.programme(path, _person(path, "Fatima El Amrani"), summary.id).name == summary.name


def test_participants_keep_learning_goals_with_notes_one_shared_and_one_reached(loaded):
    from intervision import learning_goals
    from intervision.learning_goals import LearningGoalState

    path, _ = loaded
    names = ("Lotte de Vries", "Kim Bos", "Hans Kuipers", "Sanne Jansen", "Wout Janssens")
    kept = {name: learning_goals.my_learning_goals(path, _person(path, name)) for name in names}
    assert all(kept.values())
    goals = [goal for each in kept.values() for goal in each]
    assert any(goal.goal.shared_group_id is not None for goal in goals)
    assert any(goal.goal.shared_group_id is None for goal in goals), "some keep their goal to themselves"
    assert [goal.goal.state for goal in goals].count(LearningGoalState.REACHED) == 1
    noted = [goal for goal in goals if len(goal.notes) >= 3]
    assert noted and all([note.noted_at for note in goal.notes] == sorted(note.noted_at for note in goal.notes)
                         for goal in noted)  # fmt: skip
    assert all(note.noted_at < NOW for goal in goals for note in goal.notes)
    # Lotte shared hers with Wijkverpleging Noord: its facilitator reads it, with her latest progress.
    shared = learning_goals.shared_with_me(
        path, _person(path, "Fatima El Amrani"), _group_id(path, "Wijkverpleging Noord")
    )
    assert [goal.owner_name for goal in shared] == ["Lotte de Vries"]
    assert shared[0].latest is not None


def test_past_sessions_have_exercises_and_one_a_second_observer_with_a_debrief_note(loaded):
    from intervision import community, session_exercises
    from intervision.exercises import Slot

    path, _ = loaded
    facilitator = _person(path, "Fatima El Amrani")
    sessions = community.facilitated_sessions(path, facilitator)
    exercises = {session_id: session_exercises.session_exercises(path, facilitator, session_id)
                 for session_id, *_ in sessions}  # fmt: skip
    assert any(set(added) == {Slot.OPENING, Slot.CLOSING} for added in exercises.values())
    observed = [session_id for session_id, *_ in sessions if community.session_observer(path, facilitator, session_id)]
    assert len(observed) == 1
    [session_id] = observed
    assert community.session_observer(path, facilitator, session_id).name == "Jeroen Bakker"
    assert len(community.second_observations(path, facilitator, session_id)) >= 3
    note = community.debrief_note(path, facilitator, session_id)
    assert note is not None and note.text and note.edited_by_name == "Fatima El Amrani"
    # The observer reads the same note; another member of the group does not.
    assert community.debrief_note(path, _person(path, "Jeroen Bakker"), session_id) == note
    with pytest.raises(DomainError):
        community.debrief_note(path, _person(path, "Kim Bos"), session_id)


def test_two_groups_have_a_known_community_profile_with_different_weak_aspects(loaded):
    from intervision import community

    path, _ = loaded
    weak = {
        name: community.weak_aspects_of_group(path, _group_id(path, name), today=NOW.date())
        for name in ("Leidinggevenden Zorg", "Wijkverpleging Noord")
    }
    assert all(weak.values())
    assert weak["Leidinggevenden Zorg"] != weak["Wijkverpleging Noord"]
    assert "safety" in weak["Wijkverpleging Noord"]
