"""Fixtures for the AppTest suite: a database of its own for every test, and the demo's people.

The demo organisation is built once per test session (argon2 makes that the slow part), and once more on
a clock a year ahead when a date-sensitive test runs there; its file is copied for every test, so a test
may write to its database freely.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import streamlit as st
from driving import (
    COORDINATOR_EMAIL,
    COORDINATOR_NAME,
    COORDINATOR_PASSWORD,
    FACILITATOR,
    ORGANISATION,
    PARTICIPANT,
    PARTICIPANT_FACILITATOR,
    DemoPeople,
    Offered,
    Server,
    person_named,
)
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.pages_manager import PagesManager

from intervision import accounts, clock, db, demo
from intervision.database import Database
from intervision.models import FirstRunInput, Language
from ui import guard

# The binding cookie an AppTest browser presents (ui/cookie_routes.py).
BROWSER = "an AppTest browser's binding cookie"


def _checkpoint(path: Path) -> None:
    """Fold the write-ahead log into the database file, so that copying the file copies everything."""
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()


@pytest.fixture(scope="session")
def demo_templates(tmp_path_factory: pytest.TempPathFactory) -> Callable[[int], Path]:
    """The demo loaded once for each clock a test runs on: a year-ahead test needs a demo a year ahead.

    Built when first asked for, so a run without date-sensitive tests builds only today's.
    """
    built: dict[int, Path] = {}

    def template(clock_shift: int) -> Path:
        if clock_shift not in built:
            path = tmp_path_factory.mktemp("demo-template") / "demo.db"
            with pytest.MonkeyPatch.context() as patch:
                patch.setenv(clock.SHIFT_VARIABLE, str(clock_shift))
                database = Database.for_path(path)
                database.migrate()
                demo.load_demo(database)
                database.dispose()
            _checkpoint(path)
            built[clock_shift] = path
        return built[clock_shift]

    return template


@pytest.fixture(scope="session")
def demo_template(demo_templates: Callable[[int], Path], suite_clock_shift: int) -> Path:
    """The demo loaded on the suite's clock, for fixtures that build on it once."""
    return demo_templates(suite_clock_shift)


@pytest.fixture(scope="session")
def organisation_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real (not demo) organisation with only its first coordinator, who reads English."""
    path = tmp_path_factory.mktemp("organisation-template") / "organisation.db"
    database = Database.for_path(path)
    database.migrate()
    accounts.create_first_coordinator(
        database,
        FirstRunInput(
            organisation_name=ORGANISATION,
            name=COORDINATOR_NAME,
            email=COORDINATOR_EMAIL,
            password=COORDINATOR_PASSWORD,
            password_again=COORDINATOR_PASSWORD,
            language=Language.EN,
        ),
    )
    database.dispose()
    _checkpoint(path)
    return path


def _use_copy(template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "t.db"
    shutil.copyfile(template, path)
    monkeypatch.setenv("INTERVISION_DB", str(path))
    db.migrate()
    return path


@pytest.fixture
def empty_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A new installation: migrated, and nobody has an account yet."""
    path = tmp_path / "t.db"
    monkeypatch.setenv("INTERVISION_DB", str(path))
    db.migrate()
    return path


@pytest.fixture
def demo_db(
    demo_templates: Callable[[int], Path], clock_shift: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """This test's own copy of the demo organisation, loaded on this test's clock."""
    return _use_copy(demo_templates(clock_shift), tmp_path, monkeypatch)


@pytest.fixture
def organisation_db(organisation_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This test's own copy of a real organisation whose only account is its coordinator."""
    return _use_copy(organisation_template, tmp_path, monkeypatch)


@pytest.fixture
def people(demo_db: Path) -> DemoPeople:
    coordinator = demo.demo_accounts()[0]
    assert coordinator.is_coordinator
    return DemoPeople(
        coordinator=person_named(coordinator.name),
        facilitator=person_named(FACILITATOR),
        participant=person_named(PARTICIPANT),
        participant_facilitator=person_named(PARTICIPANT_FACILITATOR),
    )


@pytest.fixture(scope="session", autouse=True)
def _components_scanned_once() -> Iterator[None]:
    """Every AppTest run scans the metadata of each installed package for Streamlit components (~0.3 s, most
    of a page test's time). The installed packages do not change during a test session: scan once."""
    from streamlit.components.v2 import manifest_scanner

    scan = manifest_scanner.scan_component_manifests
    found = scan()
    manifest_scanner.scan_component_manifests = lambda max_workers=None: list(found)
    yield
    manifest_scanner.scan_component_manifests = scan


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture(autouse=True)
def browser_with_its_binding_cookie(monkeypatch: pytest.MonkeyPatch) -> str:
    """A real browser has its binding cookie from the first page it loaded; an AppTest run has no HTTP request
    and so no cookies: it presents this one, so that signing in hands it a ticket as it would a browser."""
    monkeypatch.setattr(guard, "browser_binding", lambda: BROWSER)
    return BROWSER


@pytest.fixture(autouse=True)
def warm_server(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every run starts with the router (app.py), as on a server where someone has opened the app before.

    See driving.Server; `driving.fresh_server()` switches this off for one run.
    """
    original = PagesManager.__init__

    def init(self: PagesManager, *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)
        if not Server.fresh:
            PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)


@pytest.fixture
def offered(monkeypatch: pytest.MonkeyPatch) -> Offered:
    """The bytes behind every download the app offers (a download button's proto holds only a URL or id)."""
    files = Offered()
    original_add, original_deferred = MediaFileManager.add, MediaFileManager.add_deferred

    def add(self, path_or_data, mimetype, *args, **kwargs):
        url = original_add(self, path_or_data, mimetype, *args, **kwargs)
        files[url] = path_or_data.encode("utf-8") if isinstance(path_or_data, str) else path_or_data
        return url

    def add_deferred(self, data_callable, *args, **kwargs):
        file_id = original_deferred(self, data_callable, *args, **kwargs)
        files.deferred[file_id] = data_callable
        return file_id

    monkeypatch.setattr(MediaFileManager, "add", add)
    monkeypatch.setattr(MediaFileManager, "add_deferred", add_deferred)
    return files
