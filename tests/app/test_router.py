"""The router: the navigation offers each person only the screens they may open, and the right first one."""

from __future__ import annotations

import pytest
import streamlit as st
from driving import ROLES, app, assert_healthy, query, values

from intervision import auth
from intervision.database import configured as configured_database
from intervision.models import Language
from ui.registry import SCREENS

SCREEN_BY_ICON = {screen.icon: key for key, screen in SCREENS.items()}
ENGLISH_TITLES = {
    "first_run": "Welcome",
    "sign_in": "Sign in",
    "home": "Home",
    "groups": "Groups",
    "invitations": "Invitations",
    "people": "People",
    "join": "Join a group",
    "profile": "My profile",
    "learning_goals": "My learning goals",
    "reports": "Reports and action items",
    "methods": "Methods",
    "method_editor": "My methods",
    "cases": "Cases",
    "surveys": "Surveys",
    "console": "Session",
    "follow": "Follow session",
    "projector": "Projector",
    "reset": "New password",
    "confirm": "Confirm address",
    "overview": "Overview",
    "observer": "Observing",
    "programmes": "Programmes",
}

OFFERED = {
    # follow: the QR code's link, to sign in on the way; reset and confirm: the account mails' links
    # The pages that links in mails and the QR code lead to are routed, to send a visitor to sign in first.
    "signed_out": [
        "sign_in", "groups", "cases", "follow", "surveys", "join", "projector", "reset", "confirm", "reports", "profile"
    ],  # fmt: skip
    "participant": [
        "home", "groups", "cases", "follow", "surveys", "observer", "methods", "join", "projector", "reset", "confirm",
        "learning_goals", "reports", "profile",
    ],
    "facilitator": [
        "home", "groups", "cases", "console", "follow", "invitations", "surveys", "observer", "methods",
        "method_editor", "join", "projector", "reset", "confirm", "learning_goals", "reports", "profile",
    ],
    "participant_facilitator": [
        "home", "groups", "cases", "console", "follow", "invitations", "surveys", "observer", "methods",
        "method_editor", "join", "projector", "reset", "confirm", "learning_goals", "reports", "profile",
    ],
    "coordinator": [
        "home", "groups", "cases", "console", "follow", "invitations", "surveys", "observer", "methods",
        "method_editor", "overview", "people", "programmes", "join", "projector", "reset", "confirm", "learning_goals",
        "reports", "profile",
    ],
}  # fmt: skip


@pytest.fixture
def navigation(monkeypatch: pytest.MonkeyPatch) -> list:
    """The pages that the router handed to st.navigation on the last run."""
    offered: list = []
    real = st.navigation

    def recording(pages, **kwargs):  # noqa: ANN001, ANN202
        offered[:] = list(pages)
        return real(pages, **kwargs)

    monkeypatch.setattr(st, "navigation", recording)
    return offered


def _screens(navigation: list) -> list[str]:
    return [SCREEN_BY_ICON[page.icon] for page in navigation]


def _default(navigation: list) -> str:
    defaults = [SCREEN_BY_ICON[page.icon] for page in navigation if page.url_path == ""]
    assert len(defaults) == 1
    return defaults[0]


def test_every_screen_has_its_own_icon():
    assert len(SCREEN_BY_ICON) == len(SCREENS)


@pytest.mark.parametrize("role", ROLES)
def test_navigation_offers_each_role_only_its_screens(people, navigation, role):
    at = app(people.by_role(role))
    at.session_state["language"] = "en"
    at.run()

    assert_healthy(at)
    assert _screens(navigation) == OFFERED[role]
    assert [page.title for page in navigation] == [ENGLISH_TITLES[key] for key in OFFERED[role]]


@pytest.mark.parametrize("role", ROLES)
def test_navigation_titles_are_translated_in_dutch(people, navigation, role):
    at = app(people.by_role(role), locale="nl-NL")
    at.run()

    assert_healthy(at)
    assert all("⟦" not in page.title for page in navigation)
    assert "Join a group" not in [page.title for page in navigation]


def test_signed_out_visitor_lands_on_sign_in(demo_db, navigation):
    at = app().run()

    assert_healthy(at)
    assert _default(navigation) == "sign_in"
    assert values(at.title) == ["Sign in"]


@pytest.mark.parametrize("role", ROLES[1:])
def test_signed_in_person_lands_on_home(people, navigation, role):
    person = people.by_role(role)
    at = app(person)
    at.session_state["language"] = "en"
    at.run()

    assert _default(navigation) == "home"
    assert values(at.title) == [f"Welcome, {person.name}"]


def test_new_installation_offers_only_the_first_run(empty_db, navigation):
    at = app().run()

    assert_healthy(at)
    assert _screens(navigation) == ["first_run"]
    assert values(at.title) == ["Welcome to Intervision"]


def test_unknown_token_signs_nobody_in(demo_db, navigation):
    at = app()
    at.session_state["sign_in_token"] = "not-a-real-token"
    at.run()

    assert _screens(navigation) == OFFERED["signed_out"]
    assert values(at.title) == ["Sign in"]


def test_ended_session_signs_nobody_in(people, navigation):
    at = app(people.participant)
    auth.sign_out(configured_database(), at.session_state["sign_in_token"])
    at.run()

    assert _screens(navigation) == OFFERED["signed_out"]


def test_sign_out_ends_the_session_and_returns_to_sign_in(people, navigation):
    at = app(people.participant)
    at.session_state["language"] = "en"
    token = at.session_state["sign_in_token"]
    at.run()

    sign_out = [b for b in at.sidebar.button if b.label == "Sign out"]
    assert len(sign_out) == 1
    sign_out[0].click().run()

    assert_healthy(at)
    assert auth.signed_in_person(configured_database(), token) is None
    assert _screens(navigation) == OFFERED["signed_out"]
    assert values(at.title) == ["Sign in"]
    assert query("SELECT count(*) FROM audit_log WHERE action = 'sign_out'") == [(1,)]


def test_choosing_dutch_in_the_sidebar_translates_the_navigation(people, navigation):
    at = app(people.coordinator)
    at.session_state["language"] = "en"
    at.run()
    assert values(at.title) == [f"Welcome, {people.coordinator.name}"]

    at.sidebar.selectbox(key="_language_choice").set_value(Language.NL).run()

    assert_healthy(at)
    assert values(at.title) == [f"Welkom, {people.coordinator.name}"]
    assert "Groepen" in [page.title for page in navigation]
