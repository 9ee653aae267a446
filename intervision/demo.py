"""The demo organisation: people, groups in every phase of a group's life, and a year of sessions.

Loading it is the alternative to setting up a real organisation on first run. Everything is generated
from a fixed seed relative to the moment of loading, so every demo looks the same and is always current.
All demo accounts share one published password, so anyone can try each role.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from intervision import store
from intervision.auth import hash_password
from intervision.database import Database, Unit
from intervision.database import configured as configured_database
from intervision.demo_cases import add_demo_cases
from intervision.demo_programme import (
    add_demo_exercises,
    add_demo_learning_goals,
    add_demo_programme,
    add_demo_safety_waves,
    add_demo_second_observer,
)
from intervision.demo_sessions import add_demo_sessions
from intervision.demo_surveys import add_demo_waves
from intervision.errors import DomainError
from intervision.method_library import pin_version
from intervision.methods import Name, Text, built_in_library, method_to_toml
from intervision.models import (
    AuditAction,
    Contract,
    DevelopmentPhase,
    GoalMeasure,
    GroupInput,
    GroupRole,
    Language,
    MeetingStatus,
    ReportItem,
    Role,
)

DEMO_PASSWORD = "demo-intervisie"
DEMO_ORGANISATION = "Zorggroep De Linde"
DEMO_EMAIL_DOMAIN = "demo.example"
DEMO_SEED = 20240611


@dataclass(frozen=True)
class DemoAccount:
    """An account to try the demo with; every one signs in with DEMO_PASSWORD."""

    name: str
    email: str
    is_coordinator: bool
    facilitates: tuple[str, ...]  # group names
    takes_part_in: tuple[str, ...]


# --- the people --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _PersonPlan:
    name: str
    role: Role
    language: Language = Language.NL


_COORDINATOR = "Marieke van Dijk"

_PEOPLE: tuple[_PersonPlan, ...] = (
    _PersonPlan(_COORDINATOR, Role.COORDINATOR),
    _PersonPlan("Jeroen Bakker", Role.FACILITATOR),
    _PersonPlan("Annelies Verhoeven", Role.FACILITATOR),
    _PersonPlan("Pieter De Smet", Role.FACILITATOR),
    # Leidinggevenden Zorg
    _PersonPlan("Fatima El Amrani", Role.PARTICIPANT),
    _PersonPlan("Sofie Claes", Role.PARTICIPANT),
    _PersonPlan("Hans Kuipers", Role.PARTICIPANT),
    _PersonPlan("Ingrid Smit", Role.PARTICIPANT),
    _PersonPlan("Mohamed Bouzid", Role.PARTICIPANT),
    # Wijkverpleging Noord
    _PersonPlan("Lotte de Vries", Role.PARTICIPANT),
    _PersonPlan("Emma Clarke", Role.PARTICIPANT, Language.EN),
    _PersonPlan("Kim Bos", Role.PARTICIPANT),
    _PersonPlan("Yvonne Dekker", Role.PARTICIPANT),
    _PersonPlan("Ricardo Martis", Role.PARTICIPANT),
    _PersonPlan("Nadia Ouali", Role.PARTICIPANT),
    _PersonPlan("Joyce van Leeuwen", Role.PARTICIPANT),
    # Onderwijsteam Basisschool De Regenboog
    _PersonPlan("Sanne Jansen", Role.PARTICIPANT),
    _PersonPlan("Tim van den Berg", Role.PARTICIPANT),
    _PersonPlan("Esther Brouwer", Role.PARTICIPANT),
    _PersonPlan("Daan Meijer", Role.PARTICIPANT),
    _PersonPlan("Ana Souza", Role.PARTICIPANT, Language.EN),
    _PersonPlan("Priya Raghoebarsing", Role.PARTICIPANT),
    # Jeugdhulp Gent
    _PersonPlan("Lieselot Maes", Role.PARTICIPANT),
    _PersonPlan("Wout Janssens", Role.PARTICIPANT),
    _PersonPlan("Jana Wouters", Role.PARTICIPANT),
    _PersonPlan("Daniel Okafor", Role.PARTICIPANT, Language.EN),
)

# Shown on the first-run screen after the coordinator and the facilitators: a participant who
# facilitates one group and takes part in another, one in two groups, and one whose group has no
# session planned.
_SHOWCASED_PARTICIPANTS = ("Fatima El Amrani", "Sofie Claes", "Sanne Jansen")


def demo_email(name: str) -> str:
    """The demo address of a person: "Pieter De Smet" → pieter.desmet@demo.example."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    first, _, rest = plain.partition(" ")
    return f"{first}.{re.sub(r'[^a-z]', '', rest)}@{DEMO_EMAIL_DOMAIN}"


