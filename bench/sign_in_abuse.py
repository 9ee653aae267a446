"""Board items while the sign-in is hammered: does a password check hold up other people's writes?

`.venv/bin/python bench/sign_in_abuse.py [--members 10] [--items 15] [--attackers 4]` builds a fresh database
through the core (bench/live.py's seed: a group, its members, a live session in its questions phase), then
twice lets every member send `--items` questions to the board through `live.send_to_board`, one every
0.2–0.6 s, each member in a thread of its own as the server runs each script run: first on a quiet app
(the baseline), then while `--attackers` threads try to sign in without pause, with unknown e-mail
addresses and wrong passwords, through `auth.sign_in` with the production argon2 settings. Every attempt
comes from a new client address (as from many machines, or a forged header behind a trusting proxy), so
that no wait refuses it unchecked and every attempt costs a full argon2 check: the heaviest sign-in load.

It reports the machine, the time each board write took (median, p95, highest) and how many failed with
"database is locked", for both runs, against the issue's target: p95 under 1 s, no lock errors. The
results go to the section `sign_in_abuse` of bench/RESULTS.md. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import random
import re
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "e2e")]

from bench.live import QUESTIONS_PHASE, seed  # noqa: E402
from bench.results import write_section  # noqa: E402
from intervision import auth, live  # noqa: E402
from intervision.database import storage_problem  # noqa: E402
from intervision.errors import DomainError  # noqa: E402
from intervision.models import BoardItemInput, SignInInput  # noqa: E402

P95_TARGET = 1.0  # seconds, from the issue


@dataclass
class Writes:
    seconds: list[float] = field(default_factory=list)
    locked: int = 0
    other_errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def row(self, label: str) -> str:
        if not self.seconds:
            return f"| {label} | 0 | – | – | – | {self.locked} |"
        ordered = sorted(self.seconds)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
        return (
            f"| {label} | {len(ordered)} | {statistics.median(ordered):.3f} | {p95:.3f} | {ordered[-1]:.3f} |"
            f" {self.locked} |"
        )

    def p95(self) -> float:
        ordered = sorted(self.seconds)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] if ordered else float("nan")


@dataclass
class Attempts:
    seconds: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _member_writes(seeded, member, items: int, writes: Writes, rng: random.Random) -> None:  # noqa: ANN001
    for number in range(items):
        time.sleep(rng.uniform(0.2, 0.6))
        form = BoardItemInput(kind="question", text=f"Question {number + 1} from {member.name}")
        started = time.perf_counter()
        try:
            live.send_to_board(seeded.db_path, member, seeded.session_id, form)
        except Exception as error:  # noqa: BLE001 - every failure is counted, none stops the run
            with writes.lock:
                if storage_problem(error) == "storage_busy":
                    writes.locked += 1
                else:
                    writes.other_errors.append(repr(error))
            continue
        with writes.lock:
            writes.seconds.append(time.perf_counter() - started)


def _attacker(db_path: Path, number: int, stop: threading.Event, attempts: Attempts) -> None:
    tried = 0
    while not stop.is_set():
        tried += 1
        form = SignInInput(email=f"unknown{number}-{tried}@elsewhere.example", password="not anybody's password")
        address = f"10.{number}.{tried // 250 % 250}.{tried % 250 + 1}"
        started = time.perf_counter()
        with contextlib.suppress(DomainError):
            auth.sign_in(db_path, form, address)
        with attempts.lock:
            attempts.seconds.append(time.perf_counter() - started)


def _round(seeded, items: int, attackers: int, seed_value: int) -> tuple[Writes, Attempts, float]:  # noqa: ANN001
    writes, attempts, stop = Writes(), Attempts(), threading.Event()
    hammering = [
        threading.Thread(target=_attacker, args=(seeded.db_path, number, stop, attempts), daemon=True)
        for number in range(attackers)
    ]
    for thread in hammering:
        thread.start()
    if attackers:
        time.sleep(2)  # the sign-in load is under way before the first board item
    rng = random.Random(seed_value)
    members = [
        threading.Thread(target=_member_writes, args=(seeded, member, items, writes, random.Random(rng.random())))
        for member in seeded.members
    ]
    started = time.monotonic()
    for thread in members:
        thread.start()
    for thread in members:
        thread.join()
    took = time.monotonic() - started
    stop.set()
    for thread in hammering:
        thread.join()
    return writes, attempts, took


def cpu_model() -> str:
    found = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.MULTILINE)
    return found.group(1).strip() if found else platform.processor() or platform.machine()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10)
    parser.add_argument("--items", type=int, default=15)
    parser.add_argument("--attackers", type=int, default=4)
    arguments = parser.parse_args()

    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="sign-in-abuse-") as folder:
        seeded = seed(Path(folder) / "intervision.db", arguments.members)
        assert seeded.session().phase_index == QUESTIONS_PHASE
        print("baseline: board items on a quiet app", flush=True)
        baseline, _, baseline_took = _round(seeded, arguments.items, 0, 1)
        print(f"under sign-in load: {arguments.attackers} clients trying to sign in", flush=True)
        loaded, attempts, loaded_took = _round(seeded, arguments.items, arguments.attackers, 2)
    load_after = os.getloadavg()[0]

    per_second = len(attempts.seconds) / loaded_took if loaded_took else 0.0
    met = loaded.p95() < P95_TARGET and loaded.locked == 0 and not loaded.other_errors
    body = "\n".join(
        [
            "## Board items while the sign-in is hammered (`bench/sign_in_abuse.py`)",
            "",
            f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.platform()}, {cpu_model()},"
            f" {os.cpu_count()} cores; 1-minute load average {load_before:.1f} at the start, {load_after:.1f} at"
            " the end (other work on a shared machine adds to every figure).",
            "",
            f"{arguments.members} members each send {arguments.items} questions to the board of a live session"
            " (`live.send_to_board`, one every 0.2–0.6 s, a thread per member), first on a quiet app, then while"
            f" {arguments.attackers} clients try to sign in without pause with unknown e-mail addresses and wrong"
            " passwords (`auth.sign_in`, production argon2 settings), each attempt from a new client address so"
            f" that every one costs a full password check: {len(attempts.seconds)} attempts in"
            f" {loaded_took:.0f} s ({per_second:.1f} per second, median"
            f" {statistics.median(attempts.seconds) if attempts.seconds else float('nan'):.2f} s each).",
            "",
            '| board writes | count | median s | p95 s | highest s | "database is locked" |',
            "|---|---|---|---|---|---|",
            baseline.row("quiet app (baseline)"),
            loaded.row(f"{arguments.attackers} clients hammering the sign-in"),
            "",
            f"Target: p95 under {P95_TARGET:.0f} s and no lock errors: **{'met' if met else 'not met'}**"
            f" (p95 {loaded.p95():.3f} s, {loaded.locked} lock errors"
            + (f", {len(loaded.other_errors)} other errors: {loaded.other_errors[:3]}" if loaded.other_errors else "")
            + f"). The baseline round took {baseline_took:.0f} s, the loaded one {loaded_took:.0f} s.",
        ]
    )
    print(body, flush=True)
    write_section("sign_in_abuse", body)


if __name__ == "__main__":
    main()
