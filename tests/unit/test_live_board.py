"""The board: what phones and the console send during a session, and the screens that show it.

A phase collects only what its method says (questions in the information round, advice in the solutions
round); the closing round takes insights and action items. The projector shows the board without a
sign-in, so it must never carry the facilitator's observations or tips.
"""

from __future__ import annotations

import ast
import threading
from dataclasses import dataclass, fields
from pathlib import Path

import pytest
from unit_support import NOW, at, count_rows

from intervision import db, live, store
from intervision.errors import DomainError, NotAllowed
from intervision.models import (
    BoardItemInput,
    LiveSession,
    ObservationDetailsInput,
    Person,
    Role,
    SessionRole,
    SessionStatus,
    StartSessionInput,
)

ROOT = Path(__file__).resolve().parents[2]
CHOOSE, EXPLAIN, INFORMATION, DIAGNOSIS, SOLUTIONS, CHOICE = range(6)  # the incident method's phases


@dataclass(frozen=True)
class Team:
    path: Path
    coordinator: Person
    lead: Person
    anna: Person  # the case bringer
    ben: Person
    chris: Person
    outsider: Person
    group_id: int


@pytest.fixture
def team(path, coordinator, make_person, make_group) -> Team:
    lead = make_person("Fenna Facilitator", Role.FACILITATOR)
    anna, ben, chris = (make_person(f"{name} Member") for name in ("Anna", "Ben", "Chris"))
    outsider = make_person("Olga Outsider")
    group_id = make_group("Team North", facilitators=(lead,), members=(anna, ben, chris))
    return Team(path, coordinator, lead, anna, ben, chris, outsider, group_id)


def _session(team: Team, session_id: int) -> LiveSession:
    with db.reading(team.path) as conn:
        return store.live_session(conn, session_id)


def _move(team: Team, session_id: int, now, steps: int = 1) -> None:
    live.move(team.path, team.lead, session_id, _session(team, session_id).revision, steps, now=now)


def _session_in(team: Team, phase: int | None, lead: Person | None = None, group_id: int | None = None) -> int:
    """An incident session with Anna as case bringer, in this phase (None: still in the check-in).

    The session starts at NOW and each phase before `phase` took one minute.
    """
    form = StartSessionInput(
        group_id=group_id or team.group_id, method_id="incident", roles={SessionRole.CASE_BRINGER: [team.anna.id]}
    )
    lead = lead or team.lead
    session_id = live.start_session(team.path, lead, form, now=NOW)
    if phase is None:
        return session_id
    live.begin_phases(team.path, lead, session_id, _session(team, session_id).revision, now=NOW)
    for minute in range(1, phase + 1):
        live.move(team.path, lead, session_id, _session(team, session_id).revision, 1, now=at(minute))
    return session_id


def _closing(team: Team) -> int:
    session_id = _session_in(team, CHOICE)
    _move(team, session_id, at(10))
    return session_id


def _send(team: Team, person: Person, session_id: int, kind: str, text: str, now=None) -> int:
    return live.send_to_board(team.path, person, session_id, BoardItemInput(kind=kind, text=text), now=now or at(7))


def _board(team: Team, session_id: int) -> list[tuple[int, str, str, str, bool]]:
    view = live.console_view(team.path, team.lead, session_id, now=at(30))
    return [(item.phase_index, item.kind, item.text, item.author, item.helpful) for item in view.board]


# --- what a phase collects ------------------------------------------------------------------------


def test_the_information_round_takes_questions(team):
    session_id = _session_in(team, INFORMATION)

    item_id = _send(team, team.ben, session_id, "question", "  What did the parent say exactly?  ")

    assert isinstance(item_id, int)
    assert _board(team, session_id) == [
        (INFORMATION, "question", "What did the parent say exactly?", "Ben Member", False)
    ]
    assert live.accepted_kinds(live.console_view(team.path, team.lead, session_id, now=at(7))) == ("question",)


