"""Following a session on a phone: the phase now, sending to the board, marking what helped, rating it.

In the demo, Jeroen Bakker facilitates "Leidinggevenden Zorg"; Sofie Claes and Fatima El Amrani are members.
Sanne Jansen takes part in another group. The sessions run the incident method; its third phase, the
information round, collects questions (and no advice).
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit

from driving import (
    app,
    assert_healthy,
    click,
    fill,
    message_under,
    open_page,
    person_named,
    query,
    value_of,
    values,
)
from starlette.requests import Request

from intervision import auth, demo, live
from intervision.config import BROWSER_COOKIE
from intervision.database import configured as configured_database
from intervision.methods import built_in_library
from intervision.models import BoardItemInput, Language, SessionRole, StartSessionInput
from ui import guard
from ui.cookie_routes import SIGN_IN_ROUTE, _signed_in

FOLLOW = "pages/follow.py"
LEIDING = "Leidinggevenden Zorg"
INFORMATION_ROUND = 2  # the phase's index in the incident method
INCIDENT = built_in_library().methods["incident"]
UNKNOWN_CODE = "This code does not belong to a session under way. Check the code on the projector."
NO_QUESTIONS_NOW = "This phase does not collect this now (no questions yet). What you typed is kept."
BROWSER_BINDING = "a phone's binding cookie"
NO_INPUT = "This phase does not collect anything from phones right now."


# --- helpers -------------------------------------------------------------------------------------


def _run(at):
    at.run()
    assert_healthy(at)
    return at


def _start(people, phase_index: int | None = INFORMATION_ROUND, bringer=None) -> int:
    """A session of Leidinggevenden Zorg, started by its facilitator through the core, at this phase (None:
    still in the check-in)."""
    group_id = query("SELECT id FROM groups WHERE name = ?", (LEIDING,))[0][0]
    roles = {SessionRole.CASE_BRINGER: [bringer.id]} if bringer else {}
    session_id = live.start_session(
        configured_database(),
        people.facilitator,
        StartSessionInput(
            group_id=group_id, spot_case_title="A case told on the spot", method_id="incident", roles=roles
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


def _follow(person, code: str):
    """A phone of `person` opening /follow?code=…"""
    at = app(person)
    at.session_state["language"] = "en"
    at.query_params["code"] = code
    open_page(at, FOLLOW)
    assert_healthy(at)
    return at


def _code(people, session_id: int) -> str:
    return _session(people, session_id).join_code


def _board(people, session_id: int) -> list[tuple[str, str, str]]:
    return [
        (item.kind, item.text, item.author)
        for item in live.console_view(configured_database(), people.facilitator, session_id).board
    ]


def _shows_a_phase(at) -> bool:
    return any(text.startswith("### ") for text in values(at.markdown)) or bool(at.get("form"))


# --- following -----------------------------------------------------------------------------------


def test_a_member_with_the_code_sees_the_phase_now(people):
    session_id = _start(people)
    at = _follow(people.participant, _code(people, session_id))
    phase = INCIDENT.phases[INFORMATION_ROUND]
    assert values(at.title) == ["Follow the session"]
    assert value_of(at, "follow.code") == _code(people, session_id)
    assert "### Information round" in values(at.markdown)
    assert "Speaks: Members, Case bringer" in values(at.caption)
    for line in phase.prompts(Language.EN):
        assert f"- {line}" in values(at.markdown)
    rules = [caption for caption in values(at.caption) if caption.startswith(":material/block:")]
    assert len(rules) == len(phase.rules(Language.EN))
    assert values(at.subheader)[:1] == ["Send to the board"]


def test_during_the_check_in_the_phone_waits_for_the_first_phase(people):
    session_id = _start(people, phase_index=None)
    at = _follow(people.participant, _code(people, session_id))
    assert "### Waiting for the first phase." in values(at.markdown)
    assert "This phase does not collect anything from phones right now." in values(at.caption)


def test_a_question_sent_in_the_information_round_arrives_on_the_board(people):
    session_id = _start(people)
    at = _follow(people.participant, _code(people, session_id))
    assert value_of(at, "send.kind") == "question", "what the phase collects is chosen already"
    at.text_area(key="send.text").input("What did she say when you asked her?")
    click(at, "Send")
    assert_healthy(at)
    assert "Sent to the board." in values(at.success)
    assert _board(people, session_id) == [("question", "What did she say when you asked her?", "Sofie Claes")]
    assert value_of(at, "send.text") in ("", None), "the phone is ready for the next question"


def test_the_send_field_offers_only_what_the_phase_collects(people):
    session_id = _start(people)
    at = _follow(people.participant, _code(people, session_id))
    assert at.selectbox(key="send.kind").options == ["Questions"], "no advice in the information round"
    assert NO_INPUT not in values(at.caption), "no line saying the phase collects nothing above a working form"


def test_a_phase_that_collects_nothing_shows_no_send_field(people):
    session_id = _start(people, phase_index=None)  # the check-in collects nothing from phones
    at = _follow(people.participant, _code(people, session_id))
    assert NO_INPUT in values(at.caption)
    assert "Send to the board" not in values(at.subheader)
    assert not at.get("form") and not at.text_area, "no form under a line that says nothing is collected"

    live.begin_phases(configured_database(), people.facilitator, session_id, _session(people, session_id).revision)
    _run(at)  # the first phase (choosing an incident) collects nothing either
    assert not INCIDENT.phases[0].collects
    assert NO_INPUT in values(at.caption) and not at.text_area

    _move(people, session_id, INFORMATION_ROUND)
    _run(at)
    assert NO_INPUT not in values(at.caption)
    assert "Send to the board" in values(at.subheader) and at.text_area


def test_the_phone_shows_the_countdown_and_the_board_to_read(people):
    session_id = _start(people)
    live.send_to_board(
        configured_database(), people.facilitator, session_id, BoardItemInput(kind="question", text="Since when?")
    )
    at = _follow(people.participant, _code(people, session_id))
    clock = [text for text in values(at.markdown) if text.startswith("### :")]
    assert len(clock) == 1 and ":" in clock[0][6:], f"a countdown in its colour: {values(at.markdown)}"
    assert "#### Board" in values(at.markdown)
    assert "- Since when?" in values(at.markdown)
    assert not at.checkbox, "the board is read-only for a member who did not bring the case"


def test_a_question_sent_as_the_phase_moves_on_is_refused_and_the_text_kept(people):
    session_id = _start(people)
    at = _follow(people.participant, _code(people, session_id))
    at.text_area(key="send.text").input("What did she say when you asked her?")
    _move(people, session_id, 1)  # the facilitator moves on to the diagnosis while the phone types
    click(at, "Send")
    assert_healthy(at)
    assert message_under(at, "send.kind") == NO_QUESTIONS_NOW
    assert value_of(at, "send.text") == "What did she say when you asked her?"
    assert value_of(at, "send.kind") == "diagnosis", "the phone proposes what the new phase collects"
    assert _board(people, session_id) == []


def test_when_the_phase_moves_on_the_phone_proposes_what_the_new_phase_collects(people):
    session_id = _start(people)
    at = _follow(people.participant, _code(people, session_id))
    assert value_of(at, "send.kind") == "question"
    _move(people, session_id, 1)  # on to the diagnosis
    _run(at)
    assert "### Diagnosis" in values(at.markdown)
    assert value_of(at, "send.kind") == "diagnosis"
    at.text_area(key="send.text").input("She is afraid to lose the team")
    click(at, "Send")
    assert_healthy(at)
    assert "Sent to the board." in values(at.success)


def test_the_case_bringer_marks_what_helped_most(people):
    session_id = _start(people, bringer=people.participant)
    for text in ("What did you feel then?", "Who decides the rota?"):
        live.send_to_board(
            configured_database(),
            people.participant_facilitator,
            session_id,
            BoardItemInput(kind="question", text=text),
        )

    other = _follow(people.participant_facilitator, _code(people, session_id))
    assert "Mark what helped you most" not in values(other.subheader), "only the case bringer marks"

    at = _follow(people.participant, _code(people, session_id))
    assert "Mark what helped you most" in values(at.subheader)
    boxes = {box.label: box for box in at.checkbox}
    assert set(boxes) == {"What did you feel then?", "Who decides the rota?"}
    assert not any(box.value for box in boxes.values())

    boxes["Who decides the rota?"].check()
    _run(at)
    helpful = {
        item.text: item.helpful
        for item in live.console_view(configured_database(), people.facilitator, session_id).board
    }
    assert helpful == {"What did you feel then?": False, "Who decides the rota?": True}
    assert {box.label: box.value for box in at.checkbox} == {
        "What did you feel then?": False,
        "Who decides the rota?": True,
    }


def test_in_the_closing_round_a_member_rates_the_session(people):
    session_id = _start(people)
    at = _follow(people.participant, _code(people, session_id))
    assert not at.radio, "no rating before the closing"

    _move(people, session_id, len(INCIDENT.phases) - INFORMATION_ROUND)
    _run(at)
    assert _session(people, session_id).status.value == "closing"
    assert "### A last round: what did this session bring you?" in values(at.markdown)
    [rating] = at.radio
    assert rating.label == "How useful was this session for you?"
    assert rating.options == ["1", "2", "3", "4", "5"]
    rating.set_value(4)
    click(at, "Save my rating")
    assert_healthy(at)
    assert "Thank you for your rating." in values(at.success)
    assert live.my_rating(configured_database(), people.participant, session_id) == 4


# --- refused -------------------------------------------------------------------------------------


def test_a_wrong_code_belongs_to_no_session(people):
    _start(people)
    at = _follow(people.participant, "ZZZZZZ")
    assert UNKNOWN_CODE in values(at.error)
    assert "Enter the code shown on the projector." in values(at.caption)
    assert not _shows_a_phase(at)


def test_a_participant_of_another_group_is_refused_even_with_the_right_code(people):
    session_id = _start(people)
    outsider = person_named("Sanne Jansen")
    at = _follow(outsider, _code(people, session_id))
    assert values(at.error), "the phone says it may not follow this session"
    assert not _shows_a_phase(at), "nothing of the session is shown"
    assert "Information round" not in "\n".join(values(at.markdown))


def test_after_the_session_is_closed_the_phone_says_it_has_ended(people):
    session_id = _start(people)
    code = _code(people, session_id)
    at = _follow(people.participant, code)
    live.close_session(configured_database(), people.facilitator, session_id, _session(people, session_id).revision)
    _run(at)
    assert "The session has ended." in values(at.info)
    assert UNKNOWN_CODE not in values(at.error)
    assert not _shows_a_phase(at)


# --- the QR code scanned while signed out --------------------------------------------------------


def _trip(then: str | None, browser: str = BROWSER_BINDING) -> str:
    """Where the cookie route sends the browser after signing in, for a ticket of Sofie's."""
    sofie = person_named("Sofie Claes")
    ticket = auth.issue_cookie_ticket(
        configured_database(), auth.open_session_for(configured_database(), sofie.id), browser
    )
    query = urlencode({"ticket": ticket} | ({"then": then} if then else {}))
    scope = {
        "type": "http",
        "method": "GET",
        "path": SIGN_IN_ROUTE,
        "query_string": query.encode(),
        "headers": [
            (b"host", b"testserver"),
            (b"sec-fetch-site", b"same-origin"),
            (b"cookie", f"{BROWSER_COOKIE}={browser}".encode()),
        ],
        "scheme": "http",
        "server": ("testserver", 80),
    }
    response = _signed_in(Request(scope))
    assert any(name == b"set-cookie" for name, _ in response.raw_headers), "signed in"
    return response.headers["location"]


