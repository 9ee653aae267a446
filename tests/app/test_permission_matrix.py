"""The permission matrix, proven through the screens: every download for every role, and a person who takes
part in one group and facilitates another, screen by screen.

intervision/permissions.py holds the rule (tests/unit/test_permissions.py writes it out in full); the guard
decides who opens which screen (tests/app/test_access.py). This module checks what a person *notices*: which
files each role is offered, for which group, and what is in them; and, for someone whose role differs per
group, what each screen shows and lets them do in each of their groups, and that a third group stays shut.

The world is the demo organisation plus, made through the core as the product makes it:
- Mira Verbeek, a newcomer who made her account with a coordinator's member invitation to group A and then
  joined group B with a facilitator invitation: a participant in A, the facilitator of B;
- in every group a queued case, and in A, B and C a closed session, each with texts that name their group
  (A's report sent to its group);
- a method of C's facilitator; and in A and B closed safety surveys, one with too few answers to show.

Groups: A "Leidinggevenden Zorg" (Jeroen Bakker facilitates; Sofie Claes and Mira take part), B "Onderwijsteam
Basisschool De Regenboog" (Annelies Verhoeven and Mira facilitate), C "Wijkverpleging Noord" (Fatima El
Amrani facilitates), D "Jeugdhulp Gent" (Pieter De Smet facilitates; Sofie takes part).
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from driving import (
    ACCESS,
    NOT_ALLOWED,
    ROOT,
    SHOWN,
    SIGN_IN_FIRST,
    TITLES,
    app,
    assert_healthy,
    deep_link,
    open_page,
    query,
    refusals,
    texts,
    values,
)
from google.protobuf import text_format
from streamlit.testing.v1 import AppTest

from intervision import accounts, cases, clock, db, invitations, live, method_library, shared_reports, surveys
from intervision.database import configured as configured_database
from intervision.i18n import t
from intervision.instruments import shipped_instruments
from intervision.methods import Name, built_in_library, parse_method
from intervision.models import (
    BoardItemInput,
    CaseInput,
    GroupRole,
    InvitationInput,
    JoinInput,
    Language,
    NewAccountInput,
    Person,
    Role,
    StartSessionInput,
)
from ui.registry import SCREENS

EN = Language.EN
GROUPS = {
    "A": "Leidinggevenden Zorg",
    "B": "Onderwijsteam Basisschool De Regenboog",
    "C": "Wijkverpleging Noord",
    "D": "Jeugdhulp Gent",
}
CAST = {
    "coordinator": "Marieke van Dijk",  # in no group
    "facilitator": "Jeroen Bakker",  # facilitates A
    "participant": "Sofie Claes",  # takes part in A and D
    "mixed": "Mira Verbeek",  # takes part in A, facilitates B (made in this module)
}
ROLES = [*CAST, "signed_out"]
# The groups whose case texts, boards and session reports each role may read (DOMAIN.md: a case stays with its
# group; coordinators see counts, never case texts).
READS = {"coordinator": "", "facilitator": "A", "participant": "AD", "mixed": "AB", "signed_out": ""}
LEADS = {"facilitator": "A", "mixed": "B"}  # whose sessions' reports the console offers
SAFETY = "psychological_safety"
MIRA_EMAIL = "mira.verbeek@demo.example"
C_METHOD = "Methode van de begeleider van groep C"


def secrets_of(letter: str) -> dict[str, str]:
    """The texts planted in one group: each names its group, so a leak shows where it came from."""
    return {
        "case": f"Casus die alleen groep {letter} kent",
        "situation": f"Wat er in groep {letter} speelde, tot het kritieke moment.",
        "session": f"Sessie van groep {letter}",
        "insight": f"Inzicht op het bord van groep {letter}",
        "choice": f"Wat de inbrenger in groep {letter} koos",
    }


def foreign_secrets(role: str) -> list[str]:
    """Everything planted in the groups this role is not in (for a coordinator: every group)."""
    return [text for letter in GROUPS if letter not in READS[role] for text in secrets_of(letter).values()]


# --- the world, made once per module through the core, copied for every test ----------------------------


@dataclass(frozen=True)
class World:
    people: dict[str, Person]  # by role in CAST
    groups: dict[str, int]  # by letter
    sessions: dict[str, int]  # the planted closed session, by letter
    methods: dict[str, str]  # custom method ids: "A" (Jeroen's, from the demo) and "C" (Fatima's, planted)

    def person(self, role: str) -> Person | None:
        return self.people.get(role)


def _named(name: str) -> Person:
    [(email,)] = query("SELECT email FROM people WHERE name = ?", (name,))
    found = accounts.person_by_email(configured_database(), email)
    assert found is not None, name
    return found


def _group_id(name: str) -> int:
    return query("SELECT id FROM groups WHERE name = ?", (name,))[0][0]


def _make_mira(coordinator: Person, group_a: int, group_b: int) -> Person:
    """The coordinator invites a newcomer to A as a member and, later, to facilitate B: both through codes."""
    member = invitations.create_invitation(configured_database(), coordinator, InvitationInput(group_id=group_a))
    password = "een lang wachtwoord voor Mira"
    person_id = invitations.create_account_with_code(
        configured_database(),
        NewAccountInput(name=CAST["mixed"], email=MIRA_EMAIL, password=password, password_again=password, language=EN),
        JoinInput(code=member.code),
    )
    mira = accounts.person(configured_database(), person_id)
    assert mira is not None and mira.role is Role.PARTICIPANT, "a member invitation makes a participant"
    lead = invitations.create_invitation(
        configured_database(),
        coordinator,
        InvitationInput(group_id=group_b, group_role=GroupRole.FACILITATOR, max_uses=3),
    )
    invitations.join_with_code(configured_database(), mira, JoinInput(code=lead.code))
    return mira


def _bring_case(author: Person, group_id: int, letter: str) -> None:
    secret = secrets_of(letter)
    cases.submit_case(
        configured_database(),
        author,
        CaseInput(
            group_id=group_id,
            title=secret["case"],
            situation=secret["situation"],
            learning_question=f"Hoe open ik in groep {letter} het gesprek?",
            question_type="own_behaviour",
            anonymised=True,
        ),
    )


def _closed_session(leader: Person, group_id: int, letter: str) -> int:
    """A session told on the spot, run to its closing round, with an insight on the board and a choice."""
    secret = secrets_of(letter)
    form = StartSessionInput(group_id=group_id, spot_case_title=secret["session"], method_id="incident")
    session_id = live.start_session(configured_database(), leader, form)

    def revision() -> int:
        return live.console_view(configured_database(), leader, session_id).session.revision

    live.begin_phases(configured_database(), leader, session_id, revision())
    live.move(configured_database(), leader, session_id, revision(), steps=99)  # past the last phase: the closing round
    live.send_to_board(
        configured_database(), leader, session_id, BoardItemInput(kind="insight", text=secret["insight"])
    )
    live.record_bringer_choice(configured_database(), leader, session_id, secret["choice"])
    live.close_session(configured_database(), leader, session_id, revision())
    return session_id


def _scoring(score: int) -> dict[str, int | None]:
    """Safety answers whose scale score is `score` (reverse-scored items answered the other way round)."""
    instrument = shipped_instruments().instruments[SAFETY]
    return {
        item.id: instrument.lowest + instrument.highest - score if item.reverse else score for item in instrument.items
    }


def _closed_wave(leader: Person, group_id: int, scores: list[tuple[Person, int]], days_ago: int) -> None:
    opened = clock.utcnow() - timedelta(days=days_ago)
    wave_id = surveys.open_wave(configured_database(), leader, group_id, SAFETY, "start", now=opened)
    for member, score in scores:
        surveys.answer(configured_database(), member, wave_id, _scoring(score), now=opened)
    surveys.close_wave(configured_database(), leader, wave_id, now=opened + timedelta(days=7))


# Scale scores of single people in the waves with too few answers: none of them may be in any export.
HIDDEN_SCORES = {"A": (2, 5), "B": (4, 5)}


def _build() -> World:
    groups = {letter: _group_id(name) for letter, name in GROUPS.items()}
    coordinator = _named(CAST["coordinator"])
    mira = _make_mira(coordinator, groups["A"], groups["B"])
    jeroen, sofie, fatima = _named(CAST["facilitator"]), _named(CAST["participant"]), _named("Fatima El Amrani")
    authors = {"A": "Hans Kuipers", "B": "Sanne Jansen", "C": "Lotte de Vries", "D": "Lieselot Maes"}
    for letter, author in authors.items():
        _bring_case(_named(author), groups[letter], letter)
    sessions = {
        "A": _closed_session(jeroen, groups["A"], "A"),
        "B": _closed_session(mira, groups["B"], "B"),
        "C": _closed_session(fatima, groups["C"], "C"),
    }
    # A's facilitator sends its report to the group: its members read it on "Reports and action items".
    shared_reports.share_with_group(configured_database(), jeroen, sessions["A"])
    clinic = built_in_library().methods["clinic"]
    own = clinic.model_copy(update={"name": Name(nl=C_METHOD, en=C_METHOD)})
    c_method = method_library.save_custom_method(configured_database(), fatima, own).id
    hans = _named("Hans Kuipers")
    low, high = HIDDEN_SCORES["A"]
    _closed_wave(jeroen, groups["A"], [(mira, low), (sofie, high)], days_ago=40)
    _closed_wave(jeroen, groups["A"], [(mira, 2), (sofie, 3), (hans, 3)], days_ago=20)
    low, high = HIDDEN_SCORES["B"]
    sanne, tim, esther = _named("Sanne Jansen"), _named("Tim van den Berg"), _named("Esther Brouwer")
    _closed_wave(mira, groups["B"], [(sanne, low), (tim, high)], days_ago=30)
    _closed_wave(mira, groups["B"], [(sanne, 2), (tim, 3), (esther, 3)], days_ago=10)
    return World(
        people={role: _named(name) for role, name in CAST.items()},
        groups=groups,
        sessions=sessions,
        methods={"A": "custom_1", "C": c_method},
    )


@pytest.fixture(scope="module")
def template(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, World]:
    """The demo plus this module's world, built once: argon2 and the sessions make it the slow part."""
    path = tmp_path_factory.mktemp("permission-matrix") / "world.db"
    shutil.copyfile(demo_template, path)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("INTERVISION_DB", str(path))
        db.migrate()
        world = _build()
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()
    return path, world


