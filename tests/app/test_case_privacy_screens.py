"""A case stays with its group: no screen and no download shows its title or texts to anyone outside it.

Every group gets cases of its own in every state (queued, voted for, chosen, discussed and followed up,
withdrawn, a draft) next to the demo's. Then the demo coordinator, who is in no group, and participants of
other groups open every screen they may open, choose every group where a screen lets them, and everything
a screen holds is read: all strings of every element (labels, options, values, tables), the data frames,
and the files offered for download. No case text may be among it. A member of the group, read the same
way, does see the texts: so the reading would notice a leak.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

import pytest
from driving import app, assert_healthy, open_page, query, texts, values
from google.protobuf.message import Message
from streamlit.runtime.media_file_manager import MediaFileManager

from intervision import accounts, auth, cases, db, demo, store
from intervision.database import configured as configured_database
from intervision.demo_cases import CASES
from intervision.models import CaseInput, DiscussionInput, FollowUpInput, Language, Person
from ui.guard import Viewer, may_open
from ui.registry import SCREENS

TEXT_COLUMNS = ("title", "situation", "involved", "own_role", "evoked", "learning_question", "tried")
TEXT_COLUMNS += ("chosen_advice", "follow_up")
SHORTEST = 12  # shorter pieces of text ("Ik", "Advies") could be on a screen for other reasons
COORDINATOR_SCREENS = {
    "home", "groups", "cases", "console", "follow", "surveys", "methods", "method_editor", "people", "profile",
    "invitations", "overview", "observer", "programmes", "learning_goals", "reports",
}  # fmt: skip
# Participants of one group only: "Onderwijsteam Basisschool De Regenboog" and "Wijkverpleging Noord".
UNRELATED = ["Sanne Jansen", "Lotte de Vries"]
# Where a screen lets you pick a group (or another view), every choice is read.
CHOICES = {
    "groups": ["group_choice"],
    "cases": ["queue_group", "archive_group"],
    "methods": ["chooser.group"],
}


# --- the cases of every group ----------------------------------------------------------------------


def _person(person_id: int) -> Person:
    with db.reading() as conn:
        found = store.person(conn, person_id)
    assert found is not None
    return found


def _named(name: str) -> Person:
    found = accounts.person_by_email(configured_database(), demo.demo_email(name))
    assert found is not None, name
    return found


def _members(group_id: int, role: str) -> list[Person]:
    rows = query(
        "SELECT person_id FROM memberships WHERE group_id = ? AND group_role = ? ORDER BY person_id",
        (group_id, role),
    )
    return [_person(row[0]) for row in rows]


def _bring(author: Person, group_id: int, number: int, state: str, group: str) -> int:
    return cases.submit_case(
        configured_database(),
        author,
        CaseInput(
            group_id=group_id,
            title=f"Vertrouwelijk {number}: {state} bij {group}",
            situation=f"Geheime situatie {number} van {group}. Niemand buiten {group} leest zin {number}.",
            involved=f"Betrokkenen van casus {number}, alleen bij rol genoemd",
            own_role=f"Mijn eigen rol in casus {number}, als begeleider",
            evoked=f"Wat casus {number} bij mij opriep: twijfel",
            learning_question=f"Hoe kan ik in casus {number} het gesprek openen?",
            question_type="own_behaviour",
            tried=f"Wat ik in casus {number} al probeerde: uitstellen",
            anonymised=True,
        ),
    )


def _cases_in(group_id: int, group: str, members: list[Person], first: int, writer: Person) -> dict[str, str]:
    """A group's own case in every state, numbered from `first`: its title per state."""
    [facilitator] = _members(group_id, "facilitator")
    ids = {}
    for number, (state, author) in enumerate(
        [
            ("opgevolgd", members[0]),
            ("gekozen", members[1]),
            ("ingetrokken", members[2]),
            ("in de wachtrij", members[0]),
        ],
        start=first,
    ):
        ids[state] = _bring(author, group_id, number, state, group)
    advice = f"Gekozen advies bij {group}: eerst luisteren, dan benoemen."
    cases.choose_case(configured_database(), facilitator, ids["opgevolgd"])
    cases.record_discussion(
        configured_database(),
        facilitator,
        ids["opgevolgd"],
        DiscussionInput(method_id="incident", chosen_advice=advice),
    )
    cases.follow_up(
        configured_database(),
        members[0],
        ids["opgevolgd"],
        FollowUpInput(text=f"Nabespreking bij {group}: het gesprek lukte."),
    )
    cases.choose_case(configured_database(), facilitator, ids["gekozen"])
    cases.withdraw_case(configured_database(), members[2], ids["ingetrokken"])
    cases.vote(configured_database(), members[1], ids["in de wachtrij"])
    draft = f"Vertrouwelijk concept van {group}"
    cases.save_draft(
        configured_database(),
        writer,
        group_id,
        {"title": draft, "situation": f"Een half geschreven situatie van {group}."},
    )
    titles = {state: query("SELECT title FROM cases WHERE id = ?", (case_id,))[0][0] for state, case_id in ids.items()}
    return titles | {"concept": draft}


