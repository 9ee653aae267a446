"""A large synthetic organisation, for measuring how the app behaves with years of data.

`load_large` fills an EMPTY database with `groups` groups, about `people` people and `years` years of
history: meetings with attendance, closed live sessions with their log, cases, and survey waves. Every row
is made by a `random.Random(seed)` relative to `now`, so the same arguments give the same database.
Rows are written in bulk (executemany) inside one write transaction; the ids are chosen here.

    python -m intervision.demo_large PATH [--groups N] [--people N] [--years N]
"""

from __future__ import annotations

import argparse
import json
import random
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from intervision import store
from intervision.auth import hash_password
from intervision.clock import utcnow
from intervision.database import Database
from intervision.db import migrate, name_key
from intervision.demo_sessions import corrections, observation_counts
from intervision.errors import DomainError
from intervision.instruments import earlier_version, shipped_instruments
from intervision.live import CODE_ALPHABET
from intervision.methods import Method, built_in_library, method_to_toml
from intervision.models import DevelopmentPhase, ReportItem
from intervision.observation_log import categories
from intervision.surveys import score_closed_waves

LARGE_SEED = 20250101
LARGE_ORGANISATION = "Zorgconcern Groot"
COORDINATOR_NAME = "Coördinator Groot"
COORDINATOR_EMAIL = "coordinator@large.example"
PASSWORD = "large-intervisie"  # every account of the large organisation signs in with it

