"""No backups in the app. A backup holds every case text, board item, observation note and survey answer, so
making and restoring one is the operator's task on the server (`python -m intervision.backup`,
docs/deployment.md): nobody, a coordinator included, finds a way to download or restore one on any screen."""

from __future__ import annotations

import ast
import inspect
import re

import pytest
from driving import ACCESS, ROLES, ROOT, SHOWN, app, assert_healthy, deep_link, open_page, values
from streamlit.testing.v1 import AppTest

from intervision import backup
from intervision.models import Person
from ui.registry import SCREENS

# What a backup looks like: a SQLite database, or this product's encrypted backup.
BACKUP_STARTS = (b"SQLite format 3\x00", backup.ENCRYPTED)
BACKUP_FILE_TYPES = {".db", ".sqlite", ".sqlite3", ".enc", ".bak"}
BACKUP_WORDS = re.compile(r"back-?up|restor", re.IGNORECASE)


def _people_page(person: Person) -> AppTest:
    at = app(person)
    at.session_state["language"] = "en"
    open_page(at, "pages/people.py")
    assert_healthy(at)
    return at


def test_the_coordinator_reads_that_backups_are_the_operators_and_finds_no_backup_button(people, offered):
    at = _people_page(people.coordinator)

    assert any("whoever runs the server makes and restores backups" in text for text in values(at.caption))
    assert not at.get("file_uploader"), "no file can be uploaded to restore"
    assert not [button.label for button in at.button if BACKUP_WORDS.search(button.label)]
    assert not [offered.of(button) for button in at.download_button]


@pytest.mark.parametrize("role", ROLES)
def test_no_screen_offers_anyone_a_backup_to_download_or_a_place_to_restore_one(people, offered, role):
    """Every screen this person may open, every tab on it: no download is a database, no upload takes one, no
    button speaks of backups."""
    person = people.by_role(role)
    screens = [screen for screen, access in ACCESS.items() if access[role] is SHOWN]
    assert screens
    for screen in screens:
        at = app(person)
        at.session_state["language"] = "en"
        deep_link(at, SCREENS[screen].file)  # one run per screen: its own guard lets this person in
        assert_healthy(at)
        assert values(at.title), f"{screen} did not draw itself"

        files = {button.label: offered.of(button) for button in at.download_button}
        assert not [label for label, data in files.items() if data.startswith(BACKUP_STARTS)], screen
        for uploader in at.get("file_uploader"):
            accepted = set(uploader.proto.type)
            assert accepted and not accepted & BACKUP_FILE_TYPES, f"{screen}: {uploader.proto.label} takes {accepted}"
        labels = [button.label for button in at.button] + list(files)
        assert not [label for label in labels if BACKUP_WORDS.search(label)], screen


def test_nothing_the_app_runs_can_make_or_restore_a_backup():
    """No page or screen helper reaches the backup module, and it offers nothing on a signed-in person's behalf:
    it is a command line for whoever runs the server."""
    reaching = []
    for path in [*(ROOT / "pages").glob("*.py"), *(ROOT / "ui").rglob("*.py"), ROOT / "app.py"]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "intervision.backup":
                reaching.append(str(path))
            if isinstance(node, ast.ImportFrom) and node.module == "intervision":
                reaching += [str(path) for alias in node.names if alias.name == "backup"]
            if isinstance(node, ast.Import) and any(alias.name == "intervision.backup" for alias in node.names):
                reaching.append(str(path))
    assert reaching == []

    on_behalf = [
        name
        for name, function in inspect.getmembers(backup, inspect.isfunction)
        if function.__module__ == backup.__name__
        and any("Person" in str(parameter.annotation) for parameter in inspect.signature(function).parameters.values())
    ]
    assert on_behalf == []
