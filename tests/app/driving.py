"""How the AppTest suite drives the app and reads what a person would see.

Fixtures live in conftest.py; this module holds the plain helpers that test modules import.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from google.protobuf import text_format
from streamlit.testing.v1 import AppTest

from intervision import accounts, auth, db, demo
from intervision.database import configured as configured_database
from intervision.i18n import t
from intervision.models import Language, Person

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
TIMEOUT = 30

# The guard's refusals, in English.
SIGN_IN_FIRST = "Please sign in to open this page."
NOT_ALLOWED = "This page is not available to you."
# A screen reached by a link signed out (the QR code's): the sign-in page, which then goes on to it.
SENT_TO_SIGN_IN = "sent to sign in, and from there straight on to the page"  # the sign-in says so: sign_in.then_<page>
FIRST_RUN_INFO = "This is a new installation. Start by setting up your organisation."

# Demo people: the participant who facilitates one group and takes part in another, a participant who
# only takes part (in two groups), and a facilitator.
PARTICIPANT_FACILITATOR = "Fatima El Amrani"
PARTICIPANT = "Sofie Claes"
FACILITATOR = "Jeroen Bakker"

# The real (not demo) organisation of the `organisation_db` fixture.
ORGANISATION = "Stichting Proef"
COORDINATOR_NAME = "Carla Coordinator"
COORDINATOR_EMAIL = "carla@proef.example"
COORDINATOR_PASSWORD = "een lange zin als wachtwoord"

ROLES = ["signed_out", "participant", "facilitator", "coordinator", "participant_facilitator"]


def query(sql: str, params: tuple = ()) -> list[tuple]:
    """Read the test's database directly, to check what was (not) written."""
    with db.reading() as conn:
        return [tuple(row) for row in conn.execute(sql, params).fetchall()]


def person_named(name: str) -> Person:
    """A demo person, found by the e-mail address the demo publishes for them."""
    account = next(account for account in demo.demo_accounts() if account.name == name)
    found = accounts.person_by_email(configured_database(), account.email)
    assert found is not None, f"{name} is not in the database"
    return found


@dataclass(frozen=True)
class DemoPeople:
    coordinator: Person
    facilitator: Person
    participant: Person
    participant_facilitator: Person

    def by_role(self, role: str) -> Person | None:
        return None if role == "signed_out" else getattr(self, role)