DEPARTMENTS = ("Wijkverpleging", "Ouderenzorg", "Jeugdhulp", "Onderwijs", "GGZ", "Management")
LOCATIONS = ("Amersfoort", "Utrecht", "Gent", "Zwolle", "Leiden")
METHODS = ("incident", "five_step", "clinic", "six_hats", "disney", "core_quadrants", "gossip", "balint")
INSTRUMENTS = ("self_efficacy", "collective_efficacy")
ALL_REPORTED = [item.value for item in ReportItem]
CONFIDENTIALITY = "Wat in de groep wordt ingebracht, blijft in de groep. Casussen brengen we anoniem in."
ACTIONS = ("Het gesprek opnieuw voeren", "Afspraken op papier zetten", "Een collega laten meekijken")
CASE_TITLES = ("Een lastig gesprek", "Een besluit in het team", "Grenzen aangeven", "Een klacht van een ouder")
FIRST_NAMES = ("Anna", "Bram", "Chantal", "Dirk", "Eva", "Femke", "Gert", "Hanna", "Ilse", "Joost", "Karim", "Lisa")
LAST_NAMES = ("de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "Claes", "Peeters", "Bouzid", "Mulder")


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _code(number: int) -> str:
    """A unique join code per session: the session id written in the code alphabet."""
    base = len(CODE_ALPHABET)
    digits = []
    for _ in range(8):
        number, rest = divmod(number, base)
        digits.append(CODE_ALPHABET[rest])
    return "".join(reversed(digits))


class _Rows:
    """The rows to insert, per table, with the ids handed out here."""

    def __init__(self) -> None:
        self.rows: dict[str, list[tuple]] = {}
        self.ids: dict[str, int] = {}

    def next_id(self, table: str) -> int:
        self.ids[table] = self.ids.get(table, 0) + 1
        return self.ids[table]

    def add(self, table: str, *row: object) -> None:
        self.rows.setdefault(table, []).append(row)


_INSERTS = {
    "people": "INSERT INTO people (id, name, email, role, language, password_hash, created_at) VALUES (?,?,?,?,?,?,?)",
    "groups": (
        "INSERT INTO groups (id, name, name_key, description, label, meets_every_weeks, session_minutes,"
        " confidentiality, attendance_rule, reported_to_organisation, start_date, development_phase, created_at)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)"
    ),
    "memberships": "INSERT INTO memberships (group_id, person_id, group_role, joined_at) VALUES (?,?,?,?)",
    "membership_events": (
        "INSERT INTO membership_events (group_id, person_id, change, group_role, at) VALUES (?,?,'joined',?,?)"
    ),
    "method_versions": "INSERT INTO method_versions (method_id, version, definition, created_at) VALUES (?,?,?,?)",
    "meetings": (
        "INSERT INTO meetings (id, group_id, starts_at, minutes, method_id, method_version, status)"
        " VALUES (?,?,?,?,?,?,?)"
    ),
    "attendance": "INSERT INTO attendance (meeting_id, person_id, present) VALUES (?,?,?)",
    "cases": (
        "INSERT INTO cases (id, group_id, author_id, status, title, situation, learning_question, question_type,"
        " anonymised, created_at, submitted_at, meeting_id, chosen_at, discussed_at, method_id, chosen_advice,"
        " follow_up, followed_up_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
    ),
    "live_sessions": (
        "INSERT INTO live_sessions (id, group_id, meeting_id, case_id, case_title, method_id, method_version, status,"
        " phase_index, join_code, projector_token, facilitator_id, started_at, closed_at)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
    ),
    "phase_visits": (
        "INSERT INTO phase_visits (live_session_id, phase_index, phase_id, planned_minutes, seconds, skipped,"
        " ended_at) VALUES (?,?,?,?,?,?,?)"
    ),
    "board_items": (
        "INSERT INTO board_items (live_session_id, phase_index, kind, text, author_id, helpful, created_at)"
        " VALUES (?,?,?,?,?,?,?)"
    ),
    "observations": (
        "INSERT INTO observations (live_session_id, phase_index, level, kind, category, automatic, at)"
        " VALUES (?,?,?,?,?,?,?)"
    ),
    "action_items": (
        "INSERT INTO action_items (live_session_id, group_id, text, owner_id, due_date, confirmed, done, created_at)"
        " VALUES (?,?,?,?,?,?,?,?)"
    ),
    "survey_waves": (
        "INSERT INTO survey_waves (id, group_id, instrument_id, instrument_definition, instrument_version, moment,"
        " opened_by, opened_at, closed_at, release) VALUES (?,?,?,?,?,?,?,?,?,?)"
    ),
    "survey_responses": "INSERT INTO survey_responses (id, wave_id, person_id, answered_at) VALUES (?,?,?,?)",
    "survey_answers": "INSERT INTO survey_answers (response_id, item_id, value) VALUES (?,?,?)",
}
TABLES = tuple(_INSERTS)  # every table load_large fills (and the organisation)


def load_large(
    database: Database,
    groups: int = 200,
    people: int = 1600,
    years: int = 5,
    seed: int = LARGE_SEED,
    now: datetime | None = None,
) -> dict[str, int]:
    """Fill an empty database with a large organisation; return how many rows went into each table."""
    now = (now or utcnow()).astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    rng = random.Random(seed)
    history_starts = now - timedelta(days=365 * years + 60)
    rows = _Rows()
    hashed = hash_password(PASSWORD)  # once: hashing is slow on purpose

    rows.add(
        "people",
        rows.next_id("people"),
        COORDINATOR_NAME,
        COORDINATOR_EMAIL,
        "coordinator",
        "nl",
        hashed,
        _iso(history_starts),
    )
    facilitators = [_person(rows, rng, "facilitator", hashed, history_starts) for _ in range(groups)]
    participants = [
        _person(rows, rng, "participant", hashed, history_starts) for _ in range(max(1, people - groups - 1))
    ]
    _methods(rows, history_starts)

    pool: list[int] = []
    for number in range(groups):
        size = rng.randint(7, 9)
        members: list[int] = []
        while len(members) < size:
            if not pool:
                pool = participants[:]
                rng.shuffle(pool)
            candidate = pool.pop()
            if candidate in members:
                if len(participants) <= size:
                    break
                continue
            members.append(candidate)
        _group(rows, rng, number, facilitators[number], members, now, years)

    with database.writing() as db:
        if store.count_people(db) > 0:
            raise DomainError("already_set_up")
        store.create_organisation(db, LARGE_ORGANISATION, is_demo=False, now=history_starts)
        for table, statement in _INSERTS.items():
            db.execute_many(statement, rows.rows.get(table, []))
        score_closed_waves(db)  # as closing each wave would have
    return {table: len(rows.rows.get(table, [])) for table in TABLES}


def _person(rows: _Rows, rng: random.Random, role: str, hashed: str, now: datetime) -> int:
    person_id = rows.next_id("people")
    name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)} {person_id}"
    language = "en" if rng.random() < 0.1 else "nl"
    rows.add("people", person_id, name, f"person{person_id}@large.example", role, language, hashed, _iso(now))
    return person_id


