"""The capacity bench: how many participants submit within ten seconds, with every check passed, when one,
two or four app processes share one store, on SQLite and on PostgreSQL. The load measurement of
bench/live.py, with websocket clients (bench/phones.py) instead of Chromium, so the browsers' own CPU does
not count against the servers they share a machine with.

    make bench   # or: .venv/bin/python bench/capacity.py [--levels 30] [--processes 1,2,4]
                 #                                        [--engines sqlite,postgresql]

For each engine, number of processes and level: a fresh database through the core (one group of that many
members, a session in its questions phase, an open survey wave): a SQLite file (WAL: the processes share
it) or a database on a throwaway PostgreSQL server (tests/postgres_server.py); then that many
`streamlit run app.py` on it, each participant's phone on the next server in turn (as a load balancer
with sticky sessions would place them). Every participant opens the follow page (which reruns its
fragment every 2 s, as a phone does) and the surveys page, types a question and ticks the six statements;
then all of them send and save, the clicks spread over nine seconds; each time runs from the click to the
confirmation on that page. A participant counts as submitted within ten seconds when the board item's
confirmation came within the ten seconds of the window. Afterwards the database must hold every
submission exactly once and no server log "database is locked" or a traceback.

Writes its section ("capacity") of bench/RESULTS.md; exits non-zero when a check fails at 30 participants,
the number the product promises. Higher levels are reported, not enforced.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "e2e"), str(ROOT / "tests")]

from e2e_support import SESSION_COOKIE, Server, start_server, text  # noqa: E402
from postgres_server import PostgresServer, start_postgres_server  # noqa: E402
from streamlit.proto.Alert_pb2 import Alert  # noqa: E402

from bench.live import (  # noqa: E402
    INSTRUMENT,
    SPREAD,
    WINDOW,
    Check,
    Reading,
    Seeded,
    answers_for,
    check_board,
    check_log,
    check_survey,
    code_version,
    load_average,
    load_note,
    machine,
    read_server,
    seed,
    spread,
    wait_until_quiet,
)
from bench.phones import Phone  # noqa: E402
from bench.results import write_section  # noqa: E402
from intervision import auth, surveys  # noqa: E402
from intervision.database import Database  # noqa: E402
from intervision.models import Language, Person  # noqa: E402

PROMISED = 30  # participants submitting within ten seconds: the number
OPEN_S = 120.0  # for a page to open; slow is measured, only never is a failure
CONFIRM_S = 60.0


@dataclass
class Participant:
    """One person's phone: the follow page and the surveys page, each its own Streamlit session."""

    person: Person
    follow: Phone
    survey: Phone
    question: str
    answers: dict[str, int]


@dataclass
class Submission:
    participant: Participant
    kind: str  # "board" or "survey"
    clicked_at: float | None = None  # seconds after the window opened
    seconds: float | None = None  # click → confirmation on the page
    problem: str | None = None


@dataclass
class Level:
    participants: int
    engine: str = "sqlite"
    processes: int = 1
    ready: int = 0
    ready_seconds: float = 0.0
    waiting: Reading = field(default_factory=Reading)
    client_cpu: float = 0.0  # the phones' own process, as a share of one core, over the same seconds
    submissions: list[Submission] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)

    def seconds(self) -> list[float]:
        return [one.seconds for one in self.submissions if one.seconds is not None]

    def passed(self) -> bool:
        return all(check.passed for check in self.checks)

    def within_window(self) -> int:
        """Participants whose board item was confirmed within the ten seconds of the window."""
        return sum(
            1
            for one in self.submissions
            if one.kind == "board" and one.seconds is not None and (one.clicked_at or 0.0) + one.seconds <= WINDOW
        )


def _survey_texts(db_path: Database) -> tuple[dict[str, str], dict[int, str]]:
    """Each statement's English text by item id, and each answer's shown label by its value."""
    instrument = surveys.instruments(db_path)[INSTRUMENT]
    statements = {item.id: item.text(Language.EN) for item in instrument.items}
    return statements, {option.value: option.label(Language.EN) for option in instrument.options}


def _as_read(label: str) -> str:
    """A widget label as a person reads it: the app escapes Markdown in labels with backslashes."""
    return label.replace("\\", "")


async def prepare(server: Server, seeded: Seeded, number: int) -> Participant:
    """Open both pages and fill them in, unsent, as a person on a phone does."""
    person = seeded.members[number]
    cookie = f"{SESSION_COOKIE}={auth.open_session_for(seeded.db_path, person.id)}"
    follow = Phone(server.url("/"), cookie, seeded.follow_path())
    await follow.open(OPEN_S)
    question = f"Question {number + 1:03d}: what did you need at that moment?"
    follow.type_text(follow.find("text_area", lambda area: area.label == text("live.text")), question)
    survey = Phone(server.url("/"), cookie, "/surveys")
    await survey.open(OPEN_S)
    answers = answers_for(number, seeded.db_path)
    statements, labels = _survey_texts(seeded.db_path)
    for item_id, statement in statements.items():
        row = survey.find("button_group", lambda row, statement=statement: _as_read(row.label) == statement)
        survey.tap(row, labels[answers[item_id]])
    return Participant(person, follow, survey, question, answers)