def app(person: Person | None = None, locale: str | None = "en-GB") -> AppTest:
    """An AppTest of the router, signed in as `person` through a real server-side sign-in session."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    if locale:
        at.context = {"locale": locale}
    if person is not None:
        at.session_state["sign_in_token"] = auth.open_session_for(configured_database(), person.id)
    return at


def open_page(at: AppTest, page: str) -> AppTest:
    """Open a page through the router: run once (the default page), then follow the navigation to it."""
    at.run()
    at.switch_page(page)
    return at.run()


def open_as(person: Person, page: str, language: str = "en") -> AppTest:
    """A page as this person sees it in this language (their browser says so, and so do they)."""
    at = app(person, locale="nl-NL" if language == "nl" else "en-GB")
    at.session_state["language"] = language
    open_page(at, page)
    assert_healthy(at)
    return at


class Server:
    """Whether the AppTest runs behave like a freshly started server or a warm one.

    Streamlit treats an app with a `pages/` folder as a legacy multipage app until some session has
    called st.navigation; from then on, for the whole process, every run starts with the router.
    AppTest resets that on every run, so that every run after the first could skip the router. The
    `warm_server` fixture (autouse) keeps AppTest runs on the router, as a running server does;
    `fresh_server()` lets a run see what a deep link on a freshly started server does.
    """

    fresh = False


@contextmanager
def fresh_server() -> Iterator[None]:
    Server.fresh = True
    try:
        yield
    finally:
        Server.fresh = False


def deep_link(at: AppTest, page: str) -> AppTest:
    """Open a page file before the router ever ran, as a deep link on a freshly started server does.

    Streamlit then runs the file from `pages/` directly: only the page's own guard protects it.
    """
    at.switch_page(page)
    with fresh_server():
        return at.run()


def texts(at: AppTest) -> str:
    """Every text on the screen (main area and sidebar), widget labels, tables and data frames too."""
    parts: list[str] = []
    for block in (at.main, at.sidebar):
        for node in block:
            proto = getattr(node, "proto", None)
            if proto is not None:
                parts.append(text_format.MessageToString(proto, as_utf8=True))
    parts += [frame.value.to_csv() for frame in at.dataframe]
    parts += [frame.value.to_csv() for frame in at.table]
    return "\n".join(parts)


def values(elements: object) -> list:
    return [element.value for element in elements]  # type: ignore[attr-defined]


def assert_healthy(at: AppTest) -> None:
    """No crash, and no missing translation anywhere on the screen."""
    assert not at.exception, [exception.value for exception in at.exception]
    shown = texts(at)
    assert "⟦" not in shown, [line for line in shown.splitlines() if "⟦" in line]


def button(at: AppTest, label: str):  # noqa: ANN201 - a Button or FormSubmitButton
    """The one button (or form submit button) with this label."""
    found = [b for b in at.button if b.label == label]
    assert len(found) == 1, f"{len(found)} buttons {label!r} among {[b.label for b in at.button]}"
    return found[0]


def click(at: AppTest, label: str) -> AppTest:
    return button(at, label).click().run()


def fill(at: AppTest, fields: Mapping[str, object]) -> None:
    """Type into widgets, found by their keys (`<form>.<field>`)."""
    for key, value in fields.items():
        at.get_by_key(key).set_value(value)


def message_under(at: AppTest, key: str) -> str | None:
    """The error message drawn right under the widget with this key, if there is one."""
    nodes = list(at.main)
    index = next(i for i, node in enumerate(nodes) if getattr(node, "key", None) == key)
    following = nodes[index + 1] if index + 1 < len(nodes) else None
    errors = list(at.error)
    return following.value if any(following is error for error in errors) else None


def value_of(at: AppTest, key: str) -> object:
    return at.get_by_key(key).value


# --- who may open which page -------------------------------------------------------------------

SHOWN = None  # the page shows its content
TITLES = {
    "first_run": "Welcome to Intervision",
    "sign_in": "Sign in",
    "home": "Welcome, {name}",
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
    "follow": "Follow the session",
    "overview": "Overview",
    "observer": "Observing",
    "programmes": "Programmes",
    "reset": "New password",
    "confirm": "Confirm address",
}
_SIGNED_IN_ONLY = dict.fromkeys(ROLES[1:], SHOWN) | {"signed_out": SIGN_IN_FIRST}
# The pages the mails and the QR code link to: a signed-out visitor signs in first and then lands there.
_LINKED = _SIGNED_IN_ONLY | {"signed_out": SENT_TO_SIGN_IN}
ACCESS: dict[str, dict[str, str | None]] = {
    "home": _SIGNED_IN_ONLY,
    "groups": _LINKED,
    "profile": _LINKED,
    "learning_goals": _SIGNED_IN_ONLY,
    "reports": _LINKED,
    "join": dict.fromkeys(ROLES, SHOWN),
    "invitations": _SIGNED_IN_ONLY | {"participant": NOT_ALLOWED},
    "people": dict.fromkeys(ROLES, NOT_ALLOWED) | {"signed_out": SIGN_IN_FIRST, "coordinator": SHOWN},
    "overview": dict.fromkeys(ROLES, NOT_ALLOWED) | {"signed_out": SIGN_IN_FIRST, "coordinator": SHOWN},
    "programmes": dict.fromkeys(ROLES, NOT_ALLOWED) | {"signed_out": SIGN_IN_FIRST, "coordinator": SHOWN},
    "methods": _SIGNED_IN_ONLY,
    "cases": _LINKED,
    # Anyone may be invited to observe a session; the page shows only what one observes or runs.
    "observer": _SIGNED_IN_ONLY,
    "surveys": _LINKED,
    "console": _SIGNED_IN_ONLY | {"participant": NOT_ALLOWED},
    "follow": _LINKED,
    # The projector opens for anyone with its link; without a valid token it shows only that it is invalid.
    "projector": dict.fromkeys(ROLES, "This projector link is not valid (any more)."),
    # The account mails' links open for anyone; without a valid token they say only that the link is dead.
    "reset": dict.fromkeys(ROLES, SHOWN),
    "confirm": dict.fromkeys(ROLES, SHOWN),
    # Making methods goes with facilitating (an organisation facilitator, or whoever facilitates a group).
    "method_editor": _SIGNED_IN_ONLY | {"participant": NOT_ALLOWED},
    "sign_in": dict.fromkeys(ROLES, NOT_ALLOWED) | {"signed_out": SHOWN},
    # Once the organisation is set up nobody may open it; a signed-out visitor is asked to sign in.
    "first_run": dict.fromkeys(ROLES, NOT_ALLOWED) | {"signed_out": SIGN_IN_FIRST},
}


def refusals(at: AppTest) -> list[str]:
    return [*values(at.warning), *values(at.error), *values(at.info)]


def assert_page(at: AppTest, screen: str, expected: str | None, person: Person | None) -> None:
    """The page shows its own content (its title, no refusal), or only the guard's refusal."""
    assert_healthy(at)
    if expected == SENT_TO_SIGN_IN:
        assert values(at.title) == [TITLES["sign_in"]] and t(f"sign_in.then_{screen}", Language.EN) in values(at.info)
        assert at.session_state["_return_to"].startswith(f"/{screen}")
    elif expected is SHOWN:
        name = person.name if person else ""
        assert values(at.title)[:1] == [TITLES[screen].format(name=name)]
        assert SIGN_IN_FIRST not in refusals(at)
        assert NOT_ALLOWED not in refusals(at)
    else:
        assert expected in refusals(at)
        assert values(at.title) == [], "a refused page shows nothing of its own"
        assert not at.text_input and not at.get("form"), "a refused page offers no form"


