"""First run: create the organisation's first coordinator, or load the demo organisation."""

from __future__ import annotations

import pytest
from driving import (
    FIRST_RUN_INFO,
    NOT_ALLOWED,
    SIGN_IN_FIRST,
    app,
    assert_healthy,
    click,
    deep_link,
    fill,
    message_under,
    query,
    value_of,
    values,
)

from intervision import auth, demo
from intervision.database import configured as configured_database
from intervision.models import Language
from ui.registry import SCREENS

CREATE = "Create my coordinator account"
PASSWORD = "koffie zonder suiker graag"
GOOD = {
    "first_run.organisation_name": "Zorggroep Oost",
    "first_run.name": "Wendy Wit",
    "first_run.email": "Wendy@Oost.example",
    "first_run.password": PASSWORD,
    "first_run.password_again": PASSWORD,
}


def _first_run(locale: str = "en-GB"):
    at = app(locale=locale).run()
    assert_healthy(at)
    return at


def _people_count() -> int:
    return query("SELECT count(*) FROM people")[0][0]


def test_new_installation_opens_on_the_first_run(empty_db):
    at = _first_run()

    assert values(at.title) == ["Welcome to Intervision"]
    assert values(at.subheader) == ["Set up your organisation", "Look around first"]
    assert value_of(at, "first_run.language") == Language.EN


@pytest.mark.parametrize("screen", [key for key in SCREENS if key != "first_run"])
def test_every_other_page_points_to_the_first_run(empty_db, screen):
    at = deep_link(app(), SCREENS[screen].file)

    assert_healthy(at)
    assert values(at.info) == [FIRST_RUN_INFO]
    assert values(at.title) == []
    assert [link.proto.label for link in at.get("page_link")] == ["Welcome"]


def test_first_run_speaks_dutch_to_a_dutch_browser(empty_db):
    at = _first_run(locale="nl-NL")

    assert values(at.title) == ["Welkom bij Intervisie"]
    assert value_of(at, "first_run.language") == Language.NL


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("first_run.name", "   ", "Please fill this in."),
        ("first_run.organisation_name", "", "Please fill this in."),
        ("first_run.email", "wendy-at-oost", "This is not an e-mail address."),
        ("first_run.password_again", PASSWORD + "?", "The two passwords are not the same."),
    ],
)
def test_bad_input_is_explained_next_to_the_field(empty_db, field, typed, message):
    at = _first_run()
    fill(at, GOOD | {field: typed})
    click(at, CREATE)

    assert_healthy(at)
    assert values(at.error) == [message]
    assert message_under(at, field) == message
    assert _people_count() == 0
    assert "sign_in_token" not in at.session_state
    # What was typed is still there.
    for key, value in (GOOD | {field: typed}).items():
        assert value_of(at, key) == value


def test_short_password_is_explained(empty_db):
    at = _first_run()
    fill(at, GOOD | {"first_run.password": "kort", "first_run.password_again": "kort"})
    click(at, CREATE)

    assert_healthy(at)
    assert message_under(at, "first_run.password") == "Too short: at least 10 characters."
    assert _people_count() == 0


def test_all_problems_at_once(empty_db):
    at = _first_run()
    fill(
        at,
        {
            "first_run.organisation_name": "Zorggroep Oost",
            "first_run.name": "",
            "first_run.email": "wendy",
            "first_run.password": "kort",
            "first_run.password_again": "anders",
        },
    )
    click(at, CREATE)

    assert_healthy(at)
    assert values(at.error) == [
        "Please fill this in.",
        "This is not an e-mail address.",
        "Too short: at least 10 characters.",
    ]
    assert value_of(at, "first_run.organisation_name") == "Zorggroep Oost"
    assert value_of(at, "first_run.email") == "wendy"
    assert _people_count() == 0


def test_good_input_creates_the_coordinator_and_signs_in(empty_db):
    at = _first_run()
    fill(at, GOOD)
    click(at, CREATE)

    assert_healthy(at)
    assert values(at.title) == ["Welcome, Wendy Wit"]
    assert query("SELECT name, email, role, language FROM people") == [
        ("Wendy Wit", "wendy@oost.example", "coordinator", "en")
    ]
    assert query("SELECT name, is_demo FROM organisation") == [("Zorggroep Oost", 0)]
    person = auth.signed_in_person(configured_database(), at.session_state["sign_in_token"])
    assert person is not None and person.name == "Wendy Wit"
    assert not any("Demo" in caption for caption in values(at.caption))


def test_the_chosen_language_is_kept(empty_db):
    at = _first_run()
    fill(at, GOOD | {"first_run.language": Language.NL})
    click(at, CREATE)

    assert_healthy(at)
    assert values(at.title) == ["Welkom, Wendy Wit"]


def test_after_set_up_the_first_run_is_refused(empty_db):
    at = _first_run()
    fill(at, GOOD)
    click(at, CREATE)

    signed_in = app()
    signed_in.session_state["sign_in_token"] = at.session_state["sign_in_token"]
    deep_link(signed_in, "pages/first_run.py")
    assert_healthy(signed_in)
    assert values(signed_in.error) == [NOT_ALLOWED]

    signed_out = deep_link(app(), "pages/first_run.py")
    assert_healthy(signed_out)
    assert values(signed_out.warning) == [SIGN_IN_FIRST]
    assert not signed_out.text_input

    # The router no longer offers it: a visitor lands on the sign-in page.
    assert values(app().run().title) == ["Sign in"]


def test_loading_the_demo(empty_db):
    at = _first_run()
    click(at, "Load the demo organisation")

    assert_healthy(at)
    assert values(at.title) == ["Sign in"]
    assert "Try the demo" in values(at.subheader)
    assert [block.value for block in at.code] == [demo.DEMO_PASSWORD]
    assert query("SELECT name, is_demo FROM organisation") == [(demo.DEMO_ORGANISATION, 1)]
    assert any(demo.DEMO_ORGANISATION in caption for caption in values(at.caption))


def test_someone_else_set_up_first(empty_db):
    at = _first_run()
    demo.load_demo(configured_database())
    fill(at, GOOD)
    click(at, CREATE)

    assert_healthy(at)
    assert values(at.title) == ["Sign in"]
    assert "This organisation has been set up already. Please sign in." in values(at.error)
    assert query("SELECT count(*) FROM people WHERE email = 'wendy@oost.example'") == [(0,)]
    assert "sign_in_token" not in at.session_state
