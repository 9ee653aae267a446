"""The programmes page as a coordinator uses it: create a programme, fill a step, move it through the BLITS
phases; and the one line a group's page shows of its programme."""

from __future__ import annotations

from datetime import timedelta

from driving import assert_healthy, click, fill, message_under, open_as, query, texts, values

from intervision import clock, groups, programmes
from intervision.database import configured as configured_database
from intervision.programmes import ProgrammeInput

PAGE = "pages/programmes.py"
SAVE = "Save"
CREATED = "The programme is saved. Start with the problem."
NEW = 0  # the selector's entry for a new programme (pages/programmes.py)
NO_GROUPS = "This programme has no groups yet. It is saved as a draft; add its groups under Name and groups."


def _programme(people, name: str = "Klantvriendelijk aan de balie", group_ids: list[int] | None = None) -> int:
    return programmes.create_programme(
        configured_database(), people.coordinator, ProgrammeInput(name=name, group_ids=group_ids or [])
    )


def _new(at):  # noqa: ANN001, ANN202 - an AppTest
    """The form for a new programme: the demo already has one, which the page opens first."""
    return at.selectbox(key="_programme_choice").set_value(NEW).run()


def test_a_coordinator_creates_a_programme_for_a_group(people):
    database = configured_database()
    gent = next(g.id for g, _ in groups.visible_groups(database, people.coordinator) if g.name == "Jeugdhulp Gent")
    at = _new(open_as(people.coordinator, PAGE))
    fill(at, {"new_programme.name": "Samen sterker in de jeugdhulp", "new_programme.group_ids": [gent]})
    at = click(at, SAVE)
    assert_healthy(at)
    assert CREATED in values(at.success)
    assert "Samen sterker in de jeugdhulp" in values(at.subheader)
    assert "Groups: Jeugdhulp Gent" in texts(at)
    assert query(
        "SELECT pg.group_id FROM programme_groups pg JOIN programmes p ON p.id = pg.programme_id WHERE p.name = ?",
        ("Samen sterker in de jeugdhulp",),
    ) == [(gent,)]


def test_a_programme_without_groups_is_kept_as_a_draft_and_says_so(people):
    at = _new(open_as(people.coordinator, PAGE))
    fill(at, {"new_programme.name": "Nog te bepalen"})
    at = click(at, SAVE)
    assert_healthy(at)
    assert CREATED in values(at.success)
    assert NO_GROUPS in values(at.warning)
    drafts = (
        "SELECT p.name FROM programmes p"
        " WHERE NOT EXISTS (SELECT 1 FROM programme_groups pg WHERE pg.programme_id = p.id)"
    )
    assert query(drafts) == [("Nog te bepalen",)]


def test_a_goal_dated_in_the_past_is_refused_under_the_date_and_what_was_typed_stays(people):
    programme_id = _programme(people)
    at = open_as(people.coordinator, PAGE)
    form = f"goal_{programme_id}"
    yesterday = clock.today() - timedelta(days=1)
    goal = "Halve the complaints about waiting at the desk"
    fill(at, {f"{form}.text": goal, f"{form}.measure": "complaints per quarter", f"{form}.due": yesterday})
    at = click(at, "Add the goal")
    assert_healthy(at)
    assert message_under(at, f"{form}.due") == "Choose today or a later date."
    assert at.text_area(key=f"{form}.text").value == goal
    assert at.text_input(key=f"{form}.measure").value == "complaints per quarter"
    assert at.date_input(key=f"{form}.due").value == yesterday
    assert programmes.programme(configured_database(), people.coordinator, programme_id).step("goals").goals == []

    # With a date ahead it is added, and the hints say what is still vague (no start value or target).
    fill(at, {f"{form}.due": clock.today() + timedelta(days=90)})
    at = click(at, "Add the goal")
    assert "Added." in values(at.success)
    assert "How will you know it is reached? Name what is counted and the target." in values(at.info)


def test_a_vague_problem_is_saved_with_hints(people):
    programme_id = _programme(people)
    at = open_as(people.coordinator, PAGE)
    fill(at, {f"problem_{programme_id}.description": "Customers find that we are not customer-friendly."})
    at = click(at, "Save the problem")
    assert_healthy(at)
    assert "The step is saved." in values(at.success)
    assert "No example yet. What went wrong last week, concretely?" in values(at.info)
    assert "Still open: Goals, Target group" in texts(at)


def test_moving_on_with_open_conditions_asks_for_a_reason_and_then_moves(people):
    programme_id = _programme(people)
    at = open_as(people.coordinator, PAGE)
    form = f"move_{programme_id}"
    fill(at, {form + ".to_phase": 1})
    at = click(at, "Move")
    assert_healthy(at)
    assert message_under(at, f"{form}.reason") == "4 conditions are still open: say why you move on anyway."
    assert at.selectbox(key=f"{form}.to_phase").value == 1
    assert query("SELECT phase FROM programmes WHERE id = ?", (programme_id,)) == [(0,)]

    fill(at, {f"{form}.reason": "The sponsor confirms next week"})
    at = click(at, "Move")
    assert "The programme has moved to another phase." in values(at.success)
    assert query("SELECT phase FROM programmes WHERE id = ?", (programme_id,)) == [(1,)]
    assert "The sponsor confirms next week" in values(at.text)

    # Moving back is allowed, but asks why too, and the history says it went back.
    fill(at, {f"{form}.to_phase": 0})
    at = click(at, "Move")
    assert message_under(at, f"{form}.reason") == "You are moving back: say why."
    fill(at, {f"{form}.reason": "The sponsor withdrew"})
    at = click(at, "Move")
    assert query("SELECT phase FROM programmes WHERE id = ?", (programme_id,)) == [(0,)]
    assert any("moved back from phase 1 to phase 0" in line for line in values(at.markdown))


def test_ticking_a_condition_records_who(people):
    programme_id = _programme(people)
    at = open_as(people.coordinator, PAGE)
    at = at.checkbox(key=f"_condition_{programme_id}_context.problem").check().run()
    assert_healthy(at)
    assert f"Ticked by {people.coordinator.name}" in texts(at)
    ticked = "SELECT condition_id FROM programme_conditions WHERE programme_id = ?"
    assert query(ticked, (programme_id,)) == [("context.problem",)]


def test_a_member_sees_only_the_programmes_name_and_phase_on_the_groups_page(people):
    database = configured_database()
    group, _ = groups.visible_groups(database, people.participant)[0]
    programme_id = _programme(people, group_ids=[group.id])
    programmes.save_step(
        database,
        people.coordinator,
        programme_id,
        programmes.ProblemStep(description="Twelve complaints about the waiting room last year"),
    )
    at = open_as(people.participant, "pages/groups.py")
    at.selectbox(key="group_choice").set_value(group.id).run()
    assert_healthy(at)
    shown = texts(at)
    assert "Programme: Klantvriendelijk aan de balie · BLITS phase 0" in shown
    assert "Twelve complaints" not in shown


def test_the_demo_programme_opens_in_phase_3_with_every_step_filled_in(people):
    at = open_as(people.coordinator, PAGE)
    assert_healthy(at)
    assert "Vallen voorkomen bij cliënten thuis" in values(at.subheader)
    shown = texts(at)
    assert "Groups: Leidinggevenden Zorg, Wijkverpleging Noord" in shown
    assert "8 of 8 steps filled in" in shown
    assert "2 conditions of this phase are still open." in shown
    assert "Still open:" not in shown and "With hints to look at:" not in shown