def _methods(rows: _Rows, now: datetime) -> None:
    library = built_in_library().methods
    for method_id in METHODS:
        method = library[method_id]
        rows.add("method_versions", method.id, method.version, method_to_toml(method), _iso(now))


def _group(
    rows: _Rows, rng: random.Random, number: int, facilitator: int, members: list[int], now: datetime, years: int
) -> None:
    group_id = rows.next_id("groups")
    every_weeks = rng.randint(4, 8)
    minutes = rng.choice((90, 120, 120, 150))
    started = (now - timedelta(days=365 * years - rng.randint(0, 120))).date()
    if rng.random() < 0.85:
        reported = ALL_REPORTED
    else:
        reported = [item for item in ALL_REPORTED if rng.random() < 0.6] or [ReportItem.ATTENDANCE.value]
    phase = rng.choice([DevelopmentPhase.NORMING, DevelopmentPhase.PERFORMING, DevelopmentPhase.STORMING]).value
    name = f"{DEPARTMENTS[number % len(DEPARTMENTS)]} {LOCATIONS[(number // len(DEPARTMENTS)) % len(LOCATIONS)]}"
    name = f"{name} {number + 1}"
    label = f"{DEPARTMENTS[number % len(DEPARTMENTS)]} · {rng.choice(LOCATIONS)}"
    set_up = datetime.combine(started - timedelta(days=14), time(9, 0), tzinfo=UTC)
    rows.add(
        "groups",
        group_id,
        name,
        name_key(name),
        f"Intervisiegroep {number + 1}.",
        label,
        every_weeks,
        minutes,
        CONFIDENTIALITY,
        "Je komt minstens zes van de acht keer.",
        json.dumps(reported),
        started.isoformat(),
        phase,
        _iso(set_up),
    )
    rows.add("memberships", group_id, facilitator, "facilitator", _iso(set_up))
    rows.add("membership_events", group_id, facilitator, "facilitator", _iso(set_up))
    for member in members:
        rows.add("memberships", group_id, member, "member", _iso(set_up))
        rows.add("membership_events", group_id, member, "member", _iso(set_up))
    presence = {facilitator: 0.97} | {member: rng.uniform(0.65, 0.95) for member in members}
    _meetings(rows, rng, group_id, started, every_weeks, minutes, facilitator, members, presence, now)
    _waves(rows, rng, group_id, started, members, reported, now, years)