async def submit(submission: Submission, opened: float, delay: float) -> None:
    """At this submission's moment in the window, press the button and time until the confirmation shows."""
    await asyncio.sleep(max(0.0, opened + delay - time.time()))
    participant = submission.participant
    phone, button, confirmation = (
        (participant.follow, text("live.send"), text("live.sent"))
        if submission.kind == "board"
        else (participant.survey, text("surveys.save"), text("surveys.saved"))
    )
    # The board's send button is its form's; the survey's save button stands on its own (no form).
    submit_button = phone.find(
        "button", lambda found: found.label == button and (found.is_form_submitter or submission.kind != "board")
    )
    submission.clicked_at = time.time() - opened
    started = time.perf_counter()
    try:
        await phone.click(submit_button, CONFIRM_S)
        answer = await phone.alert({Alert.SUCCESS, Alert.ERROR}, CONFIRM_S)
    except TimeoutError:
        submission.problem = f"no confirmation within {CONFIRM_S:.0f} s"
        return
    except Exception as problem:  # noqa: BLE001 - a closed connection is a finding, not the end of the run
        submission.problem = f"{type(problem).__name__}: {problem}"
        return
    if answer.body != confirmation:
        submission.problem = f"the page said: {answer.body}"
        return
    submission.seconds = time.perf_counter() - started


async def measure(servers: list[Server], seeded: Seeded, level: Level) -> None:
    gate = asyncio.Semaphore(8)  # phones open a few at a time, as people arriving in a room

    async def ready(number: int) -> Participant:
        async with gate:
            return await prepare(servers[number % len(servers)], seeded, number)

    started = time.monotonic()
    outcomes = await asyncio.gather(*(ready(n) for n in range(level.participants)), return_exceptions=True)
    level.ready_seconds = time.monotonic() - started
    participants = [outcome for outcome in outcomes if isinstance(outcome, Participant)]
    level.ready = len(participants)
    started, used = time.monotonic(), time.process_time()
    readings = await asyncio.gather(*(read_server(server) for server in servers))
    level.waiting = Reading(
        sum(one.median for one in readings), sum(one.highest for one in readings), sum(one.cpu for one in readings)
    )
    level.client_cpu = (time.process_time() - used) / (time.monotonic() - started)
    print(
        f"capacity: {level.ready} of {level.participants} ready in {level.ready_seconds:.0f} s;"
        f" waiting, the server uses {level.waiting.cpu:.0%} CPU, the phones {level.client_cpu:.0%}",
        flush=True,
    )
    level.submissions = [Submission(one, kind) for one in participants for kind in ("board", "survey")]
    random.Random(20240611).shuffle(level.submissions)
    spacing = SPREAD / max(1, len(level.submissions))
    opened = time.time() + 0.5
    await asyncio.gather(*(submit(one, opened, index * spacing) for index, one in enumerate(level.submissions)))
    await asyncio.sleep(2)  # anything still on its way to the database
    await asyncio.gather(*(phone.close() for one in participants for phone in (one.follow, one.survey)))
    level.checks = checks(seeded, level, participants, "\n".join(server.log() for server in servers))


def checks(seeded: Seeded, level: Level, participants: list[Participant], log: str) -> list[Check]:
    clicks = [one.clicked_at for one in level.submissions if one.clicked_at is not None]
    unconfirmed = Counter(f"{one.kind}: {one.problem}" for one in level.submissions if one.problem)
    return [
        Check("Every participant's pages opened", level.ready == level.participants, f"{level.ready} ready"),
        Check(
            "Every submission confirmed",
            not unconfirmed,
            f"{len(level.seconds())} of {len(level.submissions)}"
            + "".join(f"; {count}× {problem}" for problem, count in unconfirmed.items()),
        ),
        Check(
            f"All clicks within {WINDOW:.0f} s",
            len(clicks) == len(level.submissions) and max(clicks, default=0.0) < WINDOW,
            f"{len(clicks)} clicks, the last {max(clicks, default=0.0):.1f} s in",
        ),
        check_board(seeded, participants),
        check_survey(seeded, participants),
        *check_log(log),
    ]