@pytest.fixture
def group_cases(people) -> dict[str, dict[str, str]]:
    """Per group: the title of its own case in each state, next to the demo's cases.

    The authors are other members than the two demo participants who read the screens in these tests.
    """
    made: dict[str, dict[str, str]] = {}
    drafted: set[int] = set()
    observers = {people.participant.id, people.participant_facilitator.id}
    for group_id, group in query("SELECT id, name FROM groups ORDER BY id"):
        members = [member for member in _members(group_id, "member") if member.id not in observers]
        writer = next(member for member in reversed(members) if member.id not in drafted)  # one draft each
        drafted.add(writer.id)
        made[group] = _cases_in(group_id, group, members, 10 * len(made) + 1, writer)
    return made


def _pieces(text: str) -> list[str]:
    """A case text, and each of its sentences: a screen that shows part of it leaks too."""
    sentences = re.split(r"(?<=[.!?])\s+", text.strip())
    return [piece for piece in [text.strip(), *sentences] if len(piece) >= SHORTEST]


def case_texts(group_ids: list[int] | None = None, statuses: tuple[str, ...] | None = None) -> set[str]:
    """Every text (and sentence) of the cases in these groups, as the database holds them."""
    rows = query(f"SELECT group_id, status, {', '.join(TEXT_COLUMNS)} FROM cases")
    found: set[str] = set()
    for group_id, status, *texts_ in rows:
        if (group_ids is None or group_id in group_ids) and (statuses is None or status in statuses):
            for text in texts_:
                found.update(_pieces(text or ""))
    return found


def group_ids_of(person: Person) -> list[int]:
    return [row[0] for row in query("SELECT group_id FROM memberships WHERE person_id = ?", (person.id,))]


def group_id(name: str) -> int:
    return query("SELECT id FROM groups WHERE name = ?", (name,))[0][0]


