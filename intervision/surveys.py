"""Surveys: waves of an instrument for a group, honest scoring, and aggregates shown only when safe.

Privacy, as DOMAIN.md section 5 sets it: nobody but the respondent sees an answer; an aggregate over
fewer respondents than the organisation's threshold (never below 3) is not shown; and aggregates are
shown only for closed waves, per whole wave of the whole group, so that no two overlapping selections
(a wave while answers still come in, a group with and without someone) can be subtracted.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import TypeVar

from intervision import store
from intervision.database import Database, Unit
from intervision.errors import DomainError, NotAllowed
from intervision.instruments import (
    MIN_ANSWERED,
    Instrument,
    InstrumentFileError,
    parse_instrument,
    shipped_instruments,
)
from intervision.models import PRIVACY_FLOOR, GroupRole, Person, ReportItem, Role
from intervision.permissions import Action, require
from intervision.reminders import SURVEY_OPEN_DAYS, announce_wave, closing_moment
from intervision.store import reminders as reminder_store
from intervision.store.surveys import StoredWave, SurveySchedule

MOMENTS = ("start", "after_session", "every_n_sessions", "end")
# Cronbach's alpha says nothing about a handful of answers: it is shown only over at least this many complete
# answers, pooled across the waves of one instrument version (DOMAIN.md section 6).
MIN_RELIABILITY_ANSWERS = 20

# Two-sided 95% t values for n − 1 degrees of freedom (a normal 1.96 beyond 30).
_T95 = {
    1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262, 10: 2.228,
    11: 2.201, 12: 2.179, 13: 2.160, 14: 2.145, 15: 2.131, 16: 2.120, 17: 2.110, 18: 2.101, 19: 2.093, 20: 2.086,
    21: 2.080, 22: 2.074, 23: 2.069, 24: 2.064, 25: 2.060, 26: 2.056, 27: 2.052, 28: 2.048, 29: 2.045, 30: 2.042,
}  # fmt: skip


# --- scoring (pure) ------------------------------------------------------------------------------


def scored(instrument: Instrument, item_id: str, value: int) -> int:
    """An answer as it counts: reverse-scored items are turned around (lowest + highest − answer)."""
    item = next(item for item in instrument.items if item.id == item_id)
    return instrument.lowest + instrument.highest - value if item.reverse else value


def scale_score(instrument: Instrument, scale_id: str, answers: dict[str, int | None]) -> float | None:
    """The mean of a scale's scored items, when at least 80% of them are answered; otherwise no score."""
    items = instrument.items_of(scale_id)
    values = [scored(instrument, item.id, answers[item.id]) for item in items if answers.get(item.id) is not None]
    if not items or len(values) < MIN_ANSWERED * len(items):
        return None
    return sum(values) / len(values)


def cronbach_alpha(rows: list[list[float]]) -> float | None:
    """Cronbach's alpha of complete rows (one per respondent, one column per item); None when undefined."""
    if len(rows) < 2 or not rows[0] or len(rows[0]) < 2:
        return None
    k = len(rows[0])
    item_variances = sum(statistics.variance(column) for column in zip(*rows, strict=True))
    total_variance = statistics.variance([sum(row) for row in rows])
    if total_variance == 0:
        return None
    return k / (k - 1) * (1 - item_variances / total_variance)


def confidence_interval(scores: list[float]) -> tuple[float, float] | None:
    """The 95% confidence interval of the mean (t distribution)."""
    if len(scores) < 2:
        return None
    mean = statistics.fmean(scores)
    half = _T95.get(len(scores) - 1, 1.96) * statistics.stdev(scores) / math.sqrt(len(scores))
    return mean - half, mean + half


@dataclass(frozen=True)
class ScaleResult:
    """One scale in one wave. Below the threshold it says only how many answered."""

    scale_id: str
    n: int
    shown: bool
    mean: float | None = None
    spread: float | None = None  # standard deviation of the respondents' scale scores
    ci: tuple[float, float] | None = None