def test_the_qr_code_signed_out_signs_in_and_lands_in_the_session(people, monkeypatch):
    trips: list[str] = []
    monkeypatch.setattr(guard, "send_browser_to", trips.append)
    session_id = _start(people)
    code = _code(people, session_id)
    at = app()  # a phone that never signed in, the code in the QR code's link
    at.session_state["language"] = "en"
    at.query_params["code"] = code
    open_page(at, FOLLOW)
    assert_healthy(at)
    assert values(at.title) == ["Sign in"], "the link leads to the sign-in, not to a refusal"
    assert "Sign in, and you go straight on to the session." in values(at.info)

    fill(at, {"sign_in.email": "sofie.claes@demo.example", "sign_in.password": demo.DEMO_PASSWORD})
    click(at, "Sign in")
    assert_healthy(at)
    assert values(at.title) == ["Follow the session"], "straight into the session"
    assert value_of(at, "follow.code") == code, "no code typed twice"
    assert "### Information round" in values(at.markdown)
    # The browser's trip to set its cookie returns to the session too (a full reload forgets the page's state).
    [trip_url] = trips
    trip = urlsplit(trip_url)
    assert trip.path == SIGN_IN_ROUTE
    assert dict(parse_qsl(trip.query))["then"] == f"/follow?code={code}"


def test_the_cookie_route_returns_only_to_a_screen_of_ours(people):
    assert _trip("/follow?code=ABC234") == "/follow?code=ABC234"
    assert _trip(None) == "/"
    for elsewhere in (
        "https://evil.example/follow?code=A",
        "//evil.example/follow",
        "/people",
        "/follow\\@x",
        "follow",
    ):
        assert _trip(elsewhere) in ("/", "/follow"), elsewhere
    assert _trip("/follow?code=ABC234&next=https://evil.example") == "/follow?code=ABC234", "only the code is kept"