def run_level(participants: int, engine: str, processes: int, postgres: PostgresServer | None) -> Level:
    folder = Path(tempfile.mkdtemp(prefix="intervision-bench-capacity-"))
    if postgres is not None:
        database = Database(postgres.create_database(f"capacity_{processes}_{participants}"))
        os.environ["INTERVISION_DATABASE_URL"] = database.url.render_as_string(hide_password=False)
    else:
        database = Database.for_path(folder / "intervision.db")
        os.environ.pop("INTERVISION_DATABASE_URL", None)
    os.environ["INTERVISION_DB"] = str(folder / "intervision.db")
    seeded = seed(database, participants)
    servers: list[Server] = []
    level = Level(participants, engine, processes)
    try:
        servers += [start_server(folder) for _ in range(processes)]  # the same store: the same folder or URL
        asyncio.run(measure(servers, seeded, level))
    finally:
        for server in servers:
            server.stop()
        database.dispose()
        os.environ.pop("INTERVISION_DATABASE_URL", None)
    if level.passed():
        shutil.rmtree(folder)
    else:
        print(f"capacity: the server logs and database of {engine} × {processes} are kept in {folder}", flush=True)
    return level


def report(levels: list[Level], averages: list[str], took: float) -> str:
    names = {"sqlite": "SQLite (one file, WAL)", "postgresql": "PostgreSQL"}
    lines = [
        "# The capacity bench: participants submitting within ten seconds, by engine and app processes",
        "",
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; the whole run took {took:.0f} s",
        f"- Machine: {machine()}; {load_note(averages)}",
        f"- Code: {code_version()}",
        "- Clients: bench/phones.py, a websocket client of Streamlit's own protocol (what the browser's frontend"
        " sends and receives, without drawing), one process for all phones, on the same machine as the servers."
        " Each participant holds two sessions: the follow page, rerunning its fragment every 2 s, and the surveys"
        " page, both on one of the app processes (participants in turn over the processes). All send a question"
        f" and save the survey, the clicks spread over {SPREAD:.0f} s in a shuffled order; time from the click to"
        " the confirmation on that page.",
        "- Each row has a fresh store built through the core (one group with that many members, its session in the"
        " questions phase, an open survey) and that many fresh `streamlit run app.py` on it. PostgreSQL: a"
        " throwaway server on the same machine (tests/postgres_server.py, durability off).",
        "- Within 10 s: participants whose board item was confirmed within the ten-second window.",
        "",
        "| engine | app processes | participants | within 10 s | ready in s | CPU while they wait: servers | phones"
        " | confirmed | median s | p95 s | min s | max s | all checks |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for level in levels:
        lines.append(
            f"| {names[level.engine]} | {level.processes} | {level.participants} | {level.within_window()}"
            f" | {level.ready_seconds:.0f} | {level.waiting.cpu:.0%} | {level.client_cpu:.0%}"
            f" | {len(level.seconds())} of {len(level.submissions)} | {spread(level.seconds())}"
            f" | {'yes' if level.passed() else 'NO'} |"
        )
    lines += ["", "Carried with every check passed (the most participants tried):", ""]
    for engine in dict.fromkeys(level.engine for level in levels):
        for processes in dict.fromkeys(level.processes for level in levels if level.engine == engine):
            tried = [level for level in levels if level.engine == engine and level.processes == processes]
            carried = [level.participants for level in tried if level.passed()]
            lines.append(
                f"- {names[engine]}, {processes} process{'es' if processes > 1 else ''}: "
                + (f"{max(carried)} participants" if carried else f"none of {[one.participants for one in tried]}")
            )
    lines += [
        "",
        "## Checks",
        "",
        "| engine | app processes | participants | check | passed | detail |",
        "|---|---:|---:|---|---|---|",
    ]
    for level in levels:
        for check in level.checks:
            lines.append(
                f"| {level.engine} | {level.processes} | {level.participants} | {check.name}"
                f" | {'yes' if check.passed else 'NO'} | {check.detail} |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--levels", default="30", help="participants per run, comma-separated (30,120 finds more)")
    parser.add_argument("--processes", default="1,2,4", help="app processes on the one store, comma-separated")
    parser.add_argument("--engines", default="sqlite,postgresql")
    arguments = parser.parse_args()
    counts = [int(count) for count in arguments.levels.split(",")]
    processes = [int(count) for count in arguments.processes.split(",")]
    wait_until_quiet()
    started, averages = time.monotonic(), [load_average()]
    levels = []
    for engine in arguments.engines.split(","):
        postgres = start_postgres_server() if engine == "postgresql" else None
        try:
            for number in processes:
                for count in counts:
                    levels.append(run_level(count, engine, number, postgres))
                    level = levels[-1]
                    print(
                        f"capacity: {engine} × {number}: {count} participants, {level.within_window()} within"
                        f" 10 s, {spread(level.seconds())}, checks {'passed' if level.passed() else 'FAILED'}",
                        flush=True,
                    )
        finally:
            if postgres is not None:
                postgres.stop()
    averages.append(load_average())
    write_section("capacity", report(levels, averages, time.monotonic() - started))
    promised = [level for level in levels if level.participants <= PROMISED]
    if not all(level.passed() for level in promised):
        sys.exit(1)


if __name__ == "__main__":
    main()
