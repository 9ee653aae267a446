"""Keeping the board tidy (edit, hide, merge, remove, restore) and the dots members give to advice.

Nothing the facilitator does deletes a board item: the session's history keeps each change with who made it
and when. Hidden and set-aside items never reach a phone, the projector or the report; dots are counted per
item and never say who gave them.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from unit_support import NOW, at, count_rows

from intervision import db, live, live_board, personal_data, store
from intervision.errors import DomainError, NotAllowed
from intervision.methods import Method, built_in_library
from intervision.models import (
    BoardChangeAction,
    BoardEditInput,
    BoardItemInput,
    Language,
    LiveSession,
    Person,
    Role,
    SessionRole,
    StartSessionInput,
)

INFORMATION, DIAGNOSIS, SOLUTIONS, CHOICE = 2, 3, 4, 5  # the incident method's phases; its choice asks for dots


@dataclass(frozen=True)
class Team:
    path: Path
    lead: Person
    co_lead: Person
    anna: Person  # the case bringer
    ben: Person
    chris: Person
    outsider: Person
    group_id: int


@pytest.fixture
def team(path, make_person, make_group) -> Team:
    lead = make_person("Fenna Facilitator", Role.FACILITATOR)
    co_lead = make_person("Gijs Cofacilitator", Role.FACILITATOR)
    anna, ben, chris = (make_person(f"{name} Member") for name in ("Anna", "Ben", "Chris"))
    outsider = make_person("Olga Outsider", Role.FACILITATOR)
    group_id = make_group("Team North", facilitators=(lead, co_lead), members=(anna, ben, chris))
    make_group("Team South", facilitators=(outsider,), members=())
    return Team(path, lead, co_lead, anna, ben, chris, outsider, group_id)


def _session(team: Team, session_id: int) -> LiveSession:
    with db.reading(team.path) as conn:
        return store.live_session(conn, session_id)


def _session_in(team: Team, phase: int) -> int:
    form = StartSessionInput(
        group_id=team.group_id, method_id="incident", roles={SessionRole.CASE_BRINGER: [team.anna.id]}
    )
    session_id = live.start_session(team.path, team.lead, form, now=NOW)
    live.begin_phases(team.path, team.lead, session_id, _session(team, session_id).revision, now=NOW)
    for minute in range(1, phase + 1):
        live.move(team.path, team.lead, session_id, _session(team, session_id).revision, 1, now=at(minute))
    return session_id


def _send(team: Team, person: Person, session_id: int, kind: str, text: str) -> int:
    return live.send_to_board(team.path, person, session_id, BoardItemInput(kind=kind, text=text), now=at(10))


def _to_choice(team: Team, session_id: int) -> None:
    while _session(team, session_id).phase_index < CHOICE:
        live.move(team.path, team.lead, session_id, _session(team, session_id).revision, 1, now=at(20))


def _console(team: Team, session_id: int) -> list[tuple[str, bool, int]]:
    view = live.console_view(team.path, team.lead, session_id, now=at(30))
    return [(item.text, item.hidden, item.dots) for item in view.board]


def _phone(team: Team, person: Person, session_id: int) -> list[str]:
    view = live.participant_view(team.path, person, _session(team, session_id).join_code, now=at(30))
    return [item.text for item in view.board]


def _projector(team: Team, session_id: int) -> list[str]:
    view = live.projector_view(team.path, _session(team, session_id).projector_token, now=at(30))
    return [item.text for item in view.board]


def _report(team: Team, session_id: int) -> list[tuple[str, str, bool, int]]:
    report = live.session_report(team.path, team.lead, session_id, Language.EN)
    return [item for items in report.board.values() for item in items]


@pytest.fixture
def advice(team) -> tuple[int, list[int]]:
    """A session in its solutions round with three pieces of advice on the board."""
    session_id = _session_in(team, SOLUTIONS)
    items = [
        _send(team, team.ben, session_id, "advice", "Agree one fixed moment a week to mail"),
        _send(team, team.chris, session_id, "advice", "Agre one fixed mail moment per week"),
        _send(team, team.ben, session_id, "advice", "Ask the head to join the next talk"),
    ]
    return session_id, items


# --- edit ------------------------------------------------------------------------------------------------


def test_an_edit_changes_every_screen_and_the_history_keeps_the_earlier_wording(team, advice):
    session_id, (first, _, _) = advice

    live_board.edit_item(team.path, team.lead, session_id, first, BoardEditInput(text="One mail moment a week"), at(11))

    assert "One mail moment a week" in _phone(team, team.ben, session_id)
    assert "One mail moment a week" in _projector(team, session_id)
    history = live_board.board_history(team.path, team.lead, session_id)
    assert [(c.item_id, c.action, c.actor, c.earlier_text) for c in history.changes] == [
        (first, BoardChangeAction.EDITED, "Fenna Facilitator", "Agree one fixed moment a week to mail")
    ]
    assert history.changes[0].at == at(11)


def test_an_edit_to_an_empty_text_is_refused():
    with pytest.raises(ValueError, match="required"):
        BoardEditInput(text="  ")


# --- hide and reveal -------------------------------------------------------------------------------------


def test_a_hidden_item_is_greyed_on_the_console_and_gone_from_phones_projector_and_report(team, advice):
    session_id, (first, second, third) = advice

    live_board.hide_item(team.path, team.lead, session_id, third, True, at(11))

    assert _console(team, session_id)[2] == ("Ask the head to join the next talk", True, 0)
    assert "Ask the head to join the next talk" not in _phone(team, team.ben, session_id)
    assert "Ask the head to join the next talk" not in _phone(team, team.anna, session_id)
    assert "Ask the head to join the next talk" not in _projector(team, session_id)
    assert "Ask the head to join the next talk" not in [text for _, text, _, _ in _report(team, session_id)]

    live_board.hide_item(team.path, team.lead, session_id, third, False, at(12))

    assert "Ask the head to join the next talk" in _projector(team, session_id)
    actions = [c.action for c in live_board.board_history(team.path, team.lead, session_id).changes]
    assert actions == [BoardChangeAction.HIDDEN, BoardChangeAction.REVEALED]


# --- remove and restore ----------------------------------------------------------------------------------


def test_a_removed_item_leaves_every_screen_but_stays_in_the_history_and_can_be_restored(team, advice):
    session_id, (first, second, third) = advice

    live_board.remove_item(team.path, team.lead, session_id, second, at(11))

    assert [text for text, _, _ in _console(team, session_id)] == [
        "Agree one fixed moment a week to mail",
        "Ask the head to join the next talk",
    ]
    assert "Agre one fixed mail moment per week" not in _phone(team, team.ben, session_id)
    assert "Agre one fixed mail moment per week" not in _projector(team, session_id)
    assert "Agre one fixed mail moment per week" not in [text for _, text, _, _ in _report(team, session_id)]
    assert count_rows(team.path, "board_items") == 3  # nothing is deleted
    history = live_board.board_history(team.path, team.lead, session_id)
    assert [(item.id, item.text, item.removed_at) for item in history.set_aside] == [
        (second, "Agre one fixed mail moment per week", at(11))
    ]

    live_board.restore_item(team.path, team.co_lead, session_id, second, at(12))

    assert "Agre one fixed mail moment per week" in _projector(team, session_id)
    history = live_board.board_history(team.path, team.lead, session_id)
    assert history.set_aside == []
    assert [(c.action, c.actor) for c in history.changes] == [
        (BoardChangeAction.REMOVED, "Fenna Facilitator"),
        (BoardChangeAction.RESTORED, "Gijs Cofacilitator"),
    ]


def test_a_removed_item_cannot_be_edited_hidden_or_removed_again(team, advice):
    session_id, (first, _, _) = advice
    live_board.remove_item(team.path, team.lead, session_id, first, at(11))

    for change in (
        lambda: live_board.edit_item(team.path, team.lead, session_id, first, BoardEditInput(text="x")),
        lambda: live_board.hide_item(team.path, team.lead, session_id, first, True),
        lambda: live_board.remove_item(team.path, team.lead, session_id, first),
    ):
        with pytest.raises(DomainError) as refused:
            change()
        assert refused.value.key == "board_item_not_found"


def test_restoring_an_item_that_is_on_the_board_is_refused(team, advice):
    session_id, (first, _, _) = advice
    with pytest.raises(DomainError) as refused:
        live_board.restore_item(team.path, team.lead, session_id, first)
    assert refused.value.key == "board_item_not_found"


# --- merge -----------------------------------------------------------------------------------------------


def test_a_merge_keeps_one_item_with_the_adjusted_text_and_folds_the_others_into_the_history(team, advice):
    session_id, (first, second, third) = advice
    live.mark_helpful(team.path, team.anna, session_id, second, True)

    live_board.merge_items(team.path, team.lead, session_id, first, [second], "One fixed mail moment a week", at(11))

    assert _console(team, session_id) == [
        ("One fixed mail moment a week", False, 0),
        ("Ask the head to join the next talk", False, 0),
    ]
    # The folded item had helped: the one kept now has.
    view = live.console_view(team.path, team.lead, session_id, now=at(30))
    assert [item.helpful for item in view.board] == [True, False]
    history = live_board.board_history(team.path, team.lead, session_id)
    assert [(item.id, item.merged_into) for item in history.set_aside] == [(second, first)]
    assert [(c.item_id, c.action, c.other_item_id) for c in history.changes] == [
        (second, BoardChangeAction.MERGED, first),
        (first, BoardChangeAction.EDITED, None),
    ]
    assert count_rows(team.path, "board_items") == 3


def test_a_merged_item_can_be_restored_as_an_item_of_its_own(team, advice):
    session_id, (first, second, _) = advice
    live_board.merge_items(team.path, team.lead, session_id, first, [second], None, at(11))

    live_board.restore_item(team.path, team.lead, session_id, second, at(12))

    assert "Agre one fixed mail moment per week" in _projector(team, session_id)


def test_a_merge_needs_two_items_of_the_same_kind(team, advice):
    session_id, (first, _, _) = advice
    live.move(team.path, team.lead, session_id, _session(team, session_id).revision, 1, now=at(12))
    insight = _send(team, team.ben, session_id, "insight", "I will mail less myself")

    for folded, key in (([first], "merge_needs_two"), ([insight], "merge_needs_same_kind")):
        with pytest.raises(DomainError) as refused:
            live_board.merge_items(team.path, team.lead, session_id, first, folded)
        assert refused.value.key == key
    assert live_board.board_history(team.path, team.lead, session_id).changes == []


def test_an_item_of_another_session_cannot_be_merged_in_or_changed(team, advice, make_group):
    session_id, (first, _, _) = advice
    other_group = make_group("Team West", facilitators=(team.lead,), members=(team.ben,))
    form = StartSessionInput(group_id=other_group, method_id="incident", roles={})
    other_session = live.start_session(team.path, team.lead, form, now=NOW)
    live.begin_phases(team.path, team.lead, other_session, _session(team, other_session).revision, now=NOW)
    for minute in range(1, SOLUTIONS + 1):
        live.move(team.path, team.lead, other_session, _session(team, other_session).revision, 1, now=at(minute))
    foreign = _send(team, team.ben, other_session, "advice", "Advice from elsewhere")

    with pytest.raises(DomainError) as refused:
        live_board.merge_items(team.path, team.lead, session_id, first, [foreign])
    assert refused.value.key == "board_item_not_found"
    for change in (
        lambda: live_board.edit_item(team.path, team.lead, session_id, foreign, BoardEditInput(text="x")),
        lambda: live_board.remove_item(team.path, team.lead, session_id, foreign),
        lambda: live_board.hide_item(team.path, team.lead, session_id, foreign, True),
    ):
        with pytest.raises(DomainError):
            change()
    assert [item.text for item in live.console_view(team.path, team.lead, other_session, now=at(30)).board] == [
        "Advice from elsewhere"
    ]


# --- who may change the board ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["anna", "ben", "outsider"])
def test_only_the_groups_facilitators_change_the_board_or_read_its_history(team, advice, who):
    session_id, (first, second, _) = advice
    person = getattr(team, who)

    for change in (
        lambda: live_board.edit_item(team.path, person, session_id, first, BoardEditInput(text="Mine now")),
        lambda: live_board.hide_item(team.path, person, session_id, first, True),
        lambda: live_board.remove_item(team.path, person, session_id, first),
        lambda: live_board.merge_items(team.path, person, session_id, first, [second]),
        lambda: live_board.board_history(team.path, person, session_id),
    ):
        with pytest.raises(NotAllowed):
            change()
    assert [text for text, _, _ in _console(team, session_id)][0] == "Agree one fixed moment a week to mail"
    assert count_rows(team.path, "board_changes") == 0


# --- dots ------------------------------------------------------------------------------------------------


def _give(team: Team, person: Person, session_id: int, item_id: int) -> None:
    live_board.give_dot(team.path, person, session_id, item_id, now=at(21))


def _phone_view(team: Team, person: Person, session_id: int) -> live.SessionView:
    return live.participant_view(team.path, person, _session(team, session_id).join_code, now=at(21))


def test_members_give_up_to_three_dots_in_the_choice_and_can_take_them_back(team, advice):
    session_id, (first, second, third) = advice
    _to_choice(team, session_id)

    _give(team, team.ben, session_id, first)
    _give(team, team.ben, session_id, first)  # two on one piece of advice is allowed
    _give(team, team.ben, session_id, third)
    with pytest.raises(DomainError) as refused:
        _give(team, team.ben, session_id, second)
    assert refused.value.key == "no_dots_left"
    _give(team, team.chris, session_id, third)

    assert [dots for _, _, dots in _console(team, session_id)] == [2, 0, 2]
    view = _phone_view(team, team.ben, session_id)
    assert [item.dots for item in view.board] == [2, 0, 2]
    mine = live_board.my_dots(team.path, team.ben, view)
    assert (mine.allowed, mine.given, mine.left) == (3, {first: 2, third: 1}, 0)

    live_board.take_back_dot(team.path, team.ben, session_id, first)
    _give(team, team.ben, session_id, second)

    assert [dots for _, _, dots in _console(team, session_id)] == [1, 1, 2]
    assert [dots for _, _, _, dots in _report(team, session_id)] == [1, 1, 2]
    with pytest.raises(DomainError) as refused:
        live_board.take_back_dot(team.path, team.chris, session_id, first)
    assert refused.value.key == "no_dot_to_take_back"


def test_no_dots_in_a_phase_that_asks_for_no_choice(team, advice):
    session_id, (first, _, _) = advice  # the solutions round collects advice but asks for no choice

    with pytest.raises(DomainError) as refused:
        _give(team, team.ben, session_id, first)

    assert refused.value.key == "no_dots_now"
    assert live_board.my_dots(team.path, team.ben, _phone_view(team, team.ben, session_id)).allowed == 0


@pytest.mark.parametrize("who", ["lead", "anna", "outsider"])
def test_only_members_other_than_the_case_bringer_give_dots(team, advice, who):
    session_id, (first, _, _) = advice
    _to_choice(team, session_id)

    with pytest.raises(DomainError):  # NotAllowed for the outsider, dots_for_members for the others
        _give(team, getattr(team, who), session_id, first)

    assert count_rows(team.path, "board_dots") == 0


def test_no_dots_on_hidden_or_removed_items_or_on_anything_but_advice(team, advice):
    session_id, (first, second, _) = advice
    _to_choice(team, session_id)
    insight = _send(team, team.chris, session_id, "insight", "I see my own mail habit")
    live_board.hide_item(team.path, team.lead, session_id, first, True)
    live_board.remove_item(team.path, team.lead, session_id, second)

    for item_id in (first, second, insight):
        with pytest.raises(DomainError) as refused:
            _give(team, team.ben, session_id, item_id)
        assert refused.value.key == "board_item_not_found"
    assert count_rows(team.path, "board_dots") == 0


def test_a_merge_carries_the_dots_over_and_a_removal_hands_them_back(team, advice):
    session_id, (first, second, third) = advice
    _to_choice(team, session_id)
    _give(team, team.ben, session_id, first)
    _give(team, team.chris, session_id, second)
    _give(team, team.chris, session_id, third)

    live_board.merge_items(team.path, team.lead, session_id, first, [second])
    live_board.remove_item(team.path, team.lead, session_id, third)

    assert _console(team, session_id) == [("Agree one fixed moment a week to mail", False, 2)]
    view = _phone_view(team, team.chris, session_id)
    assert live_board.my_dots(team.path, team.chris, view).given == {first: 1}
    assert live_board.my_dots(team.path, team.chris, view).left == 2


def test_a_thousand_dots_at_once_stop_at_the_phases_number(team, advice):
    session_id, (first, _, _) = advice
    _to_choice(team, session_id)
    refusals: list[str] = []

    def click() -> None:
        for _ in range(50):
            try:
                _give(team, team.ben, session_id, first)
            except DomainError as refused:
                refusals.append(refused.key)

    threads = [threading.Thread(target=click) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert count_rows(team.path, "board_dots") == 3
    assert len(refusals) == 997 and set(refusals) == {"no_dots_left"}


# --- a person's data: the export holds their dots and changes; erasing them -----------------------------


def test_the_export_holds_a_members_dots_and_a_facilitators_board_changes(team, advice):
    session_id, (first, _, _) = advice
    live_board.edit_item(team.path, team.lead, session_id, first, BoardEditInput(text="One mail moment a week"))
    _to_choice(team, session_id)
    _give(team, team.ben, session_id, first)

    bens = json.loads(personal_data.export_my_data(team.path, team.ben))
    leads = json.loads(personal_data.export_my_data(team.path, team.lead))

    assert [(dot["board_item_id"], dot["phase_index"]) for dot in bens["board_dots"]] == [(first, CHOICE)]
    assert bens["board_changes_made"] == []
    assert [(c["board_item_id"], c["action"], c["earlier_text"]) for c in leads["board_changes_made"]] == [
        (first, "edited", "Agree one fixed moment a week to mail")
    ]


def test_erasing_a_member_takes_their_dots_and_keeps_the_history_without_the_facilitators_name(
    team, advice, coordinator
):
    session_id, (first, _, _) = advice
    live_board.remove_item(team.path, team.co_lead, session_id, first)
    _to_choice(team, session_id)
    second = _console_ids(team, session_id)[0]
    _give(team, team.chris, session_id, second)

    personal_data.erase_person(team.path, coordinator, team.chris.id)
    personal_data.erase_person(team.path, coordinator, team.co_lead.id)

    assert count_rows(team.path, "board_dots") == 0
    [change] = live_board.board_history(team.path, team.lead, session_id).changes
    assert (change.item_id, change.action, change.actor) == (first, BoardChangeAction.REMOVED, "")


def _console_ids(team: Team, session_id: int) -> list[int]:
    return [item.id for item in live.console_view(team.path, team.lead, session_id, now=at(30)).board]


# --- which phases ask for dots ---------------------------------------------------------------------------


def test_the_built_in_methods_ask_for_dots_where_the_choice_is_made_among_advice():
    library = built_in_library().methods
    asking = {
        (method_id, phase.id, phase.dots)
        for method_id, method in library.items()
        for phase in method.phases
        if phase.dots
    }
    assert asking == {
        ("incident", "choice", 3),
        ("incident_gossip", "choice", 3),
        ("solution_focused", "choice", 3),
        ("six_hats", "blue_close", 3),
        ("clinic", "appreciate_alternatives", 3),
        ("alact", "trial", 3),
    }


def test_a_method_cannot_ask_for_dots_before_any_phase_collects_advice():
    data = built_in_library().methods["incident"].model_dump(mode="json")
    data["phases"][0]["dots"] = 3  # choosing the incident: no advice on the board yet

    with pytest.raises(ValueError, match="gives dots but no phase up to it collects advice"):
        Method.model_validate(data)


# --- the room's screens hear every change ------------------------------------------------------------------


def test_every_change_to_the_board_and_every_dot_advances_the_change_stamp(team, advice):
    session_id, (first, second, third) = advice
    changes = [
        lambda: live_board.edit_item(team.path, team.lead, session_id, first, BoardEditInput(text="One a week")),
        lambda: live_board.hide_item(team.path, team.lead, session_id, third, True),
        lambda: live_board.hide_item(team.path, team.lead, session_id, third, False),
        lambda: live_board.merge_items(team.path, team.lead, session_id, first, [second]),
        lambda: live_board.restore_item(team.path, team.lead, session_id, second),
        lambda: live_board.remove_item(team.path, team.lead, session_id, second),
        lambda: _to_choice(team, session_id),
        lambda: _give(team, team.ben, session_id, first),
        lambda: live_board.take_back_dot(team.path, team.ben, session_id, first),
    ]
    for change in changes:
        before = _session(team, session_id).change_stamp
        change()
        assert _session(team, session_id).change_stamp > before, change
