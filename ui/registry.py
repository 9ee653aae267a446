"""Every screen of the product and who may open it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import parse_qsl, urlencode, urlsplit


class Access(StrEnum):
    FIRST_RUN = "first_run"  # only while the organisation has no accounts
    SIGNED_OUT = "signed_out"  # the sign-in screen
    ANYONE = "anyone"  # signed in or not (joining with a code)
    SIGNED_IN = "signed_in"
    LEADS_GROUPS = "leads_groups"  # coordinators, and whoever facilitates a group
    MAKES_METHODS = "makes_methods"  # coordinators, facilitators, and whoever facilitates a group
    COORDINATOR = "coordinator"


@dataclass(frozen=True)
class Screen:
    key: str
    file: str
    url_path: str
    icon: str
    access: Access
    hidden: bool = False  # reachable by its link, but not listed in the navigation
    # Opened by a link a signed-out person follows (the QR code on the projector, a link in a mail): they sign
    # in first and then land here, the link's query kept.
    signs_in_on_the_way: bool = False
    # Signs the person in itself (a mail's one-time link) and comes back to itself after the browser's trip to
    # the cookie route, to say that it worked.
    comes_back_after_signing_in: bool = False


SCREENS: dict[str, Screen] = {
    screen.key: screen
    for screen in (
        Screen("first_run", "pages/first_run.py", "welcome", ":material/rocket_launch:", Access.FIRST_RUN),
        Screen("sign_in", "pages/sign_in.py", "sign-in", ":material/key:", Access.SIGNED_OUT),
        Screen("home", "pages/home.py", "home", ":material/home:", Access.SIGNED_IN),
        Screen("groups", "pages/groups.py", "groups", ":material/groups:", Access.SIGNED_IN, signs_in_on_the_way=True),
        Screen("cases", "pages/cases.py", "cases", ":material/work:", Access.SIGNED_IN, signs_in_on_the_way=True),
        Screen("console", "pages/console.py", "session", ":material/play_circle:", Access.LEADS_GROUPS),
        Screen(
            "follow", "pages/follow.py", "follow", ":material/smartphone:", Access.SIGNED_IN, signs_in_on_the_way=True
        ),
        Screen("invitations", "pages/invitations.py", "invitations", ":material/mail:", Access.LEADS_GROUPS),
        Screen(
            "surveys", "pages/surveys.py", "surveys", ":material/bar_chart:", Access.SIGNED_IN, signs_in_on_the_way=True
        ),
        # Anyone may be invited as a second observer; the page shows only the sessions one observes or runs.
        Screen("observer", "pages/observer.py", "observe", ":material/visibility:", Access.SIGNED_IN),
        Screen("methods", "pages/methods.py", "methods", ":material/menu_book:", Access.SIGNED_IN),
        Screen(
            "method_editor",
            "pages/method_editor.py",
            "my-methods",
            ":material/edit_note:",
            Access.MAKES_METHODS,
        ),
        Screen("overview", "pages/overview.py", "overview", ":material/monitoring:", Access.COORDINATOR),
        Screen("people", "pages/people.py", "people", ":material/badge:", Access.COORDINATOR),
        Screen("programmes", "pages/programmes.py", "programmes", ":material/route:", Access.COORDINATOR),
        Screen("join", "pages/join.py", "join", ":material/login:", Access.ANYONE),
        Screen("projector", "pages/projector.py", "projector", ":material/cast:", Access.ANYONE, hidden=True),
        # Opened from the links in the account mails; anyone holding a valid link may use it, signed in or not.
        Screen(
            "reset",
            "pages/reset.py",
            "reset",
            ":material/lock_reset:",
            Access.ANYONE,
            hidden=True,
            comes_back_after_signing_in=True,
        ),
        Screen(
            "confirm",
            "pages/confirm.py",
            "confirm",
            ":material/mark_email_read:",
            Access.ANYONE,
            hidden=True,
            comes_back_after_signing_in=True,
        ),
        Screen("learning_goals", "pages/learning_goals.py", "learning-goals", ":material/flag:", Access.SIGNED_IN),
        # The shared session reports and one's own action items; the page shows only one's own groups'.
        Screen(
            "reports", "pages/reports.py", "reports", ":material/summarize:", Access.SIGNED_IN, signs_in_on_the_way=True
        ),
        Screen(
            "profile", "pages/profile.py", "profile", ":material/person:", Access.SIGNED_IN, signs_in_on_the_way=True
        ),
    )
}


# The query keys a return target may carry: only what the screens that sign in on the way read.
RETURN_QUERY_KEYS = ("code", "done")


@dataclass(frozen=True)
class ReturnTarget:
    """Where a person goes once signed in: a screen that signs in on the way, with its link's query."""

    screen: Screen
    query: tuple[tuple[str, str], ...] = ()

    @property
    def path(self) -> str:
        """The path on this server, e.g. /follow?code=ABC123; never another site's address."""
        return f"/{self.screen.url_path}" + (f"?{urlencode(self.query)}" if self.query else "")


def return_target(path: str | None) -> ReturnTarget | None:
    """The return target a path names, or None for anything else (another site, an unknown screen).

    Built again from our own registry, so a crafted link cannot send a browser elsewhere after signing in.
    """
    if not path:
        return None
    parts = urlsplit(path)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    screen = next(
        (
            s
            for s in SCREENS.values()
            if (s.signs_in_on_the_way or s.comes_back_after_signing_in) and f"/{s.url_path}" == parts.path.rstrip("/")
        ),
        None,
    )
    if screen is None:
        return None
    query = tuple((key, value) for key, value in parse_qsl(parts.query) if key in RETURN_QUERY_KEYS and value)
    return ReturnTarget(screen, query)
