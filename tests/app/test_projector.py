"""The projector screen: opened by its token link on the beamer's computer, without signing in.

It shows the phase (title, countdown, who speaks, prompts, rules), the board and how phones join; never the
facilitator's tips or observation log, and none of the app's chrome. The session is one of "Leidinggevenden
Zorg" (facilitated by Jeroen Bakker in the demo), running the incident method.
"""

from __future__ import annotations

import re

from driving import app, assert_healthy, open_page, query, texts, values

from intervision import groups, live
from intervision.database import Database
from intervision.database import configured as configured_database
from intervision.methods import built_in_library
from intervision.models import (
    BoardItemInput,
    GroupInput,
    Language,
    ObservationDetailsInput,
    SessionRole,
    StartSessionInput,
)

PROJECTOR = "pages/projector.py"
LEIDING = "Leidinggevenden Zorg"
INFORMATION_ROUND = 2  # the phase's index in the incident method, which collects questions
INCIDENT = built_in_library().methods["incident"]
INVALID = "This projector link is not valid (any more)."
QUESTION = "What did you say when she came in late?"
NOTE = "Hans kept checking his phone (private ZX-42)"
CLOCK = re.compile(r"(?<![\d:])1[45]:[0-5]\d(?![\d:])")  # the information round's 15 minutes, counting down


# --- helpers -------------------------------------------------------------------------------------


def _group_speaks(people, language: Language) -> None:
    """The group's setting for the projector's language, changed as its facilitator does on the groups page."""
    group_id = query("SELECT id FROM groups WHERE name = ?", (LEIDING,))[0][0]
    group, _ = groups.group_for(configured_database(), people.facilitator, group_id)
    form = GroupInput(
        name=group.name, description=group.description, label=group.label, contract=group.contract, language=language
    )
    groups.update_group(configured_database(), people.facilitator, group_id, form)


def _start(people, phase_index: int | None = INFORMATION_ROUND, language: Language = Language.EN) -> int:
    """A session of a group speaking this language, started through the core, at this phase (None: check-in)."""
    _group_speaks(people, language)
    group_id = query("SELECT id FROM groups WHERE name = ?", (LEIDING,))[0][0]
    session_id = live.start_session(
        configured_database(),
        people.facilitator,
        StartSessionInput(
            group_id=group_id,
            spot_case_title="A case told on the spot",
            method_id="incident",
            roles={SessionRole.CASE_BRINGER: [people.participant.id]},
        ),
    )
    if phase_index is not None:
        live.begin_phases(configured_database(), people.facilitator, session_id, _session(people, session_id).revision)
        if phase_index:
            _move(people, session_id, phase_index)
    return session_id


def _session(people, session_id: int):
    return live.console_view(configured_database(), people.facilitator, session_id).session


def _move(people, session_id: int, steps: int) -> None:
    live.move(configured_database(), people.facilitator, session_id, _session(people, session_id).revision, steps)


def _projector(token: str, person=None, locale: str = "en-GB"):
    """The beamer's browser opening /projector?token=…, by default signed out."""
    at = app(person, locale=locale)
    if person is not None:
        at.session_state["language"] = "en"  # the demo's people read Dutch
    at.query_params["token"] = token
    open_page(at, PROJECTOR)
    assert_healthy(at)
    return at


def _token(people, session_id: int) -> str:
    return _session(people, session_id).projector_token


def _shown(at) -> str:
    """Everything on the screen as a person reads it: without the backslashes that escape Markdown."""
    return texts(at).replace("\\", "")


def _elements(at) -> list[str]:
    """The types of what the main area shows, leaving out the blocks that only lay it out."""
    layout = {"main", "flex_container", "column", "vertical", "horizontal"}
    return [node.type for node in at.main if node.type not in layout and type(node).__name__ != "SpecialBlock"]


def _with_question_and_observation(people) -> int:
    session_id = _start(people)
    live.send_to_board(
        configured_database(), people.participant, session_id, BoardItemInput(kind="question", text=QUESTION)
    )
    observation = live.observe(configured_database(), people.facilitator, session_id, "interaction")
    live.describe_observation(
        configured_database(),
        people.facilitator,
        session_id,
        observation,
        ObservationDetailsInput(category="member_dropping_out", concerns="member", note=NOTE),
    )
    return session_id


# --- what it shows -------------------------------------------------------------------------------


def test_without_signing_in_the_projector_shows_the_phase_and_the_board(people):
    session_id = _with_question_and_observation(people)
    at = _projector(_token(people, session_id))
    phase = INCIDENT.phases[INFORMATION_ROUND]
    shown = _shown(at)
    assert values(at.title) == ["Information round"]
    assert CLOCK.search(shown), "the countdown"
    assert "Speaks: Members, Case bringer" in shown
    for line in phase.prompts(Language.EN) + phase.rules(Language.EN):
        assert line in shown
    assert "Board" in shown
    assert "Questions" in shown
    assert QUESTION in shown


def test_the_projector_shows_how_phones_join(people):
    session_id = _start(people)
    at = _projector(_token(people, session_id))
    code = _session(people, session_id).join_code
    assert any(code in text for text in values(at.markdown)), "the join code"
    assert "Join on your phone" in _shown(at)
    assert len(at.get("image")) == 1, "the QR code"