def _meetings(
    rows: _Rows,
    rng: random.Random,
    group_id: int,
    started: date,
    every_weeks: int,
    minutes: int,
    facilitator: int,
    members: list[int],
    presence: dict[int, float],
    now: datetime,
) -> None:
    library = built_in_library().methods
    slot = datetime.combine(started, time(rng.choice((9, 12, 13, 14))), tzinfo=UTC)
    slots = []
    while slot < now:
        slots.append(slot)
        slot += timedelta(weeks=every_weeks)
    previous = None
    for index, starts_at in enumerate(slots):
        meeting_id = rows.next_id("meetings")
        if 0 < index < len(slots) - 1 and rng.random() < 0.08:
            rows.add("meetings", meeting_id, group_id, _iso(starts_at), minutes, None, None, "cancelled")
            continue
        method_id = rng.choice([m for m in METHODS if m != previous])
        previous = method_id
        method = library[method_id]
        rows.add("meetings", meeting_id, group_id, _iso(starts_at), minutes, method_id, method.version, "held")
        for person_id, chance in presence.items():
            rows.add("attendance", meeting_id, person_id, int(rng.random() < chance))
        progress = index / max(1, len(slots) - 1)
        case_id = _discussed_case(rows, rng, group_id, members, meeting_id, method_id, starts_at, now)
        _session(rows, rng, group_id, meeting_id, case_id, method, facilitator, members, starts_at, minutes, progress)
    planned = rows.next_id("meetings")
    method_id = rng.choice(METHODS)
    rows.add("meetings", planned, group_id, _iso(slot), minutes, method_id, library[method_id].version, "planned")
    for _ in range(rng.randint(0, 2)):  # cases waiting for the next session
        case_id = rows.next_id("cases")
        author = rng.choice(members)
        created = now - timedelta(days=rng.randint(1, 30))
        rows.add(
            "cases",
            case_id,
            group_id,
            author,
            "submitted",
            rng.choice(CASE_TITLES),
            "Een situatie.",
            "Hoe pak ik dit aan?",
            "own_behaviour",
            1,
            _iso(created),
            _iso(created),
            None,
            None,
            None,
            None,
            "",
            "",
            None,
        )


def _discussed_case(
    rows: _Rows,
    rng: random.Random,
    group_id: int,
    members: list[int],
    meeting_id: int,
    method_id: str,
    starts_at: datetime,
    now: datetime,
) -> int | None:
    if rng.random() > 0.7:
        return None
    case_id = rows.next_id("cases")
    created = starts_at - timedelta(days=rng.randint(3, 20))
    discussed = starts_at + timedelta(minutes=90)
    followed = discussed + timedelta(days=rng.randint(14, 40))
    followed_up = followed < now and rng.random() < 0.6
    rows.add(
        "cases",
        case_id,
        group_id,
        rng.choice(members),
        "followed_up" if followed_up else "discussed",
        rng.choice(CASE_TITLES),
        "Een situatie uit het werk.",
        "Hoe kan ik hiermee omgaan?",
        rng.choice(("own_behaviour", "decision", "beliefs_feelings")),
        1,
        _iso(created),
        _iso(created),
        meeting_id,
        _iso(starts_at),
        _iso(discussed),
        method_id,
        "Eerst vragen, dan benoemen.",
        "Het ging beter." if followed_up else "",
        _iso(followed) if followed_up else None,
    )
    return case_id


def _session(
    rows: _Rows,
    rng: random.Random,
    group_id: int,
    meeting_id: int,
    case_id: int | None,
    method: Method,
    facilitator: int,
    members: list[int],
    started: datetime,
    minutes: int,
    progress: float,
) -> None:
    session_id = rows.next_id("live_sessions")
    phases = method.phases
    rows.add(
        "live_sessions",
        session_id,
        group_id,
        meeting_id,
        case_id,
        "",
        method.id,
        method.version,
        "closed",
        len(phases) - 1,
        _code(session_id),
        f"large-{session_id}-{rng.getrandbits(64):016x}",
        facilitator,
        _iso(started),
        _iso(started + timedelta(minutes=minutes)),
    )
    moment = started
    for phase_index, phase in enumerate(phases):
        seconds = phase.minutes * 60 * rng.uniform(0.85, 1.3 - 0.2 * progress)
        moment += timedelta(seconds=seconds)
        rows.add("phase_visits", session_id, phase_index, phase.id, phase.minutes, round(seconds, 1), 0, _iso(moment))
    collecting = [(index, kind.value) for index, phase in enumerate(phases) for kind in phase.collects]
    for _ in range(rng.randint(2, 5)):
        index, kind = rng.choice(collecting) if collecting else (len(phases) - 1, "insight")
        at = started + timedelta(minutes=rng.uniform(5, minutes - 5))
        rows.add(
            "board_items",
            session_id,
            index,
            kind,
            "Een bijdrage op het bord.",
            rng.choice(members),
            int(rng.random() < 0.3),
            _iso(at),
        )
    known = categories()
    for level, count in observation_counts(rng, progress).items():
        offered = [category.id for category in known.offered(level)]
        for _ in range(count):
            at = started + timedelta(minutes=rng.uniform(5, minutes - 5))
            rows.add(
                "observations",
                session_id,
                rng.randrange(len(phases)),
                level,
                "observation",
                rng.choice(offered),
                0,
                _iso(at),
            )
    for (level, kind), count in corrections(rng, progress).items():
        for _ in range(count):
            at = started + timedelta(minutes=rng.uniform(5, minutes - 5))
            rows.add("observations", session_id, rng.randrange(len(phases)), level, kind, None, 0, _iso(at))
    closed = started + timedelta(minutes=minutes)
    for number in range(rng.randint(1, 2)):
        due = (closed + timedelta(days=28)).date().isoformat()
        done = int(progress < 0.98 and (number == 0 or rng.random() < 0.4))
        rows.add(
            "action_items", session_id, group_id, rng.choice(ACTIONS), rng.choice(members), due, 1, done, _iso(closed)
        )


