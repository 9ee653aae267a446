"""The board's actions on the console (each item's menu: wording, hide and reveal, merge, remove; the history
to restore from) and the dots on a member's phone.

In the demo, Jeroen Bakker facilitates "Leidinggevenden Zorg"; Sofie Claes and Fatima El Amrani are members.
The sessions run the incident method: its fifth phase (solutions) collects advice, its sixth (the case
bringer's choice) gives each member three dots.
"""

from __future__ import annotations

from driving import app, assert_healthy, open_page, query, values

from intervision import live, live_board
from intervision.database import configured as configured_database
from intervision.models import BoardItemInput, SessionRole, StartSessionInput

CONSOLE = "pages/console.py"
FOLLOW = "pages/follow.py"
SOLUTIONS, CHOICE = 4, 5
ADVICE = ("Agree one mail moment a week", "Call the parent back yourself", "Ask the head to join")


def _run(at):
    at.run()
    assert_healthy(at)
    return at


def _press(button):
    """Click a button and run the page again."""
    at = button.click().run()
    assert_healthy(at)
    return at


def _session_with_advice(people, phase: int = SOLUTIONS, bringer=None) -> tuple[int, list[int]]:
    """A session of Leidinggevenden Zorg in this phase, with three pieces of advice sent in the solutions."""
    database = configured_database()
    group_id = query("SELECT id FROM groups WHERE name = ?", ("Leidinggevenden Zorg",))[0][0]
    roles = {SessionRole.CASE_BRINGER: [bringer.id]} if bringer else {}
    form = StartSessionInput(group_id=group_id, spot_case_title="On the spot", method_id="incident", roles=roles)
    session_id = live.start_session(database, people.facilitator, form)

    def revision() -> int:
        return live.console_view(database, people.facilitator, session_id).session.revision

    live.begin_phases(database, people.facilitator, session_id, revision())
    live.move(database, people.facilitator, session_id, revision(), SOLUTIONS)
    items = [
        live.send_to_board(database, people.participant, session_id, BoardItemInput(kind="advice", text=text))
        for text in ADVICE
    ]
    if phase > SOLUTIONS:
        live.move(database, people.facilitator, session_id, revision(), phase - SOLUTIONS)
    return session_id, items


def _console(people, session_id: int, language: str = "en"):
    at = app(people.facilitator, locale="nl-NL" if language == "nl" else "en-GB")
    at.session_state["language"] = language
    at.session_state["live_session_id"] = session_id
    open_page(at, CONSOLE)
    assert_healthy(at)
    return at


def _board(people, session_id: int) -> list[tuple[str, bool, int]]:
    view = live.console_view(configured_database(), people.facilitator, session_id)
    return [(item.text, item.hidden, item.dots) for item in view.board]


def _projected(session_id: int, people) -> list[str]:
    token = live.console_view(configured_database(), people.facilitator, session_id).session.projector_token
    return [item.text for item in live.projector_view(configured_database(), token).board]


def _submit(at, form: str, label: str):
    """The submit button of one item's form (every item's menu has one with the same label)."""
    found = [button for button in at.button if button.proto.form_id == form and button.label == label]
    assert len(found) == 1, [(button.proto.form_id, button.label) for button in at.button]
    return _press(found[0])


def _checkbox_labels(at) -> list[str]:
    return [box.label for box in at.checkbox]


# --- the console -----------------------------------------------------------------------------------------


def test_each_item_has_one_menu_not_a_row_of_buttons(people):
    session_id, items = _session_with_advice(people)
    at = _console(people, session_id)

    assert len(at.get("popover")) == len(items)
    assert ADVICE[0] in _checkbox_labels(at)  # advice takes "helped" marks, as before


def test_the_menu_changes_the_wording_and_the_history_keeps_the_earlier_one(people):
    session_id, (first, _, _) = _session_with_advice(people)
    at = _console(people, session_id)

    at.text_area(key=f"board-wording-{first}").input("One mail moment a week")
    _submit(at, f"board-edit-{first}", "Save the wording")

    assert _board(people, session_id)[0] == ("One mail moment a week", False, 0)
    assert "One mail moment a week" in _checkbox_labels(at)
    history = "\n".join(values(at.caption))
    assert "Agree one mail moment a week" in history and "Jeroen Bakker" in history


def test_an_empty_wording_is_refused_under_the_field(people):
    session_id, (first, _, _) = _session_with_advice(people)
    at = _console(people, session_id)

    at.text_area(key=f"board-wording-{first}").input("   ")
    _submit(at, f"board-edit-{first}", "Save the wording")

    assert _board(people, session_id)[0][0] == ADVICE[0]
    assert values(at.error), "the problem is shown"


def test_hide_greys_the_item_on_the_console_and_takes_it_off_the_projector_then_reveal(people):
    session_id, (_, _, third) = _session_with_advice(people)
    at = _console(people, session_id)

    _press(at.button(key=f"board-hide-{third}"))

    assert _board(people, session_id)[2] == (ADVICE[2], True, 0)
    assert ADVICE[2] not in _projected(session_id, people)
    assert f":gray[{ADVICE[2]} (hidden)]" in _checkbox_labels(at)
    assert at.button(key=f"board-hide-{third}").label == "Reveal"

    _press(at.button(key=f"board-hide-{third}"))

    assert ADVICE[2] in _projected(session_id, people)


