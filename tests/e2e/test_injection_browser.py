"""Script and HTML typed into free text is shown as text and never runs: checked in a real browser.

People type into this app, and other people read what they typed: a member's name appears in the
facilitator's console, a board item on the projector, a case in the whole group's queue. Each free-text
field gets a payload with an <img onerror>, a <script>, <b>, a `javascript:` Markdown link, **bold** and
Streamlit's `:red[…]` (the longer fields also an <svg onload>, a raw <a href="javascript:…"> and a
Markdown image). Every screen that shows the text is then read the way a person would see it:

- `test_nothing_typed_runs_or_becomes_html`: `window.__pwned` stays unset, no dialog opens, no uncaught
  JavaScript error, and the app holds no <img src=x>, <script>, <b>, <svg onload> or `javascript:` link
  made from a payload.
- `test_typed_markdown_loads_no_image`: a Markdown image in typed text makes no <img> (which would make
  every reader's browser fetch an address of the writer's choosing).
- `test_typed_text_is_shown_as_typed`: every place on the screen that shows the field shows the typed
  characters literally.

Every field is typed through the real UI, in the form a person uses; what has no free text and is only
needed around it is set up through the core (listed at the end of the inventory).

Inventory: the free-text fields, and where what is typed in them is shown
---------------------------------------------------------------------------
Names and accounts
- person name, first run (pages/first_run.py) — own sidebar and welcome title.
- organisation name, first run — not shown on any screen for a real organisation (only the demo's
  banner and the overview's PDF report); the home screen after it is checked for safety only.
- person name, profile (pages/profile.py) — own sidebar and welcome; the cases queue and archive ("by …",
  to the group); the group's members list; the console's "who is here" and the owner of an action item
  (facilitator); the people list (coordinator).
- person name, joining with a code (pages/join.py) — own sidebar and welcome; members list; people list.
- e-mail addresses, passwords, invitation and session codes, the erase confirmation (sign-in, join,
  profile, people, follow) — not shown back as free text (passwords never; e-mails only in data frames
  and select boxes, validated as e-mail addresses; codes are letters and digits); not covered.
Groups (pages/groups.py, typed by a coordinator)
- group name — join preview (newcomer), home (waiting items and the groups table), surveys to answer,
  invitations list, overview: groups side by side (heatmap and table), goals (coordinator).
- label — the contract as a member reads it; overview table and "one group".
- description, confidentiality agreement, attendance rule — the contract as a member reads it.
Cases (pages/cases.py)
- title, situation, involved, own role, evoked, learning question, tried — my cases (bringer); the queue
  (facilitator, the whole group); the archive (title, learning question); the console's case choice
  (title) and the next check-in's "last case" (title).
- chosen advice (queue, facilitator) — archive.
- follow-up (my cases, bringer) — archive; the next session's check-in (under "last case").
Live session (pages/console.py, pages/follow.py)
- case told on the spot (console start) — the console's earlier sessions.
- board item, from the console and from a phone — console board, projector, the case bringer's phone.
- action item (console) — console action items; the next session's check-in.
- observation note (console) — shown on no screen (only in the report with the log, a download); the
  console is checked for safety after it is saved.
- the case bringer's choice (console, closing) — shown only in its own text area and the downloaded
  report; the closing screen is checked for safety after it is saved.
Methods (pages/method_editor.py, typed by a facilitator; the same text in Dutch and English)
- name, summary, notes, sources, phase name, purpose, prompts, rules, tips — the editor's draft and its
  list of saved methods; the library (card and opened method, with its timeline chart); a session with
  the method: console (phase, purpose, prompts, rules, tips, timeline), projector (phase, prompts,
  rules), a member's phone (phase, prompts, rules).
Set up through the core, as their own screens would: adding the member to the new group, an invitation
for it, a goal for it, a survey wave for it (no free text in those forms); the live sessions' phase
moves (LiveSetup), as a second device would; opening the session that runs the new method.
Not covered: survey instruments and method files uploaded as TOML (files, not fields); the Markdown and
PDF downloads (files, not screens); goals and surveys have no free-text fields.

Nothing typed runs or becomes HTML, and every place shows the characters as typed: what is drawn as
Markdown goes through ui.guard.escape_markdown (which also stops Streamlit's ':red[…]', ':smile:' and
':material/…:' directives), chart labels through intervision.charts.plain, the rest with st.text or in
data frames.

The module runs one demo server of its own (and one empty server for the first run), signs each person
in once, and reads each screen once in a module-scoped fixture per stage of the story. Screenshots of
every screen read go to test-artifacts/injection/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import DESKTOP, PHONE, PROJECTOR
from e2e_support import CHROMIUM, WELCOME, Server, button_name, main, settle, sign_in, start_server, text
from live_support import INFORMATION_ROUND, open_session, the_open_session
from playwright.sync_api import Browser, BrowserContext, Dialog, Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from intervision.database import Database

pytestmark = pytest.mark.browser


# --- what is typed ------------------------------------------------------------------------------


def short(tag: str) -> str:
    """Every kind of attack in the 80 characters a name or a group's label may have."""
    typed = f"{tag} <img src=x onerror=alert(1)><b>bold</b>**st**[go](javascript:alert(1)):red[x]"
    assert len(typed) <= 80
    return typed


