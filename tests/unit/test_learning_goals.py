"""Personal learning goals: a participant's own learning contract, and who may read what of it.

Team North has Fay as its facilitator and Ann, Bob, Cas and Dirk as members; Team South has Sam as its
facilitator and Ann as a member too. Everyone joined long before NOW (JOINED); moments are injected with `now=`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from pydantic import ValidationError
from unit_support import NOW, count_rows

from intervision import clock, db, learning_goals, personal_data, store, surveys
from intervision.database import Database
from intervision.errors import DomainError, NotAllowed
from intervision.learning_goals import LearningGoalInput, LearningGoalState, ProgressInput
from intervision.models import GroupRole, Person, Role
from intervision.overview import Period

SECRET = "stop rescuing my clients before they finish their sentence"
YEAR_2025 = Period(date(2025, 1, 1), date(2025, 12, 31))


@dataclass(frozen=True)
class Team:
    path: Database
    coordinator: Person
    fay: Person  # facilitates Team North
    sam: Person  # facilitates Team South
    ann: Person
    bob: Person
    cas: Person
    dirk: Person
    north: int
    south: int


@pytest.fixture
def team(path, coordinator, make_person, make_group) -> Team:
    fay = make_person("Fay Facilitator", Role.FACILITATOR)
    sam = make_person("Sam South", Role.FACILITATOR)
    ann, bob, cas, dirk = (make_person(name) for name in ("Ann Member", "Bob Member", "Cas Member", "Dirk Member"))
    with db.writing(path) as conn:
        store.create_organisation(conn, "Zorggroep Oost", is_demo=False, now=NOW - timedelta(days=400))
    north = make_group("Team North", facilitators=(fay,), members=(ann, bob, cas, dirk))
    south = make_group("Team South", facilitators=(sam,), members=(ann,))
    return Team(path, coordinator, fay, sam, ann, bob, cas, dirk, north, south)


def _goal(team: Team, person: Person, what: str = SECRET, **fields: object) -> int:
    return learning_goals.add_learning_goal(team.path, person, LearningGoalInput(what=what, **fields), now=NOW)


def _note(team: Team, person: Person, goal_id: int, how_far: int, note: str = "", days: int = 0) -> int:
    return learning_goals.note_progress(
        team.path, person, goal_id, ProgressInput(how_far=how_far, note=note), now=NOW + timedelta(days=days)
    )


def _shared_texts(team: Team, viewer: Person, group_id: int) -> list[str]:
    return [goal.what for goal in learning_goals.shared_with_me(team.path, viewer, group_id)]


# --- the contract ---------------------------------------------------------------------------------------


def test_a_goal_keeps_the_whole_learning_contract(team):
    due = clock.today() + timedelta(days=60)
    goal_id = _goal(team, team.ann, why="They feel unheard", practice="In every intake", signs="Fewer sighs", due=due)
    [mine] = learning_goals.my_learning_goals(team.path, team.ann)
    goal = mine.goal
    assert goal.id == goal_id
    assert (goal.what, goal.why, goal.practice, goal.signs, goal.due) == (
        SECRET,
        "They feel unheard",
        "In every intake",
        "Fewer sighs",
        due,
    )
    assert goal.state is LearningGoalState.OPEN
    assert goal.shared_group_id is None  # private until she chooses otherwise
    assert mine.notes == () and mine.latest is None


def test_what_to_learn_is_required_and_every_text_has_a_limit():
    with pytest.raises(ValidationError, match="what"):
        LearningGoalInput(what="   ")
    with pytest.raises(ValidationError, match="what"):
        LearningGoalInput(what="x" * 301)
    for field in ("why", "practice", "signs"):
        with pytest.raises(ValidationError, match=field):
            LearningGoalInput(what="Listen", **{field: "x" * 1001})
    assert LearningGoalInput(what="Listen", why=None).why == ""  # an empty text area is an empty text


def test_the_date_is_optional_and_may_be_today_but_not_in_the_past():
    today = clock.today()
    assert LearningGoalInput(what="Listen").due is None
    assert LearningGoalInput(what="Listen", due=today).due == today
    with pytest.raises(ValidationError) as refused:
        LearningGoalInput(what="Listen", due=today - timedelta(days=1))
    assert refused.value.errors()[0]["type"] == "date_in_past"
    assert refused.value.errors()[0]["loc"] == ("due",)


def test_progress_is_noted_over_time_from_1_to_5(team):
    goal_id = _goal(team, team.ann)
    _note(team, team.ann, goal_id, 2, "Tried it twice", days=0)
    _note(team, team.ann, goal_id, 4, "", days=14)
    [mine] = learning_goals.my_learning_goals(team.path, team.ann)
    assert [(note.how_far, note.note) for note in mine.notes] == [(2, "Tried it twice"), (4, "")]
    assert mine.latest.how_far == 4 and mine.latest.noted_at == NOW + timedelta(days=14)
    for outside in (0, 6):
        with pytest.raises(ValidationError, match="how_far"):
            ProgressInput(how_far=outside)
    with pytest.raises(ValidationError, match="note"):
        ProgressInput(how_far=3, note="x" * 501)


def test_a_goal_is_reached_or_let_go_and_can_be_taken_up_again(team):
    goal_id = _goal(team, team.ann)
    learning_goals.set_state(team.path, team.ann, goal_id, LearningGoalState.REACHED, now=NOW)
    [mine] = learning_goals.my_learning_goals(team.path, team.ann)
    assert mine.goal.state is LearningGoalState.REACHED and mine.goal.state_at == NOW
    with pytest.raises(DomainError, match="learning_goal_closed"):
        _note(team, team.ann, goal_id, 5)
    learning_goals.set_state(team.path, team.ann, goal_id, LearningGoalState.LET_GO, now=NOW)
    assert learning_goals.my_learning_goals(team.path, team.ann)[0].goal.state is LearningGoalState.LET_GO
    learning_goals.set_state(team.path, team.ann, goal_id, LearningGoalState.OPEN, now=NOW)
    _note(team, team.ann, goal_id, 3)
    [mine] = learning_goals.my_learning_goals(team.path, team.ann)
    assert mine.goal.state is LearningGoalState.OPEN and mine.goal.state_at is None and len(mine.notes) == 1


def test_open_goals_come_first(team):
    reached = _goal(team, team.ann, "Reached one")
    _goal(team, team.ann, "Open one")
    learning_goals.set_state(team.path, team.ann, reached, LearningGoalState.REACHED, now=NOW)
    assert [mine.goal.what for mine in learning_goals.my_learning_goals(team.path, team.ann)] == [
        "Open one",
        "Reached one",
    ]


def test_deleting_a_goal_takes_its_notes_with_it(team):
    goal_id = _goal(team, team.ann)
    _note(team, team.ann, goal_id, 2)
    learning_goals.remove(team.path, team.ann, goal_id)
    assert learning_goals.my_learning_goals(team.path, team.ann) == []
    assert count_rows(team.path, "learning_goal_notes") == 0


# --- privacy ---------------------------------------------------------------------------------------------


def test_nobody_but_the_person_reads_or_changes_her_goals(team):
    goal_id = _goal(team, team.ann)
    _note(team, team.ann, goal_id, 2, "a private note")
    for other in (team.bob, team.fay, team.coordinator, team.sam):
        assert learning_goals.my_learning_goals(team.path, other) == []
        attempts = (
            lambda who=other: _note(team, who, goal_id, 3),
            lambda who=other: learning_goals.set_state(team.path, who, goal_id, LearningGoalState.REACHED),
            lambda who=other: learning_goals.share(team.path, who, goal_id, team.north),
            lambda who=other: learning_goals.remove(team.path, who, goal_id),
        )
        for attempt in attempts:
            with pytest.raises(NotAllowed):
                attempt()
    [mine] = learning_goals.my_learning_goals(team.path, team.ann)
    assert mine.goal.state is LearningGoalState.OPEN and len(mine.notes) == 1


def test_a_coordinator_or_a_member_reads_no_shared_goal(team):
    goal_id = _goal(team, team.ann)
    learning_goals.share(team.path, team.ann, goal_id, team.north, now=NOW)
    for outsider in (team.coordinator, team.bob, team.sam):
        with pytest.raises(NotAllowed):
            learning_goals.shared_with_me(team.path, outsider, team.north)


def test_a_facilitator_reads_only_what_was_shared_with_their_group(team):
    shared = _goal(team, team.ann, "Shared with North")
    _goal(team, team.ann, "Kept to herself")
    to_south = _goal(team, team.ann, "Shared with South")
    assert _shared_texts(team, team.fay, team.north) == []
    learning_goals.share(team.path, team.ann, shared, team.north, now=NOW)
    learning_goals.share(team.path, team.ann, to_south, team.south, now=NOW)
    _note(team, team.ann, shared, 2, "first try", days=1)
    _note(team, team.ann, shared, 3, "better", days=2)

    [seen] = learning_goals.shared_with_me(team.path, team.fay, team.north)
    assert (seen.owner_name, seen.what, seen.latest.how_far, seen.latest.note) == (
        "Ann Member",
        "Shared with North",
        3,
        "better",
    )
    # The text and the latest progress only: not why, how she practises, or earlier notes.
    assert set(type(seen).model_fields) == {"goal_id", "owner_name", "what", "due", "latest"}
    assert _shared_texts(team, team.sam, team.south) == ["Shared with South"]
    with pytest.raises(NotAllowed):  # Fay does not facilitate Team South
        learning_goals.shared_with_me(team.path, team.fay, team.south)


def test_a_goal_reached_or_let_go_is_no_longer_shown_to_the_facilitator(team):
    goal_id = _goal(team, team.ann)
    learning_goals.share(team.path, team.ann, goal_id, team.north, now=NOW)
    learning_goals.set_state(team.path, team.ann, goal_id, LearningGoalState.LET_GO, now=NOW)
    assert _shared_texts(team, team.fay, team.north) == []


def test_she_shares_only_with_a_group_she_is_in_and_can_take_it_back(team):
    other = learning_goals.groups_to_share_with(team.path, team.bob)
    assert other == {team.north: "Team North"}
    goal_id = _goal(team, team.bob)
    with pytest.raises(DomainError, match="not_in_group"):
        learning_goals.share(team.path, team.bob, goal_id, team.south, now=NOW)
    learning_goals.share(team.path, team.bob, goal_id, team.north, now=NOW)
    assert _shared_texts(team, team.fay, team.north) == [SECRET]
    learning_goals.share(team.path, team.bob, goal_id, None, now=NOW)
    assert _shared_texts(team, team.fay, team.north) == []
    assert learning_goals.my_learning_goals(team.path, team.bob)[0].goal.shared_group_id is None


def test_leaving_the_group_ends_the_share_and_joining_again_does_not_bring_it_back(team):
    goal_id = _goal(team, team.ann)
    learning_goals.share(team.path, team.ann, goal_id, team.north, now=NOW)
    with db.writing(team.path) as conn:
        store.remove_membership(conn, team.north, team.ann.id, NOW + timedelta(days=1), team.ann.id)
    assert _shared_texts(team, team.fay, team.north) == []
    with db.writing(team.path) as conn:
        store.set_membership(conn, team.north, team.ann.id, GroupRole.MEMBER, NOW + timedelta(days=2))
    assert _shared_texts(team, team.fay, team.north) == []
    [mine] = learning_goals.my_learning_goals(team.path, team.ann)
    assert mine.goal.shared_group_id is None  # she sees it is private again, and may share it anew
    learning_goals.share(team.path, team.ann, goal_id, team.north, now=NOW + timedelta(days=3))
    assert _shared_texts(team, team.fay, team.north) == [SECRET]


def test_a_role_change_of_the_person_ends_the_share(team):
    goal_id = _goal(team, team.ann)
    learning_goals.share(team.path, team.ann, goal_id, team.north, now=NOW)
    with db.writing(team.path) as conn:
        store.set_membership(conn, team.north, team.ann.id, GroupRole.FACILITATOR, NOW + timedelta(days=1))
    assert _shared_texts(team, team.fay, team.north) == []


def test_a_facilitator_who_no_longer_facilitates_the_group_reads_nothing(team):
    goal_id = _goal(team, team.ann)
    learning_goals.share(team.path, team.ann, goal_id, team.north, now=NOW)
    with db.writing(team.path) as conn:
        store.set_membership(conn, team.north, team.fay.id, GroupRole.MEMBER, NOW + timedelta(days=1))
    with pytest.raises(NotAllowed):
        learning_goals.shared_with_me(team.path, team.fay, team.north)
    with db.writing(team.path) as conn:
        store.remove_membership(conn, team.north, team.fay.id, NOW + timedelta(days=2), team.coordinator.id)
    with pytest.raises(NotAllowed):
        learning_goals.shared_with_me(team.path, team.fay, team.north)


# --- counts for coordinators ----------------------------------------------------------------------------


def test_coordinators_see_counts_per_group_from_the_threshold(team):
    for person in (team.ann, team.bob, team.cas):
        goal_id = _goal(team, person)
        _note(team, person, goal_id, 3, days=1)
        learning_goals.set_state(team.path, person, goal_id, LearningGoalState.REACHED, now=NOW + timedelta(days=2))
    _goal(team, team.ann, "A second goal of Ann's")  # people count once

    [north, south] = learning_goals.learning_goal_counts(
        team.path, team.coordinator, [team.north, team.south], YEAR_2025
    )
    assert (north.group_name, north.people_with_goals, north.goals_reviewed, north.goals_reached) == (
        "Team North",
        3,
        3,
        3,
    )
    # Team South: only Ann keeps goals, fewer than three people: nothing is shown.
    assert (south.people_with_goals, south.goals_reviewed, south.goals_reached) == (None, None, None)


def test_each_count_shows_only_when_enough_people_are_behind_it(team):
    for person in (team.ann, team.bob, team.cas):
        _goal(team, person)
    bob_goal = learning_goals.my_learning_goals(team.path, team.bob)[0].goal.id
    _note(team, team.bob, bob_goal, 4, days=1)  # one person reviewed: that count would point at her
    [north] = learning_goals.learning_goal_counts(team.path, team.coordinator, [team.north], YEAR_2025)
    assert (north.people_with_goals, north.goals_reviewed, north.goals_reached) == (3, None, None)


def test_raising_the_threshold_hides_the_counts(team):
    for person in (team.ann, team.bob, team.cas):
        _goal(team, person)
    surveys.set_threshold(team.path, team.coordinator, 4)
    [north] = learning_goals.learning_goal_counts(team.path, team.coordinator, [team.north], YEAR_2025)
    assert north.people_with_goals is None
    _goal(team, team.dirk)
    [north] = learning_goals.learning_goal_counts(team.path, team.coordinator, [team.north], YEAR_2025)
    assert north.people_with_goals == 4


def test_counts_follow_the_period(team):
    for person in (team.ann, team.bob, team.cas):
        goal_id = _goal(team, person)
        _note(team, person, goal_id, 3, days=400)  # in 2026
    [north] = learning_goal_counts_2025 = learning_goals.learning_goal_counts(
        team.path, team.coordinator, [team.north], YEAR_2025
    )
    assert learning_goal_counts_2025 and north.goals_reviewed is None
    [later] = learning_goals.learning_goal_counts(
        team.path, team.coordinator, [team.north], Period(date(2026, 1, 1), date(2026, 12, 31))
    )
    assert later.goals_reviewed == 3
    [before] = learning_goals.learning_goal_counts(
        team.path, team.coordinator, [team.north], Period(date(2024, 1, 1), date(2024, 12, 31))
    )
    assert before.people_with_goals is None  # nobody had written a goal yet


def test_only_coordinators_get_counts_and_they_hold_no_text(team):
    for person in (team.ann, team.bob, team.cas):
        _goal(team, person)
    for other in (team.fay, team.ann):
        with pytest.raises(NotAllowed):
            learning_goals.learning_goal_counts(team.path, other, [team.north], YEAR_2025)
    counts = learning_goals.learning_goal_counts(team.path, team.coordinator, [team.north], YEAR_2025)
    assert SECRET not in repr(counts)


# --- her own data: export and erasure --------------------------------------------------------------------


def test_the_export_holds_her_goals_and_progress_and_nothing_of_others(team):
    goal_id = _goal(team, team.ann, why="Because")
    _note(team, team.ann, goal_id, 2, "her note")
    learning_goals.share(team.path, team.ann, goal_id, team.north, now=NOW)
    bob_goal = _goal(team, team.bob, "Bob's own goal")
    _note(team, team.bob, bob_goal, 5, "Bob's note")

    text = personal_data.export_my_data(team.path, team.ann).decode("utf-8")
    document = json.loads(text)
    [goal] = document["learning_goals"]
    assert (goal["what"], goal["why"], goal["state"], goal["shared_group_name"]) == (
        SECRET,
        "Because",
        "open",
        "Team North",
    )
    assert [(note["how_far"], note["note"]) for note in document["learning_goal_progress"]] == [(2, "her note")]
    assert "Bob's own goal" not in text and "Bob's note" not in text


def test_erasing_a_person_deletes_her_goals_and_progress(team):
    goal_id = _goal(team, team.ann)
    _note(team, team.ann, goal_id, 2)
    _note(team, team.bob, _goal(team, team.bob, "Bob's own goal"), 3)
    personal_data.erase_person(team.path, team.coordinator, team.ann.id, now=NOW)
    assert count_rows(team.path, "learning_goals") == 1
    assert count_rows(team.path, "learning_goal_notes") == 1
    assert [mine.goal.what for mine in learning_goals.my_learning_goals(team.path, team.bob)] == ["Bob's own goal"]