@pytest.mark.parametrize("kind", ["advice", "diagnosis", "insight", "action_item", "association", "nonsense"])
def test_the_information_round_refuses_everything_else_and_writes_nothing(team, kind):
    session_id = _session_in(team, INFORMATION)

    with pytest.raises(DomainError) as refused:
        _send(team, team.ben, session_id, kind, "Have you tried calling the parent?")

    assert (refused.value.key, refused.value.field) == ("phase_does_not_collect", "kind")
    assert count_rows(team.path, "board_items") == 0


@pytest.mark.parametrize(
    ("phase", "kind"),
    [(DIAGNOSIS, "diagnosis"), (SOLUTIONS, "advice"), (CHOICE, "insight"), (CHOICE, "action_item")],
)
def test_each_phase_takes_what_it_collects(team, phase, kind):
    session_id = _session_in(team, phase)

    _send(team, team.chris, session_id, kind, "Something to say")

    assert _board(team, session_id) == [(phase, kind, "Something to say", "Chris Member", False)]


@pytest.mark.parametrize("phase", [None, CHOOSE, EXPLAIN])
def test_the_check_in_and_phases_that_collect_nothing_take_nothing(team, phase):
    session_id = _session_in(team, phase)

    with pytest.raises(DomainError) as refused:
        _send(team, team.ben, session_id, "question", "A question too early")

    assert refused.value.key == "phase_does_not_collect"
    assert count_rows(team.path, "board_items") == 0


def test_a_question_typed_while_the_phase_moved_on_is_refused(team):
    session_id = _session_in(team, INFORMATION)
    seen_by_ben = live.participant_view(team.path, team.ben, _session(team, session_id).join_code, now=at(7))
    assert live.accepted_kinds(seen_by_ben) == ("question",)

    _move(team, session_id, at(8))  # the facilitator moves on to the diagnosis while Ben types
    with pytest.raises(DomainError) as refused:
        _send(team, team.ben, session_id, "question", "One more question?", now=at(8.5))

    assert refused.value.key == "phase_does_not_collect"
    assert count_rows(team.path, "board_items") == 0


def test_the_closing_round_takes_insights_and_action_items(team):
    session_id = _closing(team)

    _send(team, team.ben, session_id, "insight", "I will ask more open questions myself", now=at(11))
    _send(team, team.anna, session_id, "action_item", "Call the parent on Monday", now=at(11))
    with pytest.raises(DomainError) as refused:
        _send(team, team.chris, session_id, "question", "A late question", now=at(11))

    assert refused.value.key == "phase_does_not_collect"
    assert [(kind, text) for _, kind, text, _, _ in _board(team, session_id)] == [
        ("insight", "I will ask more open questions myself"),
        ("action_item", "Call the parent on Monday"),
    ]


def test_a_closed_session_takes_nothing(team):
    session_id = _closing(team)
    live.close_session(team.path, team.lead, session_id, _session(team, session_id).revision, now=at(12))

    with pytest.raises(DomainError) as refused:
        _send(team, team.ben, session_id, "insight", "Too late", now=at(13))

    assert refused.value.key == "phase_does_not_collect"


def test_an_empty_text_never_reaches_the_board():
    with pytest.raises(ValueError, match="required"):
        BoardItemInput(kind="question", text="   ")


# --- who may send ---------------------------------------------------------------------------------


def test_members_and_the_facilitator_may_send(team):
    session_id = _session_in(team, INFORMATION)

    for person in (team.anna, team.ben, team.chris, team.lead):
        _send(team, person, session_id, "question", f"A question from {person.name}")

    assert [author for _, _, _, author, _ in _board(team, session_id)] == [
        "Anna Member",
        "Ben Member",
        "Chris Member",
        "Fenna Facilitator",
    ]


@pytest.mark.parametrize("who", ["outsider", "coordinator"])
def test_people_outside_the_group_may_not_send(team, who):
    session_id = _session_in(team, INFORMATION)

    with pytest.raises(NotAllowed):
        _send(team, getattr(team, who), session_id, "question", "Who is this case about?")

    assert count_rows(team.path, "board_items") == 0