@pytest.fixture
def world(template: tuple[Path, World], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    """This test's own copy of the world: a test may click and write freely."""
    source, built = template
    path = tmp_path / "t.db"
    shutil.copyfile(source, path)
    monkeypatch.setenv("INTERVISION_DB", str(path))
    return built


# --- reading the screens ----------------------------------------------------------------------------------

AS_ACCESS_ROLE = {"mixed": "participant_facilitator"}  # driving.ACCESS knows the demo's mixed person


def visit(world: World, role: str, screen: str) -> AppTest:
    """The screen as this person opens it: through the navigation where driving.ACCESS says they may, otherwise
    by a deep link on a fresh server, where nothing but the page's own guard stands in the way."""
    person = world.person(role)
    at = app(person)
    at.session_state["language"] = "en"
    if ACCESS[screen][AS_ACCESS_ROLE.get(role, role)] is SHOWN:
        open_page(at, SCREENS[screen].file)
    else:
        deep_link(at, SCREENS[screen].file)
    assert_healthy(at)
    return at


def run(at: AppTest) -> AppTest:
    at.run()
    assert_healthy(at)
    return at


def click(at: AppTest, button: object) -> AppTest:
    button.click()  # type: ignore[attr-defined]
    return run(at)


def is_open(at: AppTest) -> bool:
    """The page drew itself (its title), no guard refused, and it did not send a signed-out visitor to sign in."""
    titles = values(at.title)
    return bool(titles) and titles != [TITLES["sign_in"]] and not {SIGN_IN_FIRST, NOT_ALLOWED} & set(refusals(at))


def buttons(at: AppTest, prefix: str) -> list:
    return [button for button in at.button if (button.key or "").startswith(prefix)]


def downloads(at: AppTest, offered: dict[str, bytes]) -> dict[str, bytes]:
    """The download buttons on the screen, by label, with the bytes each one hands out (a deferred download's
    bytes are made on asking, as a click would: conftest's `offered`)."""
    return {button.label: offered[button.proto.url or button.proto.deferred_file_id] for button in at.download_button}


def options(at: AppTest, key: str) -> list[str]:
    found = [box for box in at.selectbox if box.key == key]
    return found[0].options if found else []


def tab_text(at: AppTest, label: str) -> str:
    [tab] = [tab for tab in at.tabs if tab.label == label]
    return "\n".join(
        text_format.MessageToString(node.proto, as_utf8=True) for node in tab if getattr(node, "proto", None)
    )


# --- every download, for every role ---------------------------------------------------------------------
#
# Y: the role is offered the file (the button is there); ".": it is not, because the screen is refused or has
# no such button for them. Rules: permissions.py (VIEW_CASE_COUNTS, RUN_SESSION, CREATE_METHOD,
# VIEW_SURVEY_RESULTS, VIEW_OVERVIEW, EXPORT_OWN_DATA) and the screens' access (ui/registry.py).

OFFERED = """
                            coordinator  facilitator  participant  mixed  signed_out
case counts (CSV)           Y            .            .            .      .
session report (Markdown)   .            Y            .            Y      .
session report (PDF)        .            Y            .            Y      .
method card (HTML)          Y            Y            Y            Y      .
method export (TOML)        Y            Y            .            Y      .
survey results (CSV)        Y            Y            Y            Y      .
overview report (PDF)       Y            .            .            .      .
overview figures (CSV)      Y            .            .            .      .
programme report (PDF)      Y            .            .            .      .
programme report (CSV)      Y            .            .            .      .
my data (JSON)              Y            Y            Y            Y      .
shared report (PDF)         .            Y            Y            Y      .
"""


def _open_the_latest_report(at: AppTest, world: World, role: str) -> AppTest:
    """The console lists the led group's earlier sessions; the newest (the planted one) opens its report."""
    earlier = buttons(at, "report.")
    return click(at, earlier[0]) if earlier else at


def _open_the_incident_method(at: AppTest, world: World, role: str) -> AppTest:
    return click(at, at.button(key="open.incident"))


def _copy_the_incident_method(at: AppTest, world: World, role: str) -> AppTest:
    at.radio(key="method_start.how").set_value("copy")
    run(at)
    at.selectbox(key="method_start.copy").set_value("incident")
    [start] = [button for button in at.button if button.label == t("editor.start", EN)]
    return click(at, start)


def _safety_results_of_a(at: AppTest, world: World, role: str) -> AppTest:
    """Every role that is offered survey results may read group A's (the coordinator, its facilitator, members)."""
    at.selectbox(key="results_group").set_value(world.groups["A"])
    at.selectbox(key="results_instrument").set_value(SAFETY)
    return run(at)


def _csv_rows(data: bytes) -> list[list[str]]:
    """An English CSV (intervision/csv_export.py): a byte order mark, then `,` between cells."""
    text = data.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=","))


