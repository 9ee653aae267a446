"""The guard every page opens with: page config, language, who is signed in, and may they be here.

Streamlit's legacy `pages/` discovery can run a page file without the router on a fresh server, so
each page calls `guard()` as its first statement and trusts nothing the router did.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from intervision import accounts, auth
from intervision.config import BROWSER_COOKIE, SESSION_COOKIE
from intervision.database import configured as configured_database
from intervision.i18n import language_from_locale, t
from intervision.models import Language, Organisation, Person, Role
from ui.browser import send_browser_to
from ui.cookie_routes import SIGN_OUT_ROUTE, sign_in_url
from ui.registry import RETURN_QUERY_KEYS, SCREENS, Access, ReturnTarget, Screen, return_target

TOKEN_KEY = "sign_in_token"
LANGUAGE_KEY = "language"
LANGUAGE_SHOWN = "_language_shown"  # the language of the last page drawn, for the apology after an error
# A URL the browser must load once the next page is drawn: the cookie routes after signing in or out.
BROWSER_TRIP = "_browser_trip"
# Where to go once signed in (a return target's path): the session of the QR code a signed-out phone scanned.
RETURN_TO = "_return_to"
log = logging.getLogger("intervision")


@dataclass(frozen=True)
class Viewer:
    """Who is looking at the screen, in which language."""

    person: Person | None
    language: Language
    organisation: Organisation | None
    first_run: bool
    leads_groups: bool

    def t(self, key: str, **params: object) -> str:
        return t(key, self.language, **params)

    @property
    def signed_in(self) -> Person:
        """The signed-in person on a screen that the guard only opens to signed-in people."""
        assert self.person is not None
        return self.person


def sign_in_token() -> str | None:
    token = st.session_state.get(TOKEN_KEY) or st.context.cookies.get(SESSION_COOKIE)
    return token if isinstance(token, str) else None


def client_address() -> str | None:
    """The browser's address, for the waits after failed sign-ins; None on this machine or when unknown.

    Behind a proxy in FORWARDED_ALLOW_IPS it is the address the proxy forwarded (ui/proxy.py).
    """
    address = st.context.ip_address
    return address if isinstance(address, str) and address else None


def browser_binding() -> str | None:
    """This browser's binding cookie (ui/cookie_routes.py), which its sign-in ticket is tied to."""
    value = st.context.cookies.get(BROWSER_COOKIE)
    return value if isinstance(value, str) and value else None


@functools.cache
def single_sign_on_configured() -> bool:
    """Read once per process, as Streamlit reads its secrets: without a secrets file, asking st.secrets looks
    for the files again each time under one lock, and every signed-in click asks."""
    try:
        return "auth" in st.secrets
    except FileNotFoundError:
        return False


def _single_sign_on_email() -> str | None:
    """The e-mail address of the person signed in through the organisation's identity provider, if any."""
    if not single_sign_on_configured() or not st.user.is_logged_in:
        return None
    email = st.user.get("email")
    return str(email) if email else None


def _language(person: Person | None) -> Language:
    chosen = st.session_state.get(LANGUAGE_KEY)
    if chosen:
        return Language(chosen)
    if person and person.language:
        return person.language
    return language_from_locale(st.context.locale)


def current_viewer() -> Viewer:
    configured_database().ensure_migrated()
    here = accounts.visit(configured_database(), sign_in_token(), _single_sign_on_email())
    return Viewer(
        person=here.person,
        language=_language(here.person),
        organisation=here.organisation,
        first_run=here.first_run,
        leads_groups=here.leads_groups,
    )


def still_signed_in(viewer: Viewer) -> bool:
    """Whether the person the page was drawn for still holds this browser's sign-in, in the same role.

    Streamlit runs a widget's callback before the page script, so before the guard: a click in a browser
    whose sign-in has ended (expired, signed out everywhere, the role changed) must do nothing; the page,
    drawn again, then asks to sign in. Screens for signed-out visitors have nobody to check.
    """
    if viewer.person is None:
        return True
    now = accounts.visit(configured_database(), sign_in_token(), _single_sign_on_email()).person
    return now is not None and (now.id, now.role) == (viewer.person.id, viewer.person.role)


def while_signed_in(viewer: Viewer, action: Callable[..., object]) -> Callable[..., None]:
    """A widget callback that acts only while `still_signed_in(viewer)`."""

    def act(*args: object, **kwargs: object) -> None:
        if still_signed_in(viewer):
            action(*args, **kwargs)

    return act


def may_open(screen: Screen, viewer: Viewer) -> bool:
    if viewer.first_run:
        return screen.access is Access.FIRST_RUN
    match screen.access:
        case Access.FIRST_RUN:
            return False
        case Access.SIGNED_OUT:
            return viewer.person is None
        case Access.ANYONE:
            return True
        case Access.SIGNED_IN:
            return viewer.person is not None
        case Access.LEADS_GROUPS:
            return viewer.leads_groups
        case Access.MAKES_METHODS:
            return viewer.leads_groups or (viewer.person is not None and viewer.person.role is Role.FACILITATOR)
        case Access.COORDINATOR:
            return viewer.person is not None and viewer.person.role is Role.COORDINATOR


def asks_sign_in_first(screen: Screen, viewer: Viewer) -> bool:
    """A signed-out visitor follows a link to this screen: it is routed, and sends them to sign in first."""
    return screen.signs_in_on_the_way and viewer.person is None and not viewer.first_run


