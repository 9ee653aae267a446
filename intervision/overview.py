"""The coordinator's overview: groups side by side, one group's story, all in counts and safe averages.

What a coordinator may see of a group is what its contract reports to the organisation (`ReportItem`);
case texts, board items, action item texts and the facilitator's notes never leave the store here.

Survey averages are shown only as *releases*. When a wave closes, it is settled for good whether it may
ever be shown on its own (enough respondents, and the contract reported survey results then), go into the
pool of its calendar half-year (too few), or stay private. A pool is shown once its half-year is over and
it holds enough distinct people. So a release never changes afterwards, a wave is in at most one of them,
and every number on the page is one release or a combination of whole releases: no two selections
(periods, facilitators, labels, thresholds, contracts over time) differ by a wave too small to be shown.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from intervision import clock, store
from intervision.database import Database, Unit
from intervision.errors import DomainError
from intervision.i18n import number
from intervision.models import CaseCount, DevelopmentPhase, Group, Language, ObservationKind, Person, ReportItem
from intervision.observation_log import Balance, balance_of, early_share, recent_share, share_trend
from intervision.permissions import Action, require
from intervision.store.overview import (
    ActionItemCount,
    AttendanceCount,
    CorrectionCount,
    GroupFacilitator,
    HeldSession,
    ObservationCount,
)
from intervision.surveys import first_of_each_later_version, threshold

EFFICACY_INSTRUMENTS = ("self_efficacy", "collective_efficacy")
LEVELS = ("content", "procedure", "interaction", "feelings")


@dataclass(frozen=True)
class Period:
    """Whole days, both ends included."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise DomainError("period_reversed", field="period")

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        return datetime.combine(self.start, time.min, UTC), datetime.combine(
            self.end + timedelta(days=1), time.min, UTC
        )

    def holds(self, day: date) -> bool:
        return self.start <= day <= self.end

    @classmethod
    def year_before(cls, day: date) -> Period:
        return cls(day - timedelta(days=364), day)


# --- survey releases --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Release:
    """One survey average that may be shown: a whole wave, or a pool of small waves that says so."""

    instrument_id: str
    group_ids: tuple[int, ...]
    day: date  # the day the wave closed; for a pool, the last day of its half-year
    mean: float
    respondents: int
    pooled: bool = False
    half_year: str = ""  # "2026-1": the pool's calendar half-year
    version: int = 1  # the instrument version its waves were answered with (a pool never mixes versions)


def new_questions(releases: list[Release]) -> list[Release]:
    """The first release of each new instrument version (releases oldest first): from there a trend's
    questions differ, so the chart and the text beside it say so."""
    return first_of_each_later_version(releases, lambda release: release.version)


def question_changes(releases: dict[str, list[Release]]) -> dict[str, list[date]]:
    """Per instrument, the days from which one group's releases answer new questions (none: left out)."""
    changes = {
        instrument_id: [release.day for release in new_questions(rows)] for instrument_id, rows in releases.items()
    }
    return {instrument_id: days for instrument_id, days in changes.items() if days}


def _half_year_start(day: date) -> date:
    return date(day.year, 1 if day.month <= 6 else 7, 1)


def _half_year_end(name: str) -> date:
    """The last day of a calendar half-year named "2026-1" or "2026-2"."""
    year, half = (int(part) for part in name.split("-"))
    return date(year, 6, 30) if half == 1 else date(year, 12, 31)