def _case_counts(data: bytes, world: World, role: str) -> None:
    rows = _csv_rows(data)
    assert rows[0] == ["Group", "Brought in", "Discussed", "Followed up"]
    assert all(cell.isdigit() for row in rows[1:] for cell in row[1:]), "counts, nothing else"


def _session_report(data: bytes, world: World, role: str) -> None:
    """The report of a session of the group this person leads: its board, its choice; no other group's."""
    report = data.decode("utf-8")
    own = secrets_of(LEADS[role])
    assert own["session"] in report and own["insight"] in report and own["choice"] in report


def _pdf(data: bytes, world: World, role: str) -> None:
    """A PDF (the session report's prints what the Markdown checked above holds; its text is not searched)."""
    assert data.startswith(b"%PDF")


def _method_card(data: bytes, world: World, role: str) -> None:
    card = data.decode("utf-8")
    assert "<html" in card.lower() and "Incident method" in card


def _method_export(data: bytes, world: World, role: str) -> None:
    """A method file that reads back as a method, and holds nobody's name or address."""
    method = parse_method(data.decode("utf-8"), "export.toml")
    assert "Incident method" in method.name(EN)
    person = world.person(role)
    assert person is not None and person.email not in data.decode("utf-8")


# No reliability column: Cronbach's alpha of one wave's handful of answers says nothing (DOMAIN.md section 6).
AGGREGATE_COLUMNS = ["Survey", "Instrument", "Answers", "Mean", "95% interval", "Spread (SD)"]