def check_access(people: DemoPeople, screen: str, role: str) -> None:
    """Who may open `screen`: by a deep link (only the page's guard decides) and through the router."""
    person = people.by_role(role)
    expected = ACCESS[screen][role]

    at = app(person)
    at.session_state["language"] = "en"
    deep_link(at, f"pages/{screen}.py")
    assert_page(at, screen, expected, person)

    if expected is SHOWN:
        at = app(person)
        at.session_state["language"] = "en"
        open_page(at, f"pages/{screen}.py")
        assert_page(at, screen, expected, person)


def check_health_in_dutch(people: DemoPeople, screen: str, role: str) -> None:
    """The same page in the person's own language (Dutch in the demo): no crash, nothing untranslated."""
    person = people.by_role(role)
    at = deep_link(app(person, locale="nl-NL"), f"pages/{screen}.py")
    assert_healthy(at)
    expected = ACCESS[screen][role]
    if expected is not SHOWN:
        keys = {
            SIGN_IN_FIRST: "guard.sign_in_first",
            NOT_ALLOWED: "guard.not_allowed",
            SENT_TO_SIGN_IN: f"sign_in.then_{screen}",
        }
        key = keys.get(expected, "projector.invalid")
        assert t(key, Language.NL) in refusals(at)


class Offered(dict):
    """The bytes behind each download: by media URL, or made on asking for a deferred download's file id."""

    def __init__(self) -> None:
        super().__init__()
        self.deferred: dict[str, Callable[[], bytes | str]] = {}

    def __missing__(self, file_id: str) -> bytes:
        data = self.deferred[file_id]()  # as the click on the button would
        self[file_id] = data.encode("utf-8") if isinstance(data, str) else data
        return self[file_id]

    def of(self, button: object) -> bytes:
        """What clicking this download button gives."""
        return self[button.proto.url or button.proto.deferred_file_id]


def as_read(markdown: str) -> str:
    """Markdown as a person reads it: without the backslashes that keep typed characters literal."""
    return re.sub(r"\\(.)", r"\1", markdown)
