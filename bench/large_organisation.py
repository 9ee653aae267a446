"""A large synthetic organisation, for measuring how the app behaves with years of data.

`load_large` fills an EMPTY database (SQLite or PostgreSQL) with `groups` groups, about `people` people and
`years` years of history: meetings with attendance, closed live sessions with their log, cases, and survey
waves. Every row is made by a `random.Random(seed)` relative to `now`, so the same arguments give the same
database. It is written through the store, as the app writes it, with the ids the database hands out; the
session histories, cases and survey answers are made by the same helpers as the demo organisation's.

    python bench/large_organisation.py [--groups N] [--people N] [--years N] [--path FILE | --database-url URL]
"""

from __future__ import annotations

import argparse
import random
import sys
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from anywhere

from intervision import store  # noqa: E402
from intervision.auth import hash_password  # noqa: E402
from intervision.clock import utcnow  # noqa: E402
from intervision.database import Database, Unit  # noqa: E402
from intervision.database import configured as configured_database  # noqa: E402
from intervision.demo_cases import add_discussed_case  # noqa: E402
from intervision.demo_sessions import add_closed_session  # noqa: E402
from intervision.demo_surveys import answer_wave  # noqa: E402
from intervision.errors import DomainError  # noqa: E402
from intervision.instruments import earlier_version, shipped_instruments  # noqa: E402
from intervision.live import CODE_ALPHABET  # noqa: E402
from intervision.method_library import pin_version  # noqa: E402
from intervision.methods import Method, built_in_library  # noqa: E402
from intervision.models import (  # noqa: E402
    CaseStatus,
    Contract,
    DevelopmentPhase,
    GroupInput,
    GroupRole,
    Language,
    MeetingStatus,
    ReportItem,
    Role,
)
from intervision.surveys import end_wave  # noqa: E402

LARGE_SEED = 20250101
LARGE_ORGANISATION = "Zorgconcern Groot"
COORDINATOR_NAME = "Coördinator Groot"
COORDINATOR_EMAIL = "coordinator@large.example"
PASSWORD = "large-intervisie"  # every account of the large organisation signs in with it
GROUPS_PER_UNIT = 25  # groups written per transaction: a few big units, none holding the whole history

DEPARTMENTS = ("Wijkverpleging", "Ouderenzorg", "Jeugdhulp", "Onderwijs", "GGZ", "Management")
LOCATIONS = ("Amersfoort", "Utrecht", "Gent", "Zwolle", "Leiden")
METHODS = ("incident", "five_step", "clinic", "six_hats", "disney", "core_quadrants", "gossip", "balint")
INSTRUMENTS = (("self_efficacy", 3.2), ("collective_efficacy", 3.0))  # with where a group's answers start
CONFIDENTIALITY = "Wat in de groep wordt ingebracht, blijft in de groep. Casussen brengen we anoniem in."
CASE_TITLES = ("Een lastig gesprek", "Een besluit in het team", "Grenzen aangeven", "Een klacht van een ouder")
BOARD_TEXT = "Een bijdrage op het bord."
FIRST_NAMES = ("Anna", "Bram", "Chantal", "Dirk", "Eva", "Femke", "Gert", "Hanna", "Ilse", "Joost", "Karim", "Lisa")
LAST_NAMES = ("de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "Claes", "Peeters", "Bouzid", "Mulder")
TABLES = (  # every table load_large fills (and the organisation)
    "people",
    "groups",
    "memberships",
    "membership_events",
    "method_versions",
    "meetings",
    "attendance",
    "cases",
    "live_sessions",
    "phase_visits",
    "board_items",
    "observations",
    "action_items",
    "survey_waves",
    "survey_responses",
    "survey_answers",
)


def load_large(
    database: Database,
    groups: int = 200,
    people: int = 1600,
    years: int = 5,
    seed: int = LARGE_SEED,
    now: datetime | None = None,
) -> dict[str, int]:
    """Fill an empty database with a large organisation; return how many rows each table holds then.

    Refused (DomainError "already_set_up") when anyone has an account. The people come in one write unit,
    the groups with their history in units of GROUPS_PER_UNIT: a failure half-way leaves the groups before it.
    """
    now = (now or utcnow()).astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    rng = random.Random(seed)
    history_starts = now - timedelta(days=365 * years + 60)
    hashed = hash_password(PASSWORD)  # once: hashing is slow on purpose
    with database.writing() as db:
        if store.anyone_has_an_account(db):
            raise DomainError("already_set_up")
        store.create_organisation(db, LARGE_ORGANISATION, is_demo=False, now=history_starts)
        store.add_person(db, COORDINATOR_NAME, COORDINATOR_EMAIL, Role.COORDINATOR, hashed, Language.NL, history_starts)
        facilitators = [
            _add_person(db, rng, number, Role.FACILITATOR, hashed, history_starts) for number in range(groups)
        ]
        participants = [
            _add_person(db, rng, groups + number, Role.PARTICIPANT, hashed, history_starts)
            for number in range(max(1, people - groups - 1))
        ]
        methods = {method_id: built_in_library().methods[method_id] for method_id in METHODS}
        for method in methods.values():
            pin_version(db, method, history_starts)

    plans = _member_plans(rng, groups, participants)
    for first in range(0, groups, GROUPS_PER_UNIT):
        with database.writing() as db:
            for number in range(first, min(groups, first + GROUPS_PER_UNIT)):
                _add_group(db, rng, number, facilitators[number], plans[number], methods, now, years)
    with database.reading() as db:
        return {table: db.execute(f"SELECT count(*) FROM {table}").scalar() for table in TABLES}


def _add_person(db: Unit, rng: random.Random, number: int, role: Role, hashed: str, now: datetime) -> int:
    name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)} {number + 1}"
    language = Language.EN if rng.random() < 0.1 else Language.NL
    return store.add_person(db, name, f"person{number + 1}@large.example", role, hashed, language, now)