def test_the_member_of_another_group_may_not_send(team, make_person, make_group):
    south_member = make_person("Sam South")
    make_group("Team South", facilitators=(team.lead,), members=(south_member,))
    session_id = _session_in(team, INFORMATION)

    with pytest.raises(NotAllowed):
        _send(team, south_member, session_id, "question", "Who is this case about?")

    assert count_rows(team.path, "board_items") == 0


# --- many phones at once ----------------------------------------------------------------------------


def test_twelve_phones_sending_at_once_lose_nothing(path, make_person, make_group):
    lead = make_person("Fenna Facilitator", Role.FACILITATOR)
    phones = [make_person(f"Member {number:02d}") for number in range(12)]
    group_id = make_group("Big Group", facilitators=(lead,), members=tuple(phones))
    form = StartSessionInput(group_id=group_id, method_id="incident")
    session_id = live.start_session(path, lead, form, now=NOW)
    live.begin_phases(path, lead, session_id, 0, now=NOW)
    live.move(path, lead, session_id, 1, 1, now=at(1))
    live.move(path, lead, session_id, 2, 1, now=at(2))  # the information round

    everyone_ready = threading.Barrier(len(phones))
    problems: list[BaseException] = []

    def send_five(person: Person) -> None:
        everyone_ready.wait()
        try:
            for number in range(5):
                question = BoardItemInput(kind="question", text=f"{person.name}: question {number}")
                live.send_to_board(path, person, session_id, question, now=at(3))
        except BaseException as problem:  # noqa: BLE001 - reported in the main thread
            problems.append(problem)

    threads = [threading.Thread(target=send_five, args=(person,)) for person in phones]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    board = live.console_view(path, lead, session_id, now=at(4)).board
    assert problems == []
    assert len(board) == 60
    assert {item.text for item in board} == {f"{p.name}: question {n}" for p in phones for n in range(5)}
    assert [item.id for item in board] == sorted(item.id for item in board)
    for person in phones:  # each phone's questions in the order it sent them
        assert [item.text for item in board if item.author == person.name] == [
            f"{person.name}: question {n}" for n in range(5)
        ]


# --- what helped most -----------------------------------------------------------------------------


def test_the_case_bringer_marks_what_helped_most(team):
    session_id = _session_in(team, SOLUTIONS)
    advice = _send(team, team.ben, session_id, "advice", "Agree on one fixed moment a week for e-mail")
    other = _send(team, team.chris, session_id, "advice", "Copy the head teacher in yourself")

    live.mark_helpful(team.path, team.anna, session_id, advice, True)

    assert [helpful for *_, helpful in _board(team, session_id)] == [True, False]
    live.mark_helpful(team.path, team.anna, session_id, advice, False)
    live.mark_helpful(team.path, team.anna, session_id, other, True)
    assert [helpful for *_, helpful in _board(team, session_id)] == [False, True]


def test_the_facilitator_may_mark_for_the_case_bringer(team):
    session_id = _session_in(team, SOLUTIONS)
    advice = _send(team, team.ben, session_id, "advice", "Agree on one fixed moment a week for e-mail")

    live.mark_helpful(team.path, team.lead, session_id, advice, True)

    assert _board(team, session_id)[0][-1] is True


def test_nobody_else_marks_what_helped(team):
    session_id = _session_in(team, SOLUTIONS)
    advice = _send(team, team.ben, session_id, "advice", "Agree on one fixed moment a week for e-mail")

    for member in (team.ben, team.chris):
        with pytest.raises(DomainError) as refused:
            live.mark_helpful(team.path, member, session_id, advice, True)
        assert refused.value.key == "only_case_bringer"
    for stranger in (team.outsider, team.coordinator):
        with pytest.raises(NotAllowed):
            live.mark_helpful(team.path, stranger, session_id, advice, True)

    assert _board(team, session_id)[0][-1] is False


