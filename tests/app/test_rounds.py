"""The speaking round on the console and on the phone, as the facilitator and the members see it.

In the demo, Jeroen Bakker facilitates "Leidinggevenden Zorg" (five members, Sofie Claes among them; Hans
Kuipers brings the case here). The incident method's diagnosis (phase 4, 7.5 minutes) is a round in which
the case bringer only listens: four members speak, 1:52 each.
"""

from __future__ import annotations

import re

from driving import app, assert_healthy, button, click, open_as, open_page, query, values

from intervision import accounts, live, rounds
from intervision.database import configured as configured_database
from intervision.models import SessionRole, StartSessionInput

CONSOLE = "pages/console.py"
FOLLOW = "pages/follow.py"
LEIDING = "Leidinggevenden Zorg"
DIAGNOSIS = 3


def _person_id(name: str) -> int:
    return query("SELECT id FROM people WHERE name = ?", (name,))[0][0]


def _in_the_diagnosis(people) -> int:
    """A session of Leidinggevenden Zorg with Hans as case bringer, moved on to the diagnosis through the core."""
    database = configured_database()
    group_id = query("SELECT id FROM groups WHERE name = ?", (LEIDING,))[0][0]
    form = StartSessionInput(
        group_id=group_id,
        spot_case_title="A case told on the spot",
        method_id="incident",
        roles={SessionRole.CASE_BRINGER: [_person_id("Hans Kuipers")]},
    )
    session_id = live.start_session(database, people.facilitator, form)
    live.begin_phases(database, people.facilitator, session_id, _view(people, session_id).session.revision)
    while (view := _view(people, session_id)).session.phase_index < DIAGNOSIS:
        live.move(database, people.facilitator, session_id, view.session.revision, 1)
    return session_id


def _view(people, session_id: int) -> live.SessionView:
    return live.console_view(configured_database(), people.facilitator, session_id)


def _round(people, session_id: int) -> rounds.RoundView:
    found = rounds.current_round(configured_database(), _view(people, session_id))
    assert found is not None
    return found


def _console(person, language: str = "en"):
    return open_as(person, CONSOLE, language)


def _phone(person, code: str, language: str = "en"):
    at = app(person, locale="nl-NL" if language == "nl" else "en-GB")
    at.session_state["language"] = language
    at.query_params["code"] = code
    open_page(at, FOLLOW)
    assert_healthy(at)
    return at


def _click(at, label: str):
    click(at, label)
    assert_healthy(at)
    return at


def test_the_console_draws_the_order_shares_the_time_and_moves_on_with_one_press(people):
    session_id = _in_the_diagnosis(people)
    at = _console(people.facilitator)

    drawn = _round(people, session_id)
    names = [turn.name for turn in drawn.order]
    assert "Hans Kuipers" not in names, "the case bringer listens in the diagnosis"
    assert len(names) == 4 and len(set(names)) == 4
    assert "**Speaking round** · 1:52 each" in values(at.markdown)

    _click(at, f"Start the round: {names[0]}")
    speaking_now = re.compile(rf"Now speaking: \*\*{re.escape(names[0])}\*\* :green\[1:\d\d\] · Next: .*")
    assert any(speaking_now.fullmatch(line) for line in values(at.markdown)), "the share counts down from 1:52"
    assert any(line.endswith(f"· Next: {names[1]}") for line in values(at.markdown))

    _click(at, f"Next speaker: {names[1]}")
    assert _round(people, session_id).speaker.name == names[1]
    assert button(at, f"Next speaker: {names[2]}")


def test_a_stale_press_on_a_second_console_does_not_skip_a_speaker(people):
    session_id = _in_the_diagnosis(people)
    first = _console(people.facilitator)
    names = [turn.name for turn in _round(people, session_id).order]
    _click(first, f"Start the round: {names[0]}")
    second = _console(people.facilitator)

    _click(first, f"Next speaker: {names[1]}")
    _click(second, f"Next speaker: {names[1]}")  # drawn before the first console moved on

    assert _round(people, session_id).speaker.name == names[1]


def test_the_facilitator_leaves_someone_out_and_the_shares_grow(people):
    session_id = _in_the_diagnosis(people)
    at = _console(people.facilitator)
    left_out = _round(people, session_id).order[1]

    at.button(key=f"round.skip.{left_out.person_id}").click().run()
    assert_healthy(at)

    assert "**Speaking round** · 2:30 each" in values(at.markdown)
    assert [turn.person_id for turn in _round(people, session_id).waiting if turn.person_id == left_out.person_id] == []


def test_the_speakers_phone_says_done_and_the_turn_passes_on(people):
    sofie = people.participant
    session_id = _in_the_diagnosis(people)
    rounds.draw(configured_database(), people.facilitator, session_id)
    rounds.move_speaker(configured_database(), people.facilitator, session_id, DIAGNOSIS, sofie.id, -10)
    rounds.next_speaker(configured_database(), people.facilitator, session_id, DIAGNOSIS, None)
    following = _round(people, session_id).next_speaker
    code = _view(people, session_id).session.join_code
    waiting = _phone(accounts.person(configured_database(), following.person_id), code)
    assert [b.label for b in waiting.button if b.label == "I'm done"] == [], "only the speaker's phone offers it"

    phone = _phone(sofie, code, "nl")
    your_turn = re.compile(r"\*\*Jij bent aan de beurt\.\*\* :green\[1:\d\d\]")
    assert any(your_turn.fullmatch(line) for line in values(phone.markdown))
    assert f"Daarna: {following.name}" in values(phone.caption)

    _click(phone, "Ik ben klaar")

    assert _round(people, session_id).speaker.person_id == following.person_id
    assert [b.label for b in phone.button if b.label == "Ik ben klaar"] == []
    assert any(line.startswith(f"Nu aan het woord: **{following.name}**") for line in values(phone.markdown))
    assert button(waiting.run(), "I'm done"), "now the next one's phone offers it"