# --- the groups --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _GroupPlan:
    name: str
    label: str
    description: str
    phase: DevelopmentPhase
    every_weeks: int
    minutes: int
    started_days_ago: int
    weekday: int  # Monday is 0
    starts_at: time  # UTC
    confidentiality: str
    attendance_rule: str
    reported: tuple[ReportItem, ...]
    facilitator: str
    members: tuple[str, ...]
    plans_next_session: bool = True
    answering: float = 0.85  # the chance that a member answers a survey wave


_CONFIDENTIAL = (
    "Wat in de groep wordt ingebracht, blijft in de groep. We vertellen buiten de groep niet over elkaars "
    "casussen, ook niet zonder namen. Een casus brengen we anoniem in: geen namen, geboortedata, adressen "
    "of cliëntnummers; betrokkenen noemen we alleen bij hun rol. Aantekeningen van een bijeenkomst blijven "
    "bij de inbrenger of gaan na afloop de papierbak in."
)

_GROUPS: tuple[_GroupPlan, ...] = (
    _GroupPlan(
        name="Leidinggevenden Zorg",
        label="Management · Amersfoort",
        description=(
            "Teamleiders en locatiemanagers uit de ouderenzorg en de wijkverpleging. Een hechte groep die "
            "veel zelf regelt; de begeleider stapt steeds vaker terug."
        ),
        phase=DevelopmentPhase.PERFORMING,
        every_weeks=6,
        minutes=120,
        started_days_ago=700,
        weekday=1,
        starts_at=time(12, 30),
        confidentiality=(
            f"{_CONFIDENTIAL} Medewerkers die in een casus voorkomen, blijven buiten beeld: wat hier wordt "
            "gezegd, speelt geen rol in functionerings- of beoordelingsgesprekken."
        ),
        attendance_rule=(
            "Je bent er minstens zeven van de acht keer per jaar. Kun je niet, meld je dan uiterlijk een "
            "week vooraf af bij de begeleider."
        ),
        reported=(
            ReportItem.ATTENDANCE,
            ReportItem.SESSIONS_HELD,
            ReportItem.METHODS_USED,
            ReportItem.SURVEY_AGGREGATES,
            ReportItem.CASE_COUNTS,
            ReportItem.OBSERVATION_PROFILE,
        ),
        facilitator="Jeroen Bakker",
        members=("Fatima El Amrani", "Sofie Claes", "Hans Kuipers", "Ingrid Smit", "Mohamed Bouzid"),
    ),
    _GroupPlan(
        name="Wijkverpleging Noord",
        label="Wijkverpleging · Amersfoort-Noord",
        description=(
            "Wijkverpleegkundigen en verzorgenden van de teams Noord. Ze brengen vooral situaties in over "
            "zelfregie van cliënten en de samenwerking met mantelzorgers. De gespreksleiding rouleert."
        ),
        phase=DevelopmentPhase.NORMING,
        every_weeks=6,
        minutes=90,
        started_days_ago=545,
        weekday=3,
        starts_at=time(13, 0),
        confidentiality=(
            f"{_CONFIDENTIAL} Komt de veiligheid van een cliënt in het geding, dan volgen we het protocol "
            "van de organisatie en bespreken we eerst met de inbrenger wat er nodig is."
        ),
        attendance_rule=(
            "Je komt minstens zes van de acht bijeenkomsten per jaar; dat is ook de norm voor je "
            "registratie. Afmelden doe je vooraf bij de gespreksleider."
        ),
        reported=(
            ReportItem.ATTENDANCE,
            ReportItem.SESSIONS_HELD,
            ReportItem.METHODS_USED,
            ReportItem.SURVEY_AGGREGATES,
            ReportItem.CASE_COUNTS,
            ReportItem.OBSERVATION_PROFILE,
        ),
        facilitator="Fatima El Amrani",
        members=(
            "Lotte de Vries",
            "Emma Clarke",
            "Kim Bos",
            "Yvonne Dekker",
            "Ricardo Martis",
            "Nadia Ouali",
            "Joyce van Leeuwen",
        ),
    ),
    _GroupPlan(
        name="Onderwijsteam Basisschool De Regenboog",
        label="Onderwijs · De Regenboog, Zeist",
        description=(
            "Leerkrachten en intern begeleiders van de onder- en middenbouw. Na een wisseling in het team "
            "zoekt de groep opnieuw naar hoe ze met elkaar wil werken."
        ),
        phase=DevelopmentPhase.STORMING,
        every_weeks=4,
        minutes=90,
        started_days_ago=430,
        weekday=2,
        starts_at=time(13, 30),
        confidentiality=(
            f"{_CONFIDENTIAL} Over leerlingen en ouders spreken we alleen in algemene termen, zoals "
            "'een leerling uit groep 5'. Zorgen over de veiligheid van een kind lopen via de meldcode, "
            "niet via de intervisie."
        ),
        attendance_rule=(
            "Intervisie valt binnen de taakuren en hoort bij je werk. Afmelden kan bij ziekte of een "
            "schoolactiviteit die niet te verplaatsen is, vooraf bij de begeleider."
        ),
        reported=(ReportItem.ATTENDANCE,),
        facilitator="Annelies Verhoeven",
        members=(
            "Sanne Jansen",
            "Tim van den Berg",
            "Esther Brouwer",
            "Daan Meijer",
            "Ana Souza",
            "Priya Raghoebarsing",
        ),
        plans_next_session=False,
    ),
    _GroupPlan(
        name="Jeugdhulp Gent",
        label="Jeugdhulp · Gent",
        description=(
            "Ambulant begeleiders en gezinscoaches uit Gent. De groep is na een reorganisatie opnieuw "
            "samengesteld en legt nog de basis: afspraken, vertrouwen en een vaste werkwijze."
        ),
        phase=DevelopmentPhase.FORMING,
        every_weeks=8,
        minutes=105,
        started_days_ago=420,
        weekday=0,
        starts_at=time(8, 30),
        confidentiality=(
            f"{_CONFIDENTIAL} Jongeren en gezinnen noemen we nooit bij naam. Zorgen over de veiligheid "
            "van een kind bespreek je met je teamverantwoordelijke, volgens de afspraken van de organisatie."
        ),
        attendance_rule=(
            "Je bent bij elke bijeenkomst, tenzij je ziek bent of met verlof. Wie twee keer na elkaar "
            "ontbreekt, bespreekt met de begeleider hoe het verder moet."
        ),
        reported=(
            ReportItem.ATTENDANCE,
            ReportItem.SESSIONS_HELD,
            ReportItem.SURVEY_AGGREGATES,
            ReportItem.CASE_COUNTS,
        ),
        answering=0.55,  # a young group where few fill in the surveys: its averages are pooled
        facilitator="Pieter De Smet",
        members=("Sofie Claes", "Lieselot Maes", "Wout Janssens", "Jana Wouters", "Daniel Okafor"),
    ),
)