# --- reading everything a screen holds -------------------------------------------------------------


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The content of every file a screen offers for download (st.download_button keeps it as media)."""
    offered: list[str] = []
    original = MediaFileManager.add

    def add(self, path_or_data, mimetype, *args, **kwargs):
        if isinstance(path_or_data, bytes | str):
            data = path_or_data if isinstance(path_or_data, str) else path_or_data.decode("utf-8", "replace")
            offered.append(f"{mimetype}\n{data}")
        return original(self, path_or_data, mimetype, *args, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add", add)
    return offered


def _strings(message: Message) -> Iterator[str]:
    """Every string in a protobuf message, unescaped, however deep."""
    for field, value in message.ListFields():
        if field.type == field.TYPE_MESSAGE:
            if field.message_type.GetOptions().map_entry:
                for key, item in value.items():
                    yield str(key)
                    yield from _strings(item) if isinstance(item, Message) else [str(item)]
            else:
                for item in value if field.is_repeated else [value]:
                    yield from _strings(item)
        elif field.type == field.TYPE_STRING:
            yield from value if field.is_repeated else [value]
        elif field.type == field.TYPE_BYTES:
            for item in value if field.is_repeated else [value]:
                yield item.decode("utf-8", "replace")


def everything(at) -> str:
    """All the text of every element on the screen (main area and sidebar), and of its data frames."""
    parts = [texts(at)]
    for block in (at.main, at.sidebar):
        for node in block:
            proto = getattr(node, "proto", None)
            if isinstance(proto, Message):
                parts.extend(_strings(proto))
    # What a person reads: Markdown's escapes (\( \. …) are not on the screen.
    return "\n".join(parts).replace("\\", "")


def screens_for(person: Person) -> list[str]:
    """The screens of ui/registry.SCREENS that this person may open, as the guard decides."""
    here = accounts.visit(configured_database(), auth.open_session_for(configured_database(), person.id))
    viewer = Viewer(here.person, Language.EN, here.organisation, here.first_run, here.leads_groups)
    return [key for key, screen in SCREENS.items() if may_open(screen, viewer)]


def _run(at):
    at.run()
    assert_healthy(at)
    return at


def _choices(box) -> list[int]:
    """The groups a select box offers (and "New group", 0, on the groups screen)."""
    found = []
    for candidate in [row[0] for row in query("SELECT id FROM groups")] + [0]:
        try:
            shown = str(box.format_func(candidate))
        except KeyError:
            continue
        if shown in box.options:
            found.append(candidate)
    assert len(found) == len(box.options), (box.key, box.options, found)
    return found


def read_every_screen(person: Person, downloads: list[str]) -> dict[str, str]:
    """What each screen shows this person, with every group (and view) it lets them choose."""
    shown: dict[str, list[str]] = {}
    for screen in screens_for(person):
        downloads.clear()
        at = app(person)
        at.session_state["language"] = "en"
        open_page(at, SCREENS[screen].file)
        assert_healthy(at)
        seen = [everything(at)]
        for key in CHOICES.get(screen, []):
            found = [box for box in at.selectbox if box.key == key]
            for choice in _choices(found[0]) if found else []:
                at.selectbox(key=key).set_value(choice)
                _run(at)
                seen.append(everything(at))
        if screen == "methods":  # an opened method offers its card as a download
            at.button(key="open.incident").click()
            _run(at)
            seen.append(everything(at))
        seen.extend(downloads)
        shown[screen] = seen
    return {screen: "\n".join(parts) for screen, parts in shown.items()}


def leaks(shown: dict[str, str], secret: set[str]) -> dict[str, list[str]]:
    found = {screen: sorted(piece for piece in secret if piece in text) for screen, text in shown.items()}
    return {screen: pieces for screen, pieces in found.items() if pieces}


# --- the coordinator ---------------------------------------------------------------------------------


def test_the_demo_coordinator_is_in_no_group(people):
    [coordinator] = [account for account in demo.demo_accounts() if account.is_coordinator]
    assert coordinator.facilitates == () and coordinator.takes_part_in == ()
    assert group_ids_of(people.coordinator) == []


def test_the_coordinator_sees_no_case_text_on_any_screen_or_download(people, group_cases, downloads):
    secret = case_texts()
    for theirs in group_cases.values():
        assert set(theirs.values()) <= secret
    for theirs in CASES.values():  # the demo's own cases are there, with their situations
        for case in theirs:
            assert case["title"] in secret
            assert set(_pieces(case["situation"])) <= secret
    assert {"Een nieuw teamlid dat niets vraagt", "Een lastig gesprek over ziekteverzuim"} <= secret  # waiting
    # A deleted case leaves a line in the audit log (read below): that a case went, not what it was.
    [(deleted, author_id)] = query("SELECT id, author_id FROM cases WHERE status = 'withdrawn' LIMIT 1")
    cases.delete_case(configured_database(), _person(author_id), deleted)

    assert set(screens_for(people.coordinator)) >= COORDINATOR_SCREENS
    shown = read_every_screen(people.coordinator, downloads)

    assert leaks(shown, secret) == {}
    # The screens were read: each group is named, the audit log and the counts (offered as CSV) are there.
    # The case counts name only the groups whose contract reports them; De Regenboog's does not.
    for group in group_cases:
        assert group in shown["groups"]
        assert (group in shown["cases"]) is (group != "Onderwijsteam Basisschool De Regenboog")
    assert "Followed up" in shown["cases"]
    assert "Case deleted" in shown["people"] and f"case {deleted}" in shown["people"]
    assert "Demo loaded" in shown["people"]
    assert "Erase case texts this many days after discussion" in shown["people"]  # the Organisation tab


def test_the_coordinator_gets_counts_and_nothing_else(people, group_cases, downloads):
    at = app(people.coordinator)
    at.session_state["language"] = "en"
    open_page(at, "pages/cases.py")
    assert_healthy(at)

    assert [tab.label for tab in at.tabs] == ["Counts"]
    keys = [getattr(node, "key", None) or "" for node in at.main]
    assert not [key for key in keys if key.startswith(("case.", "queue_group", "archive_group", "follow_up."))]
    [download] = at.get("download_button")
    assert download.proto.label == "Download as CSV"
    [offered] = [data for data in downloads if data.startswith("text/csv")]
    rows = list(csv.reader(io.StringIO(offered.split("\n", 1)[1].lstrip("\ufeff")), delimiter=","))
    assert rows[0] == ["Group", "Brought in", "Discussed", "Followed up"]
    # Only the groups whose contract reports case counts to the organisation.
    assert sorted(row[0] for row in rows[1:]) == sorted(set(group_cases) - {"Onderwijsteam Basisschool De Regenboog"})
    assert all(cell.isdigit() for row in rows[1:] for cell in row[1:]), rows
    # This year each group brought in at least its four new cases (the draft does not count).
    assert all(int(row[1]) >= 4 for row in rows[1:]), rows
    assert leaks({"csv": offered, "counts": everything(at)}, case_texts()) == {}


def test_a_group_name_never_becomes_a_formula_in_the_case_counts(people, offered):
    formula = '=HYPERLINK("http://x","y")'
    with db.writing() as conn:
        conn.execute("UPDATE groups SET name = ? WHERE name = ?", [formula, "Wijkverpleging Noord"])
    at = app(people.coordinator)
    at.session_state["language"] = "en"
    open_page(at, "pages/cases.py")
    assert_healthy(at)

    [download] = at.download_button
    data = offered.of(download).decode("utf-8")

    assert data.startswith("\ufeffGroup,Brought in,Discussed,Followed up\r\n"), "English: commas"
    rows = list(csv.reader(io.StringIO(data[1:], newline=""), delimiter=","))
    assert "'" + formula in [row[0] for row in rows[1:]]
    assert not [row for row in rows if row[0].startswith("=")]


def test_the_coordinators_home_names_no_case_in_what_is_waiting(people, group_cases):
    at = app(people.coordinator)
    at.session_state["language"] = "en"
    open_page(at, "pages/home.py")
    assert_healthy(at)

    waiting = values(at.warning)
    assert waiting, "the coordinator has things waiting (a group without a next session, …)"
    assert not [item for item in waiting if "Tell your group how it went" in item]
    assert leaks({"waiting": "\n".join(waiting), "home": everything(at)}, case_texts()) == {}


# --- participants of other groups -------------------------------------------------------------------


@pytest.mark.parametrize("name", UNRELATED)
def test_a_participant_sees_no_case_text_of_another_group(people, group_cases, downloads, name):
    participant = _named(name)
    own = group_ids_of(participant)
    assert len(own) == 1
    others = [group for group in query("SELECT id FROM groups") if group[0] not in own]
    # The demo's waiting cases read the same in every group: what their own group has may be shown.
    secret = case_texts([group[0] for group in others]) - case_texts(own)
    secret |= case_texts(own, statuses=("draft", "withdrawn"))  # another member's draft or withdrawn case
    assert len(secret) > 30

    shown = read_every_screen(participant, downloads)

    assert set(shown) == {
        "home", "groups", "cases", "follow", "surveys", "observer", "methods", "join", "projector", "reset", "confirm",
        "learning_goals", "reports", "profile",
    }  # fmt: skip
    assert leaks(shown, secret) == {}
    # Their own group's cases are there: the screens were read.
    [mine] = [group for group, theirs in group_cases.items() if group_id(group) in own]
    assert group_cases[mine]["in de wachtrij"] in shown["cases"]
    assert group_cases[mine]["opgevolgd"] in shown["cases"]


def test_a_member_does_see_the_cases_of_their_group(people, group_cases, downloads):
    """The same reading finds the texts where they belong; so the tests above would see a leak."""
    member = people.participant  # in "Leidinggevenden Zorg" and "Jeugdhulp Gent"
    own = group_ids_of(member)
    shown = read_every_screen(member, downloads)

    for group, theirs in group_cases.items():
        if group_id(group) in own:
            for state in ("in de wachtrij", "gekozen", "opgevolgd"):
                assert theirs[state] in shown["cases"], (group, state)
            assert f"Nabespreking bij {group}: het gesprek lukte." in shown["cases"]
            assert f"Gekozen advies bij {group}: eerst luisteren, dan benoemen." in shown["cases"]
            assert "Geheime situatie" in shown["cases"]
            for state in ("concept", "ingetrokken"):  # another member's draft or withdrawn case: not shown
                assert theirs[state] not in "\n".join(shown.values()), (group, state)
        else:
            assert not [title for title in theirs.values() if title in "\n".join(shown.values())], group
    # The demo's discussed cases of their groups are in the archive, with their situations.
    for case in CASES["Leidinggevenden Zorg"]:
        assert case["title"] in shown["cases"]
    for case in CASES["Wijkverpleging Noord"]:
        assert case["title"] not in "\n".join(shown.values())


def test_who_facilitates_one_group_and_is_member_of_another_sees_no_third(people, group_cases, downloads):
    fatima = people.participant_facilitator  # facilitates "Wijkverpleging Noord", member of "Leidinggevenden Zorg"
    own = group_ids_of(fatima)
    others = [row[0] for row in query("SELECT id FROM groups") if row[0] not in own]
    secret = case_texts(others) - case_texts(own)
    secret |= case_texts(own, statuses=("draft", "withdrawn"))

    shown = read_every_screen(fatima, downloads)

    assert {"invitations", "method_editor"} <= set(shown)
    assert leaks(shown, secret) == {}
    assert group_cases["Wijkverpleging Noord"]["gekozen"] in shown["cases"]
