"""Where a page's rerun spends its time, on the large data set, on both engines.

    .venv/bin/python bench/profile_pages.py [--engines sqlite,postgresql] [--pages surveys,overview]

For every page and role that bench/run.py measures: open the page as it does (the router, signed in), rerun
it once to warm it, then rerun it once more under cProfile (in Streamlit's script thread, where the page
runs) while `Database.timing()` records every statement the app's store runs with its seconds. Writes
bench/PROFILES.md: per page, the rerun's time, the time in SQL (statements, grouped by their text), and the
profile's own time split by where the code lives (plotly, pandas/numpy, the database drivers, Streamlit, the
app, other), then the app's functions by cumulative time. PostgreSQL runs on a throwaway server with a copy
of bench/large.db (bench/pg_copy.py). A profile, not a benchmark: one rerun, with cProfile's overhead.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import threading
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))

import run  # noqa: E402 - bench/run.py: the pages, the stores and how a page is opened

from intervision.database import Database, configured  # noqa: E402

PROFILES = BENCH / "PROFILES.md"
SCRIPT_THREAD = "ScriptRunner.scriptThread"
TOP_STATEMENTS = 5
TOP_FUNCTIONS = 12
# Where a function's own time goes, by the file it is in: the first part of the path that matches.
PLACES = (
    ("plotly", ("/plotly/", "/_plotly_utils/")),
    ("pandas/numpy", ("/pandas/", "/numpy/", "/pyarrow/")),
    ("database drivers", ("/sqlalchemy/", "/psycopg/", "sqlite3", "/intervision/database.py")),
    ("streamlit", ("/streamlit/", "/google/protobuf/")),
    ("app", ("/intervision/", "/pages/", "/ui/", "app.py")),
)
APP_CODE = ("/intervision/", "/pages/", "/ui/")


def _profiled_rerun(at: run.AppTest, database: Database) -> tuple[float, pstats.Stats, list[tuple[str, float]]]:
    """One rerun with cProfile on in the script thread and the app's statements recorded."""
    profiler = cProfile.Profile()

    def start_in_script_thread(_frame: object, _event: str, _arg: object) -> None:
        sys.setprofile(None)
        if threading.current_thread().name == SCRIPT_THREAD:
            profiler.enable()

    threading.setprofile(start_in_script_thread)
    try:
        with database.timing() as timings:
            started = time.perf_counter()
            at.run()
            took = time.perf_counter() - started
    finally:
        threading.setprofile(None)  # type: ignore[arg-type]
    return took, pstats.Stats(profiler), timings.statements


def _place(file: str) -> str:
    for place, parts in PLACES:
        if any(part in file for part in parts):
            return place
    return "other"


def _short(sql: str, width: int = 110) -> str:
    one_line = " ".join(sql.split())
    return (one_line[: width - 1] + "…" if len(one_line) > width else one_line).replace("|", "\\|")


def profile_section(title: str, took: float, stats: pstats.Stats, statements: list[tuple[str, float]]) -> list[str]:
    raw = stats.stats  # type: ignore[attr-defined]  # {(file, line, name): (cc, nc, tottime, cumtime, callers)}
    own: dict[str, float] = defaultdict(float)
    for (file, _, name), (_, _, tottime, _, _) in raw.items():
        own[_place(file if file != "~" else name)] += tottime
    profiled = sum(own.values()) or 1e-9
    by_text: dict[str, list[float]] = defaultdict(list)
    for sql, seconds in statements:
        by_text[sql].append(seconds)
    sql_seconds = sum(seconds for _, seconds in statements)
    lines = [
        f"### {title}",
        "",
        f"Rerun {took * 1000:.0f} ms (under cProfile); {len(statements)} SQL statements, {sql_seconds * 1000:.0f} ms."
        " Own time by place: "
        + ", ".join(
            f"{place} {seconds * 1000:.0f} ms ({seconds / profiled:.0%})"
            for place, seconds in sorted(own.items(), key=lambda item: -item[1])
        ),
        "",
    ]
    if by_text:
        lines += ["| SQL (slowest first) | runs | ms |", "|---|---:|---:|"]
        for sql, times in sorted(by_text.items(), key=lambda item: -sum(item[1]))[:TOP_STATEMENTS]:
            lines.append(f"| `{_short(sql)}` | {len(times)} | {sum(times) * 1000:.1f} |")
        lines.append("")
    app_functions = [
        (cumtime, calls, f"{Path(file).parent.name}/{Path(file).name}:{line} {name}")
        for (file, line, name), (_, calls, _, cumtime, _) in raw.items()
        if any(part in file for part in APP_CODE)
    ]
    if app_functions:
        lines += ["| app function (cumulative) | calls | ms |", "|---|---:|---:|"]
        for cumtime, calls, where in sorted(app_functions, reverse=True)[:TOP_FUNCTIONS]:
            lines.append(f"| {where} | {calls} | {cumtime * 1000:.1f} |")
        lines.append("")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engines", default=",".join(run.ENGINES))
    parser.add_argument("--pages", default="", help="only these page keys (comma-separated); all when empty")
    parser.add_argument("--groups", type=int, default=200)
    arguments = parser.parse_args()
    engines = tuple(arguments.engines.split(","))
    only = set(filter(None, arguments.pages.split(",")))
    sections: list[str] = []
    summary = ["| engine | page | role | rerun ms | SQL statements | SQL ms |", "|---|---|---|---:|---:|---:|"]
    with run.stores(arguments.groups, engines) as found:
        for engine in engines:
            database = found[(engine, "large")]
            sections += [f"## {engine}", ""]
            for key, role, file, person_id in run.pages_for(run.people_of(database)):
                if only and key not in only:
                    continue
                at = run.open_page(database, person_id, file)
                at.run()  # warm: the profile is of a rerun, as a person clicking about causes
                took, stats, statements = _profiled_rerun(at, configured())
                sections += profile_section(f"{key} / {role} ({engine})", took, stats, statements)
                sql_ms = sum(seconds for _, seconds in statements) * 1000
                summary.append(f"| {engine} | {key} | {role} | {took * 1000:.0f} | {len(statements)} | {sql_ms:.0f} |")
                print(f"{engine:10} {key:14} {role:12} {took * 1000:6.0f} ms, {len(statements)} statements", flush=True)
    header = [
        "# Where the pages' time goes (bench/profile_pages.py)",
        "",
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; large data set (bench/large.db, its copy on PostgreSQL)",
        "- One warm rerun per page and role, under cProfile in Streamlit's script thread (which slows it: compare",
        "  pages with each other, and bench/RESULTS.md for the real times). SQL: every statement of the app's store",
        "  (`Database.timing()`), grouped by its text. Own time by place: the profile's own time per function,",
        "  summed by the folder of the function's file.",
        "",
        *summary,
        "",
    ]
    PROFILES.write_text("\n".join(header + sections) + "\n")
    print(f"wrote {PROFILES}", flush=True)


if __name__ == "__main__":
    main()