def _survey_results(data: bytes, world: World, role: str) -> None:
    """Group A's safety survey: aggregates only; the wave with two answers shows neither a mean nor a score."""
    assert_aggregates_only(data, "A")


def assert_aggregates_only(data: bytes, letter: str) -> None:
    rows = [dict(zip(AGGREGATE_COLUMNS, row, strict=True)) for row in _csv_rows(data)[1:]]
    assert _csv_rows(data)[0] == AGGREGATE_COLUMNS
    hidden = [row for row in rows if row["Answers"] == "< 3"]
    assert hidden, "the wave with two answers is in the file, as not shown"
    for row in hidden:
        assert row["Mean"] == "not shown: fewer than 3" and row["95% interval"] == row["Spread (SD)"] == ""
    assert any(row["Answers"].isdigit() and int(row["Answers"]) >= 3 for row in rows), "a wave with enough answers"
    text = data.decode("utf-8")
    low, high = HIDDEN_SCORES[letter]
    for alone in (low, high, (low + high) / 2):
        assert f"{alone:.2f}" not in text, f"one person's score {alone} (or the mean of two) is in the file"
    # The file writes its numbers as numbers, with a decimal comma ("3,5"): read every figure back as one.
    for row in rows:
        figures = [row["Mean"], row["Spread (SD)"], *row["95% interval"].split("–")]
        read = {float(figure.replace(",", ".")) for figure in figures if re.fullmatch(r"\d+([.,]\d+)?", figure)}
        assert not read & {low, high, (low + high) / 2}, f"one person's score (or the mean of two) is in {row}"
    names = [name for (name,) in query("SELECT name FROM people")]
    assert not [name for name in names if name in text], "nobody is named"


def _overview_figures(data: bytes, world: World, role: str) -> None:
    """Figures per group (what is in them, and never a case or a note: tests/app/test_overview_privacy.py)."""
    assert len(_csv_rows(data)) > 1


def _programme_figures(data: bytes, world: World, role: str) -> None:
    """The demo programme's four levels: figures, and nobody named (what else is never in it:
    tests/unit/test_programme_report.py)."""
    rows = _csv_rows(data)
    assert len(rows) > 1
    names = [name for (name,) in query("SELECT name FROM people")]
    assert not [name for name in names if name in data.decode("utf-8")], "nobody is named"


def _my_data(data: bytes, world: World, role: str) -> None:
    """Everything about the person who asks, and nobody else's address."""
    person = world.person(role)
    assert person is not None
    document = json.loads(data.decode("utf-8"))
    assert document["account"]["email"] == person.email
    mine = {row[0] for row in query("SELECT group_id FROM memberships WHERE person_id = ?", (person.id,))}
    assert {membership["group_id"] for membership in document["memberships"]} == mine
    others = [email for (email,) in query("SELECT email FROM people WHERE id != ?", (person.id,))]
    assert not [email for email in others if email in data.decode("utf-8")]


@dataclass(frozen=True)
class Download:
    screen: str
    label: str  # the button's i18n key
    reach: Callable[[AppTest, World, str], AppTest] | None  # the clicks from the screen to the button
    check: Callable[[bytes, World, str], None]  # what is in the file, for whoever is offered it


DOWNLOADS = {
    "case counts (CSV)": Download("cases", "cases.download", None, _case_counts),
    "session report (Markdown)": Download(
        "console", "live.download_markdown", _open_the_latest_report, _session_report
    ),
    "session report (PDF)": Download("console", "live.download_pdf", _open_the_latest_report, _pdf),
    "method card (HTML)": Download("methods", "methods.card", _open_the_incident_method, _method_card),
    "method export (TOML)": Download("method_editor", "editor.export", _copy_the_incident_method, _method_export),
    "survey results (CSV)": Download("surveys", "surveys.download", _safety_results_of_a, _survey_results),
    "overview report (PDF)": Download("overview", "overview.download_pdf", None, _pdf),
    "overview figures (CSV)": Download("overview", "overview.download_csv", None, _overview_figures),
    "programme report (PDF)": Download("programmes", "programme_report.download_pdf", None, _pdf),
    "programme report (CSV)": Download("programmes", "programme_report.download_csv", None, _programme_figures),
    "my data (JSON)": Download("profile", "profile.download_data", None, _my_data),
    "shared report (PDF)": Download("reports", "report_mail.download_pdf", None, _pdf),
}


def _offered_table() -> dict[tuple[str, str], bool]:
    lines = OFFERED.strip().splitlines()
    header = lines[0].split()
    assert header == ROLES, header
    table = {}
    for line in lines[1:]:
        name, cells = line[:28].strip(), line[28:].split()
        assert name in DOWNLOADS and len(cells) == len(ROLES), line
        for role, cell in zip(ROLES, cells, strict=True):
            table[name, role] = cell == "Y"
    return table


OFFERED_TABLE = _offered_table()
WHO = {
    "coordinator": "the coordinator",
    "facilitator": "a facilitator",
    "participant": "a participant",
    "mixed": "who takes part in A and facilitates B",
    "signed_out": "a signed-out visitor",
}