def full(tag: str) -> str:
    """Every kind of attack in the 120 characters a title may have."""
    typed = (
        f"{tag} <img src=x onerror=__pwned=1> <script>__pwned=1</script> <b>bold</b> **stars** "
        "[click](javascript:__pwned=1) :red[x]"
    )
    assert len(typed) <= 120
    return typed


def long(tag: str) -> str:
    """For the longer texts: an SVG handler, a raw javascript: link and a Markdown image as well."""
    return full(tag) + ' <svg onload="__pwned=1"></svg> <a href="javascript:__pwned=1">link</a> ![pic](pixel.png)'


# Each field has its own tag, so a screen that shows several can tell them apart.
TYPED: dict[str, str] = {
    "person name (first run)": short("R2"),
    "organisation name (first run)": short("R1"),
    "person name (profile)": short("N1"),
    "person name (join)": short("J1"),
    "group name": short("G1"),
    "group label": short("G2"),
    "group description": long("G3"),
    "group confidentiality": long("G4"),
    "group attendance rule": long("G5"),
    "case title": full("C1"),
    "case situation": long("C2"),
    "case involved": long("C3"),
    "case own role": long("C4"),
    "case evoked": long("C5"),
    "case learning question": long("C6"),
    "case tried": long("C7"),
    "chosen advice": long("C8"),
    "case follow-up": long("C9"),
    "case told on the spot": full("S1"),
    "board item (console)": long("B1"),
    "board item (phone)": long("B2"),
    "action item": long("A1"),
    "observation note": long("O1"),
    "case bringer's choice": long("K1"),
    "method name": full("M1"),
    "method summary": long("M2"),
    "method notes": long("M3"),
    "method source": long("M4"),
    "phase name": full("M5"),
    "phase purpose": long("M6"),
    "phase prompt": long("M7"),
    "phase rule": long("M8"),
    "phase tip": long("M9"),
}


def tag_of(field: str) -> str:
    return TYPED[field].split(" ", 1)[0]


def marker(field: str) -> str:
    """What finds the field's text on a screen: its tag and the start of the payload ("C1 <img"), which
    no random code or token on the page contains, and which stays text wherever nothing is taken as HTML."""
    return tag_of(field) + " <img"


CASE_TEXTS = (
    "case title",
    "case situation",
    "case involved",
    "case own role",
    "case evoked",
    "case learning question",
    "case tried",
)
CASE_LABELS = ("title", "situation", "involved", "own_role", "evoked", "learning_question", "tried")
GROUP_TEXTS = ("group description", "group confidentiality", "group attendance rule")
PHASE_TEXTS = ("phase name", "phase purpose", "phase prompt", "phase rule", "phase tip")
METHOD_TEXTS = ("method name", "method summary", "method notes", "method source", *PHASE_TEXTS)


# --- where it is shown ------------------------------------------------------------------------------

# (stage, screen, field): every place where typed text is shown, to whoever typed it and to other people.
# A stage is a module-scoped fixture that types the text and reads its screens, in the order of the story.
SHOWN: list[tuple[str, str, str]] = []


def shown(stage: str, screen: str, *fields: str) -> str:
    SHOWN.extend((stage, screen, field) for field in fields)
    return screen


PROFILE = shown("member", "profile: own sidebar", "person name (profile)")
HOME = shown("member", "home: own welcome", "person name (profile)")
MY_CASES = shown("member", "cases: my cases (bringer)", *CASE_TEXTS)
QUEUE = shown("cases", "cases: queue (facilitator)", *CASE_TEXTS, "person name (profile)")
CASE_CHOICE = shown("cases", "console: start a session (facilitator)", "case title")
ARCHIVE = shown(
    "cases",
    "cases: archive (facilitator)",
    "case title",
    "case learning question",
    "chosen advice",
    "case follow-up",
    "person name (profile)",
)
JOIN_PREVIEW = shown("group", "join: invitation preview (newcomer)", "group name")
NEWCOMER_HOME = shown("group", "home: newcomer", "person name (join)", "group name")
CONTRACT = shown("group", "groups: contract (member)", "group label", *GROUP_TEXTS)
MEMBERS = shown("group", "groups: members (member)", "person name (profile)", "person name (join)")
MEMBER_HOME = shown("group", "home: member's groups", "group name")
SURVEY = shown("group", "surveys: to answer (member)", "group name")
PEOPLE = shown("group", "people: everyone (coordinator)", "person name (profile)", "person name (join)")
INVITATIONS = shown("group", "invitations (coordinator)", "group name")
SIDE_BY_SIDE = shown("group", "overview: groups side by side (coordinator)", "group name", "group label")
ONE_GROUP = shown("group", "overview: one group (coordinator)", "group label")
GOALS = shown("group", "overview: goals (coordinator)", "group name")
CHECK_IN = shown("live", "console: check-in", "person name (profile)", "case title", "case follow-up")
BOARD = ("board item (console)", "board item (phone)")
RUNNING = shown("live", "console: running", *BOARD, "action item", "person name (profile)")
PROJECTED = shown("live", "projector: board", *BOARD)
BRINGER_PHONE = shown("live", "follow: case bringer's phone", *BOARD)
CLOSING = shown("live", "console: closing", *BOARD, "action item", "person name (profile)")
HISTORY = shown("live", "console: earlier sessions", "case told on the spot")
DRAFT = shown("method", "my methods: the draft", "method name", "phase name")
SAVED = shown("method", "my methods: saved methods", "method name")
CARD = shown("method", "methods: library card", "method name", "method summary")
OPENED = shown("method", "methods: method opened", *METHOD_TEXTS)
NEXT_CHECK_IN = shown("method", "console: check-in of the next session", "action item", "person name (profile)")
CUSTOM_RUNNING = shown("method", "console: running a custom method", *PHASE_TEXTS)
CUSTOM_PROJECTED = shown("method", "projector: custom method", "phase name", "phase prompt", "phase rule")
CUSTOM_PHONE = shown("method", "follow: member's phone, custom method", "phase name", "phase prompt", "phase rule")
FIRST_HOME = shown("first_run", "home: first coordinator", "person name (first run)")
# Screens read only for safety: the text is in form fields there, or typed but shown nowhere.
INTAKE = "cases: bring a case (intake, as typed)"
SAFETY_ONLY = [("member", INTAKE)]


