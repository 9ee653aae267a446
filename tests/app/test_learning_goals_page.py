"""My learning goals: the page, the phone's panel at the check-in and closing, the console's shared goals and
the coordinator's counts.

In the demo, Jeroen Bakker facilitates "Leidinggevenden Zorg"; Sofie Claes and Fatima El Amrani are members.
"""

from __future__ import annotations

from datetime import timedelta

from driving import app, assert_healthy, click, message_under, open_as, open_page, query, texts, value_of, values

from intervision import clock, learning_goals, live
from intervision.database import configured as configured_database
from intervision.learning_goals import LearningGoalInput, ProgressInput
from intervision.methods import built_in_library
from intervision.models import StartSessionInput

PAGE = "pages/learning_goals.py"
LEIDING = "Leidinggevenden Zorg"
GOAL = "Ask one more question before I give advice"
INCIDENT = built_in_library().methods["incident"]
PANEL = "Look at your learning goals"


def _group_id(name: str = LEIDING) -> int:
    return query("SELECT id FROM groups WHERE name = ?", (name,))[0][0]


def _goal(person, what: str = GOAL, shared: bool = False) -> int:
    database = configured_database()
    goal_id = learning_goals.add_learning_goal(database, person, LearningGoalInput(what=what))
    learning_goals.note_progress(database, person, goal_id, ProgressInput(how_far=2, note="Tried it on Monday"))
    if shared:
        learning_goals.share(database, person, goal_id, _group_id())
    return goal_id


def _start(people) -> int:
    """A session of Leidinggevenden Zorg in its check-in, started by its facilitator through the core."""
    return live.start_session(
        configured_database(),
        people.facilitator,
        StartSessionInput(group_id=_group_id(), spot_case_title="A case told on the spot", method_id="incident"),
    )


def _session(people, session_id: int):
    return live.console_view(configured_database(), people.facilitator, session_id).session


def _move(people, session_id: int, steps: int) -> None:
    live.move(configured_database(), people.facilitator, session_id, _session(people, session_id).revision, steps)


def _follow(person, code: str):
    at = app(person)
    at.session_state["language"] = "en"
    at.query_params["code"] = code
    open_page(at, "pages/follow.py")
    assert_healthy(at)
    return at


def _expanders(at) -> list[str]:
    return [expander.label for expander in at.expander]


# --- the page -----------------------------------------------------------------------------------------


def test_a_participant_writes_a_learning_goal_and_notes_progress(people):
    at = open_as(people.participant, PAGE)
    assert values(at.title) == ["My learning goals"]
    assert "You have no learning goals yet." in texts(at)

    at.text_area(key="learning_goal.what").input(GOAL)
    at.text_area(key="learning_goal.practice").input("In every intervision session")
    at.date_input(key="learning_goal.due").set_value(clock.today() - timedelta(days=1))
    click(at, "Add learning goal")
    assert_healthy(at)
    assert message_under(at, "learning_goal.due") == "Choose today or a later day."
    assert value_of(at, "learning_goal.what") == GOAL, "what was typed is kept"

    at.date_input(key="learning_goal.due").set_value(clock.today() + timedelta(days=90))
    click(at, "Add learning goal")
    assert_healthy(at)
    assert "Your learning goal is saved. Only you can see it." in values(at.success)
    [mine] = learning_goals.my_learning_goals(configured_database(), people.participant)
    assert (mine.goal.what, mine.goal.practice) == (GOAL, "In every intervision session")
    assert any(GOAL in line for line in values(at.markdown))

    form = f"page_progress_{mine.goal.id}"
    click(at, "Note progress")
    assert message_under(at, f"{form}.how_far") == "Please fill this in."
    at.radio(key=f"{form}.how_far").set_value(3)
    at.text_input(key=f"{form}.note").input("Asked first, twice this week")
    click(at, "Note progress")
    assert_healthy(at)
    assert "Your progress is noted." in values(at.success)
    [mine] = learning_goals.my_learning_goals(configured_database(), people.participant)
    assert [(note.how_far, note.note) for note in mine.notes] == [(3, "Asked first, twice this week")]

    click(at, "I reached it")
    assert_healthy(at)
    assert "Well done: the goal is marked as reached." in values(at.success)
    assert "Take it up again" in [button.label for button in at.button]

    click(at, "Delete for good")
    assert_healthy(at)
    assert "The learning goal and its progress notes are deleted." in values(at.success)
    assert learning_goals.my_learning_goals(configured_database(), people.participant) == []