def test_the_table_names_every_download_button_in_the_pages():
    """A new st.download_button in pages/ (or the console's screens in ui/console/) needs its own row above."""
    screens = [*(ROOT / "pages").glob("*.py"), *(ROOT / "ui" / "console").glob("*.py")]
    in_pages = sum(path.read_text().count(".download_button(") for path in screens)
    assert in_pages == len(DOWNLOADS)
    assert {name for name, _ in OFFERED_TABLE} == set(DOWNLOADS)


@pytest.mark.parametrize(
    ("download", "role"),
    [
        pytest.param(
            name, role, id=f"{WHO[role]} is {'offered' if OFFERED_TABLE[name, role] else 'not offered'} the {name}"
        )
        for name in DOWNLOADS
        for role in ROLES
    ],
)
def test_who_is_offered_each_download_and_what_is_in_it(world, offered, download, role):
    """The button is there exactly where the table says. A file that is offered holds what its check expects, and
    nothing planted in a group the person is not in."""
    spec = DOWNLOADS[download]
    at = visit(world, role, spec.screen)
    if spec.reach and is_open(at):
        at = spec.reach(at, world, role)
    files = downloads(at, offered)
    label = t(spec.label, EN)

    if not OFFERED_TABLE[download, role]:
        assert label not in files, f"{WHO[role]} is offered the {download}"
        return
    assert label in files, f"{WHO[role]} is not offered the {download}: {list(files)}"
    data = files[label]
    spec.check(data, world, role)
    text = data.decode("utf-8", "replace")
    assert not [secret for secret in foreign_secrets(role) if secret in text]


# --- for which group or object each download is offered ---------------------------------------------------


@pytest.mark.parametrize(
    "role",
    [
        pytest.param(role, id=f"{WHO[role]} gets the reports of the sessions of group {LEADS[role]} only")
        for role in LEADS
    ],
)
def test_the_console_offers_reports_of_the_led_groups_sessions_only(world, offered, role):
    """RUN_SESSION: a session's report (board, choice, the facilitator's private log) is its facilitator's."""
    led = LEADS[role]
    at = visit(world, role, "console")
    assert options(at, "start.group_id") == [GROUPS[led]]
    listed = [button.label for button in buttons(at, "report.")]
    # Only the sessions held since they joined the group: Mira joined B today and is offered her own session only.
    [(joined,)] = query(
        "SELECT joined_at FROM memberships WHERE group_id = ? AND person_id = ?",
        (world.groups[led], world.people[role].id),
    )
    closed = query(
        "SELECT count(*) FROM live_sessions WHERE group_id = ? AND status = 'closed' AND started_at >= ?",
        (world.groups[led], joined),
    )
    assert len(listed) == min(20, closed[0][0])
    if role == "mixed":
        assert len(listed) == 1
    assert secrets_of(led)["session"] in listed[0]
    assert not [label for label in listed for text in foreign_secrets(role) if text in label]

    click(at, at.button(key=f"report.{world.sessions[led]}"))
    report = downloads(at, offered)[t("live.download_markdown", EN)].decode("utf-8")
    assert secrets_of(led)["insight"] in report
    for letter in set(GROUPS) - {led}:
        assert secrets_of(letter)["insight"] not in report


# The groups whose survey results (charts, table, CSV) each role is offered. A coordinator outside the group
# sees aggregates as far as the group's contract reports them to the organisation (DOMAIN.md: the contract says
# what is reported, "usually only attendance"; pages/overview.py and the case counts follow it); B's contract
# reports attendance only.
SURVEY_GROUPS = {"coordinator": "ACD", "facilitator": "A", "participant": "AD", "mixed": "AB"}


@pytest.mark.parametrize(
    "role",
    [
        pytest.param(
            role,
            id=f"{WHO[role]} gets survey results of group(s) {' and '.join(SURVEY_GROUPS[role])} only",
        )
        for role in SURVEY_GROUPS
    ],
)
def test_survey_results_are_offered_for_these_groups_only(world, role):
    """The results' group list is what decides whose charts, table and CSV a person can get."""
    at = visit(world, role, "surveys")
    assert set(options(at, "results_group")) == {GROUPS[letter] for letter in SURVEY_GROUPS[role]}


# Custom methods, by the group of whoever wrote them: A's facilitator's (the demo's) and C's facilitator's
# (planted). A custom method is for its author, the members of the groups the author facilitates, and the
# coordinator (who decides on sharing it); built-in methods are for everyone. Its card and its copy follow.
METHODS_OF = {"coordinator": "AC", "facilitator": "A", "participant": "A", "mixed": "A"}


@pytest.mark.parametrize(
    "role",
    [
        pytest.param(role, id=f"{WHO[role]} may open and print the own method(s) of {' and '.join(METHODS_OF[role])}")
        for role in METHODS_OF
    ],
)
def test_the_library_offers_the_custom_methods_a_person_may_use(world, role):
    """A method's card is printed from the library: only a method that can be opened can be printed."""
    at = visit(world, role, "methods")
    custom = {key.removeprefix("open.") for key in (b.key for b in buttons(at, "open.custom_"))}
    assert custom == {world.methods[letter] for letter in METHODS_OF[role]}