# --- reading a screen -----------------------------------------------------------------------------

# Elements a payload would make if it were taken as HTML, anywhere in the app.
MADE_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]') || document.body;
  const all = selector => [...app.querySelectorAll(selector)];
  return {
    'img[src=x]': all('img[src="x"]').length,
    'script with __pwned': [...document.querySelectorAll('script')]
      .filter(s => s.textContent.includes('__pwned')).length,
    'b "bold"': all('b').filter(e => e.textContent.trim() === 'bold').length,
    'svg[onload]': all('svg[onload]').length,
    'a[href^=javascript:]': all('a[href]').filter(a => /^\\s*javascript:/i.test(a.getAttribute('href'))).length,
  };
}"""

# Where a field shows on screen: the smallest block around each visible text node with its tag, as a person
# reads it (innerText; a chart's SVG text by its textContent; a data frame's cells by the accessible table
# behind its canvas). Form fields are what was typed, not what is shown, and are left out.
SIGHTINGS_JS = """(root, [tag, mark]) => {
  const found = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.textContent.includes(tag)) continue;
    const parent = node.parentElement;
    if (!parent || parent.closest('textarea, input, script, style, [data-testid="stCode"]')) continue;
    const svg = parent.closest('svg text');
    const block = svg || parent.closest('p, li, h1, h2, h3, h4, h5, h6, td, th, label, div');
    if (!block || found.some(f => f.block === block)) continue;
    const shownBy = parent.closest('svg, [data-testid="stDataFrame"]') || block;
    if (!shownBy.checkVisibility()) continue;
    const text = svg ? svg.textContent : block.innerText;
    if (!text.includes(mark)) continue;  // the tag by chance, in something else
    const widget = block.closest('[data-testid^="st"]');
    const words = ['stars', 'st', 'click', 'go', 'x', 'bold', 'link'];
    const marked = [...block.querySelectorAll('strong, em, a, span, img')]
      .filter(e => e.tagName === 'IMG' || words.includes(e.textContent.trim()))
      .map(e => e.tagName === 'IMG' ? `<img src=${e.getAttribute('src')}>`
                                    : `<${e.tagName.toLowerCase()}>${e.textContent.trim()}`);
    found.push({block, where: (widget && widget.dataset.testid) || block.tagName.toLowerCase(), text, marked});
  }
  return found.map(({where, text, marked}) => ({where, text, marked}));
}"""


@dataclass(frozen=True)
class Sighting:
    where: str  # the Streamlit element (its data-testid) that shows the text
    text: str  # what it shows
    marked: list[str]  # what Markdown made of the payload there: <strong>stars, <a>click …


@dataclass(frozen=True)
class Screen:
    """One screen as a person saw it: whether anything ran, and where each typed text showed up."""

    name: str
    pwned: object  # window.__pwned: only a payload sets it
    dialogs: tuple[str, ...]
    made: dict[str, int]
    js_errors: tuple[str, ...]
    images: int  # images loaded from a payload's Markdown, ![pic](pixel.png)
    sightings: dict[str, list[Sighting]]


def look(page: Page, name: str, shots: Path, within: Locator | None = None) -> Screen:
    """Read a screen: what ran, what a payload made, and where each field expected there shows up."""
    calm(page, pause_ms=500)
    page.screenshot(path=shots / f"{re.sub(r'[^a-z0-9]+', '-', name.lower()).strip('-')}.png")
    root = within or page.locator('[data-testid="stApp"]')
    fields = [field for _, screen, field in SHOWN if screen == name]
    return Screen(
        name=name,
        pwned=page.evaluate("() => window.__pwned"),
        dialogs=tuple(page.dialogs),
        made=page.evaluate(MADE_JS),
        js_errors=tuple(page.js_errors),
        images=page.locator('[data-testid="stApp"] img[src$="pixel.png"]').count(),
        sightings={
            field: [Sighting(**seen) for seen in root.evaluate(SIGHTINGS_JS, [tag_of(field) + " ", marker(field)])]
            for field in fields
        },
    )


# --- people and their browsers ------------------------------------------------------------------

COORDINATOR = "marieke.vandijk@demo.example"
FACILITATOR = "jeroen.bakker@demo.example"  # facilitates Leidinggevenden Zorg
MEMBER = "sofie.claes@demo.example"  # a member of it: renames herself, brings the case, follows on her phone
BRINGER = "hans.kuipers@demo.example"  # brings the case told on the spot (live_support's sessions)
NEWCOMER = "nieuw.lid@demo.example"
GROUP = "Leidinggevenden Zorg"
PASSWORD = "a-long-enough-password"


class Browsers:
    """A browser per person for the whole module: signing each person in once keeps the module quick.

    Every page records the dialogs that open (alert, confirm, prompt) and dismisses them, and its
    uncaught JavaScript errors. `page.polls` marks a screen that reruns by itself every second or two.
    """

    def __init__(self, chromium: Browser, server: Server) -> None:
        self.chromium = chromium
        self.server = server
        self.pages: dict[str, Page] = {}
        self.contexts: list[BrowserContext] = []

    def open(self, key: str, viewport: dict[str, int] = DESKTOP, polls: bool = False) -> Page:
        if key in self.pages:
            return self.pages[key]
        options: dict[str, object] = {"locale": "en-US", "viewport": viewport}
        if viewport is PHONE:
            options |= {"is_mobile": True, "has_touch": True, "device_scale_factor": 2}
        context = self.chromium.new_context(**options)
        context.set_default_timeout(30_000)  # the machine may be busy: a slow answer is not what is tested
        self.contexts.append(context)
        page = context.new_page()
        page.js_errors = []
        page.dialogs = []
        page.polls = polls
        page.on("pageerror", lambda error: page.js_errors.append(str(error)))

        def on_dialog(dialog: Dialog) -> None:
            page.dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        page.on("dialog", on_dialog)
        self.pages[key] = page
        return page

    def signed_in(self, email: str, key: str | None = None, viewport: dict[str, int] = DESKTOP) -> Page:
        key = key or email
        fresh = key not in self.pages
        page = self.open(key, viewport, polls=viewport is PHONE)
        if fresh:
            sign_in(page, self.server, email)
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()


def person(database: Database, email: str) -> object:
    from intervision import accounts

    found = accounts.person_by_email(database, email)
    assert found is not None, email
    return found


def stop(server: Server) -> None:
    server.stop()
    if "Traceback" in server.log():  # shown with a failing test's captured output
        print(f"--- server log {server.log_path} ---\n{server.log()}")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A demo server of this module's own: what is typed here stays out of the other tests' data.

    The people who act read English (set through the core), so the tests find the English labels."""
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    from intervision import accounts
    from intervision.models import Language

    server = start_server(tmp_path_factory.mktemp("injection"), demo=True)
    for email in (COORDINATOR, FACILITATOR, MEMBER, BRINGER):
        accounts.set_language(server.database, person(server.database, email).id, Language.EN)
    yield server
    stop(server)