def _group_input(plan: _GroupPlan, now: datetime) -> GroupInput:
    contract = Contract(
        meets_every_weeks=plan.every_weeks,
        session_minutes=plan.minutes,
        confidentiality=plan.confidentiality,
        attendance_rule=plan.attendance_rule,
        reported_to_organisation=list(plan.reported),
        start_date=_start_date(plan, now),
        development_phase=plan.phase,
    )
    return GroupInput(name=plan.name, description=plan.description, label=plan.label, contract=contract)


def _start_date(plan: _GroupPlan, now: datetime) -> date:
    return (now - timedelta(days=plan.started_days_ago)).date()


# --- sessions ----------------------------------------------------------------------------------

# Gossip and Balint ask for a safe group: only groups that reached norming use them, and only once
# they have met for a while.
_NEEDS_SAFETY = frozenset({"gossip", "balint"})
_METHODS_BY_PHASE: dict[DevelopmentPhase, tuple[str, ...]] = {
    DevelopmentPhase.FORMING: ("incident", "five_step", "six_hats"),
    DevelopmentPhase.STORMING: ("incident", "five_step", "clinic", "six_hats", "disney"),
    DevelopmentPhase.NORMING: (
        "incident",
        "five_step",
        "clinic",
        "six_hats",
        "core_quadrants",
        "disney",
        "gossip",
    ),
    DevelopmentPhase.PERFORMING: (
        "incident",
        "clinic",
        "six_hats",
        "disney",
        "core_quadrants",
        "gossip",
        "balint",
    ),
}
_SAFE_FROM = 0.35  # share of a group's history after which it may use the methods that need safety
_CANCEL_CHANCE = 0.08
_PRESENCE = (0.72, 0.95)  # range of how reliably a member comes
_FACILITATOR_PRESENCE = 0.97


