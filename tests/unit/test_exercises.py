"""Exercises for a session's opening and closing: the library as data, the suggestion, and a session's exercise
(who may add it, what the projector shows, and that it is kept in the store)."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from unit_support import NOW, count_rows

from intervision import db, groups, live, session_exercises, store
from intervision.database import Database
from intervision.errors import DomainError, NotAllowed
from intervision.exercises import (
    EXERCISES_DIR,
    CommunityAspect,
    Exercise,
    ExerciseFileError,
    Slot,
    exercise_library,
    parse_exercise,
    suggest,
)
from intervision.models import DevelopmentPhase, Language, Role, SessionStatus, StartSessionInput

SEED_003 = {  # what seed 003 asks for, by the id it has in the library
    "learning_at_work",
    "knot_experiment",
    "learning_culture",
    "my_learning",
    "learning_from_a_mistake",
    "statements_on_learning",
}

VALID = """
id = "quiet_minute"
minutes = 2
min_people = 2
max_people = 20
slots = ["opening"]
group_phases = ["forming"]
strengthens = ["safety"]
[name]
nl = "Stille minuut"
en = "Quiet minute"
[purpose]
nl = "Even landen."
en = "Arrive."
[steps]
nl = ["Sluit je ogen.", "Adem rustig."]
en = ["Close your eyes.", "Breathe calmly."]
"""


# --- the library ---------------------------------------------------------------------------------


def test_every_shipped_exercise_loads_and_there_are_at_least_twelve():
    library = exercise_library()
    assert library.refused == []
    assert len(library.exercises) >= 12
    assert set(library.exercises) >= SEED_003
    assert len(list(EXERCISES_DIR.glob("*.toml"))) == len(library.exercises)


@pytest.mark.parametrize("exercise_id", sorted(exercise_library().exercises))
def test_each_exercise_is_complete_in_both_languages(exercise_id):
    exercise = exercise_library().exercises[exercise_id]
    for language in Language:
        assert exercise.name(language) and exercise.purpose(language)
        assert exercise.steps(language), "a facilitator needs steps to read out"
    # Lines are checked line for line: both languages have as many steps, materials and notes.
    assert len(exercise.steps.nl) == len(exercise.steps.en)
    assert len(exercise.materials.nl) == len(exercise.materials.en)
    assert exercise.name.nl != exercise.name.en, "the Dutch is not a copy of the English"


def test_both_slots_and_every_group_phase_have_exercises():
    library = exercise_library()
    assert library.for_slot(Slot.OPENING) and library.for_slot(Slot.CLOSING)
    exercises = library.exercises.values()
    assert {phase for exercise in exercises for phase in exercise.group_phases} == set(DevelopmentPhase)
    assert {aspect for exercise in exercises for aspect in exercise.strengthens} == set(CommunityAspect)


def test_the_statements_exercise_carries_its_statements():
    statements = exercise_library().exercises["statements_on_learning"]
    assert sum(line.startswith("Stelling") for line in statements.steps.nl) == 5
    assert sum(line.startswith("Statement") for line in statements.steps.en) == 5


def test_a_valid_file_parses():
    exercise = parse_exercise(VALID, "quiet_minute.toml")
    assert exercise.steps(Language.EN) == ["Close your eyes.", "Breathe calmly."]
    assert exercise.fits(Slot.OPENING) and not exercise.fits(Slot.CLOSING)


@pytest.mark.parametrize(
    ("broken", "expected"),
    [
        (VALID.replace("minutes = 2", "minutes = 0"), "minutes"),
        (VALID.replace('slots = ["opening"]', 'slots = ["lunch"]'), "slots"),
        (VALID.replace('group_phases = ["forming"]', 'group_phases = ["dancing"]'), "group_phases"),
        (VALID.replace('strengthens = ["safety"]', "strengthens = []"), "strengthens"),
        (VALID.replace('en = ["Close your eyes.", "Breathe calmly."]', 'en = ["Close your eyes."]'), "steps"),
        (VALID.replace('en = "Quiet minute"\n', ""), "name › en"),
        (VALID.replace("max_people = 20", "max_people = 2\nmin_people_typo = 1"), "min_people_typo"),
        (VALID.replace("min_people = 2", "min_people = 8").replace("max_people = 20", "max_people = 4"), "min_people"),
        (VALID.replace('nl = "Stille minuut"', 'nl = "Stille minuut'), "not valid TOML"),
    ],
)
def test_a_broken_file_names_the_file_and_the_field(broken, expected):
    with pytest.raises(ExerciseFileError) as refused:
        parse_exercise(broken, "quiet_minute.toml")
    assert refused.value.source == "quiet_minute.toml"
    assert str(refused.value).startswith("quiet_minute.toml: ")
    assert expected in str(refused.value)


def test_a_broken_file_is_refused_and_the_rest_of_the_library_still_loads(tmp_path: Path):
    for file in list(EXERCISES_DIR.glob("*.toml"))[:3]:
        shutil.copy(file, tmp_path / file.name)
    (tmp_path / "quiet_minute.toml").write_text(VALID.replace("minutes = 2", "minutes = many"), encoding="utf-8")
    (tmp_path / "misnamed.toml").write_text(VALID, encoding="utf-8")
    library = exercise_library(tmp_path)
    assert len(library.exercises) == 3
    refused = {problem.source: problem.problems for problem in library.refused}
    assert set(refused) == {"quiet_minute.toml", "misnamed.toml"}
    assert "differs from the file name" in refused["misnamed.toml"][0]


# --- the suggestion ------------------------------------------------------------------------------


def _exercise(exercise_id: str, phases: list[str], aspects: list[str], minutes: int = 10, slots=("opening",)):
    text = (
        VALID.replace('id = "quiet_minute"', f'id = "{exercise_id}"')
        .replace('group_phases = ["forming"]', f"group_phases = {phases!r}".replace("'", '"'))
        .replace('strengthens = ["safety"]', f"strengthens = {aspects!r}".replace("'", '"'))
        .replace("minutes = 2", f"minutes = {minutes}")
        .replace('slots = ["opening"]', f"slots = {list(slots)!r}".replace("'", '"'))
        .replace('en = "Quiet minute"', f'en = "{exercise_id}"')
    )
    return parse_exercise(text, f"{exercise_id}.toml")


def test_the_suggestion_fits_the_slot_and_the_groups_phase():
    storming = _exercise("storming_one", ["storming"], ["trust"], minutes=20)
    forming = _exercise("forming_one", ["forming"], ["trust"], minutes=20)
    closing = _exercise("closing_one", ["storming"], ["trust"], slots=("closing",))
    ranked = suggest([forming, closing, storming], Slot.OPENING, DevelopmentPhase.STORMING, language=Language.EN)
    assert [exercise.id for exercise in ranked] == ["storming_one", "forming_one"]


def test_a_weak_community_aspect_weighs_more_than_the_phase():
    for_phase = _exercise("for_phase", ["norming"], ["trust"])
    for_safety = _exercise("for_safety", ["forming"], ["safety"])
    without = suggest([for_phase, for_safety], Slot.OPENING, DevelopmentPhase.NORMING, frozenset())
    weak_safety = suggest([for_phase, for_safety], Slot.OPENING, DevelopmentPhase.NORMING, {CommunityAspect.SAFETY})
    assert without[0].id == "for_phase"
    assert weak_safety[0].id == "for_safety"


def test_with_equal_fit_the_shorter_exercise_comes_first():
    long = _exercise("long_one", ["norming"], ["trust"], minutes=30)
    short = _exercise("short_one", ["norming"], ["trust"], minutes=5)
    assert suggest([long, short], Slot.OPENING, DevelopmentPhase.NORMING)[0].id == "short_one"


def test_the_shipped_library_suggests_differently_for_a_group_weak_on_safety():
    exercises = list(exercise_library().exercises.values())
    plain = suggest(exercises, Slot.OPENING, DevelopmentPhase.PERFORMING)[0]
    unsafe = suggest(exercises, Slot.OPENING, DevelopmentPhase.PERFORMING, {CommunityAspect.SAFETY})[0]
    assert DevelopmentPhase.PERFORMING in plain.group_phases
    assert CommunityAspect.SAFETY in unsafe.strengthens
    assert all(isinstance(exercise, Exercise) for exercise in (plain, unsafe))


# --- a session's exercise ------------------------------------------------------------------------


@pytest.fixture
def team(path, coordinator, make_person, make_group):
    lead = make_person("Fenna Facilitator", Role.FACILITATOR)
    other_lead = make_person("Gijs Facilitator", Role.FACILITATOR)
    anna = make_person("Anna Member")
    ben = make_person("Ben Member")
    group_id = make_group("Team North", facilitators=(lead,), members=(anna, ben))
    make_group("Team South", facilitators=(other_lead,), members=())
    with db.writing(path) as conn:
        conn.execute("UPDATE groups SET development_phase = 'storming' WHERE id = ?", [group_id])
    form = StartSessionInput(group_id=group_id, method_id="incident", spot_case_title="Een lastig gesprek")
    session_id = live.start_session(path, lead, form, now=NOW)
    return {"path": path, "lead": lead, "other": other_lead, "anna": anna, "coordinator": coordinator, "id": session_id}


def _session(path: Database, session_id: int):
    with db.reading(path) as conn:
        return store.live_session(conn, session_id)


def test_the_facilitator_adds_an_exercise_and_the_projector_shows_it(team):
    path, lead, session_id = team["path"], team["lead"], team["id"]
    before = _session(path, session_id).change_stamp
    session_exercises.add_exercise(path, lead, session_id, Slot.OPENING, "two_words_check_in", now=NOW)
    assert _session(path, session_id).change_stamp > before, "screens following the session must redraw"
    token = _session(path, session_id).projector_token
    shown = session_exercises.projected_exercise(path, token)
    assert shown is not None and shown.id == "two_words_check_in"
    assert shown.notes.nl == [] and shown.notes.en == [], "facilitator notes never reach the beamer"


def test_taking_it_off_and_removing_it(team):
    path, lead, session_id = team["path"], team["lead"], team["id"]
    token = _session(path, session_id).projector_token
    session_exercises.add_exercise(path, lead, session_id, Slot.OPENING, "safety_check", now=NOW)
    stamp = _session(path, session_id).change_stamp
    session_exercises.show_on_projector(path, lead, session_id, Slot.OPENING, False)
    assert _session(path, session_id).change_stamp > stamp
    assert session_exercises.projected_exercise(path, token) is None
    assert not session_exercises.session_exercises(path, lead, session_id)[Slot.OPENING].shown
    session_exercises.show_on_projector(path, lead, session_id, Slot.OPENING, True)
    assert session_exercises.projected_exercise(path, token).id == "safety_check"
    session_exercises.remove_exercise(path, lead, session_id, Slot.OPENING)
    assert session_exercises.session_exercises(path, lead, session_id) == {}
    assert session_exercises.projected_exercise(path, token) is None
    with pytest.raises(DomainError, match="session_moved_on"):
        session_exercises.remove_exercise(path, lead, session_id, Slot.OPENING)


def test_a_second_exercise_takes_the_place_of_the_first(team):
    path, lead, session_id = team["path"], team["lead"], team["id"]
    session_exercises.add_exercise(path, lead, session_id, Slot.OPENING, "safety_check", now=NOW)
    session_exercises.add_exercise(path, lead, session_id, Slot.OPENING, "two_words_check_in", now=NOW)
    added = session_exercises.session_exercises(path, lead, session_id)
    assert list(added) == [Slot.OPENING] and added[Slot.OPENING].exercise_id == "two_words_check_in"


def test_the_projector_shows_the_exercise_of_the_part_the_session_is_in(team):
    path, lead, session_id = team["path"], team["lead"], team["id"]
    token = _session(path, session_id).projector_token
    session_exercises.add_exercise(path, lead, session_id, Slot.OPENING, "two_words_check_in", now=NOW)
    session_exercises.add_exercise(path, lead, session_id, Slot.CLOSING, "learning_moment_round", now=NOW)
    assert session_exercises.projected_exercise(path, token).id == "two_words_check_in"
    live.begin_phases(path, lead, session_id, _session(path, session_id).revision, now=NOW)
    assert session_exercises.projected_exercise(path, token) is None, "during the method its phases are shown"
    for minute in range(1, 7):
        session = _session(path, session_id)
        live.move(path, lead, session_id, session.revision, 1, now=NOW + timedelta(minutes=minute))
    assert _session(path, session_id).status is SessionStatus.CLOSING
    assert session_exercises.projected_exercise(path, token).id == "learning_moment_round"


def test_an_exercise_that_does_not_fit_the_slot_or_is_unknown_is_refused(team):
    path, lead, session_id = team["path"], team["lead"], team["id"]
    with pytest.raises(DomainError, match="invalid"):
        session_exercises.add_exercise(path, lead, session_id, Slot.CLOSING, "knot_experiment", now=NOW)
    with pytest.raises(DomainError, match="invalid"):
        session_exercises.add_exercise(path, lead, session_id, Slot.OPENING, "no_such_exercise", now=NOW)
    assert session_exercises.session_exercises(path, lead, session_id) == {}


@pytest.mark.parametrize("who", ["anna", "coordinator", "other"])
def test_only_the_sessions_facilitator_adds_takes_off_or_sees_the_exercises(team, who):
    path, lead, session_id, someone = team["path"], team["lead"], team["id"], team[who]
    with pytest.raises(NotAllowed):
        session_exercises.add_exercise(path, someone, session_id, Slot.OPENING, "safety_check", now=NOW)
    session_exercises.add_exercise(path, lead, session_id, Slot.OPENING, "safety_check", now=NOW)
    for attempt in (
        lambda: session_exercises.show_on_projector(path, someone, session_id, Slot.OPENING, False),
        lambda: session_exercises.remove_exercise(path, someone, session_id, Slot.OPENING),
        lambda: session_exercises.session_exercises(path, someone, session_id),
    ):
        with pytest.raises(NotAllowed):
            attempt()
    assert session_exercises.session_exercises(path, lead, session_id)[Slot.OPENING].shown


def test_a_closed_session_takes_no_exercise(team):
    path, lead, session_id = team["path"], team["lead"], team["id"]
    live.begin_phases(path, lead, session_id, _session(path, session_id).revision, now=NOW)
    for minute in range(1, 7):
        live.move(path, lead, session_id, _session(path, session_id).revision, 1, now=NOW + timedelta(minutes=minute))
    live.close_session(path, lead, session_id, _session(path, session_id).revision, now=NOW + timedelta(minutes=8))
    with pytest.raises(DomainError, match="session_moved_on"):
        session_exercises.add_exercise(path, lead, session_id, Slot.CLOSING, "learning_moment_round", now=NOW)


def test_the_suggestion_for_a_session_follows_its_groups_phase(team):
    path, lead, session_id = team["path"], team["lead"], team["id"]
    assert session_exercises.group_phase(path, lead, session_id) is DevelopmentPhase.STORMING
    first = session_exercises.suggestions(path, lead, session_id, Slot.OPENING)[0]
    assert DevelopmentPhase.STORMING in first.group_phases and first.fits(Slot.OPENING)
    weak_trust = session_exercises.suggestions(path, lead, session_id, Slot.OPENING, frozenset({CommunityAspect.TRUST}))
    assert CommunityAspect.TRUST in weak_trust[0].strengthens


def test_the_exercise_is_kept_in_the_store_across_a_restart(team, database):
    """A restart is a new process: nothing in memory, everything read back from the store."""
    path, lead, session_id = team["path"], team["lead"], team["id"]
    session_exercises.add_exercise(path, lead, session_id, Slot.OPENING, "knot_experiment", now=NOW)
    session_exercises.show_on_projector(path, lead, session_id, Slot.OPENING, False)
    with db.reading(path) as conn:
        kept = store.session_exercises(conn, session_id)
    assert [(added.slot, added.exercise_id, added.shown, added.added_at) for added in kept] == [
        (Slot.OPENING, "knot_experiment", False, NOW)
    ]


def test_deleting_the_group_deletes_its_sessions_exercises(team):
    path, lead, session_id = team["path"], team["lead"], team["id"]
    session_exercises.add_exercise(path, lead, session_id, Slot.OPENING, "safety_check", now=NOW)
    groups.delete_group(path, team["coordinator"], _session(path, session_id).group_id, now=NOW)
    assert count_rows(path, "session_exercises") == 0