def test_marking_reaches_only_the_sessions_own_items(team, make_person, make_group):
    other_lead = make_person("Gijs Facilitator", Role.FACILITATOR)
    south = make_group("Team South", facilitators=(other_lead,), members=(team.anna, team.ben))
    south_session = _session_in(team, SOLUTIONS, lead=other_lead, group_id=south)
    south_item = _send(team, team.ben, south_session, "advice", "Advice in another group")
    north_session = _session_in(team, SOLUTIONS)

    # Anna brings the case in the north session, and tries to mark an item of the south session through it.
    live.mark_helpful(team.path, team.anna, north_session, south_item, True)

    south_board = live.console_view(team.path, other_lead, south_session, now=at(30)).board
    assert [item.helpful for item in south_board] == [False]


# --- the projector --------------------------------------------------------------------------------


def test_a_wrong_projector_token_shows_nothing(team):
    _session_in(team, INFORMATION)

    assert live.projector_view(team.path, "not-the-token", now=at(7)) is None
    assert live.projector_view(team.path, "", now=at(7)) is None


def test_the_projector_shows_the_board_but_never_the_observations(team):
    session_id = _session_in(team, INFORMATION)
    _send(team, team.ben, session_id, "question", "What did the parent say exactly?")
    observation = live.observe(team.path, team.lead, session_id, "interaction", now=at(7))
    note = "Ben interrupts Chris for the third time"
    details = ObservationDetailsInput(category="interrupting", concerns="member", note=note)
    live.describe_observation(team.path, team.lead, session_id, observation, details)

    view = live.projector_view(team.path, _session(team, session_id).projector_token, now=at(8))

    assert view is not None
    assert [item.text for item in view.board] == ["What did the parent say exactly?"]
    assert view.phase.id == "information_round" and view.clock.remaining_seconds == 9 * 60
    assert view.viewer_roles == ()
    assert not [field.name for field in fields(view) if "observ" in field.name]
    assert note not in repr(view)
    assert "interrupting" not in repr(view)


def _names_read(tree: ast.AST) -> set[str]:
    """Every attribute and name a piece of code reads."""
    return {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)} | {
        node.id for node in ast.walk(tree) if isinstance(node, ast.Name)
    }


def test_the_projector_page_reads_no_tips_and_no_observations():
    page = ast.parse((ROOT / "pages" / "projector.py").read_text(encoding="utf-8"))
    widgets = ast.parse((ROOT / "ui" / "live.py").read_text(encoding="utf-8"))
    used = {
        alias.name
        for node in ast.walk(page)
        if isinstance(node, ast.ImportFrom) and node.module == "ui.live"
        for alias in node.names
    }
    assert {"big_clock", "board_list"} <= used
    read = _names_read(page)
    for node in ast.walk(widgets):
        if isinstance(node, ast.FunctionDef) and node.name in used:
            read |= _names_read(node)

    assert "tips" not in read
    assert not {name for name in read if name.startswith("observ")}


# --- phones ---------------------------------------------------------------------------------------


def test_a_wrong_code_is_unknown(team):
    _session_in(team, INFORMATION)

    with pytest.raises(DomainError) as refused:
        live.participant_view(team.path, team.ben, "WRONG1", now=at(7))

    assert (refused.value.key, refused.value.field) == ("session_code_unknown", "code")


def test_the_right_code_as_typed_on_a_phone_shows_the_session(team):
    session_id = _session_in(team, INFORMATION)
    code = _session(team, session_id).join_code

    view = live.participant_view(team.path, team.anna, f"  {code.lower()} ", now=at(7))

    assert view.session.id == session_id
    assert view.phase.id == "information_round"
    assert view.viewer_roles == (SessionRole.CASE_BRINGER,)


@pytest.mark.parametrize("who", ["outsider", "coordinator"])
def test_the_right_code_is_not_enough_outside_the_group(team, who):
    session_id = _session_in(team, INFORMATION)

    with pytest.raises(NotAllowed):
        live.participant_view(team.path, getattr(team, who), _session(team, session_id).join_code, now=at(7))


def test_a_phone_learns_that_its_session_has_closed(team):
    session_id = _closing(team)
    code = _session(team, session_id).join_code
    live.close_session(team.path, team.lead, session_id, _session(team, session_id).revision, now=at(12))

    view = live.participant_view(team.path, team.ben, code, now=at(13))

    assert view.session.status is SessionStatus.CLOSED