def _session_times(plan: _GroupPlan, now: datetime) -> Iterator[datetime]:
    """Every session slot from the group's start, on its weekday and hour, up to the first after now."""
    start = _start_date(plan, now)
    first_day = start + timedelta(days=(plan.weekday - start.weekday()) % 7)
    slot = datetime.combine(first_day, plan.starts_at, tzinfo=UTC)
    while True:
        yield slot
        if slot >= now:
            return
        slot += timedelta(weeks=plan.every_weeks)


def _choose_method(rng: random.Random, phase: DevelopmentPhase, progress: float, previous: str | None) -> str:
    """A method that fits the group's phase and history, not the same as last time."""
    methods = [
        method
        for method in _METHODS_BY_PHASE[phase]
        if method != previous and (progress >= _SAFE_FROM or method not in _NEEDS_SAFETY)
    ]
    return rng.choice(methods)


def _add_sessions(
    db: Unit, rng: random.Random, plan: _GroupPlan, group_id: int, people: dict[str, int], now: datetime
) -> None:
    slots = list(_session_times(plan, now))
    past, upcoming = slots[:-1], slots[-1]
    presence = _presence_of(rng, plan, people)
    previous: str | None = None
    for index, starts_at in enumerate(past):
        if 0 < index < len(past) - 1 and rng.random() < _CANCEL_CHANCE:
            store.add_meeting(db, group_id, starts_at, plan.minutes, MeetingStatus.CANCELLED)
            continue
        previous = _choose_method(rng, plan.phase, index / len(past), previous)
        held = store.add_meeting(
            db,
            group_id,
            starts_at,
            plan.minutes,
            MeetingStatus.HELD,
            previous,
            _pinned(db, previous, now),
        )
        _record_attendance(db, rng, held, presence)
    if plan.plans_next_session:
        method = _choose_method(rng, plan.phase, 1.0, previous)
        store.add_meeting(
            db,
            group_id,
            upcoming,
            plan.minutes,
            MeetingStatus.PLANNED,
            method,
            _pinned(db, method, now),
        )


def _pinned(db: Unit, method_id: str, now: datetime) -> int | None:
    """The version of a built-in method that the session ran with, kept for its history."""
    method = built_in_library().methods.get(method_id)
    return pin_version(db, method, now) if method else None


def _record_attendance(db: Unit, rng: random.Random, meeting_id: int, presence: dict[int, float]) -> None:
    store.record_attendances(db, meeting_id, {person: rng.random() < chance for person, chance in presence.items()})


def _presence_of(rng: random.Random, plan: _GroupPlan, people: dict[str, int]) -> dict[int, float]:
    """How likely each person in the group is to be at a session."""
    presence = {people[plan.facilitator]: _FACILITATOR_PRESENCE}
    for name in plan.members:
        presence[people[name]] = rng.uniform(*_PRESENCE)
    return presence


# --- loading -----------------------------------------------------------------------------------