@pytest.mark.parametrize(
    "role",
    [
        pytest.param(role, id=f"{WHO[role]} may copy and export the own method(s) of {' and '.join(METHODS_OF[role])}")
        for role in ("coordinator", "facilitator", "mixed")
    ],
)
def test_the_editor_copies_only_the_methods_a_person_may_use(world, role):
    """A copy is exported as a method file: copying someone's method must not reach past who may read it."""
    at = visit(world, role, "method_editor")
    at.radio(key="method_start.how").set_value("copy")
    run(at)
    names = {"A": "Incident method, short", "C": C_METHOD}
    offered_names = options(at, "method_start.copy")
    assert {letter for letter, name in names.items() if name in offered_names} == set(METHODS_OF[role])


# --- the person who takes part in A and facilitates B, screen by screen -------------------------------------
#
# Mira's organisation role is participant; what she may do in a group follows her role there (permissions.py:
# "the same person can facilitate one group and take part in another"). Each row below is one thing she would
# notice on one screen; C and D are groups she is not in.

MIXED: list = []  # pytest.param(check, id=...), filled by @mixed below


def mixed(screen: str, sentence: str, *marks: pytest.MarkDecorator) -> Callable:
    """Register a check of what the mixed person notices on `screen`, under a test id that reads as a sentence."""

    def register(check: Callable[[World, dict[str, bytes]], None]) -> Callable:
        MIXED.append(pytest.param(check, id=f"{screen}: {sentence}", marks=marks))
        return check

    return register


def mira_on(world: World, screen: str) -> AppTest:
    return visit(world, "mixed", screen)


def choose(at: AppTest, key: str, letter: str, world: World) -> AppTest:
    at.selectbox(key=key).set_value(world.groups[letter])
    return run(at)


def under_way(leader: Person, group_id: int) -> str:
    """A session started (and at its check-in) in this group; its join code."""
    session_id = live.start_session(
        configured_database(),
        leader,
        StartSessionInput(group_id=group_id, spot_case_title="Vandaag verteld", method_id="incident"),
    )
    return live.console_view(configured_database(), leader, session_id).session.join_code


def link_after(at: AppTest, text: str) -> str | None:
    """The label of the first page link drawn after the message that holds `text`, if there is such a message."""
    nodes = list(at.main)
    said = [index for index, node in enumerate(nodes) if node.type == "info" and text in node.value]
    links = [node.value for node in nodes[said[0] :] if node.type == "page_link"] if said else []
    return links[0] if links else None


def case_id(letter: str) -> int:
    return query("SELECT id FROM cases WHERE title = ?", (secrets_of(letter)["case"],))[0][0]


def open_wave(group_id: int) -> int:
    [(wave_id,)] = query("SELECT id FROM survey_waves WHERE group_id = ? AND closed_at IS NULL", (group_id,))
    return wave_id


def my_score_drawn(at: AppTest) -> bool:
    name = t("surveys.my_score", EN)
    return any(
        trace.get("name") == name for chart in at.get("plotly_chart") for trace in json.loads(chart.proto.spec)["data"]
    )


# home ------------------------------------------------------------------------------------------------------


@mixed("home", "her groups are A, where she is a member, and B, which she facilitates; no other group")
def home_lists_her_groups(world: World, offered: dict[str, bytes]) -> None:
    at = mira_on(world, "home")
    rows = at.dataframe[0].value
    assert dict(zip(rows["Group"], rows["My role"], strict=True)) == {GROUPS["A"]: "Member", GROUPS["B"]: "Facilitator"}


@mixed("home", "a session under way in A sends her to follow it, one in B to run it, and one in C is not mentioned")
def home_points_to_follow_or_console(world: World, offered: dict[str, bytes]) -> None:
    under_way(world.people["facilitator"], world.groups["A"])
    under_way(world.people["mixed"], world.groups["B"])
    under_way(accounts.person_by_email(configured_database(), "fatima.elamrani@demo.example"), world.groups["C"])
    at = mira_on(world, "home")
    assert link_after(at, GROUPS["A"]) == t("nav.follow", EN)
    assert link_after(at, GROUPS["B"]) == t("nav.console", EN)
    assert not [info for info in values(at.info) if GROUPS["C"] in info]


# groups ----------------------------------------------------------------------------------------------------


@mixed("groups", "she may choose A or B, no other group, and may not start a new group")
def groups_offers_hers(world: World, offered: dict[str, bytes]) -> None:
    at = mira_on(world, "groups")
    assert options(at, "group_choice") == [GROUPS["A"], GROUPS["B"]]


def _form_ids(at: AppTest) -> set[str]:
    return {form.proto.form.form_id for form in at.get("form")}


@mixed("groups", "in A she reads the contract and who joined when; may not change it, invite, remove or plan")
def groups_a_read_only(world: World, offered: dict[str, bytes]) -> None:
    at = choose(mira_on(world, "groups"), "group_choice", "A", world)
    assert t("groups.your_role", EN, role="Member") in values(at.caption)
    assert _form_ids(at) == set(), "no contract form, no invitation form, no planning form"
    assert buttons(at, "remove.") == []
    assert [frame for frame in at.dataframe if "Who" in frame.value.columns], "the group's membership history"
    assert t("groups.delete_title", EN) not in [expander.label for expander in at.expander]


