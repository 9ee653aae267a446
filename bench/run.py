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
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
APP = str(ROOT / "app.py")
TIMEOUT = 120
SKIPPED = {"first_run", "sign_in", "join", "projector"}
ROLES = ("coordinator", "facilitator", "participant")
DATASETS = ("demo", "large")
ENGINES = ("sqlite", "postgresql")
LIMIT = 30  # every page's rerun on the large data set within 30× the empty page of the same run (the issue)

sys.path.insert(0, str(ROOT))
os.chdir(ROOT)
os.environ["INTERVISION_DB"] = str(BENCH / "demo.db")  # before the app is imported; switched per data set

sys.path.insert(0, str(ROOT / "tests"))  # tests/postgres_server.py: a throwaway PostgreSQL

import streamlit as st  # noqa: E402
from streamlit import config as streamlit_config  # noqa: E402
from streamlit import logger as streamlit_logger  # noqa: E402
from streamlit.runtime.pages_manager import PagesManager  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from bench.large_organisation import load_large  # noqa: E402
from bench.pg_copy import copy_sqlite_into  # noqa: E402
from bench.results import write_section  # noqa: E402
from intervision import auth, demo  # noqa: E402
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
    """The SQLite files: bench/large.db (built once, reused) and a fresh bench/demo.db."""
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


@contextmanager
def stores(groups: int, engines: tuple[str, ...] = ENGINES) -> Iterator[dict[tuple[str, str], Database]]:
    """Per (engine, data set) a Database: the SQLite files, and their copies on a throwaway PostgreSQL."""
    paths = build(groups)
    found: dict[tuple[str, str], Database] = {}
    if "sqlite" in engines:
        found |= {("sqlite", name): Database.for_path(path) for name, path in paths.items()}
    server = None
    try:
        if "postgresql" in engines:
            from postgres_server import start_postgres_server  # tests/postgres_server.py

            server = start_postgres_server()
            for name, path in paths.items():
                started = time.perf_counter()
                copy = Database(server.create_database(f"bench_{name}"))
                copy_sqlite_into(path, copy)
                found[("postgresql", name)] = copy
                print(f"copied {path.name} to PostgreSQL in {time.perf_counter() - started:.1f} s", flush=True)
        yield found
    finally:
        for database in found.values():
            database.dispose()
        if server is not None:
            server.stop()


def use(database: Database) -> None:
    """Point the app's settings at this store: `configured()` then builds (once) the same one."""
    if database.path is not None:
        os.environ.pop("INTERVISION_DATABASE_URL", None)
        os.environ["INTERVISION_DB"] = str(database.path)
    else:
        os.environ["INTERVISION_DATABASE_URL"] = database.url.render_as_string(hide_password=False)


def _as_database(target: Path | Database) -> Database:
    return target if isinstance(target, Database) else Database.for_path(target)


def people_of(target: Path | Database) -> dict[str, tuple[int, bool]]:
    """Per role, a person to sign in as, and whether they lead a group (facilitate one, or coordinate)."""
    with _as_database(target).reading() as conn:

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


class Measured(NamedTuple):
    median: float  # ms, wall clock
    p95: float
    problem: str | None  # the first exception shown, if any
    cpu: float  # ms, median of the process's CPU time per rerun: what other work on a shared machine hardly moves