def scale_result(
    instrument: Instrument, scale_id: str, responses: list[dict[str, int | None]], threshold: int
) -> ScaleResult:
    scores = [
        score for score in (scale_score(instrument, scale_id, answers) for answers in responses) if score is not None
    ]
    if len(scores) < threshold:
        return ScaleResult(scale_id, len(scores), shown=False)
    return ScaleResult(
        scale_id,
        len(scores),
        shown=True,
        mean=statistics.fmean(scores),
        spread=statistics.stdev(scores) if len(scores) > 1 else 0.0,
        ci=confidence_interval(scores),
    )


@dataclass(frozen=True)
class Reliability:
    """How consistently a scale's items measure one thing, over the complete answers to one version."""

    scale_id: str
    version: int
    complete: int  # complete answers behind it
    alpha: float | None  # None below MIN_RELIABILITY_ANSWERS complete answers (or when undefined)

    @property
    def too_few(self) -> bool:
        return self.complete < MIN_RELIABILITY_ANSWERS


def pooled_reliability(instrument: Instrument, scale_id: str, responses: list[dict[str, int | None]]) -> Reliability:
    """Cronbach's alpha over complete answers pooled from waves of this one instrument version.

    The caller pools only waves of `instrument.version`: other versions have other items, and alpha over a
    mix would describe no questionnaire anyone answered.
    """
    items = [item.id for item in instrument.items_of(scale_id)]
    complete = [
        [scored(instrument, item_id, answers[item_id]) for item_id in items]
        for answers in responses
        if all(answers.get(item_id) is not None for item_id in items)
    ]
    alpha = cronbach_alpha(complete) if len(complete) >= MIN_RELIABILITY_ANSWERS else None
    return Reliability(scale_id, instrument.version, len(complete), alpha)


@dataclass(frozen=True)
class ItemDistribution:
    item_id: str
    counts: dict[int, int]  # answer option → how many (raw answers, as people gave them)
    n: int
    spread: float


def item_distributions(
    instrument: Instrument, responses: list[dict[str, int | None]], threshold: int
) -> list[ItemDistribution] | None:
    """How the answers to each item fall, for items answered by at least `threshold` people."""
    distributions = []
    for item in instrument.items:
        values = [answers[item.id] for answers in responses if answers.get(item.id) is not None]
        if len(values) < threshold:
            continue
        counts = {option.value: values.count(option.value) for option in instrument.options}
        spread = statistics.stdev(values) if len(values) > 1 else 0.0
        distributions.append(ItemDistribution(item.id, counts, len(values), spread))
    return distributions or None


# --- instruments ---------------------------------------------------------------------------------


def instruments(database: Database) -> dict[str, Instrument]:
    """The shipped instruments and those the organisation loaded."""
    with database.reading() as db:
        return _available(db)


def _available(db: Unit) -> dict[str, Instrument]:
    available = dict(shipped_instruments().instruments)
    for definition in store.loaded_instrument_definitions(db):
        loaded = parse_instrument(definition, "loaded")
        available.setdefault(loaded.id, loaded)
    return available


def load_instrument(
    database: Database, viewer: Person, text: str, filename: str, now: datetime | None = None
) -> Instrument:
    """A coordinator loads a (licensed) instrument file; it is checked like the shipped ones."""
    require(Action.LOAD_INSTRUMENT, viewer.role)
    instrument = parse_instrument(text, filename)
    if instrument.id in shipped_instruments().instruments:
        raise InstrumentFileError(filename, [f"id '{instrument.id}' is taken by a shipped instrument"])
    with database.writing() as db:
        store.load_instrument(db, instrument.id, text, viewer.id, now or database.clock.now())
    return instrument


# --- waves and answers ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Wave:
    id: int
    group_id: int
    group_name: str
    instrument: Instrument
    moment: str
    opened_at: datetime
    closed_at: datetime | None
    closes_at: datetime | None = None  # planned: a mail round closes it then (none for old waves)

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