def load_demo(database: Database, now: datetime | None = None) -> list[DemoAccount]:
    """Fill an empty database with the demo organisation; refused once anyone has an account.

    All of it is written in one transaction: either the whole demo is there, or nothing is.
    """
    now = now or database.clock.now()
    hashed = hash_password(DEMO_PASSWORD)  # once: hashing is slow on purpose
    rng = random.Random(DEMO_SEED)
    history_starts = now - timedelta(days=max(plan.started_days_ago for plan in _GROUPS) + 30)
    with database.writing() as db:
        if store.anyone_has_an_account(db):
            raise DomainError("already_set_up")
        store.create_organisation(db, DEMO_ORGANISATION, is_demo=True, now=history_starts)
        people = _add_people(db, hashed, history_starts)
        group_ids = {plan.name: _add_group(db, rng, plan, people, now) for plan in _GROUPS}
        _add_invitations(db, rng, group_ids, people, now)
        _add_own_method(db, people["Jeroen Bakker"], history_starts)
        _add_goals(db, group_ids, people[_COORDINATOR], now)
        _add_issue_18(db, group_ids, people, now)
        store.add_audit_event(db, now, people[_COORDINATOR], AuditAction.DEMO_LOADED, "", "")
    return demo_accounts()


def _add_issue_18(db: Unit, group_ids: dict[str, int], people: dict[str, int], now: datetime) -> None:
    """The learning programme, learning goals, exercises, a second observer and safety waves.

    From a generator of their own, so that adding them left the rest of the demo as it was."""
    add_demo_programme(db, group_ids, people[_COORDINATOR], now)
    add_demo_learning_goals(db, people, group_ids, now)
    facilitators = {plan.name: people[plan.facilitator] for plan in _GROUPS}
    add_demo_exercises(db, group_ids, facilitators)
    noord = "Wijkverpleging Noord"
    add_demo_second_observer(db, group_ids[noord], facilitators[noord], people["Jeroen Bakker"], now)
    add_demo_safety_waves(
        db,
        random.Random(DEMO_SEED + 18),
        group_ids,
        {plan.name: [people[name] for name in plan.members] for plan in _GROUPS},
        {plan.name: plan.answering for plan in _GROUPS},
        now,
    )


