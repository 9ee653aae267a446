"""How many phones one server process carries: the load measurement of bench/live.py at growing numbers of
participants, with websocket clients (bench/phones.py) instead of Chromium, so the browsers' own CPU does
not count against the server they share a machine with.

    make bench          # or: .venv/bin/python bench/capacity.py [--levels 30,60,120,240]

For each level: a fresh database through the core (one group of that many members, a session in its
questions phase, an open survey wave) and a fresh `streamlit run app.py`; every participant opens the
follow page (which reruns its fragment every 2 s, as a phone does) and the surveys page, types a question
and ticks the six statements; then all of them send and save, the clicks spread over nine seconds; each
time runs from the click to the confirmation on that page. Afterwards the database must hold every
submission exactly once and the log neither "database is locked" nor a traceback.

Writes its section ("capacity") of bench/RESULTS.md; exits non-zero when a check fails at 30 participants,
the number the product promises. Higher levels are reported, not enforced: they say when one server
process is no longer enough (docs/deployment.md).
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
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "e2e")]

from e2e_support import SESSION_COOKIE, Server, start_server, text  # noqa: E402
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


def _survey_texts(db_path: Path) -> tuple[dict[str, str], dict[int, str]]:
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
    cookie = f"{SESSION_COOKIE}={auth.open_session_for(server.db_path, person.id)}"
    follow = Phone(server.url("/"), cookie, seeded.follow_path())
    await follow.open(OPEN_S)
    question = f"Question {number + 1:03d}: what did you need at that moment?"
    follow.type_text(follow.find("text_area", lambda area: area.label == text("live.text")), question)
    survey = Phone(server.url("/"), cookie, "/surveys")
    await survey.open(OPEN_S)
    answers = answers_for(number, seeded.db_path)
    statements, labels = _survey_texts(seeded.db_path)
    for item_id, statement in statements.items():
        radio = survey.find("radio", lambda radio, statement=statement: _as_read(radio.label) == statement)
        survey.choose(radio, labels[answers[item_id]])
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
    submit_button = phone.find("button", lambda found: found.label == button and found.is_form_submitter)
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


async def measure(server: Server, seeded: Seeded, level: Level) -> None:
    gate = asyncio.Semaphore(8)  # phones open a few at a time, as people arriving in a room

    async def ready(number: int) -> Participant:
        async with gate:
            return await prepare(server, seeded, number)

    started = time.monotonic()
    outcomes = await asyncio.gather(*(ready(n) for n in range(level.participants)), return_exceptions=True)
    level.ready_seconds = time.monotonic() - started
    participants = [outcome for outcome in outcomes if isinstance(outcome, Participant)]
    level.ready = len(participants)
    started, used = time.monotonic(), time.process_time()
    level.waiting = await read_server(server)
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
    level.checks = checks(seeded, level, participants, server.log())


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


def run_level(participants: int) -> Level:
    folder = Path(tempfile.mkdtemp(prefix="intervision-bench-capacity-"))
    os.environ["INTERVISION_DB"] = str(folder / "intervision.db")
    seeded = seed(folder / "intervision.db", participants)
    server = start_server(folder)
    level = Level(participants)
    try:
        asyncio.run(measure(server, seeded, level))
    finally:
        server.stop()
    if level.passed():
        shutil.rmtree(folder)
    else:
        print(f"capacity: the server log and database of {participants} are kept in {folder}", flush=True)
    return level


def report(levels: list[Level], averages: list[str], took: float) -> str:
    lines = [
        "# How many phones one server process carries",
        "",
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; the whole run took {took:.0f} s",
        f"- Machine: {machine()}; {load_note(averages)}",
        f"- Code: {code_version()}",
        "- Clients: bench/phones.py, a websocket client of Streamlit's own protocol (what the browser's frontend"
        " sends and receives, without drawing), one process for all phones, on the same machine as the server."
        " Each participant holds two sessions: the follow page, rerunning its fragment every 2 s, and the surveys"
        " page. All send a question and save the survey, the clicks spread over"
        f" {SPREAD:.0f} s in a shuffled order; time from the click to the confirmation on that page.",
        "- Each level has a fresh server and database built through the core: one group with that many members,"
        " its session in the questions phase, an open survey.",
        "",
        "| participants | open sessions | ready in s | CPU while they wait: server | phones | confirmed | median s"
        " | p95 s | min s | max s | all checks |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for level in levels:
        lines.append(
            f"| {level.participants} | {2 * level.ready} | {level.ready_seconds:.0f} | {level.waiting.cpu:.0%}"
            f" | {level.client_cpu:.0%}"
            f" | {len(level.seconds())} of {len(level.submissions)} | {spread(level.seconds())}"
            f" | {'yes' if level.passed() else 'NO'} |"
        )
    carried = [level.participants for level in levels if level.passed()]
    refused = [
        f"at {level.participants}, {sum(1 for one in level.submissions if one.problem)} of"
        f" {len(level.submissions)} submissions were not confirmed"
        for level in levels
        if not level.passed()
    ]
    lines += [
        "",
        (f"One server process carried {max(carried)} participants with every check passed" if carried else "")
        + ("; " if carried and refused else "")
        + "; ".join(refused)
        + (". What they saw instead is in the checks below." if refused else "."),
    ]
    lines += ["", "## Checks", "", "| participants | check | passed | detail |", "|---:|---|---|---|"]
    for level in levels:
        for check in level.checks:
            lines.append(
                f"| {level.participants} | {check.name} | {'yes' if check.passed else 'NO'} | {check.detail} |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--levels", default="30,60,120,240", help="participants per run, comma-separated")
    counts = [int(count) for count in parser.parse_args().levels.split(",")]
    wait_until_quiet()
    started, averages = time.monotonic(), [load_average()]
    levels = []
    for count in counts:
        levels.append(run_level(count))
        print(f"capacity: {count} participants: {spread(levels[-1].seconds())}", flush=True)
    averages.append(load_average())
    write_section("capacity", report(levels, averages, time.monotonic() - started))
    promised = [level for level in levels if level.participants <= PROMISED]
    if not all(level.passed() for level in promised):
        sys.exit(1)


if __name__ == "__main__":
    main()