def _wave(stored: StoredWave) -> Wave:
    return Wave(
        stored.id,
        stored.group_id,
        stored.group_name,
        parse_instrument(stored.instrument_definition, f"wave {stored.id}"),
        stored.moment,
        stored.opened_at,
        stored.closed_at,
        stored.closes_at,
    )


def _group_role(db: Unit, viewer: Person, group_id: int) -> GroupRole | None:
    if store.group(db, group_id) is None:
        raise DomainError("group_not_found")
    return store.group_role(db, group_id, viewer.id)


def open_wave(
    database: Database,
    viewer: Person,
    group_id: int,
    instrument_id: str,
    moment: str,
    now: datetime | None = None,
    closes_on: date | None = None,
) -> int:
    """A survey for the group's members, with the instrument as it is now (later edits do not change it).

    It is open until the end of `closes_on` (by default `SURVEY_OPEN_DAYS` days on); every member is mailed
    that it opened, in the same transaction.
    """
    now = now or database.clock.now()
    if moment not in MOMENTS:
        raise DomainError("unknown_moment", field="moment")
    available = instruments(database)
    if instrument_id not in available:
        raise DomainError("instrument_not_found", field="instrument_id")
    closes_at = closing_moment(closes_on) if closes_on else _standard_closing(now)
    if closes_at <= now + timedelta(hours=1):
        raise DomainError("report_mail.closes_too_soon", field="closes_on")
    with database.writing() as db:
        require(Action.MANAGE_SURVEYS, viewer.role, _group_role(db, viewer, group_id))
        return _open(db, group_id, available[instrument_id], moment, viewer.id, now, closes_at)


def _standard_closing(now: datetime) -> datetime:
    return closing_moment(now.astimezone().date() + timedelta(days=SURVEY_OPEN_DAYS))


def _open(
    db: Unit,
    group_id: int,
    instrument: Instrument,
    moment: str,
    person_id: int | None,
    now: datetime,
    closes_at: datetime,
) -> int:
    # The wave keeps the instrument as it is today: its answers are always scored with the same items.
    definition = instrument.definition()
    wave_id = store.add_wave(
        db, group_id, instrument.id, definition, moment, person_id, now, version=instrument.version, closes_at=closes_at
    )
    announce_wave(db, wave_id, group_id, closes_at, now)
    return wave_id


def close_wave(database: Database, viewer: Person, wave_id: int, now: datetime | None = None) -> None:
    with database.writing() as db:
        stored = store.wave(db, wave_id)
        if stored is None:
            raise DomainError("wave_not_found")
        require(Action.MANAGE_SURVEYS, viewer.role, store.group_role(db, stored.group_id, viewer.id))
        end_wave(db, wave_id, now or database.clock.now())


def end_wave(db: Unit, wave_id: int, now: datetime) -> None:
    """Close a wave: its release is settled and its scores are kept, inside the caller's transaction."""
    store.close_wave(db, wave_id, now)
    score_closed_waves(db, [wave_id])


def close_waves_past_their_date(database: Database, now: datetime) -> int:
    """A mail round closes each wave whose planned closing moment has passed (as a facilitator would).
    Queues no mail: returns 0, as a reminder writer that wrote nothing."""
    with database.reading() as db:
        past = [wave.id for wave in reminder_store.open_waves_closing_by(db, now)]
    if past:  # a round runs every half minute: the write lock only when a wave is due
        with database.writing() as db:
            for wave_id in past:
                end_wave(db, wave_id, now)  # a no-op for a wave a facilitator closed meanwhile
    return 0


def main_scale(instrument: Instrument) -> str:
    """The scale a coordinator follows: the one named after the instrument, else its first."""
    ids = [scale.id for scale in instrument.scales]
    return instrument.id if instrument.id in ids else ids[0]


@lru_cache(maxsize=64)
def _kept_instrument(definition: str) -> Instrument:
    """A wave's own copy of its instrument; many waves share one text, so it is parsed once."""
    return parse_instrument(definition, "wave")