def _end_of_month_ahead(now: datetime, months: int) -> date:
    """The last day of the month that is `months` after now's month."""
    following = now.year * 12 + now.month + months  # the month after it, counting January of year 0 as 0
    return date(following // 12, following % 12 + 1, 1) - timedelta(days=1)


def _add_goals(db: Unit, group_ids: dict[str, int], coordinator_id: int, now: datetime) -> None:
    """The goals the coordinator agreed with management and with two of the groups.

    Each is due a fixed number of months after loading, so which comes first never depends on the month.
    """
    sooner, later = _end_of_month_ahead(now, 4), _end_of_month_ahead(now, 10)
    for group_name, measure, target, due in (
        (None, GoalMeasure.COLLECTIVE_EFFICACY, 3.5, later),
        (None, GoalMeasure.SESSIONS_HELD, 8, sooner),
        (_GROUPS[0].name, GoalMeasure.ACTION_ITEMS_DONE, 80, later),
        (_GROUPS[1].name, GoalMeasure.ATTENDANCE, 85, sooner),
    ):
        group_id = group_ids[group_name] if group_name else None
        store.add_goal(db, group_id, measure.value, target, due, coordinator_id, now)


def _add_own_method(db: Unit, author_id: int, now: datetime) -> None:
    """A facilitator's own short version of the incident method, for the library and the editor."""
    incident = built_in_library().methods.get("incident")
    if incident is None:
        return
    short = {"choose_incident": 5, "information_round": 10, "diagnosis": 5, "solutions": 5}
    phases = [phase.model_copy(update={"minutes": short.get(phase.id, phase.minutes)}) for phase in incident.phases]
    method = incident.model_copy(
        update={
            "id": "custom_1",
            "version": 1,
            "name": Name(nl="Incidentmethode kort", en="Incident method, short"),
            "summary": Text(
                nl="De incidentmethode in 35 minuten, voor een bijeenkomst met twee casussen.",
                en="The incident method in 35 minutes, for a session with two cases.",
            ),
            "phases": phases,
            "total_minutes": sum(phase.minutes for phase in phases),
        }
    )
    store.add_custom_method(db, method.id, author_id, now)
    store.keep_method_version(db, method.id, method.version, method_to_toml(method), now)


def _add_people(db: Unit, hashed: str, now: datetime) -> dict[str, int]:
    return {
        plan.name: store.add_person(db, plan.name, demo_email(plan.name), plan.role, hashed, plan.language, now)
        for plan in _PEOPLE
    }


def _add_group(db: Unit, rng: random.Random, plan: _GroupPlan, people: dict[str, int], now: datetime) -> int:
    # The group was set up, and its members joined, two weeks before its contract started.
    set_up = datetime.combine(_start_date(plan, now) - timedelta(days=14), time(9, 0), tzinfo=UTC)
    group_id = store.add_group(db, _group_input(plan, now), now=set_up)
    store.set_membership(db, group_id, people[plan.facilitator], GroupRole.FACILITATOR, set_up)
    for name in plan.members:
        store.set_membership(db, group_id, people[name], GroupRole.MEMBER, set_up)
    _add_sessions(db, rng, plan, group_id, people, now)
    add_demo_cases(db, rng, group_id, plan.name, [people[name] for name in plan.members], now)
    # A generator of its own, so that the sessions' details leave the rest of the demo as it was.
    session_rng = random.Random(DEMO_SEED + group_id)
    add_demo_sessions(db, session_rng, group_id, people[plan.facilitator], [people[name] for name in plan.members], now)
    add_demo_waves(db, rng, group_id, [people[name] for name in plan.members], now, plan.answering)
    return group_id


# No 0/O or 1/I/L, as in real invitation codes.
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def _add_invitations(
    db: Unit, rng: random.Random, group_ids: dict[str, int], people: dict[str, int], now: datetime
) -> None:
    """One invitation still open, one that expired after a use, and one the coordinator withdrew."""
    codes = iter(rng.sample(_CODE_ALPHABET, k=len(_CODE_ALPHABET)))

    def code() -> str:
        return "".join(next(codes) for _ in range(8))

    store.add_invitation(
        db,
        code(),
        group_ids["Jeugdhulp Gent"],
        GroupRole.MEMBER,
        people["Pieter De Smet"],
        now - timedelta(days=3),
        now + timedelta(days=11),
        max_uses=5,
    )
    expired = store.add_invitation(
        db,
        code(),
        group_ids["Wijkverpleging Noord"],
        GroupRole.MEMBER,
        people["Fatima El Amrani"],
        now - timedelta(days=75),
        now - timedelta(days=61),
        max_uses=2,
    )
    store.count_invitation_use(db, expired)
    revoked = store.add_invitation(
        db,
        code(),
        group_ids["Onderwijsteam Basisschool De Regenboog"],
        GroupRole.FACILITATOR,
        people[_COORDINATOR],
        now - timedelta(days=20),
        now + timedelta(days=10),
        max_uses=1,
    )
    store.revoke_invitation(db, revoked, now - timedelta(days=18))


# --- the accounts to try -----------------------------------------------------------------------


def demo_accounts() -> list[DemoAccount]:
    """The accounts the first-run screen offers: the coordinator, the facilitators, a few participants."""
    chosen = [plan.name for plan in _PEOPLE if plan.role is not Role.PARTICIPANT]
    chosen += _SHOWCASED_PARTICIPANTS
    return [
        DemoAccount(
            name=name,
            email=demo_email(name),
            is_coordinator=name == _COORDINATOR,
            facilitates=tuple(plan.name for plan in _GROUPS if plan.facilitator == name),
            takes_part_in=tuple(plan.name for plan in _GROUPS if name in plan.members),
        )
        for name in chosen
    ]


if __name__ == "__main__":
    database = configured_database()
    database.migrate()
    for account in load_demo(database):
        print(f"{account.email:40} {', '.join(account.facilitates + account.takes_part_in) or 'coordinator'}")
    print(f"Password for every demo account: {DEMO_PASSWORD}")