@pytest.fixture(scope="module")
def browsers(chromium: Browser, server: Server) -> Iterator[Browsers]:
    opened = Browsers(chromium, server)
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def shots(artifacts: Path) -> Path:
    """Screenshots of every screen read, in test-artifacts/injection/."""
    folder = artifacts / "injection"
    folder.mkdir(exist_ok=True)
    return folder


# --- small ways of using a page ------------------------------------------------------------------


def calm(page: Page, pause_ms: int = 200) -> None:
    """Wait until Streamlit finished the script run. A screen that polls (console while running, projector,
    phone) is never quiet for long on a busy machine: there a short pause will do, and what matters is
    checked with expect() afterwards."""
    if page.polls:
        page.wait_for_timeout(pause_ms + 300)
    else:
        settle(page, pause_ms=pause_ms)


def visit(page: Page, url: str) -> None:
    page.goto(url, wait_until="domcontentloaded")
    calm(page)


def leave(*pages: Page) -> None:
    """Close a screen that polls the server once it has been read, so it stops loading the machine."""
    for page in pages:
        page.goto("about:blank")


def choose(page: Page, label: str, option: str | re.Pattern[str]) -> None:
    """Pick an option in a Streamlit select box (the first tap after a rerun sometimes opens nothing)."""
    box = main(page).get_by_label(label, exact=True)
    drawn_once(page, box)
    for _ in range(5):
        box.click()
        try:
            page.get_by_role("option", name=option, exact=isinstance(option, str)).first.click(timeout=2000)
        except PlaywrightTimeoutError:
            page.keyboard.press("Escape")
            continue
        calm(page)
        return
    raise AssertionError(f"the select box {label} did not open")


def pick(page: Page, label: str, option: str) -> None:
    """Add an option to a Streamlit multiselect."""
    main(page).get_by_label(label, exact=True).click()
    page.get_by_role("option", name=option, exact=True).click()
    page.keyboard.press("Escape")
    calm(page)


def drawn_once(page: Page, found: Locator) -> None:
    """On a screen that polls, wait until a rerun left no stale copy of what is about to be used: while
    Streamlit redraws, an element whose place moved shows twice for a moment."""
    if page.polls:
        expect(found).to_have_count(1)


