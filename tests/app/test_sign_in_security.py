"""Sign-in security as a browser meets it: an ended or expired sign-in, signing out everywhere, no telling
whether an address has an account, and the sign-in cookie's flags.

What is already proven elsewhere is not repeated: the lockout, hashing and session lifetime in the core
(tests/unit/test_auth.py); the generic message for a wrong password and an unknown address, the lockout after
five failures, signing out and a token that was signed out (tests/app/test_sign_in.py, test_router.py,
test_profile.py); the cookie's HttpOnly and SameSite over plain HTTP in a real browser (tests/e2e/test_browser.py).
The product has no "forgot password" flow, so the sign-in form is the only place an address is tried.
"""

from __future__ import annotations

from datetime import timedelta
from http.cookies import SimpleCookie

import pytest
from driving import (
    COORDINATOR_EMAIL,
    COORDINATOR_PASSWORD,
    SIGN_IN_FIRST,
    app,
    assert_healthy,
    click,
    deep_link,
    fill,
    open_page,
    query,
    refusals,
    texts,
    values,
)
from starlette.requests import Request
from streamlit.testing.v1 import AppTest

from intervision import accounts, auth
from intervision.config import SESSION_COOKIE, SESSION_LIFETIME
from intervision.models import Person, Role
from ui.cookie_routes import SIGN_IN_ROUTE, SIGN_OUT_ROUTE, routes

SIGN_IN = "Sign in"


def _emma() -> Person:
    """A demo participant who reads English."""
    found = accounts.person_by_email("emma.clarke@demo.example")
    assert found is not None
    return found


def _browser(person: Person, token: str | None = None) -> AppTest:
    """A browser of this person (its own sign-in session unless `token` is given), in English."""
    at = app(None)
    at.session_state["sign_in_token"] = token or auth.open_session_for(person.id)
    at.session_state["language"] = "en"
    return at


def _signed_out_screen(at: AppTest, person: Person) -> None:
    """The sign-in form, or only the guard's request to sign in; nobody is signed in any more (the sidebar names
    no one and offers no sign-out). The demo's sign-in form itself lists the demo's showcased addresses."""
    assert_healthy(at)
    assert values(at.title) == [SIGN_IN] or (SIGN_IN_FIRST in refusals(at) and not values(at.title))
    sidebar = [str(getattr(node, "value", "")) for node in at.sidebar]
    assert not [line for line in sidebar if person.name in line]
    assert "Sign out" not in [button.label for button in at.sidebar.button]


def _later(monkeypatch: pytest.MonkeyPatch, by: timedelta) -> None:
    """The clock the app reads a visitor's sign-in with moves on (the core takes its `now` from here)."""
    moved = auth.utcnow() + by
    monkeypatch.setattr(accounts, "utcnow", lambda: moved)


# --- an ended sign-in ----------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["through the navigation", "by a deep link"])
def test_an_expired_sign_in_opens_no_page_and_asks_to_sign_in(demo_db, how):
    """A sign-in lasts SESSION_LIFETIME; after that the token a browser still holds opens nothing."""
    emma = _emma()
    expired = auth.open_session_for(emma.id, now=auth.utcnow() - SESSION_LIFETIME - timedelta(minutes=1))
    at = _browser(emma, expired)
    if how == "by a deep link":
        deep_link(at, "pages/profile.py")
        assert SIGN_IN_FIRST in refusals(at)
    else:
        at.run()
        assert values(at.title) == [SIGN_IN]
    _signed_out_screen(at, emma)


def test_a_page_left_open_past_the_sign_ins_lifetime_asks_to_sign_in_on_the_next_rerun(demo_db, monkeypatch):
    """The sign-in is asked again on every rerun, not only when a page is first opened."""
    emma = _emma()
    at = open_page(_browser(emma), "pages/profile.py")
    assert emma.email in texts(at)

    _later(monkeypatch, SESSION_LIFETIME + timedelta(seconds=1))
    at.run()

    _signed_out_screen(at, emma)


