"""Every screen of the product and who may open it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


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


SCREENS: dict[str, Screen] = {
    screen.key: screen
    for screen in (
        Screen("first_run", "pages/first_run.py", "welcome", ":material/rocket_launch:", Access.FIRST_RUN),
        Screen("sign_in", "pages/sign_in.py", "sign-in", ":material/key:", Access.SIGNED_OUT),
        Screen("home", "pages/home.py", "home", ":material/home:", Access.SIGNED_IN),
        Screen("groups", "pages/groups.py", "groups", ":material/groups:", Access.SIGNED_IN),
        Screen("cases", "pages/cases.py", "cases", ":material/work:", Access.SIGNED_IN),
        Screen("console", "pages/console.py", "session", ":material/play_circle:", Access.LEADS_GROUPS),
        Screen("follow", "pages/follow.py", "follow", ":material/smartphone:", Access.SIGNED_IN),
        Screen("invitations", "pages/invitations.py", "invitations", ":material/mail:", Access.LEADS_GROUPS),
        Screen("surveys", "pages/surveys.py", "surveys", ":material/bar_chart:", Access.SIGNED_IN),
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
        Screen("join", "pages/join.py", "join", ":material/login:", Access.ANYONE),
        Screen("projector", "pages/projector.py", "projector", ":material/cast:", Access.ANYONE, hidden=True),
        Screen("profile", "pages/profile.py", "profile", ":material/person:", Access.SIGNED_IN),
    )
}