def score_closed_waves(db: Unit, wave_ids: list[int] | None = None) -> None:
    """Store every response's main-scale score once its wave has closed (these waves, or all closed ones).

    A closed wave's answers never change, so its scores are computed once and the overview averages them
    in SQL instead of scoring every answer of the organisation's history on each look.
    """
    for closed in store.closed_wave_definitions(db, wave_ids):
        instrument = _kept_instrument(closed.instrument_definition)
        scale = main_scale(instrument)
        responses = store.wave_responses(db, closed.wave_id)
        store.set_main_scores(
            db, {response.id: scale_score(instrument, scale, response.answers) for response in responses}
        )


def open_waves(database: Database, person: Person) -> list[Wave]:
    """The surveys waiting for this person's answer (in groups where they are a member)."""
    with database.reading() as db:
        return [_wave(stored) for stored in store.open_waves_for_member(db, person.id)]


def waves(database: Database, viewer: Person, group_id: int) -> list[Wave]:
    with database.reading() as db:
        require(Action.VIEW_SURVEY_RESULTS, viewer.role, _group_role(db, viewer, group_id))
        return [_wave(stored) for stored in store.waves_of_group(db, group_id)]


def answer(
    database: Database, person: Person, wave_id: int, answers: dict[str, int | None], now: datetime | None = None
) -> None:
    """Save this person's answers; an item may be skipped (None), but not all. Changeable until the wave closes."""
    now = now or database.clock.now()
    with database.writing() as db:
        stored = store.wave(db, wave_id)
        if stored is None:
            raise DomainError("wave_not_found")
        if store.group_role(db, stored.group_id, person.id) is not GroupRole.MEMBER:
            raise DomainError("not_in_group")
        if stored.closed_at is not None:
            raise DomainError("wave_closed")
        instrument = _wave(stored).instrument
        allowed = {option.value for option in instrument.options}
        known = {item.id for item in instrument.items}
        for item_id, value in answers.items():
            if item_id not in known:
                raise DomainError("unknown_item", field=item_id)
            if value is not None and value not in allowed:
                raise DomainError("answer_outside_scale", field=item_id)
        if all(value is None for value in answers.values()):
            # Nothing ticked is no response: it would count in the response rate without saying anything.
            raise DomainError("no_answer")
        store.save_response(db, wave_id, person.id, answers, now)


def my_answers(database: Database, person: Person, wave_id: int) -> dict[str, int | None]:
    with database.reading() as db:
        return store.answers_of(db, wave_id, person.id)


@dataclass(frozen=True)
class ResponseRate:
    respondents: int
    members: int


def response_rate(database: Database, viewer: Person, wave_id: int) -> ResponseRate:
    """How many answered, never who."""
    with database.reading() as db:
        stored = store.wave(db, wave_id)
        if stored is None:
            raise DomainError("wave_not_found")
        require(Action.MANAGE_SURVEYS, viewer.role, store.group_role(db, stored.group_id, viewer.id))
        members = sum(1 for member in store.members(db, stored.group_id) if member.group_role is GroupRole.MEMBER)
        return ResponseRate(store.respondent_count(db, wave_id), members)


def response_rates(database: Database, viewer: Person, group_id: int) -> dict[int, ResponseRate]:
    """Every wave of the group's response rate, by wave id: one look for the list of waves (asking
    `response_rate` per wave checked the viewer and counted the members again for each)."""
    with database.reading() as db:
        require(Action.MANAGE_SURVEYS, viewer.role, _group_role(db, viewer, group_id))
        members = sum(1 for member in store.members(db, group_id) if member.group_role is GroupRole.MEMBER)
        respondents = store.respondent_counts_of_group(db, group_id)
        return {
            wave.id: ResponseRate(respondents.get(wave.id, 0), members) for wave in store.waves_of_group(db, group_id)
        }


# --- results ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WaveResult:
    wave: Wave
    respondents: int
    scales: list[ScaleResult]


_Versioned = TypeVar("_Versioned")