def test_signing_out_everywhere_signs_out_another_open_browser_on_its_next_rerun(demo_db):
    """What the button is for: a lost phone stops being signed in at its next tap; nobody else's sign-in ends."""
    emma = _emma()
    phone = open_page(_browser(emma), "pages/cases.py")
    laptop = open_page(_browser(emma), "pages/profile.py")
    colleague = _browser(accounts.person_by_email("kim.bos@demo.example"))
    open_page(colleague, "pages/cases.py")

    click(laptop, "Sign out everywhere")
    _signed_out_screen(laptop, emma)
    phone.run()

    _signed_out_screen(phone, emma)
    colleague.run()
    assert_healthy(colleague)
    assert values(colleague.title) == ["Cases"], "only Emma's sign-ins ended"


def test_signing_out_leaves_the_other_browsers_of_the_same_person_signed_in(demo_db):
    """Signing out ends this browser's sign-in; the others are what "sign out everywhere" is for."""
    emma = _emma()
    phone = open_page(_browser(emma), "pages/cases.py")
    laptop = open_page(_browser(emma), "pages/home.py")

    [sign_out] = [button for button in laptop.sidebar.button if button.label == "Sign out"]
    sign_out.click().run()
    _signed_out_screen(laptop, emma)
    phone.run()

    assert_healthy(phone)
    assert values(phone.title) == ["Cases"]


ENDED = {
    "expired": lambda monkeypatch, person: _later(monkeypatch, SESSION_LIFETIME + timedelta(seconds=1)),
    "signed out everywhere": lambda monkeypatch, person: auth.sign_out_everywhere(person.id),
}


def _rename_myself(at: AppTest, emma: Person) -> None:
    fill(at, {"profile.name": "Iemand anders"})
    click(at, "Save")


def _make_emma_coordinator(at: AppTest, emma: Person) -> None:
    fill(at, {"role_change.person_id": emma.id, "role_change.role": Role.COORDINATOR})
    [save] = [button for button in at.button if getattr(button, "form_id", None) == "role_change"]
    save.click().run()


# A browser left signed in (or taken over), its last page still drawn; then the sign-in ends; then a click.
CLICKS = {
    "Emma renames herself": ("emma.clarke@demo.example", "pages/profile.py", _rename_myself),
    "a coordinator makes Emma a coordinator": (
        "marieke.vandijk@demo.example",
        "pages/people.py",
        _make_emma_coordinator,
    ),
}


@pytest.mark.parametrize("ended", list(ENDED))
@pytest.mark.parametrize("what", list(CLICKS))
def test_a_click_in_a_browser_whose_sign_in_ended_changes_nothing(demo_db, monkeypatch, what, ended):
    """Ending a sign-in must also end what the browser's last drawn page can still do."""
    email, page, act = CLICKS[what]
    person, emma = accounts.person_by_email(email), _emma()
    left_open = open_page(_browser(person), page)
    ENDED[ended](monkeypatch, person)

    act(left_open, emma)

    _signed_out_screen(left_open, person)
    assert query("SELECT name, role FROM people WHERE id = ?", (emma.id,)) == [(emma.name, emma.role.value)]


# --- no telling whether an address has an account ----------------------------------------------------


def _failed_sign_in(email: str, password: str) -> AppTest:
    at = app().run()
    fill(at, {"sign_in.email": email, "sign_in.password": password})
    return click(at, SIGN_IN)


def _screen(at: AppTest) -> list[tuple[str, str]]:
    """What is drawn, in order, leaving out what the visitor typed themselves (the e-mail field's value)."""
    return [(node.type, str(getattr(node, "value", ""))) for node in at.main if node.type != "text_input"]


def test_a_locked_account_an_unknown_address_and_a_wrong_password_draw_the_same_screen(organisation_db):
    """Whoever tries addresses learns from the screen neither that one has an account nor that it is locked."""
    wrong = _failed_sign_in(COORDINATOR_EMAIL, "niet het wachtwoord")
    unknown = _failed_sign_in("niemand@proef.example", "niet het wachtwoord")
    for _ in range(4):  # the fifth failure in a row locks the account
        _failed_sign_in(COORDINATOR_EMAIL, "niet het wachtwoord")
    locked = _failed_sign_in(COORDINATOR_EMAIL, COORDINATOR_PASSWORD)

    assert query("SELECT count(*) FROM audit_log WHERE action = 'account_locked'") == [(1,)]
    assert _screen(locked) == _screen(unknown) == _screen(wrong)
    assert values(locked.error) and "sign_in_token" not in locked.session_state