def _member_plans(rng: random.Random, groups: int, participants: list[int]) -> list[list[int]]:
    """Seven to nine members per group, drawn from the participants so that everyone takes part somewhere."""
    plans: list[list[int]] = []
    pool: list[int] = []
    for _ in range(groups):
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
        plans.append(members)
    return plans


def _add_group(
    db: Unit,
    rng: random.Random,
    number: int,
    facilitator: int,
    members: list[int],
    methods: dict[str, Method],
    now: datetime,
    years: int,
) -> None:
    every_weeks = rng.randint(4, 8)
    minutes = rng.choice((90, 120, 120, 150))
    started = (now - timedelta(days=365 * years - rng.randint(0, 120))).date()
    every_item = list(ReportItem)
    if rng.random() < 0.85:
        reported = every_item
    else:
        reported = [item for item in every_item if rng.random() < 0.6] or [ReportItem.ATTENDANCE]
    phase = rng.choice([DevelopmentPhase.NORMING, DevelopmentPhase.PERFORMING, DevelopmentPhase.STORMING])
    department = DEPARTMENTS[number % len(DEPARTMENTS)]
    name = f"{department} {LOCATIONS[(number // len(DEPARTMENTS)) % len(LOCATIONS)]} {number + 1}"
    contract = Contract(
        meets_every_weeks=every_weeks,
        session_minutes=minutes,
        confidentiality=CONFIDENTIALITY,
        attendance_rule="Je komt minstens zes van de acht keer.",
        reported_to_organisation=reported,
        start_date=started,
        development_phase=phase,
    )
    form = GroupInput(
        name=name,
        description=f"Intervisiegroep {number + 1}.",
        label=f"{department} · {rng.choice(LOCATIONS)}",
        contract=contract,
    )
    # Set up, with its members, two weeks before its contract started (as the demo's groups).
    set_up = datetime.combine(started - timedelta(days=14), time(9, 0), tzinfo=UTC)
    group_id = store.add_group(db, form, now=set_up)
    store.set_membership(db, group_id, facilitator, GroupRole.FACILITATOR, set_up)
    for member in members:
        store.set_membership(db, group_id, member, GroupRole.MEMBER, set_up)
    presence = {facilitator: 0.97} | {member: rng.uniform(0.65, 0.95) for member in members}
    _add_meetings(db, rng, group_id, started, every_weeks, minutes, facilitator, members, presence, methods, now)
    _add_waves(db, rng, group_id, started, members, now, years)


def _add_meetings(
    db: Unit,
    rng: random.Random,
    group_id: int,
    started: date,
    every_weeks: int,
    minutes: int,
    facilitator: int,
    members: list[int],
    presence: dict[int, float],
    methods: dict[str, Method],
    now: datetime,
) -> None:
    slot = datetime.combine(started, time(rng.choice((9, 12, 13, 14))), tzinfo=UTC)
    slots = []
    while slot < now:
        slots.append(slot)
        slot += timedelta(weeks=every_weeks)
    previous = None
    for index, starts_at in enumerate(slots):
        if 0 < index < len(slots) - 1 and rng.random() < 0.08:
            store.add_meeting(db, group_id, starts_at, minutes, MeetingStatus.CANCELLED)
            continue
        method = methods[rng.choice([method_id for method_id in METHODS if method_id != previous])]
        previous = method.id
        meeting_id = store.add_meeting(db, group_id, starts_at, minutes, MeetingStatus.HELD, method.id, method.version)
        store.record_attendances(db, meeting_id, {person: rng.random() < chance for person, chance in presence.items()})
        case_id = _discussed_case(db, rng, group_id, members, meeting_id, method.id, starts_at, now)
        session_id = add_closed_session(
            db,
            rng,
            group_id,
            meeting_id,
            method,
            starts_at,
            minutes,
            facilitator,
            members,
            progress=index / max(1, len(slots) - 1),
            last=index == len(slots) - 1,
            case_id=case_id,
            codes=(_code(rng), f"large-{rng.getrandbits(64):016x}"),
        )
        _add_board_items(db, rng, session_id, method, members, starts_at, minutes)
    planned = methods[rng.choice(METHODS)]
    store.add_meeting(db, group_id, slot, minutes, MeetingStatus.PLANNED, planned.id, planned.version)
    for _ in range(rng.randint(0, 2)):  # cases waiting for the next session
        submitted = now - timedelta(days=rng.randint(1, 30))
        values = _case_values(rng.choice(CASE_TITLES), "Een situatie.", "Hoe pak ik dit aan?", "own_behaviour")
        store.add_case(db, group_id, rng.choice(members), CaseStatus.SUBMITTED, values, submitted)