def keep_return_target() -> ReturnTarget | None:
    """The sign-in page's `then` link, kept for after signing in (also after a reload of the sign-in page)."""
    target = return_target(st.query_params.get("then")) or return_target(st.session_state.get(RETURN_TO))
    if target:
        st.session_state[RETURN_TO] = target.path
    return target


def return_after_sign_in(viewer: Viewer) -> None:
    """Signed in on the way to a link: go there now, its code with it (call between navigation and run).

    The browser's trip to the cookie route returns there too; this covers a browser without cookies.
    """
    if viewer.person is None:
        return
    target = return_target(st.session_state.pop(RETURN_TO, None))
    if target and may_open(target.screen, viewer):
        st.switch_page(target.screen.file, query_params=dict(target.query))


def guard(screen_key: str, chrome: bool = True) -> Viewer:
    """Open the page for whoever may see it; otherwise explain and stop.

    `chrome=False` leaves out the sidebar and the demo line: for the projector, which shows only the session.
    """
    screen = SCREENS[screen_key]
    viewer = current_viewer()
    st.set_page_config(
        page_title=f"{viewer.t('nav.' + screen.key)} · {viewer.t('app.name')}",
        page_icon=":material/forum:",
        layout="wide",
    )
    st.session_state[LANGUAGE_SHOWN] = viewer.language.value
    if not may_open(screen, viewer):
        _refuse(screen, viewer)
    if chrome:
        _chrome(viewer)
    return viewer


def _refuse(screen: Screen, viewer: Viewer) -> None:
    if viewer.first_run:
        st.info(viewer.t("guard.first_run"))
        st.page_link(SCREENS["first_run"].file, label=viewer.t("nav.first_run"), icon=":material/rocket_launch:")
    elif asks_sign_in_first(screen, viewer):
        # The QR code's link: sign in, then straight on to it, the code kept (no code typed twice).
        link = tuple((key, st.query_params[key]) for key in RETURN_QUERY_KEYS if key in st.query_params)
        target = ReturnTarget(screen, link)
        st.session_state[RETURN_TO] = target.path
        st.switch_page(SCREENS["sign_in"].file, query_params={"then": target.path})
    elif viewer.person is None:
        st.warning(viewer.t("guard.sign_in_first"))
        st.page_link(SCREENS["sign_in"].file, label=viewer.t("nav.sign_in"), icon=":material/key:")
    else:
        st.error(viewer.t("guard.not_allowed"))
        st.page_link(SCREENS["home"].file, label=viewer.t("nav.home"), icon=":material/home:")
    st.stop()


def _chrome(viewer: Viewer) -> None:
    if viewer.organisation and viewer.organisation.is_demo:
        banner = viewer.t("demo.banner", organisation=escape_markdown(viewer.organisation.name))
        st.caption(f":material/science: **{banner}**")
    with st.sidebar:
        if viewer.person:
            st.markdown(f"**{escape_markdown(viewer.person.name)}**")
            st.caption(viewer.t(f"role.{viewer.person.role}"))
        _language_switch(viewer)
        if viewer.person:
            st.button(viewer.t("sign_out.button"), on_click=_sign_out, icon=":material/logout:")
    if trip := st.session_state.pop(BROWSER_TRIP, None):
        send_browser_to(trip)


def _language_switch(viewer: Viewer) -> None:
    # The chooser shows the language in use, also after it was changed elsewhere (the profile).
    st.session_state["_language_choice"] = viewer.language
    st.selectbox(
        viewer.t("language.label"),
        [Language.NL, Language.EN],
        format_func=lambda language: t("language.name", language),
        key="_language_choice",
        on_change=while_signed_in(viewer, _switch_language),
        args=(viewer.person,),
    )


def _switch_language(person: Person | None) -> None:
    language = Language(st.session_state["_language_choice"])
    st.session_state[LANGUAGE_KEY] = language.value
    if person:
        accounts.set_language(configured_database(), person.id, language)


def remember_sign_in(token: str) -> None:
    """Signed in: this browser session knows it now, and the browser keeps it in a cookie after a trip.

    A browser without its binding cookie (cookies blocked) gets no ticket: it stays signed in until the
    tab is closed or reloaded, as it could not keep the sign-in cookie either.
    """
    st.session_state[TOKEN_KEY] = token
    if browser := browser_binding():
        ticket = auth.issue_cookie_ticket(configured_database(), token, browser)
        st.session_state[BROWSER_TRIP] = sign_in_url(ticket, then=st.session_state.get(RETURN_TO))


def _sign_out() -> None:
    token = sign_in_token()
    if token:
        auth.sign_out(configured_database(), token)
    st.session_state.pop(TOKEN_KEY, None)
    st.session_state[BROWSER_TRIP] = SIGN_OUT_ROUTE
    if single_sign_on_configured() and st.user.is_logged_in:
        st.logout()


def escape_markdown(text: str) -> str:
    """Markdown-escape a person's text so it renders as typed."""
    # ":" and "/" stop Streamlit's :red[…], :smile: and :material/…: directives, "&" an HTML entity;
    # "." and "-" only matter at the start of a line.
    special = "\\`*_{}[]()#+!|<>~$:/&"
    return "".join("\\" + char if char in special else char for char in text)