def releases(
    db: Unit, instrument_id: str, limit: int, reporting: set[int], period: Period, today: date
) -> list[Release]:
    """Every average of an instrument in a period that the organisation may see, oldest first.

    Read from the scores kept when each wave closed and averaged in SQL, over the period only (and the
    rest of the half-year it starts in, for whole pools): as fast in year ten as in year one.
    """
    since, until = period.bounds
    shown = [
        Release(instrument_id, (wave.group_id,), wave.closed_at.date(), wave.mean, wave.scored, version=wave.version)
        for wave in store.whole_wave_scores(db, instrument_id, since, until)
        # A group whose contract no longer reports results, or a threshold raised since: not shown.
        if wave.group_id in reporting and wave.scored >= limit
    ]
    pool_start = datetime.combine(_half_year_start(period.start), time.min, UTC)
    for pool in store.pooled_wave_scores(db, instrument_id, pool_start, until):
        last_day = _half_year_end(pool.half_year)
        # A pool is shown once its half-year is over: later waves can no longer change it.
        if period.holds(last_day) and last_day < today and pool.people >= limit:
            shown.append(
                Release(
                    instrument_id,
                    pool.group_ids,
                    last_day,
                    pool.mean,
                    pool.scored,
                    pooled=True,
                    half_year=pool.half_year,
                    version=pool.version,
                )
            )
    return sorted(shown, key=lambda release: (release.day, release.pooled, release.version, release.group_ids))


@dataclass(frozen=True)
class Efficacy:
    """A group's latest average in a period, and how it moved since the release before it."""

    latest: Release
    change: float | None


def _efficacy(group_id: int, all_releases: list[Release], period: Period) -> Efficacy | None:
    mine = [release for release in all_releases if group_id in release.group_ids and period.holds(release.day)]
    if not mine:
        return None
    change = mine[-1].mean - mine[-2].mean if len(mine) > 1 else None
    return Efficacy(mine[-1], change)


# --- groups side by side ------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupFigures:
    """One group in a period, as far as its contract reports to the organisation (None: not reported)."""

    group_id: int
    name: str
    label: str
    facilitators: tuple[str, ...]
    phase: DevelopmentPhase
    reported: frozenset[ReportItem]
    sessions_expected: float  # by the contract's rhythm, over the part of the period the group existed
    sessions_held: int | None
    attendance: tuple[int, int] | None  # (present, recorded)
    cases: CaseCount | None
    action_items: tuple[int, int] | None  # (confirmed, done)
    methods: dict[str, int] | None
    efficacy: dict[str, Efficacy | None] = field(default_factory=dict)  # per instrument; absent: not reported
    corrections: tuple[int, int] | None = None  # (the facilitator stepped in, the group corrected itself)

    @property
    def self_correction_share(self) -> float | None:
        """The share of corrections the group made itself in the period: rising as it learns to run itself."""
        if not self.corrections or not sum(self.corrections):
            return None
        return self.corrections[1] / sum(self.corrections)

    @property
    def attendance_share(self) -> float | None:
        return self.attendance[0] / self.attendance[1] if self.attendance and self.attendance[1] else None

    @property
    def action_items_done_share(self) -> float | None:
        return self.action_items[1] / self.action_items[0] if self.action_items and self.action_items[0] else None

    @property
    def followed_up_share(self) -> float | None:
        if not self.cases or not self.cases.discussed:
            return None
        return min(1.0, self.cases.followed_up / self.cases.discussed)


@dataclass(frozen=True)
class Comparison:
    period: Period
    threshold: int
    groups: list[GroupFigures]
    releases: dict[str, list[Release]]  # per instrument, the whole organisation's in the period

    def combined(self, instrument_id: str) -> Combined | None:
        """The answer-weighted average of the period's whole releases that hold a group of this selection."""
        chosen = {group.group_id for group in self.groups}
        parts = [
            release
            for release in self.releases.get(instrument_id, [])
            if self.period.holds(release.day) and chosen & set(release.group_ids)
        ]
        answers = sum(release.respondents for release in parts)
        if not answers:
            return None
        return Combined(sum(release.mean * release.respondents for release in parts) / answers, answers, len(parts))

    def group_releases(self, group_id: int) -> dict[str, list[Release]]:
        """The period's releases that hold one group, per instrument: the points of its trend."""
        return {
            instrument_id: [r for r in rows if group_id in r.group_ids and self.period.holds(r.day)]
            for instrument_id, rows in self.releases.items()
        }

    def question_changes(self) -> dict[str, list[date]]:
        """Per instrument, the days on which a trend of the chosen groups shows new questions."""
        days: dict[str, set[date]] = {}
        for group in self.groups:
            if not group.efficacy:
                continue
            for instrument_id, changed in question_changes(self.group_releases(group.group_id)).items():
                days.setdefault(instrument_id, set()).update(changed)
        return {instrument_id: sorted(changed) for instrument_id, changed in days.items()}