def _code(rng: random.Random) -> str:
    """A join code as the app makes one, from the seeded generator so that every build is the same."""
    return "".join(rng.choice(CODE_ALPHABET) for _ in range(8))


def _case_values(title: str, situation: str, question: str, question_type: str) -> dict:
    return {
        "title": title,
        "situation": situation,
        "learning_question": question,
        "question_type": question_type,
        "anonymised": True,
    }


def _discussed_case(
    db: Unit,
    rng: random.Random,
    group_id: int,
    members: list[int],
    meeting_id: int,
    method_id: str,
    starts_at: datetime,
    now: datetime,
) -> int | None:
    """Most sessions discuss a case; six in ten of those the bringer follows up, if that moment has come."""
    if rng.random() > 0.7:
        return None
    question_type = rng.choice(("own_behaviour", "decision", "beliefs_feelings"))
    values = _case_values(
        rng.choice(CASE_TITLES), "Een situatie uit het werk.", "Hoe kan ik hiermee omgaan?", question_type
    )
    followed = starts_at + timedelta(minutes=90, days=rng.randint(14, 40))
    followed_up = followed < now and rng.random() < 0.6
    return add_discussed_case(
        db,
        group_id,
        rng.choice(members),
        values,
        meeting_id,
        method_id,
        starts_at + timedelta(minutes=90),
        "Eerst vragen, dan benoemen.",
        "Het ging beter." if followed_up else "",
        followed if followed_up else None,
    )


def _add_board_items(
    db: Unit,
    rng: random.Random,
    session_id: int,
    method: Method,
    members: list[int],
    started: datetime,
    minutes: int,
) -> None:
    """What the group put on the board, in the phases that collect it; some of it found helpful."""
    collecting = [(index, kind.value) for index, phase in enumerate(method.phases) for kind in phase.collects]
    for _ in range(rng.randint(2, 5)):
        index, kind = rng.choice(collecting) if collecting else (len(method.phases) - 1, "insight")
        at = started + timedelta(minutes=rng.uniform(5, minutes - 5))
        item_id = store.add_board_item(db, session_id, index, kind, BOARD_TEXT, rng.choice(members), at)
        if rng.random() < 0.3:
            store.set_board_item_helpful(db, session_id, item_id, True)


def _add_waves(
    db: Unit,
    rng: random.Random,
    group_id: int,
    started: date,
    members: list[int],
    now: datetime,
    years: int,
) -> None:
    """Two closed waves a year per instrument; how many answer varies, some waves stay below three.

    Waves of the last year use the current questionnaires, older ones their first version.
    """
    shelf = shipped_instruments().instruments
    answering = rng.uniform(0.2, 0.95)
    for instrument_id, level in INSTRUMENTS:
        versions = {True: shelf[instrument_id], False: earlier_version(instrument_id, 1)}
        definitions = {recent: instrument.definition() for recent, instrument in versions.items()}
        for number in range(2 * years):
            opened = datetime.combine(started, time(8), tzinfo=UTC) + timedelta(days=30 + 182 * number)
            closed = opened + timedelta(days=14)
            if closed >= now:
                break
            recent = opened >= now - timedelta(days=365)
            instrument = versions[recent]
            moment = "start" if number == 0 else "every_n_sessions"
            wave_id = store.add_wave(
                db, group_id, instrument_id, definitions[recent], moment, None, opened, version=instrument.version
            )
            growing = level + min(1.2, 0.15 * number)
            answer_wave(db, rng, wave_id, instrument, members, answering, growing, opened)
            end_wave(db, wave_id, closed)  # its release settled and its scores kept, as closing it in the app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--path", type=Path, help="a SQLite file (default: the configured database)")
    where.add_argument("--database-url", help="e.g. postgresql+psycopg://user@host/intervision")
    parser.add_argument("--groups", type=int, default=200)
    parser.add_argument("--people", type=int, default=None, help="default: 8 per group")
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--seed", type=int, default=LARGE_SEED)
    arguments = parser.parse_args()
    if arguments.path:
        database = Database.for_path(arguments.path)
    elif arguments.database_url:
        database = Database(arguments.database_url)
    else:
        database = configured_database()
    database.migrate()
    counts = load_large(
        database,
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