def type_into(page: Page, label: str, typed: str, within: Locator | None = None, nth: int = 0) -> None:
    """Type into a text field and leave it, so Streamlit takes the value (a text area only on blur)."""
    fields = (within or main(page)).get_by_label(label, exact=True)
    drawn_once(page, fields)
    field = fields.nth(nth)
    field.fill(typed)
    field.press("Tab")
    calm(page, pause_ms=100)


def press(page: Page, key: str, within: Locator | None = None) -> None:
    button = (within or main(page)).get_by_role("button", name=button_name(text(key)))
    drawn_once(page, button)
    button.click()
    calm(page)


def tab(page: Page, key: str) -> None:
    main(page).get_by_role("tab", name=text(key), exact=True).click()
    calm(page)


def says(page: Page, key: str, **params: object) -> None:
    expect(main(page).get_by_text(text(key, **params), exact=True)).to_be_visible()


def container(page: Page, containing: str) -> Locator:
    """The innermost visible block with a heading (a case in the queue, a method's card) holding this text."""
    blocks = main(page).locator('[data-testid="stVerticalBlock"]')
    return blocks.filter(has_text=containing, visible=True).filter(has=page.locator("h4")).last


def open_expander(page: Page, label: str, within: Locator) -> None:
    within.locator("summary").filter(has_text=label).first.click()
    calm(page)


@contextmanager
def full_screen(page: Page, frame: Locator) -> Iterator[None]:
    """A data frame in full screen on a tall window, so that all its rows are drawn (and readable)."""
    size = page.viewport_size
    page.set_viewport_size({"width": DESKTOP["width"], "height": 2400})
    frame.hover()
    page.locator('[data-testid="stElementToolbar"]').get_by_role("button", name="Fullscreen").click()
    page.wait_for_timeout(500)
    try:
        yield
    finally:
        page.keyboard.press("Escape")
        page.set_viewport_size(size)


# --- stage "member": a member renames herself and brings in a case --------------------------------


@pytest.fixture(scope="module")
def member(server: Server, browsers: Browsers, shots: Path) -> dict[str, Screen]:
    """Typed in the browser: the member's name on her profile, then the seven texts of a case."""
    screens = {}
    page = browsers.signed_in(MEMBER)
    visit(page, server.url("/profile"))
    type_into(page, text("field.name"), TYPED["person name (profile)"])
    press(page, "common.save")
    says(page, "profile.saved")
    screens[PROFILE] = look(page, PROFILE, shots, within=page.locator('[data-testid="stSidebar"]'))
    visit(page, server.url("/"))
    screens[HOME] = look(page, HOME, shots, within=main(page))

    visit(page, server.url("/cases"))
    choose(page, text("cases.group"), GROUP)
    for field, label in zip(CASE_TEXTS, CASE_LABELS, strict=True):
        type_into(page, text(f"cases.{label}"), TYPED[field])
    choose(page, text("cases.question_type"), text("question_type.own_behaviour"))
    main(page).get_by_text(text("cases.anonymised")).click()
    calm(page)
    screens[INTAKE] = look(page, INTAKE, shots)
    press(page, "cases.submit")
    says(page, "cases.submitted")
    tab(page, "cases.mine")
    open_expander(page, text("cases.read"), within=container(page, marker("case title")))
    screens[MY_CASES] = look(page, MY_CASES, shots, within=main(page))
    return screens


# --- stage "cases": the facilitator reads the case, chooses it and records it; its bringer follows up --


@pytest.fixture(scope="module")
def cases(member: dict[str, Screen], server: Server, browsers: Browsers, shots: Path) -> dict[str, Screen]:
    """The case as the facilitator reads it; the chosen advice and the follow-up typed in the browser."""
    screens = {}
    page = browsers.signed_in(FACILITATOR)
    visit(page, server.url("/cases"))
    tab(page, "cases.queue")
    open_expander(page, text("cases.read"), within=container(page, marker("case title")))
    screens[QUEUE] = look(page, QUEUE, shots, within=main(page))

    visit(page, server.url("/session"))
    expect(main(page).get_by_role("heading", name=text("live.start_title"))).to_be_visible()
    screens[CASE_CHOICE] = look(page, CASE_CHOICE, shots, within=main(page))

    visit(page, server.url("/cases"))
    tab(page, "cases.queue")
    press(page, "cases.choose", within=container(page, marker("case title")))
    says(page, "cases.chosen")
    tab(page, "cases.queue")  # the page was drawn again, on its first tab
    chosen = container(page, marker("case title"))
    type_into(page, text("cases.chosen_advice"), TYPED["chosen advice"], within=chosen)
    press(page, "cases.record", within=chosen)
    says(page, "cases.recorded")

    bringer = browsers.signed_in(MEMBER)
    visit(bringer, server.url("/cases"))
    tab(bringer, "cases.mine")
    mine = container(bringer, marker("case title"))
    type_into(bringer, text("cases.follow_up"), TYPED["case follow-up"], within=mine)
    press(bringer, "cases.follow_up_save", within=mine)
    says(bringer, "cases.followed_up")

    visit(page, server.url("/cases"))
    tab(page, "cases.archive")
    screens[ARCHIVE] = look(page, ARCHIVE, shots, within=main(page))
    return screens


# --- stage "group": a coordinator makes a group, a newcomer joins it, members and the overview read it --