def test_a_participant_shares_a_goal_with_her_groups_facilitators_and_takes_it_back(people):
    goal_id = _goal(people.participant)
    at = open_as(people.participant, PAGE)
    share = at.selectbox(key=f"share_{goal_id}.group_id")
    assert share.value == 0 and share.options[0] == "nobody (only me)"
    share.set_value(_group_id()).run()
    assert_healthy(at)
    assert "The facilitators of that group can now see this goal." in values(at.success)
    shared = learning_goals.shared_with_me(configured_database(), people.facilitator, _group_id())
    assert [goal.what for goal in shared] == [GOAL]

    at.selectbox(key=f"share_{goal_id}.group_id").set_value(0).run()
    assert "This goal is private again." in values(at.success)
    assert learning_goals.shared_with_me(configured_database(), people.facilitator, _group_id()) == []


def test_another_member_never_sees_her_goals(people):
    _goal(people.participant, shared=True)
    for other in (people.participant_facilitator, people.facilitator, people.coordinator):
        at = open_as(other, PAGE)
        assert GOAL not in texts(at)
        assert "Tried it on Monday" not in texts(at)


def test_the_page_in_dutch(people):
    _goal(people.participant)
    at = open_as(people.participant, PAGE, "nl")
    assert values(at.title) == ["Mijn leerdoelen"]
    assert "Voortgang noteren" in [button.label for button in at.button]


# --- in a session ---------------------------------------------------------------------------------------


def test_the_phone_offers_her_goals_at_the_check_in_and_the_closing_only(people):
    goal_id = _goal(people.participant)
    session_id = _start(people)
    at = _follow(people.participant, _session(people, session_id).join_code)
    assert PANEL in _expanders(at)
    assert GOAL in texts(at) and "2/5" in texts(at)

    form = f"phone_progress_{goal_id}"
    at.radio(key=f"{form}.how_far").set_value(4)
    click(at, "Note progress")
    assert_healthy(at)
    [mine] = learning_goals.my_learning_goals(configured_database(), people.participant)
    assert mine.latest.how_far == 4

    live.begin_phases(configured_database(), people.facilitator, session_id, _session(people, session_id).revision)
    at.run()
    assert PANEL not in _expanders(at), "not while a phase runs"
    assert GOAL not in texts(at)

    _move(people, session_id, len(INCIDENT.phases))
    at.run()
    assert _session(people, session_id).status.value == "closing"
    assert PANEL in _expanders(at)


def test_the_console_shows_only_the_goals_shared_with_the_facilitator(people):
    _goal(people.participant, shared=True)
    _goal(people.participant, "Kept to myself")
    _start(people)
    at = open_as(people.facilitator, "pages/console.py")
    assert "Learning goal shared with you (1)" in _expanders(at)
    assert "**Sofie Claes**" in values(at.markdown)
    assert GOAL in texts(at) and "Tried it on Monday" in texts(at)
    assert "Kept to myself" not in texts(at)


# --- the coordinator ------------------------------------------------------------------------------------


def test_the_overview_shows_counts_and_never_a_goal(people):
    _goal(people.participant, shared=True)
    at = open_as(people.coordinator, "pages/overview.py")
    assert "Personal learning goals" in values(at.subheader)
    assert GOAL not in texts(at) and "Tried it on Monday" not in texts(at)
    # One person with goals in Leidinggevenden Zorg: below the threshold.
    assert "too few to show" in texts(at)