@dataclass(frozen=True)
class Combined:
    mean: float
    answers: int
    releases: int


def _expected(group: Group, period: Period) -> float:
    first = max(period.start, group.contract.start_date)
    days = (period.end - first).days + 1
    return max(0.0, days / (7 * group.contract.meets_every_weeks))


def _figures(
    group: Group,
    facilitators: list[GroupFacilitator],
    period: Period,
    held: list[HeldSession],
    attendance: AttendanceCount | None,
    cases: CaseCount | None,
    action_items: ActionItemCount | None,
    all_releases: dict[str, list[Release]],
    corrections: CorrectionCount | None = None,
) -> GroupFigures:
    reported = frozenset(group.contract.reported_to_organisation)

    def when(item: ReportItem, value: object) -> object:
        return value if item in reported else None

    return GroupFigures(
        group_id=group.id,
        name=group.name,
        label=group.label,
        facilitators=tuple(facilitator.name for facilitator in facilitators),
        phase=group.contract.development_phase,
        reported=reported,
        sessions_expected=_expected(group, period),
        sessions_held=when(ReportItem.SESSIONS_HELD, len(held)),
        attendance=when(ReportItem.ATTENDANCE, (attendance.present, attendance.recorded) if attendance else (0, 0)),
        cases=when(ReportItem.CASE_COUNTS, cases),
        action_items=when(
            ReportItem.CASE_COUNTS, (action_items.confirmed, action_items.done) if action_items else (0, 0)
        ),
        methods=when(
            ReportItem.METHODS_USED, dict(Counter(session.method_id for session in held if session.method_id))
        ),
        efficacy={
            instrument_id: _efficacy(group.id, instrument_releases, period)
            for instrument_id, instrument_releases in all_releases.items()
        }
        if ReportItem.SURVEY_AGGREGATES in reported
        else {},
        corrections=when(
            ReportItem.OBSERVATION_PROFILE,
            (corrections.interventions, corrections.self_corrections) if corrections else (0, 0),
        ),
    )


def all_releases(db: Unit, limit: int, period: Period, today: date) -> dict[str, list[Release]]:
    """The efficacy releases in a period of every group whose contract reports survey results."""
    reporting = {group.id for group in store.all_groups(db) if group.reports(ReportItem.SURVEY_AGGREGATES)}
    return {
        instrument_id: releases(db, instrument_id, limit, reporting, period, today)
        for instrument_id in EFFICACY_INSTRUMENTS
    }


def compare_groups(
    database: Database,
    viewer: Person,
    period: Period,
    facilitator_id: int | None = None,
    labels: tuple[str, ...] = (),
    today: date | None = None,
) -> Comparison:
    """Every group side by side in a period; narrowed to one facilitator's groups or to some labels."""
    require(Action.VIEW_OVERVIEW, viewer.role)
    since, until = period.bounds
    limit = threshold(database)
    with database.reading() as db:
        groups = store.all_groups(db)
        facilitators = store.facilitators_per_group(db)
        held = store.held_sessions_per_group(db, since, until)
        attendance = store.attendance_per_group(db, since, until)
        cases = {count.group_id: count for count in store.case_counts(db, since, until)}
        action_items = store.action_item_counts(db, since, until)
        corrections = store.correction_counts_per_group(db, since, until)
        released = all_releases(db, limit, period, today or clock.today())
    chosen = [
        group
        for group in groups
        if (
            facilitator_id is None
            or facilitator_id in {facilitator.person_id for facilitator in facilitators.get(group.id, [])}
        )
        and (not labels or group.label in labels)
    ]
    return Comparison(
        period=period,
        threshold=limit,
        groups=[
            _figures(
                group,
                facilitators.get(group.id, []),
                period,
                held.get(group.id, []),
                attendance.get(group.id),
                cases.get(group.id),
                action_items.get(group.id),
                released,
                corrections.get(group.id),
            )
            for group in chosen
        ],
        releases=released,
    )