def test_merge_folds_items_into_one_with_the_adjusted_wording(people):
    session_id, (first, second, _) = _session_with_advice(people)
    at = _console(people, session_id)

    at.multiselect(key=f"board-merge-{first}").select(second)
    at.text_area(key=f"board-merged-wording-{first}").input("One mail moment a week, and call back yourself")
    _submit(at, f"board-merge-form-{first}", "Merge")

    assert _board(people, session_id) == [
        ("One mail moment a week, and call back yourself", False, 0),
        (ADVICE[2], False, 0),
    ]
    assert at.button(key=f"board-restore-{second}")  # the folded item waits in the history


def test_remove_takes_the_item_off_and_the_history_restores_it(people):
    session_id, (_, second, _) = _session_with_advice(people)
    at = _console(people, session_id)

    _press(at.button(key=f"board-remove-{second}"))

    assert [text for text, _, _ in _board(people, session_id)] == [ADVICE[0], ADVICE[2]]
    assert ADVICE[1] not in _checkbox_labels(at)
    assert any(ADVICE[1] in line for line in values(at.markdown)), "listed off the board, in the history"

    _press(at.button(key=f"board-restore-{second}"))

    assert [text for text, _, _ in _board(people, session_id)] == list(ADVICE)


def test_the_menu_speaks_dutch(people):
    session_id, (first, _, _) = _session_with_advice(people)
    at = _console(people, session_id, language="nl")

    assert at.button(key=f"board-hide-{first}").label == "Verbergen"
    assert at.button(key=f"board-remove-{first}").label == "Weghalen"
    assert at.multiselect(key=f"board-merge-{first}").label == "Samenvoegen met"


# --- the phone -------------------------------------------------------------------------------------------


def _follow(person, code: str, language: str = "en"):
    at = app(person)
    at.session_state["language"] = language
    at.query_params["code"] = code
    open_page(at, FOLLOW)
    assert_healthy(at)
    return at


def _code(people, session_id: int) -> str:
    return live.console_view(configured_database(), people.facilitator, session_id).session.join_code


def test_a_member_gives_dots_in_the_choice_and_takes_one_back(people):
    session_id, (first, second, _) = _session_with_advice(people, CHOICE)
    at = _follow(people.participant_facilitator, _code(people, session_id))
    assert "Your dots" in values(at.subheader)
    assert "**3 dots left**" in values(at.markdown)

    _press(at.button(key=f"dot-give-{first}"))
    _press(at.button(key=f"dot-give-{first}"))
    _press(at.button(key=f"dot-give-{second}"))

    assert "**0 dots left**" in values(at.markdown)
    assert at.button(key=f"dot-give-{second}").disabled
    assert [dots for _, _, dots in _board(people, session_id)] == [2, 1, 0]

    _press(at.button(key=f"dot-take-back-{first}"))

    assert "**1 dot left**" in values(at.markdown)
    assert [dots for _, _, dots in _board(people, session_id)] == [1, 1, 0]


def test_the_phone_shows_dots_in_dutch(people):
    session_id, _ = _session_with_advice(people, CHOICE)
    at = _follow(people.participant_facilitator, _code(people, session_id), language="nl")

    assert "Jouw stippen" in values(at.subheader)
    assert "**nog 3 stippen**" in values(at.markdown)


def test_no_dots_before_the_choice_nor_for_the_case_bringer(people):
    bringer, member = people.participant_facilitator, people.participant
    session_id, _ = _session_with_advice(people, bringer=bringer)
    assert "Your dots" not in values(_follow(member, _code(people, session_id)).subheader)

    database = configured_database()
    revision = live.console_view(database, people.facilitator, session_id).session.revision
    live.move(database, people.facilitator, session_id, revision, 1)

    assert "Your dots" in values(_follow(member, _code(people, session_id)).subheader)
    assert "Your dots" not in values(_follow(bringer, _code(people, session_id)).subheader)


def test_a_hidden_item_is_not_on_the_phone_to_give_dots_to(people):
    session_id, (first, _, third) = _session_with_advice(people, CHOICE)
    live_board.hide_item(configured_database(), people.facilitator, session_id, third, True)

    at = _follow(people.participant_facilitator, _code(people, session_id))

    assert ADVICE[2] not in "\n".join(values(at.markdown))
    assert at.button(key=f"dot-give-{first}")
    assert not [button for button in at.button if button.key == f"dot-give-{third}"]


def test_after_closing_the_report_screen_keeps_the_boards_history_to_look_back_on(people):
    session_id, (_, second, _) = _session_with_advice(people)
    database = configured_database()
    live_board.remove_item(database, people.facilitator, session_id, second)

    def revision() -> int:
        return live.console_view(database, people.facilitator, session_id).session.revision

    live.move(database, people.facilitator, session_id, revision(), 2)  # past the choice: the closing
    live.close_session(database, people.facilitator, session_id, revision())
    at = _console(people, session_id)

    assert "Board history" in [expander.label for expander in at.expander]
    assert any(ADVICE[1] in line for line in values(at.markdown))