def test_the_projector_never_shows_tips_or_observations(people):
    session_id = _with_question_and_observation(people)
    at = _projector(_token(people, session_id), person=people.facilitator)
    shown = _shown(at)
    assert QUESTION in shown, "the screen shows the session"
    for phase in INCIDENT.phases:
        for tip in phase.tips(Language.EN):
            assert tip not in shown
    assert "Tips for you" not in shown
    assert NOTE not in shown
    assert "Observation" not in shown and "observation" not in shown
    assert not at.expander


def test_the_projector_has_no_language_switch_or_sign_out(people):
    session_id = _start(people)
    at = _projector(_token(people, session_id), person=people.facilitator)
    assert values(at.title) == ["Information round"]
    assert [node.type for node in at.sidebar if type(node).__name__ != "SpecialBlock"] == []
    assert not at.selectbox, "no language switch"
    assert "Sign out" not in [b.label for b in at.button]
    assert not at.button
    assert not at.caption or not any("Demo" in caption for caption in values(at.caption)), "no demo line"


def test_the_check_in_and_the_closing_have_their_own_titles(people):
    session_id = _start(people, phase_index=None)
    at = _projector(_token(people, session_id))
    assert values(at.title) == ["Check-in"]
    assert "A short round: how are you arriving today, and what are you bringing with you?" in _shown(at)
    assert not CLOCK.search(_shown(at))

    live.begin_phases(configured_database(), people.facilitator, session_id, _session(people, session_id).revision)
    _move(people, session_id, len(INCIDENT.phases))
    at.run()
    assert_healthy(at)
    assert values(at.title) == ["Closing round"]
    assert "A last round: what did this session bring you?" in _shown(at)


def test_after_closing_the_projector_says_the_session_ended(people):
    session_id = _start(people)
    at = _projector(_token(people, session_id))
    live.close_session(configured_database(), people.facilitator, session_id, _session(people, session_id).revision)
    at.run()
    assert_healthy(at)
    assert values(at.title) == ["The session has ended. Thank you."]
    assert _session(people, session_id).join_code not in _shown(at)


def test_a_move_made_by_another_app_process_shows_on_the_next_poll(people):
    session_id = _start(people)
    at = _projector(_token(people, session_id))
    assert values(at.title) == ["Information round"]
    # Another app server: its own Database object, its own connections, on the same store.
    elsewhere = Database.for_path(configured_database().path)
    try:
        live.move(elsewhere, people.facilitator, session_id, _session(people, session_id).revision, 1)
    finally:
        elsewhere.dispose()

    at.run()

    assert_healthy(at)
    assert values(at.title) == [INCIDENT.phases[INFORMATION_ROUND + 1].name(Language.EN)]


def test_an_invalid_token_shows_only_that_the_link_is_not_valid(people):
    _start(people)
    for token in ("not-a-token", ""):
        at = _projector(token, person=people.facilitator)
        assert values(at.error) == [INVALID]
        assert _elements(at) == ["error"], "nothing else"
        assert [node.type for node in at.sidebar if type(node).__name__ != "SpecialBlock"] == []


def test_a_dutch_group_sees_dutch_on_a_beamer_whose_browser_is_english(people):
    session_id = _start(people, language=Language.NL)
    at = _projector(_token(people, session_id), locale="en-GB")
    phase = INCIDENT.phases[INFORMATION_ROUND]
    shown = _shown(at)
    assert values(at.title) == [phase.name(Language.NL)] == ["Informatieronde"]
    assert "Spreekt: Leden, Inbrenger" in shown
    for line in phase.prompts(Language.NL) + phase.rules(Language.NL):
        assert line in shown
    assert "Doe mee op je telefoon" in shown
    assert "Nog niets op het bord." in shown
    assert "Volledig scherm" in shown, "the full-screen button"
    assert "Speaks" not in shown and "Board" not in shown and "Full screen" not in shown


def test_an_english_group_sees_english_on_a_beamer_whose_browser_is_dutch(people):
    session_id = _start(people, language=Language.EN)
    at = _projector(_token(people, session_id), locale="nl-NL")
    shown = _shown(at)
    assert values(at.title) == ["Information round"]
    assert "Join on your phone" in shown and "Full screen" in shown
    assert "Spreekt" not in shown and "Doe mee" not in shown


def test_a_signed_in_viewer_s_own_language_does_not_change_the_projector(people):
    session_id = _start(people, language=Language.NL)
    at = _projector(_token(people, session_id), person=people.facilitator)  # reads English (see _projector)
    assert values(at.title) == ["Informatieronde"]


def test_the_group_s_language_holds_for_the_check_in_and_the_end(people):
    session_id = _start(people, phase_index=None, language=Language.NL)
    at = _projector(_token(people, session_id), locale="en-GB")
    assert values(at.title) == ["Inchecken"]
    live.begin_phases(configured_database(), people.facilitator, session_id, _session(people, session_id).revision)
    live.close_session(configured_database(), people.facilitator, session_id, _session(people, session_id).revision)
    at.run()
    assert_healthy(at)
    assert values(at.title) == ["De bijeenkomst is afgelopen. Dank je wel."]
