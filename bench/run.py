"""How long a full rerun of each page takes, on the demo organisation and on a large one.

    make bench                       # or: .venv/bin/python bench/run.py [--repeat N] [--groups N]

Builds bench/large.db once (bench/large_organisation.py; reused when present) and a fresh bench/demo.db, then
for every screen and role that may open it: sign in as the tests do, open the page through the router,
and time N more `at.run()` calls in this process. Writes its section ("pages") of bench/RESULTS.md, leaving
the other sections (bench/scaling.py's, bench/live.py's) as they are. It asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
APP = str(ROOT / "app.py")
TIMEOUT = 120
SKIPPED = {"first_run", "sign_in", "join", "projector"}
ROLES = ("coordinator", "facilitator", "participant")
DATASETS = ("demo", "large")

sys.path.insert(0, str(ROOT))
os.chdir(ROOT)
os.environ["INTERVISION_DB"] = str(BENCH / "demo.db")  # before the app is imported; switched per data set

import streamlit as st  # noqa: E402
from streamlit import config as streamlit_config  # noqa: E402
from streamlit import logger as streamlit_logger  # noqa: E402
from streamlit.runtime.pages_manager import PagesManager  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from bench.large_organisation import load_large  # noqa: E402
from bench.results import write_section  # noqa: E402
from intervision import auth, db, demo  # noqa: E402
from intervision.database import Database  # noqa: E402
from ui.registry import SCREENS, Access  # noqa: E402

# As tests/app/conftest.py's warm_server: every run starts with the router, as on a server in use.
_original_init = PagesManager.__init__


def _warm_init(self: PagesManager, *args: object, **kwargs: object) -> None:
    _original_init(self, *args, **kwargs)
    PagesManager.uses_pages_directory = False


PagesManager.__init__ = _warm_init  # type: ignore[method-assign]

# Clearing the caches outside a server run warns on every call; the warnings would drown the progress.
streamlit_logger.set_log_level("error")
# A page's exception in full (its type and message), not the redacted text a server shows.
streamlit_config.set_option("client.showErrorDetails", "full")


def _checkpoint(path: Path) -> None:
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()


def build(groups: int) -> dict[str, Path]:
    (BENCH / ".gitignore").write_text("*.db*\n")
    large = BENCH / "large.db"
    if not large.exists():
        started = time.perf_counter()
        database = Database.for_path(large)
        database.migrate()
        load_large(database, groups=groups, people=8 * groups, years=5)
        database.dispose()
        _checkpoint(large)
        print(f"built {large.name} in {time.perf_counter() - started:.1f} s", flush=True)
    demo_path = BENCH / "demo.db"
    for stale in BENCH.glob("demo.db*"):
        stale.unlink()
    demo_database = Database.for_path(demo_path)
    demo_database.migrate()
    demo.load_demo(demo_database)  # the core takes the Database, not its path
    demo_database.dispose()
    _checkpoint(demo_path)
    return {"demo": demo_path, "large": large}


def people_of(path: Path) -> dict[str, tuple[int, bool]]:
    """Per role, a person to sign in as, and whether they lead a group (facilitate one, or coordinate)."""
    with db.reading(path) as conn:

        def first(sql: str) -> int:
            return conn.execute(sql).fetchone()[0]

        coordinator = first("SELECT id FROM people WHERE role = 'coordinator' ORDER BY id LIMIT 1")
        facilitator = first(
            "SELECT p.id FROM people p JOIN memberships m ON m.person_id = p.id"
            " WHERE p.role = 'facilitator' AND m.group_role = 'facilitator' ORDER BY p.id LIMIT 1"
        )
        # A participant who only takes part: the common case.
        participant = first(
            "SELECT p.id FROM people p JOIN memberships m ON m.person_id = p.id WHERE p.role = 'participant'"
            " AND NOT EXISTS (SELECT 1 FROM memberships f WHERE f.person_id = p.id AND f.group_role = 'facilitator')"
            " ORDER BY p.id LIMIT 1"
        )
    return {"coordinator": (coordinator, True), "facilitator": (facilitator, True), "participant": (participant, False)}


def allowed(access: Access, role: str, leads_groups: bool) -> bool:
    match access:
        case Access.SIGNED_IN | Access.ANYONE:
            return True
        case Access.LEADS_GROUPS:
            return leads_groups
        case Access.MAKES_METHODS:
            return leads_groups or role == "facilitator"
        case Access.COORDINATOR:
            return role == "coordinator"
    return False


def measure(at: AppTest, repeat: int) -> tuple[float, float, str | None]:
    """Median and p95 (ms) of `repeat` full reruns, and the first exception shown, if any."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        at.run()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    problem = None
    if at.exception:
        exception = at.exception[0]
        problem = " ".join(exception.message.split())
    return statistics.median(times), p95, problem