def set_up_around_the_group(database: Database) -> str:
    """What has no free text, through the core as its own screens would: the member joins the new group,
    which gets a goal and a survey wave; returns the code of an invitation to it."""
    from datetime import timedelta

    from intervision import clock, goals, groups, invitations, membership, surveys
    from intervision.models import GoalInput, GoalMeasure, GroupRole, InvitationInput

    coordinator = person(database, COORDINATOR)
    group_id = next(g.id for g, _ in groups.visible_groups(database, coordinator) if g.name == TYPED["group name"])
    member = person(database, MEMBER)
    invitation = membership.invite(database, coordinator, group_id, member.id, GroupRole.MEMBER)
    membership.accept(database, member, invitation)
    due = clock.today() + timedelta(days=90)
    goal = GoalInput(group_id=group_id, measure=GoalMeasure.SESSIONS_HELD, target=4, due=due)
    goals.add_goal(database, coordinator, goal)
    surveys.open_wave(database, coordinator, group_id, next(iter(surveys.instruments(database))), "start")
    return invitations.create_invitation(database, coordinator, InvitationInput(group_id=group_id)).code


@pytest.fixture(scope="module")
def group(cases: dict[str, Screen], server: Server, browsers: Browsers, shots: Path) -> dict[str, Screen]:
    """A group's five texts and a newcomer's name typed in the browser; read by the newcomer, a member and
    the coordinator on every screen that shows them."""
    screens = {}
    coordinator = browsers.signed_in(COORDINATOR)
    visit(coordinator, server.url("/groups"))
    choose(coordinator, text("field.group"), text("groups.new"))
    for field, label in [
        ("group name", "field.group_name"),
        ("group label", "field.label"),
        ("group description", "field.description"),
        ("group confidentiality", "field.confidentiality"),
        ("group attendance rule", "field.attendance_rule"),
    ]:
        type_into(coordinator, text(label), TYPED[field])
    press(coordinator, "groups.create")
    says(coordinator, "groups.created")
    code = set_up_around_the_group(server.database)

    newcomer = browsers.open("newcomer")
    visit(newcomer, server.url(f"/join?code={code}"))
    screens[JOIN_PREVIEW] = look(newcomer, JOIN_PREVIEW, shots, within=main(newcomer))
    for label, typed in [
        ("field.name", TYPED["person name (join)"]),
        ("field.email", NEWCOMER),
        ("field.password", PASSWORD),
        ("field.password_again", PASSWORD),
    ]:
        type_into(newcomer, text(label), typed)
    press(newcomer, "join.create_button")
    expect(newcomer.get_by_role("heading", level=1, name=WELCOME)).to_be_visible()
    screens[NEWCOMER_HOME] = look(newcomer, NEWCOMER_HOME, shots)

    member = browsers.signed_in(MEMBER)
    visit(member, server.url("/groups"))
    choose(member, text("field.group"), TYPED["group name"])
    screens[CONTRACT] = look(member, CONTRACT, shots, within=main(member))
    tab(member, "groups.members")
    screens[MEMBERS] = look(member, MEMBERS, shots, within=main(member))
    visit(member, server.url("/"))
    screens[MEMBER_HOME] = look(member, MEMBER_HOME, shots, within=main(member))
    visit(member, server.url("/surveys"))
    screens[SURVEY] = look(member, SURVEY, shots, within=main(member))

    visit(coordinator, server.url("/people"))
    with full_screen(coordinator, main(coordinator).locator('[data-testid="stDataFrame"]').first):
        screens[PEOPLE] = look(coordinator, PEOPLE, shots, within=main(coordinator))
    visit(coordinator, server.url("/invitations"))
    screens[INVITATIONS] = look(coordinator, INVITATIONS, shots, within=main(coordinator))
    visit(coordinator, server.url("/overview"))
    # The table's cells are read from its accessibility table, which the grid fills once it has drawn.
    table = main(coordinator).locator('[data-testid="stDataFrame"] table').first
    expect(table).to_contain_text(marker("group label"))
    screens[SIDE_BY_SIDE] = look(coordinator, SIDE_BY_SIDE, shots, within=main(coordinator))
    tab(coordinator, "overview.one_group")
    choose(coordinator, text("field.group"), TYPED["group name"])
    screens[ONE_GROUP] = look(coordinator, ONE_GROUP, shots, within=main(coordinator))
    tab(coordinator, "overview.goals")
    screens[GOALS] = look(coordinator, GOALS, shots, within=main(coordinator))
    return screens


# --- stage "live": a session in the console, on the projector and on phones ---------------------------