@mixed("groups", "in B she edits the contract, invites members (not facilitators), plans sessions, may not delete it")
def groups_b_leads(world: World, offered: dict[str, bytes]) -> None:
    group = world.groups["B"]
    at = choose(mira_on(world, "groups"), "group_choice", "B", world)
    assert t("groups.your_role", EN, role="Facilitator") in values(at.caption)
    assert {f"group.{group}", f"invite.{group}", f"plan.{group}"} <= _form_ids(at)
    assert options(at, f"invite.{group}.group_role") == ["Member"]
    annelies = accounts.person_by_email(configured_database(), "annelies.verhoeven@demo.example")
    removable = {button.key for button in buttons(at, f"remove.{group}.")}
    assert removable and f"remove.{group}.{annelies.id}" not in removable, "the other facilitator stays"
    assert t("groups.delete_title", EN) not in [expander.label for expander in at.expander]


# cases -----------------------------------------------------------------------------------------------------


@mixed("cases", "she may bring a case to A or B, and to no other group")
def cases_bring_to_hers(world: World, offered: dict[str, bytes]) -> None:
    at = mira_on(world, "cases")
    assert options(at, "case.group_id") == [GROUPS["A"], GROUPS["B"]]


@mixed("cases", "in A she reads the waiting case and may vote for it, but may not choose it")
def cases_a_member(world: World, offered: dict[str, bytes]) -> None:
    at = choose(mira_on(world, "cases"), "queue_group", "A", world)
    queue = tab_text(at, t("cases.queue", EN))
    assert secrets_of("A")["case"] in queue and secrets_of("A")["situation"] in queue
    assert f"vote.{case_id('A')}" in {button.key for button in buttons(at, "vote.")}
    assert buttons(at, "choose.") == []


@mixed("cases", "in B she reads the waiting case and may choose it for the next session")
def cases_b_facilitator(world: World, offered: dict[str, bytes]) -> None:
    at = choose(mira_on(world, "cases"), "queue_group", "B", world)
    assert secrets_of("B")["situation"] in tab_text(at, t("cases.queue", EN))
    assert f"choose.{case_id('B')}" in {button.key for button in buttons(at, "choose.")}


@mixed("cases", "no tab and no group she may pick shows anything of C's or D's cases")
def cases_nothing_of_others(world: World, offered: dict[str, bytes]) -> None:
    at = mira_on(world, "cases")
    seen = [texts(at)]
    for key in ("queue_group", "archive_group"):
        for letter in "AB":
            seen.append(texts(choose(at, key, letter, world)))
    shown = "\n".join(seen)
    assert secrets_of("A")["case"] in shown and secrets_of("B")["case"] in shown, "the reading would see a leak"
    assert not [secret for secret in foreign_secrets("mixed") if secret in shown]


# surveys ---------------------------------------------------------------------------------------------------


@mixed("surveys", "she answers A's open survey, and gets none of B's to answer: she leads B")
def surveys_answers_as_member_only(world: World, offered: dict[str, bytes]) -> None:
    at = mira_on(world, "surveys")
    # Each survey she may answer has its own save button (pages/surveys.py: `save_answers.<wave id>`).
    answerable = {button.key for button in at.button if (button.key or "").startswith("save_answers.")}
    assert answerable == {f"save_answers.{open_wave(world.groups['A'])}"}


@mixed("surveys", "she opens and closes survey waves for B only")
def surveys_manages_b_only(world: World, offered: dict[str, bytes]) -> None:
    at = mira_on(world, "surveys")
    assert options(at, "manage_group") == [GROUPS["B"]]


@mixed("surveys", "in A she sees her own score beside the group's, and no one else's answer")
def surveys_a_own_score(world: World, offered: dict[str, bytes]) -> None:
    at = _safety_results_of_a(mira_on(world, "surveys"), world, "mixed")
    assert my_score_drawn(at)
    assert_aggregates_only(downloads(at, offered)[t("surveys.download", EN)], "A")


@mixed("surveys", "in B she sees no own score and no one's answer, only how many answered")
def surveys_b_no_individual(world: World, offered: dict[str, bytes]) -> None:
    at = mira_on(world, "surveys")
    at.selectbox(key="results_group").set_value(world.groups["B"])
    at.selectbox(key="results_instrument").set_value(SAFETY)
    run(at)
    assert not my_score_drawn(at)
    assert_aggregates_only(downloads(at, offered)[t("surveys.download", EN)], "B")
    waves = tab_text(at, t("surveys.manage", EN))
    members = query(
        "SELECT p.name FROM memberships m JOIN people p ON p.id = m.person_id"
        " WHERE m.group_id = ? AND m.group_role = 'member'",
        (world.groups["B"],),
    )
    for answered in (2, 3):
        assert t("surveys.rate", EN, respondents=answered, members=len(members)) in waves
    results = tab_text(at, t("surveys.results", EN))
    assert not [name for (name,) in members if name in waves + results], "how many answered, never who"


# console ---------------------------------------------------------------------------------------------------


@mixed("console", "she may open a session for B, and it starts with the check-in")
def console_starts_b(world: World, offered: dict[str, bytes]) -> None:
    at = mira_on(world, "console")
    assert options(at, "start.group_id") == [GROUPS["B"]], "never A, where she only takes part"
    [start] = [button for button in at.button if button.label == t("live.start", EN)]
    at = click(at, start)
    assert values(at.header)[:1] == [t("live.check_in", EN)]
    assert query("SELECT group_id FROM live_sessions WHERE status = 'check_in'") == [(world.groups["B"],)]


@mixed("console", "a session under way in A does not open in her console: she takes part in it, not runs it")
def console_not_a(world: World, offered: dict[str, bytes]) -> None:
    code = under_way(world.people["facilitator"], world.groups["A"])
    at = mira_on(world, "console")
    assert t("live.start_title", EN) in values(at.subheader)
    assert code not in texts(at)