def first_of_each_later_version(entries: list[_Versioned], version_of: Callable[[_Versioned], int]) -> list[_Versioned]:
    """The first entry (of entries oldest first) of each version higher than every version before it.

    Higher, not merely other: on the overview a pool of the old version can close after the first release
    of the new one, and that is no new change of questions.
    """
    marked, highest = [], None
    for entry in entries:
        version = version_of(entry)
        if highest is not None and version > highest:
            marked.append(entry)
        highest = version if highest is None else max(highest, version)
    return marked


def new_questions(waves: list[Wave]) -> list[Wave]:
    """The first wave of each new instrument version (waves oldest first): from there the questions differ."""
    return first_of_each_later_version(waves, lambda wave: wave.instrument.version)


@dataclass(frozen=True)
class GroupResults:
    """A group's results for one instrument over its closed waves; only what the threshold allows."""

    instrument: Instrument
    threshold: int
    waves: list[WaveResult]
    latest_items: list[ItemDistribution] | None  # per item in the latest closed wave, None when too few
    reliability: list[Reliability] = field(default_factory=list)  # per scale and version, oldest version first

    @property
    def least_agreement(self) -> ItemDistribution | None:
        """The item the group agrees on least: worth talking about together."""
        return max(self.latest_items, key=lambda item: item.spread) if self.latest_items else None

    @property
    def new_questions(self) -> list[Wave]:
        """Where a trend must say that the instrument changed: the first wave of each later version."""
        return new_questions([result.wave for result in self.waves])

    def points(self, scale_id: str) -> list[tuple[datetime, ScaleResult]]:
        """The waves a scale's trend draws (oldest first): only those with enough answers."""
        return [
            (wave.wave.opened_at, result)
            for wave in self.waves
            for result in wave.scales
            if result.scale_id == scale_id and result.shown
        ]

    def new_questions_on(self, scale_id: str) -> list[Wave]:
        """Where this scale's trend must say that the questions changed: only after a point of its own.

        A scale or facet that first appears with a new version has no earlier line the change could bend.
        """
        drawn = [at for at, _ in self.points(scale_id)]
        return [wave for wave in self.new_questions if any(at < wave.opened_at for at in drawn)]

    def reliability_of(self, scale_id: str) -> list[Reliability]:
        return [entry for entry in self.reliability if entry.scale_id == scale_id]


def threshold(database: Database) -> int:
    with database.reading() as db:
        organisation = store.organisation(db)
    return max(3, organisation.privacy_threshold if organisation else 3)


def group_results(database: Database, viewer: Person, group_id: int, instrument_id: str) -> GroupResults | None:
    with database.reading() as db:
        role = _group_role(db, viewer, group_id)
        require(Action.VIEW_SURVEY_RESULTS, viewer.role, role)
        if role is None and not store.group(db, group_id).reports(ReportItem.SURVEY_AGGREGATES):
            raise NotAllowed(Action.VIEW_SURVEY_RESULTS.value)
        kept = [stored for stored in store.waves_of_group(db, group_id) if stored.instrument_id == instrument_id]
        closed = [
            (_wave(stored), [response.answers for response in store.wave_answers(db, stored.id)])
            for stored in kept
            if stored.closed_at
        ]
    if not closed:
        return None
    limit = threshold(database)
    results = [
        WaveResult(
            wave,
            len(responses),
            [scale_result(wave.instrument, s.id, responses, limit) for s in wave.instrument.reported_scales],
        )
        for wave, responses in closed
    ]
    latest_wave, latest_responses = closed[-1]
    items = (
        item_distributions(latest_wave.instrument, latest_responses, limit) if len(latest_responses) >= limit else None
    )
    return GroupResults(latest_wave.instrument, limit, results, items, _reliability(closed, limit))