def page(path: Path, person_id: int, file: str, repeat: int) -> tuple[float, float, str | None]:
    os.environ["INTERVISION_DB"] = str(path)
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.context = {"locale": "en-GB"}
    at.session_state["sign_in_token"] = auth.open_session_for(path, person_id)
    at.session_state["language"] = "en"
    at.run()
    at.switch_page(file)
    at.run()
    return measure(at, repeat)


def empty_page(repeat: int) -> tuple[float, float, str | None]:
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "empty.py"
        script.write_text('import streamlit as st\n\nst.write("x")\n')
        at = AppTest.from_file(str(script), default_timeout=TIMEOUT)
        at.run()
        return measure(at, repeat)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--groups", type=int, default=200)
    arguments = parser.parse_args()
    paths = build(arguments.groups)
    people = {name: people_of(path) for name, path in paths.items()}
    started = time.perf_counter()

    rows: list[tuple[str, str, dict[str, tuple[float, float, str | None]]]] = []
    for screen in SCREENS.values():
        if screen.key in SKIPPED:
            continue
        for role in ROLES:
            results = {}
            for name, path in paths.items():
                person_id, leads = people[name][role]
                if allowed(screen.access, role, leads):
                    results[name] = page(path, person_id, screen.file, arguments.repeat)
            if results:
                rows.append((screen.key, role, results))
                shown = "  ".join(f"{name} {m:7.0f}/{p:7.0f} ms" for name, (m, p, _) in results.items())
                print(f"{screen.key:14} {role:12} {shown}", flush=True)
    empty = empty_page(arguments.repeat)
    write_results(rows, empty, arguments, time.perf_counter() - started)


def _cell(result: tuple[float, float, str | None] | None) -> str:
    if result is None:
        return "—"
    median, p95, problem = result
    return f"{median:.0f} / {p95:.0f}" + (" (exception)" if problem else "")


def write_results(
    rows: list, empty: tuple[float, float, str | None], arguments: argparse.Namespace, took: float
) -> None:
    with db.reading(BENCH / "large.db") as conn:
        groups = conn.execute("SELECT count(*) FROM groups").fetchone()[0]
        people = conn.execute("SELECT count(*) FROM people").fetchone()[0]
    lines = [
        "# Page rerun times",
        "",
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- Machine: {platform.platform()}, {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs",
        f"- Python: {platform.python_version()} ({platform.python_implementation()}), Streamlit {st.__version__}",
        f"- Large data set: {groups} groups, {people} people, 5 years (bench/large.db, bench/large_organisation.py)",
        f"- Repetitions: {arguments.repeat} full AppTest reruns per cell, after opening the page;"
        f" the whole measurement took {took:.0f} s",
        "",
        "Times in ms, median / p95 of full in-process `AppTest.run()` reruns (router + page), sorted by the large",
        "median. — means the role may not open the page.",
        "",
        "| page | role | demo median / p95 | large median / p95 |",
        "|---|---|---:|---:|",
    ]
    rows = sorted(rows, key=lambda row: -(row[2].get("large") or row[2].get("demo"))[0])
    for key, role, results in rows:
        lines.append(f"| {key} | {role} | {_cell(results.get('demo'))} | {_cell(results.get('large'))} |")
    lines.append(f"| (empty page: `st.write('x')`) | — | {_cell(empty)} | {_cell(empty)} |")
    problems = [(key, role, name, r[2]) for key, role, results in rows for name, r in results.items() if r[2]]
    if problems:
        lines += ["", "Exceptions shown on the page:", ""]
        lines += [f"- {key} / {role} / {name}: {problem}" for key, role, name, problem in problems]
    write_section("pages", "\n".join(lines))


if __name__ == "__main__":
    main()
