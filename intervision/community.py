"""A group's community profile (seed 002: learning + community) and the second observer of a session.

Two groups with the same methods can learn very differently: one forms a community, the other does not. The
profile follows four aspects of that community per calendar quarter, each as a share from 0 (weak) to 1
(strong), from what the product already measures. Exactly which source feeds which aspect:

- **safety**: the survey "Veiligheid in de groep" (`psychological_safety`): the released wave averages of the
  quarter, weighted by their answers, from the 1–5 scale to 0–1.
- **trust**: the survey "Vertrouwen in wat we samen kunnen" (`collective_efficacy`), the same way.
- **shared responsibility**: the facilitator's observation log: of all corrections in the quarter's closed
  sessions, the share the group made itself (a self-correction) rather than the facilitator (an intervention);
  and the share of the quarter's confirmed action items that are done (everyone takes a piece of the
  follow-up). When both are known, their mean.
- **conversation skills** (listening, summarising, asking on): the facilitator's observation log: of the
  quarter's observations with a category on the interaction level, plus summarising, a summary needed and a
  concrete example asked for on the content level, the share with a helpful effect
  (`data/observation_categories.toml`).

The session evaluation (`session_evaluation`) is not used: its main scale is how useful the session was, a
learning result rather than a trait of the community.

Only what may be shown feeds a score: survey averages are the overview's releases (a wave with at least the
privacy threshold's respondents, or a pooled half-year; never an answer of one person), and only while the
group's contract reports survey results; observation shares only while it reports the observation profile,
and action items only while it reports case counts. A quarter with fewer than `MIN_OBSERVED` counted
observations (corrections, action items) says "too little data" instead of a number.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from intervision import clock, store
from intervision.config import PROJECT_ROOT
from intervision.database import Database, Unit
from intervision.errors import DomainError, NotAllowed
from intervision.exercises import CommunityAspect
from intervision.methods import LOW_SAFETY_SHARE, Safety, _Strict, built_in_library
from intervision.models import DevelopmentPhase, Group, Language, ObservationKind, Person, ReportItem, SessionStatus
from intervision.observation_log import LEVELS, Effect, categories
from intervision.overview import Comparison, Period, Release, releases
from intervision.permissions import Action, allows, require
from intervision.store import community as community_store
from intervision.store.community import (
    CategoryCount,
    DebriefNote,
    ObservedSession,
    ObserverObservation,
    SessionObserver,
)
from intervision.surveys import threshold

SUGGESTIONS_FILE = PROJECT_ROOT / "data" / "community_suggestions.toml"


# The four aspects are the exercises' own (an exercise names which it strengthens): one list for both.
Aspect = CommunityAspect

ASPECTS = tuple(Aspect)
SURVEY_OF = {Aspect.SAFETY: "psychological_safety", Aspect.TRUST: "collective_efficacy"}
# The survey scales run from 1 to 5 (the answer options of both instruments).
SCALE_LOW, SCALE_HIGH = 1.0, 5.0
# Below this a quarter's count says nothing: one session with three presses is not a pattern.
MIN_OBSERVED = 5
# An aspect below this share is weak: the same line the method chooser draws for a low safety score (below
# 3.4 on a 1–5 scale, not clearly on the "agree" side of neutral).
CUT_OFF = LOW_SAFETY_SHARE
# Conversation skills: every categorised observation on the interaction level, plus these content ones.
CONVERSATION_CONTENT = frozenset({"summarising", "summary_needed", "concrete_example_asked"})


class Gap(StrEnum):
    """Why an aspect has no score."""

    NOT_REPORTED = "not_reported"  # the group's contract does not report its source to the organisation
    TOO_LITTLE = "too_little"  # too few answers or observations to say anything


@dataclass(frozen=True)
class AspectScore:
    value: float | None  # 0–1; None with a gap
    basis: int = 0  # answers or observations it rests on
    gap: Gap | None = None
    pooled: bool = False  # rests on a pooled half-year of several groups

    @property
    def known(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class QuarterProfile:
    quarter: str  # "2026-Q1"
    scores: dict[Aspect, AspectScore]


@dataclass(frozen=True)
class CommunityProfile:
    group_id: int
    name: str
    phase: DevelopmentPhase
    quarters: list[QuarterProfile] = field(default_factory=list)

    def latest(self, aspect: Aspect) -> AspectScore:
        """The aspect in the latest quarter that has a score; else why there is none."""
        for quarter in reversed(self.quarters):
            if quarter.scores[aspect].known:
                return quarter.scores[aspect]
        gaps = {quarter.scores[aspect].gap for quarter in self.quarters}
        return AspectScore(None, gap=Gap.TOO_LITTLE if Gap.TOO_LITTLE in gaps or not gaps else Gap.NOT_REPORTED)

    def weak_aspects(self) -> set[Aspect]:
        """The aspects below the cut-off; when none is, the lowest of at least two known ones (ties: all),
        unless every known aspect is well above it: then there is nothing to work on first."""
        known = {aspect: self.latest(aspect).value for aspect in ASPECTS if self.latest(aspect).known}
        below = {aspect for aspect, value in known.items() if value is not None and value < CUT_OFF}
        if below or len(known) < 2:
            return below
        lowest = min(value for value in known.values() if value is not None)
        return {aspect for aspect, value in known.items() if value == lowest}


def quarter_of(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def _quarters(period: Period) -> list[str]:
    names: list[str] = []
    year, month = period.start.year, period.start.month
    while date(year, month, 1) <= period.end:
        name = quarter_of(date(year, month, 1))
        if name not in names:
            names.append(name)
        month += 1
        if month > 12:
            year, month = year + 1, 1
    return names


def _survey_score(rows: list[Release]) -> AspectScore:
    answers = sum(release.respondents for release in rows)
    if not answers:
        return AspectScore(None, gap=Gap.TOO_LITTLE)
    mean = sum(release.mean * release.respondents for release in rows) / answers
    share = (mean - SCALE_LOW) / (SCALE_HIGH - SCALE_LOW)
    return AspectScore(max(0.0, min(1.0, share)), answers, pooled=any(release.pooled for release in rows))


def _share(part: int, whole: int) -> AspectScore:
    if whole < MIN_OBSERVED:
        return AspectScore(None, whole, gap=Gap.TOO_LITTLE)
    return AspectScore(part / whole, whole)


def conversation_counts(counts: list[CategoryCount]) -> tuple[int, int]:
    """(helpful, counted): the categorised observations that say how members listen, summarise and ask on."""
    known = categories()
    helpful = counted = 0
    for count in counts:
        if count.kind != ObservationKind.OBSERVATION or count.category is None:
            continue
        if count.level != "interaction" and not (count.level == "content" and count.category in CONVERSATION_CONTENT):
            continue
        category = known.find(count.level, count.category)
        if category is None or category.effect is Effect.SIGNAL:
            continue
        counted += count.count
        helpful += count.count if category.effect is Effect.HELPFUL else 0
    return helpful, counted


def responsibility_score(corrections: tuple[int, int], action_items: tuple[int, int]) -> AspectScore:
    """From (self-corrections, all corrections) and (done, confirmed action items): the mean of the parts with
    enough behind them; too little data when neither has."""
    parts = [_share(*corrections), _share(*action_items)]
    known = [part for part in parts if part.known]
    basis = sum(part.basis for part in parts)
    if not known:
        return AspectScore(None, basis, gap=Gap.TOO_LITTLE)
    return AspectScore(sum(part.value or 0.0 for part in known) / len(known), basis)


def _profile(
    group: Group,
    quarters: list[str],
    survey: dict[Aspect, list[Release]],
    counts: list[CategoryCount],
    action_items: dict[str, tuple[int, int]],
) -> CommunityProfile:
    reported = set(group.contract.reported_to_organisation)
    profile: list[QuarterProfile] = []
    for quarter in quarters:
        scores: dict[Aspect, AspectScore] = {}
        for aspect, rows in survey.items():
            if ReportItem.SURVEY_AGGREGATES not in reported:
                scores[aspect] = AspectScore(None, gap=Gap.NOT_REPORTED)
            else:
                scores[aspect] = _survey_score([r for r in rows if quarter_of(r.day) == quarter])
        mine = [count for count in counts if quarter_of(count.started_at.date()) == quarter]
        observed = ReportItem.OBSERVATION_PROFILE in reported
        follow_up = ReportItem.CASE_COUNTS in reported
        if not observed and not follow_up:
            scores[Aspect.SHARED_RESPONSIBILITY] = AspectScore(None, gap=Gap.NOT_REPORTED)
        else:
            itself = sum(c.count for c in mine if c.kind == ObservationKind.SELF_CORRECTION)
            stepped_in = sum(c.count for c in mine if c.kind == ObservationKind.INTERVENTION)
            scores[Aspect.SHARED_RESPONSIBILITY] = responsibility_score(
                (itself, itself + stepped_in) if observed else (0, 0),
                action_items.get(quarter, (0, 0)) if follow_up else (0, 0),
            )
        scores[Aspect.CONVERSATION_SKILLS] = (
            _share(*conversation_counts(mine)) if observed else AspectScore(None, gap=Gap.NOT_REPORTED)
        )
        profile.append(QuarterProfile(quarter, scores))
    return CommunityProfile(group.id, group.name, group.contract.development_phase, profile)


def _quarter_bounds(quarter: str) -> tuple[datetime, datetime]:
    year, number = int(quarter[:4]), int(quarter[-1])
    start = Period(date(year, 3 * number - 2, 1), date(year, 3 * number - 2, 1))
    end_year, end_month = (year + 1, 1) if number == 4 else (year, 3 * number + 1)
    return start.bounds[0], Period(date(end_year, end_month, 1), date(end_year, end_month, 1)).bounds[0]


def _read_profiles(db: Unit, groups: list[Group], period: Period, limit: int, today: date) -> list[CommunityProfile]:
    reporting = {group.id for group in groups if group.reports(ReportItem.SURVEY_AGGREGATES)}
    survey = {
        aspect: releases(db, instrument_id, limit, reporting, period, today)
        for aspect, instrument_id in SURVEY_OF.items()
    }
    since, until = period.bounds
    counts = community_store.category_counts(db, since, until)
    quarters = _quarters(period)
    action_items: dict[int, dict[str, tuple[int, int]]] = {}
    for quarter in quarters:
        start, end = _quarter_bounds(quarter)
        for group_id, count in store.action_item_counts(db, max(start, since), min(end, until)).items():
            action_items.setdefault(group_id, {})[quarter] = (count.done, count.confirmed)
    return [
        _profile(
            group,
            quarters,
            {aspect: [r for r in rows if group.id in r.group_ids] for aspect, rows in survey.items()},
            [count for count in counts if count.group_id == group.id],
            action_items.get(group.id, {}),
        )
        for group in groups
    ]


def community_profiles(
    database: Database, viewer: Person, comparison: Comparison, today: date | None = None
) -> list[CommunityProfile]:
    """The community profile of every group of a comparison, per quarter of its period."""
    require(Action.VIEW_OVERVIEW, viewer.role)
    chosen = {group.group_id for group in comparison.groups}
    with database.reading() as db:
        groups = [group for group in store.all_groups(db) if group.id in chosen]
        profiles = _read_profiles(db, groups, comparison.period, comparison.threshold, today or clock.today())
    order = {group.group_id: index for index, group in enumerate(comparison.groups)}
    return sorted(profiles, key=lambda profile: order[profile.group_id])


# --- suggestions for a weak aspect -----------------------------------------------------------------------


class Focus(_Strict):
    nl: str = Field(min_length=1, max_length=600)
    en: str = Field(min_length=1, max_length=600)

    def __call__(self, language: Language) -> str:
        return getattr(self, language.value)


class AspectSuggestions(_Strict):
    id: Aspect
    methods: list[str] = Field(min_length=1)
    focus: Focus


class SuggestionFile(_Strict):
    aspects: list[AspectSuggestions] = Field(min_length=len(ASPECTS), max_length=len(ASPECTS))


@cache
def _suggestions(path: Path, modified: float) -> dict[Aspect, AspectSuggestions]:
    parsed = SuggestionFile.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
    by_aspect = {entry.id: entry for entry in parsed.aspects}
    if set(by_aspect) != set(ASPECTS):
        raise ValueError(f"{path.name} must name each aspect once")
    return by_aspect


def suggestion_data(path: Path = SUGGESTIONS_FILE) -> dict[Aspect, AspectSuggestions]:
    return _suggestions(path, path.stat().st_mtime)


@dataclass(frozen=True)
class Suggestion:
    """For one weak aspect: methods from the library that work on it, and a focus for the facilitator."""

    aspect: Aspect
    methods: list[str]
    focus: Focus


def weak_aspects_of_group(database: Database, group_id: int, today: date | None = None) -> set[str]:
    """What the group is weak on over the last year, for its facilitator's exercise chooser: only the names of
    aspects, computed from the same aggregates as the coordinator's profile (nothing below the threshold)."""
    today = today or clock.today()
    period = Period(today - timedelta(days=365), today)
    with database.reading() as db:
        group = store.group(db, group_id)
        if group is None:
            return set()
        profiles = _read_profiles(db, [group], period, threshold(database), today)
    return suggested_exercise_aspects(profiles[0]) if profiles else set()