def data_version(database: Database) -> tuple[str, int]:
    """Which database, and the change signal any process's writes move: a comparison made before is still
    true while neither changed."""
    return repr(database), database.changes()


# --- one group's story ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionObservations:
    """What the facilitator logged in one session, per level: counts, never notes or categories."""

    day: date
    per_level: dict[str, int]  # observations (what was noticed), not the corrections below
    overruns: int  # procedure events the timer logged by itself
    balance: Balance = field(default_factory=Balance)  # the facilitator stepping in against the group itself

    @property
    def interventions(self) -> int:
        """How often the facilitator stepped in; a procedure observation is not an intervention."""
        return self.balance.total_interventions

    @property
    def self_corrections(self) -> int:
        return self.balance.total_self_corrections


@dataclass(frozen=True)
class GroupStory:
    figures: GroupFigures
    sessions: list[tuple[date, str | None]] | None  # held sessions (day, method), when reported
    observations: list[SessionObservations] | None  # when the contract reports the observation profile
    releases: dict[str, list[Release]]  # the releases that hold this group, per instrument, in the period

    @property
    def self_share_trend(self) -> float | None:
        """The change per session in the share of corrections the group made itself (rising: the group runs
        itself more), or None with fewer than three sessions that had corrections."""
        if not self.observations:
            return None
        return share_trend([session.balance for session in self.observations])

    @property
    def early_self_share(self) -> float | None:
        """The share of corrections the group made itself over its first three sessions with corrections."""
        if not self.observations:
            return None
        return early_share([session.balance for session in self.observations])

    @property
    def recent_self_share(self) -> float | None:
        """The share of corrections the group made itself over its last three sessions with corrections."""
        if not self.observations:
            return None
        return recent_share([session.balance for session in self.observations])


def group_story(
    database: Database, viewer: Person, group_id: int, period: Period, today: date | None = None
) -> GroupStory:
    return story_in(database, viewer, compare_groups(database, viewer, period, today=today), group_id)


def story_in(database: Database, viewer: Person, comparison: Comparison, group_id: int) -> GroupStory:
    """One group of a comparison already made: its sessions, observation counts and releases."""
    require(Action.VIEW_OVERVIEW, viewer.role)
    figures = next((group for group in comparison.groups if group.group_id == group_id), None)
    if figures is None:
        raise DomainError("group_not_found")
    period = comparison.period
    since, until = period.bounds
    with database.reading() as db:
        held = store.held_sessions_per_group(db, since, until).get(group_id, [])
        counted = store.observation_counts(db, group_id)
    reported = figures.reported
    sessions = None
    if ReportItem.SESSIONS_HELD in reported or ReportItem.METHODS_USED in reported:
        sessions = [
            (session.day, session.method_id if ReportItem.METHODS_USED in reported else None) for session in held
        ]
    observations = None
    if ReportItem.OBSERVATION_PROFILE in reported:
        observations = _observations_in(counted, period)
    return GroupStory(
        figures=figures,
        sessions=sessions,
        observations=observations,
        releases=comparison.group_releases(group_id) if ReportItem.SURVEY_AGGREGATES in reported else {},
    )