@pytest.fixture(scope="module")
def live(group: dict[str, Screen], server: Server, browsers: Browsers, shots: Path) -> dict[str, Screen]:
    """The facilitator opens a session for a case told on the spot and types a board item, an action item,
    an observation note and the bringer's choice; a member sends a board item from her phone. The phases
    move on through the core (LiveSetup), as a second device would."""
    screens = {}
    console = browsers.signed_in(FACILITATOR)
    visit(console, server.url("/session"))
    main(console).get_by_text(text("live.case_on_the_spot"), exact=True).click()
    calm(console)
    type_into(console, text("live.spot_title"), TYPED["case told on the spot"])
    choose(console, text("live.method"), re.compile(r"^([✓✗] )?Incident method · 50′$"))
    choose(console, text("session_role.case_bringer"), "Hans Kuipers")
    press(console, "live.start")
    expect(main(console).get_by_role("heading", name=text("live.check_in"))).to_be_visible()
    screens[CHECK_IN] = look(console, CHECK_IN, shots, within=main(console))

    console.polls = True  # from the first phase on, the console's clock and board redraw every second
    press(console, "live.begin")
    session = the_open_session(server.database, FACILITATOR, GROUP)
    session.go_to(INFORMATION_ROUND)
    expect(main(console).get_by_role("heading", name=session.phase_name("en"))).to_be_visible()
    type_into(console, text("live.text"), TYPED["board item (console)"])
    press(console, "live.add_to_board")
    says(console, "live.sent")
    type_into(console, text("live.action_text"), TYPED["action item"])
    choose(console, text("live.owner"), TYPED["person name (profile)"])
    press(console, "live.add_action")
    says(console, "live.action_added")
    # Confirmed, so that the next session looks back on it.
    confirm = main(console).locator('[data-testid="stCheckbox"]').filter(has_text=marker("action item"))
    drawn_once(console, confirm)
    confirm.click()
    calm(console)
    press(console, "level.content")
    type_into(console, text("live.note"), TYPED["observation note"])
    press(console, "live.save_details")
    says(console, "live.details_saved")

    phone = browsers.signed_in(MEMBER, key="member-phone", viewport=PHONE)
    visit(phone, server.url(session.follow_path))
    type_into(phone, text("live.text"), TYPED["board item (phone)"])
    press(phone, "live.send")
    says(phone, "live.sent")
    leave(phone)

    expect(main(console).get_by_text(marker("board item (phone)")).first).to_be_visible()
    screens[RUNNING] = look(console, RUNNING, shots, within=main(console))
    projector = browsers.open("projector", PROJECTOR, polls=True)
    visit(projector, server.url(session.projector_path))
    expect(main(projector).get_by_text(marker("board item (phone)")).first).to_be_visible()
    screens[PROJECTED] = look(projector, PROJECTED, shots, within=main(projector))
    leave(projector)
    bringer = browsers.signed_in(BRINGER, key="bringer-phone", viewport=PHONE)
    visit(bringer, server.url(session.follow_path))
    expect(main(bringer).get_by_text(marker("board item (phone)")).first).to_be_visible()
    screens[BRINGER_PHONE] = look(bringer, BRINGER_PHONE, shots, within=main(bringer))
    leave(bringer)

    session.to_closing()
    expect(main(console).get_by_role("heading", name=text("live.closing"))).to_be_visible()
    console.polls = False
    calm(console)
    type_into(console, text("live.choice"), TYPED["case bringer's choice"])
    press(console, "live.save_choice")
    says(console, "live.choice_saved")
    screens[CLOSING] = look(console, CLOSING, shots, within=main(console))
    press(console, "live.close")
    says(console, "live.closed")
    press(console, "live.start_title")
    expect(main(console).get_by_role("heading", name=text("live.history"))).to_be_visible()
    screens[HISTORY] = look(console, HISTORY, shots, within=main(console))
    return screens


# --- stage "method": a facilitator writes a method, reads it in the library, runs a session with it ----


def custom_method_id(database: Database) -> str:
    from intervision import method_library
    from intervision.models import Language

    entries = method_library.available_methods(database, person(database, FACILITATOR))
    return next(e.method.id for e in entries if e.custom and e.method.name(Language.EN) == TYPED["method name"])


@pytest.fixture(scope="module")
def method(live: dict[str, Screen], server: Server, browsers: Browsers, shots: Path) -> dict[str, Screen]:
    """Every text of a method typed in the editor (the same in Dutch and English); then the library, and a
    session with the method (opened through the core) in the console, on the projector and on a phone."""
    screens = {}
    page = browsers.signed_in(FACILITATOR)
    visit(page, server.url("/my-methods"))
    press(page, "editor.start")
    for language in ("nl", "en"):
        type_into(page, text(f"editor.name_{language}"), TYPED["method name"], nth=0)
        type_into(page, text(f"editor.summary_{language}"), TYPED["method summary"])
        type_into(page, text(f"editor.notes_{language}"), TYPED["method notes"])
        type_into(page, text(f"editor.name_{language}"), TYPED["phase name"], nth=1)  # the first phase's
        for field in ("purpose", "prompts", "rules", "tips"):
            type_into(page, text(f"editor.{field}_{language}"), TYPED[f"phase {field.removesuffix('s')}"])
    type_into(page, text("editor.sources"), TYPED["method source"])
    pick(page, text("methods.question_types"), text("question_type.own_behaviour"))
    pick(page, text("methods.wants"), text("want.advice"))
    pick(page, text("methods.group_phase"), text("phase.norming"))
    says(page, "editor.valid")
    screens[DRAFT] = look(page, DRAFT, shots, within=main(page))
    press(page, "editor.save")
    says(page, "editor.saved", version=1)
    screens[SAVED] = look(page, SAVED, shots, within=main(page))

    visit(page, server.url("/methods"))
    card = container(page, marker("method name"))
    screens[CARD] = look(page, CARD, shots, within=card)
    press(page, "methods.open", within=card)
    open_expander(page, text("methods.tips"), within=container(page, marker("phase name")))
    screens[OPENED] = look(page, OPENED, shots, within=main(page))

    session = open_session(server.database, FACILITATOR, GROUP, custom_method_id(server.database))
    try:
        visit(page, server.url("/session"))
        expect(main(page).get_by_role("heading", name=text("live.check_in"))).to_be_visible()
        screens[NEXT_CHECK_IN] = look(page, NEXT_CHECK_IN, shots, within=main(page))
        page.polls = True
        press(page, "live.begin")
        expect(main(page).get_by_role("heading", name=re.compile(re.escape(marker("phase name"))))).to_be_visible()
        open_expander(page, text("live.tips"), within=main(page))  # folded on the console, to keep it one screen
        screens[CUSTOM_RUNNING] = look(page, CUSTOM_RUNNING, shots, within=main(page))
        leave(page)
        projector = browsers.open("projector", PROJECTOR, polls=True)
        visit(projector, server.url(session.projector_path))
        expect(main(projector).get_by_role("heading", name=re.compile(re.escape(marker("phase name"))))).to_be_visible()
        screens[CUSTOM_PROJECTED] = look(projector, CUSTOM_PROJECTED, shots, within=main(projector))
        leave(projector)
        phone = browsers.signed_in(MEMBER, key="member-phone", viewport=PHONE)
        visit(phone, server.url(session.follow_path))
        expect(main(phone).get_by_role("heading", name=re.compile(re.escape(marker("phase name"))))).to_be_visible()
        screens[CUSTOM_PHONE] = look(phone, CUSTOM_PHONE, shots, within=main(phone))
        leave(phone)
    finally:
        session.close()
    return screens


