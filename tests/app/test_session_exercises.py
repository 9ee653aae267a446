"""Exercises in a session, as the facilitator and the room see them: the chooser on the console's check-in and
closing (the suggestion first), the projector showing the chosen exercise in the group's language, taking it off
again, and a restart that brings it back. The session is one of "Leidinggevenden Zorg" in the demo."""

from __future__ import annotations

from driving import app, assert_healthy, click, open_as, open_page, query, texts, values

from intervision import live, session_exercises
from intervision.database import configured as configured_database
from intervision.exercises import Slot, exercise_library
from intervision.i18n import t
from intervision.models import Language

CONSOLE = "pages/console.py"
PROJECTOR = "pages/projector.py"
LIBRARY = exercise_library().exercises


def _run(at):
    at.run()
    assert_healthy(at)
    return at


def _console(people):
    """The facilitator's console with a session opened from the start panel: the check-in."""
    at = open_as(people.facilitator, CONSOLE, "en")
    at.selectbox(key="start.method_id").set_value("incident")
    _run(at)
    click(at, "Open the session")
    assert_healthy(at)
    return at, at.session_state["live_session_id"]


def _session(people, session_id: int):
    return live.console_view(configured_database(), people.facilitator, session_id).session


def _projector(people, session_id: int):
    at = app(None, locale="en-GB")
    at.query_params["token"] = _session(people, session_id).projector_token
    open_page(at, PROJECTOR)
    assert_healthy(at)
    return at


def _shown(at) -> str:
    return texts(at).replace("\\", "")


def _chooser(at, slot: Slot):
    return at.selectbox(key=f"_exercise_choice.{slot}")


def test_the_check_in_offers_the_suggestion_first_and_the_projector_shows_the_chosen_exercise(people):
    at, session_id = _console(people)
    assert "An exercise to begin with" in texts(at)
    chooser = _chooser(at, Slot.OPENING)
    expected = session_exercises.suggestions(configured_database(), people.facilitator, session_id, Slot.OPENING)
    assert chooser.value == expected[0].id, "the suggestion is chosen already"
    assert chooser.options[0].startswith("Suggested: ")
    assert all(not option.startswith("Suggested") for option in chooser.options[1:])
    assert len(chooser.options) == len(exercise_library().for_slot(Slot.OPENING))

    chooser.set_value("learning_at_work")
    _run(at)
    click(at, "Show on the projector")
    assert_healthy(at)
    exercise = LIBRARY["learning_at_work"]
    assert f"On the projector: {exercise.name(Language.EN)}" in _shown(at)

    language = _session(people, session_id).group_language
    beamer = _projector(people, session_id)
    shown = _shown(beamer)
    assert values(beamer.title) == [exercise.name(language)]
    assert ("20 minuten" if language is Language.NL else "20 minutes") in shown
    for step in exercise.steps(language):
        assert step in shown
    for note in exercise.notes.nl + exercise.notes.en:
        assert note not in shown, "the facilitator's notes never reach the beamer"


def test_taking_it_off_brings_the_check_in_back_on_the_projector(people):
    at, session_id = _console(people)
    _chooser(at, Slot.OPENING).set_value("two_words_check_in")
    _run(at)
    click(at, "Show on the projector")
    beamer = _projector(people, session_id)
    name = LIBRARY["two_words_check_in"].name(_session(people, session_id).group_language)
    assert values(beamer.title) == [name]

    click(at, "Take off the projector")
    assert_healthy(at)
    assert "Added, not on the projector: Two words" in _shown(at)
    _run(beamer)
    assert values(beamer.title) != [name]
    language = _session(people, session_id).group_language
    assert values(beamer.title) == [t("projector.check_in", language)]

    click(at, "Show again")
    _run(beamer)
    assert values(beamer.title) == [name]
    click(at, "Remove")
    assert_healthy(at)
    assert _chooser(at, Slot.OPENING) is not None, "the chooser is back"
    _run(beamer)
    assert values(beamer.title) != [name]


def test_a_restart_brings_the_exercise_back(people):
    at, session_id = _console(people)
    _chooser(at, Slot.OPENING).set_value("safety_check")
    _run(at)
    click(at, "Show on the projector")
    # A restarted server: a new browser session of the same facilitator, and a beamer that opens its link again;
    # all they know comes from the store.
    again = open_as(people.facilitator, CONSOLE, "en")
    _run(again)
    assert "On the projector: Two-minute safety check" in _shown(again)
    stored = query("SELECT exercise_id, shown FROM session_exercises WHERE live_session_id = ?", (session_id,))
    assert stored == [("safety_check", 1)]
    beamer = _projector(people, session_id)
    assert values(beamer.title) == [LIBRARY["safety_check"].name(_session(people, session_id).group_language)]


def test_the_closing_has_its_own_chooser_and_exercise(people):
    at, session_id = _console(people)
    click(at, "Start the first phase")
    session = _session(people, session_id)
    live.move(configured_database(), people.facilitator, session_id, session.revision, 6)
    _run(at)
    assert "An exercise to end with" in texts(at)
    chooser = _chooser(at, Slot.CLOSING)
    offered = {exercise.id for exercise in exercise_library().for_slot(Slot.CLOSING)}
    assert len(chooser.options) == len(offered)
    assert "knot_experiment" not in offered, "an exercise for the opening only is not offered at the closing"
    chooser.set_value("appreciation_round")
    _run(at)
    click(at, "Show on the projector")
    assert_healthy(at)
    beamer = _projector(people, session_id)
    assert values(beamer.title) == [LIBRARY["appreciation_round"].name(_session(people, session_id).group_language)]


# --- the methods page's exercises --------------------------------------------------------------


def _methods_page(person, language: str = "en"):
    return open_as(person, "pages/methods.py", language)


def _listed(tab) -> list[str]:
    return [expander.label for expander in tab.expander]


def test_the_methods_page_lists_the_exercises_filtered_by_part_of_the_session(people):
    at = _methods_page(people.facilitator)
    tab = at.tabs[2]
    assert tab.label == "Exercises"
    library = exercise_library()
    assert len(_listed(tab)) == len(library.exercises)
    assert "The knot experiment · 25 minutes" in _listed(tab)

    at.radio(key="_exercise_library_slot").set_value(Slot.CLOSING)
    _run(at)
    closing = _listed(at.tabs[2])
    assert len(closing) == len(library.for_slot(Slot.CLOSING))
    assert "The knot experiment · 25 minutes" not in closing
    assert "Appreciation round · 10 minutes" in closing


def test_the_methods_page_shows_an_exercise_in_full_in_dutch(people):
    at = _methods_page(people.coordinator, "nl")
    tab = at.tabs[2]
    assert tab.label == "Oefeningen"
    knot = LIBRARY["knot_experiment"]
    shown = _shown(at)
    for line in knot.steps.nl + knot.materials.nl + [knot.purpose.nl]:
        assert line in shown