def suggested_exercise_aspects(profile: CommunityProfile) -> set[str]:
    """The aspects an exercise should work on: the group's weak ones (the exercise library picks by these)."""
    return {aspect.value for aspect in profile.weak_aspects()}


def suggestions(profile: CommunityProfile) -> list[Suggestion]:
    """Per weak aspect, in the profile's order: methods that suit the group's phase (and never one that needs
    a safe group while safety is weak), and the facilitator's focus."""
    weak = profile.weak_aspects()
    library = built_in_library().methods
    data = suggestion_data()
    found: list[Suggestion] = []
    for aspect in ASPECTS:
        if aspect not in weak:
            continue
        methods = [
            method_id
            for method_id in data[aspect].methods
            if method_id in library
            and profile.phase in library[method_id].suitability.group_phases
            and not (Aspect.SAFETY in weak and library[method_id].suitability.safety is Safety.HIGH)
        ]
        found.append(Suggestion(aspect, methods, data[aspect].focus))
    return found


# --- the second observer -------------------------------------------------------------------------------------


class DebriefInput(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    text: str = Field(max_length=5000)


class ObserverCandidate(BaseModel):
    person_id: int
    name: str


def _session(db: Unit, session_id: int):  # noqa: ANN202 - a LiveSession
    session = store.live_session(db, session_id)
    if session is None:
        raise DomainError("session_not_found")
    return session


def _is_facilitator(db: Unit, viewer: Person, session) -> bool:  # noqa: ANN001
    """The facilitator who runs this session, while they still facilitate its group."""
    return session.facilitator_id == viewer.id and allows(
        Action.RUN_SESSION, viewer.role, store.group_role(db, session.group_id, viewer.id)
    )


def _is_observer(db: Unit, viewer: Person, session_id: int) -> bool:
    observer = community_store.session_observer(db, session_id)
    return observer is not None and observer.person_id == viewer.id


def _require_facilitator(db: Unit, viewer: Person, session_id: int):  # noqa: ANN202
    session = _session(db, session_id)
    if not _is_facilitator(db, viewer, session):
        raise NotAllowed("second_observer")
    return session


def _require_pair(db: Unit, viewer: Person, session_id: int):  # noqa: ANN202
    """The facilitator and the second observer of a session: nobody else, whatever their role."""
    session = _session(db, session_id)
    if not (_is_facilitator(db, viewer, session) or _is_observer(db, viewer, session_id)):
        raise NotAllowed("second_observer")
    return session


def observer_candidates(database: Database, viewer: Person, session_id: int) -> list[ObserverCandidate]:
    """Everyone in the organisation the facilitator may invite: a co-facilitator of the group or a coach."""
    with database.reading() as db:
        _require_facilitator(db, viewer, session_id)
        people = store.everyone(db)
    return [ObserverCandidate(person_id=person.id, name=person.name) for person in people if person.id != viewer.id]


def _let_go(db: Unit, session_id: int) -> None:
    """The current observer loses access, and their log goes with them: nobody keeps reading what its author
    can no longer see (their debrief edits stay, as the facilitator's shared note)."""
    observer = community_store.session_observer(db, session_id)
    if observer is not None:
        community_store.forget_observer_observations(db, session_id, observer.person_id)
        community_store.remove_session_observer(db, session_id)


def choose_observer(
    database: Database, viewer: Person, session_id: int, person_id: int, now: datetime | None = None
) -> None:
    """Invite a second observer; choosing someone else replaces the one before."""
    with database.writing() as db:
        _require_facilitator(db, viewer, session_id)
        if person_id == viewer.id or store.person(db, person_id) is None:
            raise DomainError("person_not_found", field="observer")
        current = community_store.session_observer(db, session_id)
        if current is not None and current.person_id != person_id:
            _let_go(db, session_id)
        community_store.set_session_observer(db, session_id, person_id, viewer.id, now or database.clock.now())


def remove_observer(database: Database, viewer: Person, session_id: int) -> None:
    with database.writing() as db:
        _require_facilitator(db, viewer, session_id)
        _let_go(db, session_id)


def session_observer(database: Database, viewer: Person, session_id: int) -> SessionObserver | None:
    with database.reading() as db:
        _require_pair(db, viewer, session_id)
        return community_store.session_observer(db, session_id)


def sessions_to_observe(database: Database, viewer: Person) -> list[ObservedSession]:
    """The sessions this person is the second observer of, newest first."""
    with database.reading() as db:
        return community_store.sessions_observed_by(db, viewer.id)


def observe_as_second(
    database: Database,
    viewer: Person,
    session_id: int,
    level: str,
    category: str | None = None,
    now: datetime | None = None,
) -> int:
    """One observation by the second observer, on a level, during the session."""
    if level not in LEVELS:
        raise DomainError("unknown_level")
    if category is not None and category not in {c.id for c in categories().offered(level)}:
        raise DomainError("invalid_category", field="category")
    with database.writing() as db:
        session = _session(db, session_id)
        if not _is_observer(db, viewer, session_id):
            raise NotAllowed("second_observer")
        if session.status is SessionStatus.CLOSED:
            # Observing is for while the session runs; afterwards the pair talks it over in the debrief note.
            raise DomainError("session_moved_on")
        return community_store.add_observer_observation(
            db, session_id, viewer.id, session.phase_index, level, category, now or database.clock.now()
        )


def take_back_second(database: Database, viewer: Person, session_id: int, observation_id: int) -> None:
    with database.writing() as db:
        if not _is_observer(db, viewer, session_id):
            raise NotAllowed("second_observer")
        if not community_store.remove_observer_observation(db, session_id, viewer.id, observation_id):
            raise DomainError("observation_not_found")


def second_observations(database: Database, viewer: Person, session_id: int) -> list[ObserverObservation]:
    """The second observer's log: for them and the session's facilitator only."""
    with database.reading() as db:
        _require_pair(db, viewer, session_id)
        observer = community_store.session_observer(db, session_id)
        return [] if observer is None else community_store.observer_observations(db, session_id, observer.person_id)


def debrief_note(database: Database, viewer: Person, session_id: int) -> DebriefNote | None:
    with database.reading() as db:
        _require_pair(db, viewer, session_id)
        return community_store.debrief_note(db, session_id)


def save_debrief_note(
    database: Database, viewer: Person, session_id: int, form: DebriefInput, now: datetime | None = None
) -> None:
    """The last edit wins; the note says who wrote it last and when."""
    with database.writing() as db:
        _require_pair(db, viewer, session_id)
        community_store.save_debrief_note(db, session_id, form.text, viewer.id, now or database.clock.now())


def facilitated_sessions(database: Database, viewer: Person) -> list[tuple[int, str, datetime, SessionStatus]]:
    """The sessions this person runs (id, group, start, status), newest first: where they choose an observer."""
    with database.reading() as db:
        sessions = community_store.sessions_run_by(db, viewer.id)
        return [
            (session.id, session.group_name, session.started_at, session.status)
            for session in sessions
            if _is_facilitator(db, viewer, session)
        ]