def _waves(
    rows: _Rows,
    rng: random.Random,
    group_id: int,
    started: date,
    members: list[int],
    reported: list[str],
    now: datetime,
    years: int,
) -> None:
    """Two closed waves a year per instrument; how many answer varies, some waves stay below three.

    Waves of the last year use the current questionnaires, older ones their first version.
    """
    shelf = shipped_instruments().instruments
    answering = rng.uniform(0.2, 0.95)
    for instrument_id, level in zip(INSTRUMENTS, (3.2, 3.0), strict=True):
        versions = {True: shelf[instrument_id], False: earlier_version(instrument_id, 1)}
        definitions = {recent: instrument.definition() for recent, instrument in versions.items()}
        for number in range(2 * years):
            opened = datetime.combine(started, time(8), tzinfo=UTC) + timedelta(days=30 + 182 * number)
            closed = opened + timedelta(days=14)
            if closed >= now:
                break
            recent = opened >= now - timedelta(days=365)
            instrument, definition = versions[recent], definitions[recent]
            wave_id = rows.next_id("survey_waves")
            moment = "start" if number == 0 else "every_n_sessions"
            respondents = [member for member in members if rng.random() < answering]
            release = "alone" if len(respondents) >= 3 else "pool"
            if "survey_aggregates" not in reported:
                release = "private"
            rows.add(
                "survey_waves",
                wave_id,
                group_id,
                instrument_id,
                definition,
                instrument.version,
                moment,
                None,
                _iso(opened),
                _iso(closed),
                release,
            )
            mean = level + min(1.2, 0.15 * number) + rng.gauss(0, 0.4)
            for person_id in respondents:
                response_id = rows.next_id("survey_responses")
                rows.add(
                    "survey_responses",
                    response_id,
                    wave_id,
                    person_id,
                    _iso(opened + timedelta(days=rng.randint(0, 6))),
                )
                for item in instrument.items:
                    if rng.random() < 0.04:
                        value = None
                    else:
                        value = max(instrument.lowest, min(instrument.highest, round(rng.gauss(mean, 0.5))))
                        if item.reverse:
                            value = instrument.lowest + instrument.highest - value
                    rows.add("survey_answers", response_id, item.id, value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--groups", type=int, default=200)
    parser.add_argument("--people", type=int, default=None, help="default: 8 per group")
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--seed", type=int, default=LARGE_SEED)
    arguments = parser.parse_args()
    migrate(arguments.path)
    counts = load_large(
        arguments.path,
        groups=arguments.groups,
        people=arguments.people or 8 * arguments.groups,
        years=arguments.years,
        seed=arguments.seed,
    )
    for table, count in counts.items():
        print(f"{table:20} {count:>9}")
    print(f"Coordinator: {COORDINATOR_EMAIL} / {PASSWORD}")


if __name__ == "__main__":
    main()