# follow ----------------------------------------------------------------------------------------------------


@mixed("follow", "she follows A's session under way, found for her without typing the code")
def follow_a(world: World, offered: dict[str, bytes]) -> None:
    code = under_way(world.people["facilitator"], world.groups["A"])
    at = mira_on(world, "follow")
    assert at.text_input(key="follow.code").value == code
    assert not at.error
    assert t("follow.waiting", EN) in texts(at), "the session, at its check-in"
    # At the check-in nothing is collected, so no send field yet (pages/follow.py); sending itself is tested
    # in tests/app/test_follow.py.
    assert "send" not in _form_ids(at)


@mixed("follow", "the code of C's session under way is refused")
def follow_not_c(world: World, offered: dict[str, bytes]) -> None:
    code = under_way(accounts.person_by_email(configured_database(), "fatima.elamrani@demo.example"), world.groups["C"])
    at = mira_on(world, "follow")
    at.text_input(key="follow.code").set_value(code)
    run(at)
    assert values(at.error) == [t("error.not_allowed", EN)]
    assert not at.get("form"), "nothing to send to C's board"


# methods, my methods ---------------------------------------------------------------------------------------


@mixed("methods", "the chooser takes a group's size and phase from A or B only")
def methods_chooser_groups(world: World, offered: dict[str, bytes]) -> None:
    assert options(mira_on(world, "methods"), "chooser.group") == [GROUPS["A"], GROUPS["B"]]


@mixed("method_editor", "a method she saves goes to the members of B, whom she leads, not to those of A")
def method_editor_saves_for_b(world: World, offered: dict[str, bytes]) -> None:
    at = _copy_the_incident_method(mira_on(world, "method_editor"), world, "mixed")
    [save] = [button for button in at.button if button.label == t("editor.save", EN)]
    click(at, save)
    [(method_id,)] = query("SELECT method_id FROM custom_methods WHERE author_id = ?", (world.people["mixed"].id,))
    for person, sees in ((_named("Sanne Jansen"), True), (world.people["participant"], False)):
        library = app(person)
        library.session_state["language"] = "en"
        open_page(library, SCREENS["methods"].file)
        assert (f"open.{method_id}" in {button.key for button in library.button}) is sees, person.name


# overview, people ------------------------------------------------------------------------------------------


@mixed("overview", "is refused: it is the coordinator's")
def overview_refused(world: World, offered: dict[str, bytes]) -> None:
    at = mira_on(world, "overview")
    assert NOT_ALLOWED in refusals(at) and not values(at.title)


@mixed("people", "is refused: it is the coordinator's")
def people_refused(world: World, offered: dict[str, bytes]) -> None:
    at = mira_on(world, "people")
    assert NOT_ALLOWED in refusals(at) and not values(at.title)


# invitations -----------------------------------------------------------------------------------------------


@mixed("invitations", "she invites to B only, and only as a member")
def invitations_b_members(world: World, offered: dict[str, bytes]) -> None:
    at = mira_on(world, "invitations")
    assert options(at, "invitation.group_id") == [GROUPS["B"]]
    assert options(at, "invitation.group_role") == ["Member"]


@mixed("invitations", "she makes an invitation to B and sees its code, and no code of A's invitations")
def invitations_lists_b_only(world: World, offered: dict[str, bytes]) -> None:
    at = mira_on(world, "invitations")
    [create] = [button for button in at.button if button.label == t("invitations.create", EN)]
    shown = texts(click(at, create))
    [(made, group)] = query("SELECT code, group_id FROM invitations WHERE created_by = ?", (world.people["mixed"].id,))
    assert group == world.groups["B"] and made in shown
    others = query("SELECT code FROM invitations WHERE group_id != ?", (world.groups["B"],))
    assert not [code for (code,) in others if code in shown]


@mixed(
    "invitations",
    "the code of B's open facilitator invitation, which she may not make herself, is not shown to her",
)
def invitations_hide_facilitator_codes(world: World, offered: dict[str, bytes]) -> None:
    [(code,)] = query(
        "SELECT code FROM invitations WHERE group_id = ? AND group_role = 'facilitator' AND revoked_at IS NULL",
        (world.groups["B"],),
    )
    assert invitations.invitation_preview(configured_database(), code) is not None, "the code can still be used"
    assert code not in texts(mira_on(world, "invitations"))


# profile ---------------------------------------------------------------------------------------------------


@mixed("profile", "her data is hers: a member of A, facilitator of B, her own survey answers, nobody else's address")
def profile_my_data(world: World, offered: dict[str, bytes]) -> None:
    mira = world.people["mixed"]
    at = mira_on(world, "profile")
    data = downloads(at, offered)[t("profile.download_data", EN)]
    _my_data(data, world, "mixed")
    document = json.loads(data.decode("utf-8"))
    roles = {membership["group_id"]: membership["group_role"] for membership in document["memberships"]}
    assert roles == {world.groups["A"]: "member", world.groups["B"]: "facilitator"}
    answered = query("SELECT count(*) FROM survey_responses WHERE person_id = ?", (mira.id,))[0][0]
    assert len(document["survey_responses"]) == answered == 2
    assert {response["group_id"] for response in document["survey_responses"]} == {world.groups["A"]}


@pytest.mark.parametrize("check", MIXED)
def test_who_takes_part_in_a_and_facilitates_b(world, offered, check):
    """One row of the table above: her role in each group, not her organisation role, decides."""
    check(world, offered)
