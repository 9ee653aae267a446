"""How the overview's cost grows: with the number of groups (at five years), and with the years of history
(at 200 groups). It should grow no faster than the groups, and stay flat as history grows.

    .venv/bin/python bench/scaling.py [--repeat N]

Builds each organisation once in bench/scaling/ (ignored by git), then times, as bench/run.py does, full
AppTest reruns of the overview page for the coordinator, and the core's `compare_groups` alone (the
comparison the page keeps between clicks is made again after every write, so its cost matters too).
Writes its section ("scaling") of bench/RESULTS.md. It asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import date, timedelta
from pathlib import Path

import run  # bench/run.py: its page() measures a page as the pages table does
from large_organisation import COORDINATOR_EMAIL, load_large
from results import write_section

from intervision import accounts, db, overview
from intervision.database import Database

SIZES = [(50, 5), (100, 5), (200, 5), (200, 1), (200, 3)]  # (groups, years)
FOLDER = run.BENCH / "scaling"


def organisation(groups: int, years: int) -> Path:
    path = FOLDER / f"groups{groups}-years{years}.db"
    if not path.exists():
        FOLDER.mkdir(exist_ok=True)
        database = Database.for_path(path)
        database.migrate()
        load_large(database, groups=groups, people=8 * groups, years=years)
        database.dispose()
        run._checkpoint(path)
    return path


def comparison_ms(path: Path, repeat: int) -> float:
    """The median time (ms) of comparing every group over the last year, without the page around it."""
    database = Database.for_path(path)  # the core takes the Database, not its path
    coordinator = accounts.person_by_email(database, COORDINATOR_EMAIL)
    period = overview.Period(date.today() - timedelta(days=364), date.today())
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        overview.compare_groups(database, coordinator, period)
        times.append((time.perf_counter() - started) * 1000)
    database.dispose()
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=15)
    arguments = parser.parse_args()
    rows = []
    for groups, years in SIZES:
        path = organisation(groups, years)
        coordinator_id = run.people_of(path)["coordinator"][0]
        median, p95, problem = run.page(path, coordinator_id, "pages/overview.py", arguments.repeat)
        compared = comparison_ms(path, arguments.repeat)
        with db.reading(path) as conn:
            waves = conn.execute("SELECT count(*) FROM survey_waves").fetchone()[0]
        rows.append((groups, years, waves, median, p95, compared, problem))
        print(f"{groups:4} groups {years} years: page {median:6.0f}/{p95:6.0f} ms, comparison {compared:5.0f} ms")
    lines = [
        "# How the overview grows",
        "",
        f"- Date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {arguments.repeat} reruns per row",
        "- The coordinator's overview page (median / p95 of full AppTest reruns, as in the pages table) and the",
        "  core's comparison of every group over the last year (median), on organisations built by",
        "  `bench/large_organisation.py` with 8 people per group.",
        "",
        "| groups | years of history | survey waves | page median / p95 (ms) | comparison (ms) |",
        "|---:|---:|---:|---:|---:|",
    ]
    for groups, years, waves, median, p95, compared, problem in rows:
        shown = f"{median:.0f} / {p95:.0f}" + (f" (exception: {problem})" if problem else "")
        lines.append(f"| {groups} | {years} | {waves} | {shown} | {compared:.0f} |")
    write_section("scaling", "\n".join(lines))


if __name__ == "__main__":
    main()