def measured(at: AppTest, repeat: int) -> Measured:
    """`repeat` full reruns: their wall-clock median and p95, the median CPU time, the first exception shown."""
    times, cpu_times = [], []
    for _ in range(repeat):
        started, used = time.perf_counter(), time.process_time()
        at.run()
        times.append((time.perf_counter() - started) * 1000)
        cpu_times.append((time.process_time() - used) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    problem = None
    if at.exception:
        exception = at.exception[0]
        problem = " ".join(exception.message.split())
    return Measured(statistics.median(times), p95, problem, statistics.median(cpu_times))


def measure(at: AppTest, repeat: int) -> tuple[float, float, str | None]:
    """Median and p95 (ms) of `repeat` full reruns, and the first exception shown, if any."""
    median, p95, problem, _ = measured(at, repeat)
    return median, p95, problem


def open_page(target: Path | Database, person_id: int, file: str) -> AppTest:
    """The page opened through the router by this person, as the AppTest suite does, caches emptied first."""
    database = _as_database(target)
    use(database)
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.context = {"locale": "en-GB"}
    at.session_state["sign_in_token"] = auth.open_session_for(database, person_id)
    at.session_state["language"] = "en"
    at.run()
    at.switch_page(file)
    at.run()
    return at


def page(target: Path | Database, person_id: int, file: str, repeat: int) -> tuple[float, float, str | None]:
    return measure(open_page(target, person_id, file), repeat)


def page_measured(target: Path | Database, person_id: int, file: str, repeat: int) -> Measured:
    return measured(open_page(target, person_id, file), repeat)


def pages_for(people: dict[str, tuple[int, bool]]) -> Iterator[tuple[str, str, str, int]]:
    """(screen key, role, page file, person id) for every screen measured and every role that may open it."""
    for screen in SCREENS.values():
        if screen.key in SKIPPED:
            continue
        for role in ROLES:
            person_id, leads = people[role]
            if allowed(screen.access, role, leads):
                yield screen.key, role, screen.file, person_id


def empty_page(repeat: int) -> Measured:
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "empty.py"
        script.write_text('import streamlit as st\n\nst.write("x")\n')
        at = AppTest.from_file(str(script), default_timeout=TIMEOUT)
        at.run()
        return measured(at, repeat)


Result = Measured


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--groups", type=int, default=200)
    parser.add_argument("--engines", default=",".join(ENGINES), help="sqlite, postgresql or both (comma-separated)")
    arguments = parser.parse_args()
    engines = tuple(arguments.engines.split(","))
    arguments.load_before = f"{os.getloadavg()[0]:.2f}"
    with stores(arguments.groups, engines) as found:
        people = {key: people_of(database) for key, database in found.items()}
        started = time.perf_counter()
        # The floor, before and after: a busy shared machine moves it, and every ratio is to this run's.
        empty_before = empty_page(arguments.repeat)
        rows: dict[tuple[str, str], dict[tuple[str, str], Result]] = {}
        for key, database in found.items():
            for screen_key, role, file, person_id in pages_for(people[key]):
                result = page_measured(database, person_id, file, arguments.repeat)
                rows.setdefault((screen_key, role), {})[key] = result
                print(
                    f"{key[0]:10} {key[1]:5} {screen_key:14} {role:12} {result[0]:7.0f}/{result[1]:7.0f} ms", flush=True
                )
        empty_after = empty_page(arguments.repeat)
        large = found.get(("sqlite", "large")) or found[(engines[0], "large")]
        write_results(rows, (empty_before, empty_after), engines, large, arguments, time.perf_counter() - started)


def _cell(result: Result | None) -> str:
    if result is None:
        return "—"
    return f"{result.median:.0f} / {result.p95:.0f}" + (" (exception)" if result.problem else "")


def write_results(
    rows: dict[tuple[str, str], dict[tuple[str, str], Result]],
    empties: tuple[Result, Result],
    engines: tuple[str, ...],
    large: Database,
    arguments: argparse.Namespace,
    took: float,
) -> None:
    with large.reading() as conn:
        groups = conn.execute("SELECT count(*) FROM groups").fetchone()[0]
        people = conn.execute("SELECT count(*) FROM people").fetchone()[0]
    empty = statistics.mean(result.median for result in empties)
    empty_cpu = statistics.mean(result.cpu for result in empties)
    names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    header = (
        "| page | role |"
        + "".join(f" {names[engine]} demo | {names[engine]} large | × empty |" for engine in engines)
        + f" large within {LIMIT}× |"
    )
    lines = [
        "# Page rerun times",
        "",
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- Machine: {platform.platform()}, {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs",
        f"- Python: {platform.python_version()} ({platform.python_implementation()}), Streamlit {st.__version__}",
        f"- Large data set: {groups} groups, {people} people, 5 years (bench/large.db, bench/large_organisation.py);"
        " on PostgreSQL a row-for-row copy of the SQLite files (bench/pg_copy.py) on a throwaway server"
        " (tests/postgres_server.py)",
        f"- Repetitions: {arguments.repeat} full AppTest reruns per cell, after opening the page;"
        f" the whole measurement took {took:.0f} s",
        f"- Empty page (`st.write('x')`), median / p95: {_cell(empties[0])} before the pages,"
        f" {_cell(empties[1])} after; the ratios are to their mean, {empty:.1f} ms (CPU time {empty_cpu:.1f} ms)",
        f"- Load average (1 min) at the start and the end: {arguments.load_before} and {os.getloadavg()[0]:.2f}"
        " (other work on this 2-core machine slows the wall clock; the CPU-time ratio moves much less)",
        "",
        "Times in ms, median / p95 of full in-process `AppTest.run()` reruns (router + page), sorted by the",
        "slowest large median. × empty: the large median over the empty page's, wall clock (and in brackets the",
        "same ratio of the process's CPU time per rerun). — means the role may not open the page. Target (the",
        f"issue): every page's rerun on the large data set within {LIMIT}× the empty page (wall clock), on both",
        "engines.",
        "",
        header,
        "|---|---|" + "---:|---:|---:|" * len(engines) + "---|",
    ]

    def slowest(item: tuple[tuple[str, str], dict[tuple[str, str], Result]]) -> float:
        return -max(result.median for (_, name), result in item[1].items() if name == "large")

    failing = []
    for (key, role), results in sorted(rows.items(), key=slowest):
        cells, within = [], True
        for engine in engines:
            large_result = results.get((engine, "large"))
            ratio = large_result.median / empty if large_result else None
            within = within and (ratio is None or ratio <= LIMIT)
            cells += [
                _cell(results.get((engine, "demo"))),
                _cell(large_result),
                f"{ratio:.0f}× ({large_result.cpu / empty_cpu:.0f}×)" if large_result and ratio else "—",
            ]
        if not within:
            failing.append(f"{key} / {role}")
        lines.append(f"| {key} | {role} | " + " | ".join(cells) + f" | {'yes' if within else 'NO'} |")
    lines += [
        "",
        f"Within {LIMIT}× on both engines: "
        + ("every page." if not failing else "all but " + ", ".join(failing) + "."),
    ]
    problems = [
        (key, role, f"{engine} {name}", result.problem)
        for (key, role), results in rows.items()
        for (engine, name), result in results.items()
        if result.problem
    ]
    if problems:
        lines += ["", "Exceptions shown on the page:", ""]
        lines += [f"- {key} / {role} / {name}: {problem}" for key, role, name, problem in problems]
    write_section("pages", "\n".join(lines))


if __name__ == "__main__":
    main()