def _observations_in(counts: list[ObservationCount], period: Period) -> list[SessionObservations]:
    sessions: dict[int, dict] = {}
    for count in counts:
        day = count.started_at.date()
        if not period.holds(day):
            continue
        session = sessions.setdefault(
            count.session_id, {"day": day, "per_level": dict.fromkeys(LEVELS, 0), "auto": 0, "presses": []}
        )
        if count.level is None:
            continue
        if count.automatic:
            session["auto"] += count.count
        elif count.kind == ObservationKind.OBSERVATION:
            session["per_level"][count.level] += count.count
        else:
            session["presses"].append((count.level, count.kind, count.count))
    return [
        SessionObservations(s["day"], s["per_level"], s["auto"], balance_of(s["presses"])) for s in sessions.values()
    ]


# --- the scorecard: one cell per group and measure, for the heatmap, the table and the report ----------

SCORECARD = ("sessions", "attendance", "followed_up", "action_items", *EFFICACY_INSTRUMENTS)


@dataclass(frozen=True)
class Cell:
    """A measure of one group as a short text and how well it stands (0 poor – 1 good; None: nothing)."""

    text: str
    standing: float | None
    reported: bool = True
    pooled: bool = False
    mean: float | None = None  # an average, written in the reader's language before `text` (its direction)

    def label(self, language: Language, not_shared: str) -> str:
        """The cell as printed: an average as the reader writes it ("4,1 ↑"), * when pooled, or not shared."""
        if not self.reported:
            return not_shared
        text = self.text if self.mean is None else number(self.mean, language) + self.text
        return text + ("*" if self.pooled else "")


NOT_REPORTED = Cell("", None, reported=False)
NO_DATA = Cell("–", None)


def _count_cell(part: int, whole: float, shown: str | None = None) -> Cell:
    if not whole:
        return NO_DATA
    return Cell(shown or f"{part}/{whole:.0f}", min(1.0, part / whole))


def _efficacy_cell(efficacy: Efficacy | None) -> Cell:
    if efficacy is None:
        return NO_DATA
    arrow = (
        "" if efficacy.change is None else " ↑" if efficacy.change > 0.05 else " ↓" if efficacy.change < -0.05 else " →"
    )
    mean = efficacy.latest.mean
    return Cell(arrow, (mean - 1) / 4, pooled=efficacy.latest.pooled, mean=mean)


def scorecard(group: GroupFigures) -> dict[str, Cell]:
    """The group's measures side by side: held against the contract, shares, and the latest averages."""
    cells: dict[str, Cell] = {}
    cells["sessions"] = (
        NOT_REPORTED if group.sessions_held is None else _count_cell(group.sessions_held, group.sessions_expected)
    )
    if group.attendance is None:
        cells["attendance"] = NOT_REPORTED
    else:
        share = group.attendance_share
        cells["attendance"] = NO_DATA if share is None else Cell(f"{share:.0%}", share)
    if group.cases is None:
        cells["followed_up"] = cells["action_items"] = NOT_REPORTED
    else:
        cells["followed_up"] = _count_cell(min(group.cases.followed_up, group.cases.discussed), group.cases.discussed)
        confirmed, done = group.action_items or (0, 0)
        cells["action_items"] = _count_cell(done, confirmed)
    for instrument_id in EFFICACY_INSTRUMENTS:
        reported = ReportItem.SURVEY_AGGREGATES in group.reported
        cells[instrument_id] = _efficacy_cell(group.efficacy.get(instrument_id)) if reported else NOT_REPORTED
    return cells


@dataclass(frozen=True)
class Choices:
    """What the overview can be narrowed to: every group, facilitator and label in the organisation."""

    groups: list[tuple[int, str]]
    facilitators: list[tuple[int, str]]
    labels: list[str]


def choices(database: Database, viewer: Person) -> Choices:
    require(Action.VIEW_OVERVIEW, viewer.role)
    with database.reading() as db:
        groups = store.all_groups(db)
        facilitators = store.facilitators_per_group(db)
    return Choices(
        groups=[(group.id, group.name) for group in groups],
        facilitators=sorted(
            {(person.person_id, person.name) for people in facilitators.values() for person in people},
            key=lambda person: person[1].casefold(),
        ),
        labels=sorted({group.label for group in groups if group.label}, key=str.casefold),
    )