def _reliability(closed: list[tuple[Wave, list[dict[str, int | None]]]], limit: int) -> list[Reliability]:
    """Alpha per scale and instrument version, over the waves of that version whose results are shown."""
    definitions: dict[int, Instrument] = {}
    pooled: dict[int, list[dict[str, int | None]]] = {}
    for wave, responses in closed:
        version = wave.instrument.version
        definitions[version] = wave.instrument  # the version as its latest wave kept it
        if len(responses) >= limit:  # a wave too small to show adds nothing that could be told apart
            pooled.setdefault(version, []).extend(responses)
    return [
        pooled_reliability(definitions[version], scale.id, pooled.get(version, []))
        for version in sorted(definitions)
        for scale in definitions[version].reported_scales
    ]


def my_trend(
    database: Database, person: Person, group_id: int, instrument_id: str
) -> list[tuple[Wave, dict[str, float | None]]]:
    """This person's own scale scores over the closed waves: for their eyes only."""
    with database.reading() as db:
        kept = [stored for stored in store.waves_of_group(db, group_id) if stored.instrument_id == instrument_id]
        trend = []
        for stored in kept:
            if not stored.closed_at:
                continue
            wave = _wave(stored)
            answers = store.answers_of(db, stored.id, person.id)
            if answers:
                trend.append(
                    (wave, {s.id: scale_score(wave.instrument, s.id, answers) for s in wave.instrument.reported_scales})
                )
    return trend


def set_threshold(database: Database, viewer: Person, value: int) -> None:
    require(Action.SET_PRIVACY_THRESHOLD, viewer.role)
    if value < PRIVACY_FLOOR:
        raise DomainError("threshold_too_low", field="threshold", floor=PRIVACY_FLOOR)
    with database.writing() as db:
        store.set_privacy_threshold(db, value)


def open_scheduled_waves(db: Unit, group_id: int, now: datetime) -> None:
    """After a session closes: open the waves the group planned every n sessions."""
    held = store.closed_live_session_count(db, group_id)
    available = _available(db)
    for schedule in store.survey_schedules(db, group_id):
        if held and held % schedule.every_sessions == 0 and schedule.instrument_id in available:
            _open(
                db, group_id, available[schedule.instrument_id], "every_n_sessions", None, now, _standard_closing(now)
            )


def set_schedule(database: Database, viewer: Person, group_id: int, instrument_id: str, every: int | None) -> None:
    if every is not None and every < 0:
        raise DomainError("schedule_negative")
    if instrument_id not in instruments(database):
        raise DomainError("instrument_not_found")
    with database.writing() as db:
        require(Action.MANAGE_SURVEYS, viewer.role, _group_role(db, viewer, group_id))
        store.set_survey_schedule(db, group_id, instrument_id, every)


def schedules(database: Database, viewer: Person, group_id: int) -> list[SurveySchedule]:
    with database.reading() as db:
        require(Action.MANAGE_SURVEYS, viewer.role, _group_role(db, viewer, group_id))
        return store.survey_schedules(db, group_id)


def results_groups(database: Database, viewer: Person) -> list[tuple[int, str, GroupRole | None]]:
    """Groups whose survey results this person may read: their own, and for a coordinator also every group
    whose contract reports survey results to the organisation (as the overview does)."""
    with database.reading() as db:
        mine = store.groups_of(db, viewer.id)
        if viewer.role is not Role.COORDINATOR:
            return [(group.id, group.name, role) for group, role in mine]
        roles = {group.id: role for group, role in mine}
        return [
            (group.id, group.name, roles.get(group.id))
            for group in store.all_groups(db)
            if group.id in roles or group.reports(ReportItem.SURVEY_AGGREGATES)
        ]


def surveyable_groups(database: Database, viewer: Person) -> list[tuple[int, str, GroupRole | None]]:
    """Groups whose surveys this person may manage or read results of."""
    with database.reading() as db:
        if viewer.role is Role.COORDINATOR:
            roles = {group.id: role for group, role in store.groups_of(db, viewer.id)}
            return [(group.id, group.name, roles.get(group.id)) for group in store.all_groups(db)]
        return [(group.id, group.name, role) for group, role in store.groups_of(db, viewer.id)]