# --- the sign-in cookie --------------------------------------------------------------------------------


def _request(path: str, scheme: str, query_string: str = "") -> Request:
    host = "intervision.example.org"
    return Request(
        {
            "type": "http",
            "method": "GET",
            "scheme": scheme,
            "path": path,
            "query_string": query_string.encode(),
            "headers": [(b"host", host.encode())],
            "server": (host, 443 if scheme == "https" else 80),
        }
    )


def _route(path: str):  # noqa: ANN202 - a Starlette endpoint
    [route] = [route for route in routes if route.path == path]
    return route.endpoint


def _set_cookie(response) -> SimpleCookie:  # noqa: ANN001 - a Starlette response
    headers = [value.decode() for name, value in response.raw_headers if name == b"set-cookie"]
    cookie = SimpleCookie()
    for header in headers:
        cookie.load(header)
    return cookie


def _ticket(emma: Person) -> str:
    return auth.issue_cookie_ticket(auth.open_session_for(emma.id))


def test_over_https_the_cookie_is_secure_httponly_samesite_and_lives_as_long_as_the_sign_in(demo_db):
    """The cookie is the sign-in: no script may read it (HttpOnly), another site's form does not carry it
    (SameSite=Lax), and over HTTPS it never travels unencrypted (Secure)."""
    emma = _emma()
    response = _route(SIGN_IN_ROUTE)(_request(SIGN_IN_ROUTE, "https", f"ticket={_ticket(emma)}"))

    morsel = _set_cookie(response)[SESSION_COOKIE]
    assert morsel["secure"] is True and morsel["httponly"] is True
    assert morsel["samesite"].lower() == "lax" and morsel["path"] == "/"
    assert int(morsel["max-age"]) == int(SESSION_LIFETIME.total_seconds())
    assert auth.signed_in_person(morsel.value).id == emma.id, "the cookie holds the sign-in, not the ticket"


def test_over_plain_http_the_cookie_is_not_marked_secure(demo_db):
    """Served on localhost or behind a proxy that does not say HTTPS (docs/deployment.md): a Secure cookie
    would not come back, and nobody could stay signed in."""
    response = _route(SIGN_IN_ROUTE)(_request(SIGN_IN_ROUTE, "http", f"ticket={_ticket(_emma())}"))

    morsel = _set_cookie(response)[SESSION_COOKIE]
    assert not morsel["secure"] and morsel["httponly"] is True


@pytest.mark.parametrize("ticket", ["used", "unknown", "missing"])
def test_a_used_unknown_or_missing_ticket_sets_no_cookie(demo_db, ticket):
    """A ticket that leaked (in a log, the browser's history) signs nobody in a second time."""
    used = _ticket(_emma())
    _route(SIGN_IN_ROUTE)(_request(SIGN_IN_ROUTE, "https", f"ticket={used}"))
    query_string = {"used": f"ticket={used}", "unknown": "ticket=verzonnen", "missing": ""}[ticket]

    response = _route(SIGN_IN_ROUTE)(_request(SIGN_IN_ROUTE, "https", query_string))

    assert response.status_code == 303
    assert SESSION_COOKIE not in _set_cookie(response)


def test_the_sign_out_route_clears_the_cookie_with_the_same_flags(demo_db):
    """A browser only drops a cookie that is cleared with the path it was set with."""
    response = _route(SIGN_OUT_ROUTE)(_request(SIGN_OUT_ROUTE, "https"))

    morsel = _set_cookie(response)[SESSION_COOKIE]
    assert morsel.value in ("", '""') and int(morsel["max-age"]) == 0
    assert morsel["httponly"] is True and morsel["samesite"].lower() == "lax" and morsel["path"] == "/"