# --- stage "first_run": the organisation's first coordinator, on an empty server of its own -----------


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory, chromium: Browser, shots: Path) -> Iterator[dict[str, Screen]]:
    """The organisation's name and its first coordinator's name typed on the first-run screen."""
    server = start_server(tmp_path_factory.mktemp("injection-first-run"))
    opened = Browsers(chromium, server)
    try:
        page = opened.open("first coordinator")
        visit(page, server.url("/"))
        for label, typed in [
            ("field.organisation_name", TYPED["organisation name (first run)"]),
            ("field.name", TYPED["person name (first run)"]),
            ("field.email", "eerste@organisatie.example"),
            ("field.password", PASSWORD),
            ("field.password_again", PASSWORD),
        ]:
            type_into(page, text(label), typed)
        press(page, "first_run.create_button")
        expect(page.get_by_role("heading", level=1, name=WELCOME)).to_be_visible()
        yield {FIRST_HOME: look(page, FIRST_HOME, shots)}
    finally:
        opened.close()
        stop(server)


# --- the tests -------------------------------------------------------------------------------------


def screen_of(request: pytest.FixtureRequest, stage: str, name: str) -> Screen:
    """The screen as its stage read it."""
    return request.getfixturevalue(stage)[name]


SCREENS = sorted({(stage, screen) for stage, screen, _ in SHOWN} | set(SAFETY_ONLY), key=lambda s: s[1])


@pytest.mark.parametrize(("stage", "name"), SCREENS, ids=[name for _, name in SCREENS])
def test_nothing_typed_runs_or_becomes_html(request: pytest.FixtureRequest, stage: str, name: str) -> None:
    """Whatever was typed, the screen runs none of it and makes no element of it."""
    screen = screen_of(request, stage, name)
    assert screen.pwned is None, f"{name}: a payload ran (window.__pwned = {screen.pwned!r})"
    assert not screen.dialogs, f"{name}: a payload opened a dialog: {screen.dialogs}"
    made = {element: count for element, count in screen.made.items() if count}
    assert not made, f"{name}: elements made from a payload: {made}"
    assert not screen.js_errors, f"{name}: JavaScript errors: {screen.js_errors}"


@pytest.mark.parametrize(("stage", "name"), SCREENS, ids=[name for _, name in SCREENS])
def test_typed_markdown_loads_no_image(request: pytest.FixtureRequest, stage: str, name: str) -> None:
    """An image written in Markdown ('![pic](pixel.png)') stays text: typed text must not make the browsers
    of other people fetch anything (an outside address would learn who reads the screen, and when)."""
    screen = screen_of(request, stage, name)
    assert not screen.images, f"{name}: {screen.images} image(s) loaded from typed Markdown"


@pytest.mark.parametrize(("stage", "name", "field"), SHOWN, ids=[f"{field} @ {screen}" for _, screen, field in SHOWN])
def test_typed_text_is_shown_as_typed(request: pytest.FixtureRequest, stage: str, name: str, field: str) -> None:
    """Everywhere the screen shows the field, a person reads exactly the characters that were typed."""
    sightings = screen_of(request, stage, name).sightings[field]
    assert sightings, f"{field} is not shown on {name} ({marker(field)!r} not found)"
    wrong = [seen for seen in sightings if TYPED[field] not in seen.text]
    assert not wrong, f"{field} on {name} is not shown as typed:\n  typed: {TYPED[field]}\n" + "\n".join(
        f"  shown in {seen.where}: {seen.text}" + (f"  (made: {', '.join(seen.marked)})" if seen.marked else "")
        for seen in wrong
    )
