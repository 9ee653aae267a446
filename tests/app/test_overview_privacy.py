"""Nothing a coordinator can open or download on the overview holds a case text, a board item, an action item
text, a facilitator's note, a name attached to an answer, or an average of fewer people than the threshold.

"Onderwijsteam Basisschool De Regenboog" is made to report everything to the organisation. It then brings a case,
holds a session on it (a question on the board, an action item, an observation with a note, the advice the
bringer chose), the bringer follows it up, and a survey wave closes with only two answers, in a half-year that is
not over yet, so that no pool may hold it either. The coordinator opens the overview: every tab, every group in
the "One group" tab, every facilitator filter, the page in Dutch, and both downloads in both languages. Everything
is read as in test_case_privacy_screens: all strings of every element, the data frames, the files offered.
"""

from __future__ import annotations

import json
import re
import statistics
from dataclasses import dataclass
from datetime import timedelta

import pytest
from driving import NOT_ALLOWED, Offered, app, assert_healthy, deep_link, open_page, query, refusals, values
from fpdf import FPDF
from pdf_reading import pdf_text
from test_case_privacy_screens import everything

from intervision import accounts, cases, clock, demo, goals, groups, live, overview, surveys
from intervision.database import configured as configured_database
from intervision.errors import NotAllowed
from intervision.instruments import shipped_instruments
from intervision.models import (
    ActionItemInput,
    BoardItemInput,
    CaseInput,
    FollowUpInput,
    GoalInput,
    GoalMeasure,
    GroupInput,
    Language,
    ObservationDetailsInput,
    ObservationKind,
    Person,
    ReportItem,
    SessionRole,
    StartSessionInput,
)
from intervision.overview import Period

OVERVIEW = "pages/overview.py"
REGENBOOG = "Onderwijsteam Basisschool De Regenboog"
FACILITATOR = "Annelies Verhoeven"
BRINGER, ASKER = "Sanne Jansen", "Tim van den Berg"
RESPONDENTS = ("Esther Brouwer", "Daan Meijer")  # the only two who answer the small wave
INFORMATION_ROUND = 2  # the incident method's phase that collects questions
# Each secret carries a token of its own, so that a part of it on a screen is found too.
CASE_TITLE = "KSQ-1107 de ouderavond die uit de hand liep"
CASE_SITUATION = "Geheime situatie KSQ-2218: een vader dreigde de leerkracht tijdens de ouderavond."
CASE_QUESTION = "Hoe houd ik KSQ-3329 de regie in zo'n gesprek?"
BOARD_ITEM = "Wat zei je precies tegen de vader? BRD-4431"
ACTION_ITEM = "Bel de vertrouwenspersoon voor vrijdag ACT-5542"
NOTE = "Tim blijft op zijn telefoon kijken NOTE-6653"
ADVICE = "Eerst de emotie benoemen, dan de grens ADV-7764"
FOLLOW_UP = "Het tweede gesprek ging goed FUP-8875"
# Answers to the eight collective-efficacy statements (the "stuck" and "too" ones are reverse-scored).
SMALL_WAVE_ANSWERS = (
    {
        "ce_able_to_help": 1,
        "ce_new_view": 1,
        "ce_stuck_when_complex": 5,
        "ce_stuck_when_emotional": 5,
        "ce_cases_too_complex": 4,
        "ce_enough_experience": 1,
        "ce_problems_too_big": 5,
        "ce_what_we_need": 2,
    },
    {
        "ce_able_to_help": 2,
        "ce_new_view": 3,
        "ce_stuck_when_complex": 4,
        "ce_stuck_when_emotional": 3,
        "ce_cases_too_complex": 4,
        "ce_enough_experience": 2,
        "ce_problems_too_big": 3,
        "ce_what_we_need": 2,
    },
)


@dataclass(frozen=True)
class Planted:
    group_id: int
    texts: tuple[str, ...]  # the secrets and their tokens
    small_mean: float  # the average of the wave with two answers
    names: tuple[str, ...]  # every member of every group who is not a facilitator anywhere


# --- planting the secrets ------------------------------------------------------------------------


def _named(name: str) -> Person:
    found = accounts.person_by_email(configured_database(), demo.demo_email(name))
    assert found is not None, name
    return found


def _group_id(name: str) -> int:
    return query("SELECT id FROM groups WHERE name = ?", (name,))[0][0]


def _report_everything(coordinator: Person, group_id: int) -> None:
    group, _ = groups.group_for(configured_database(), coordinator, group_id)
    contract = group.contract.model_copy(update={"reported_to_organisation": list(ReportItem)})
    form = GroupInput(name=group.name, description=group.description, label=group.label, contract=contract)
    groups.update_group(configured_database(), coordinator, group_id, form)
    group, _ = groups.group_for(configured_database(), coordinator, group_id)
    assert set(group.contract.reported_to_organisation) == set(ReportItem)


def _revision(lead: Person, session_id: int) -> int:
    return live.console_view(configured_database(), lead, session_id).session.revision


def _held_session(lead: Person, group_id: int) -> None:
    """A case brought and discussed in a live session, with a board, an action item and a noted observation."""
    bringer, asker = _named(BRINGER), _named(ASKER)
    case_id = cases.submit_case(
        configured_database(),
        bringer,
        CaseInput(
            group_id=group_id,
            title=CASE_TITLE,
            situation=CASE_SITUATION,
            involved="Een vader, de leerkracht KSQ-9901",
            own_role="Ik was de mentor KSQ-9902",
            evoked="Onrust en twijfel KSQ-9903",
            learning_question=CASE_QUESTION,
            question_type="own_behaviour",
            tried="Het gesprek uitstellen KSQ-9904",
            anonymised=True,
        ),
    )
    cases.choose_case(configured_database(), lead, case_id)
    session_id = live.start_session(
        configured_database(),
        lead,
        StartSessionInput(
            group_id=group_id, case_id=case_id, method_id="incident", roles={SessionRole.CASE_BRINGER: [bringer.id]}
        ),
    )
    live.begin_phases(configured_database(), lead, session_id, _revision(lead, session_id))
    live.move(configured_database(), lead, session_id, _revision(lead, session_id), INFORMATION_ROUND)
    live.send_to_board(configured_database(), asker, session_id, BoardItemInput(kind="question", text=BOARD_ITEM))
    observation = live.observe(configured_database(), lead, session_id, "procedure")
    live.describe_observation(
        configured_database(), lead, session_id, observation, ObservationDetailsInput(concerns="member", note=NOTE)
    )
    stepped_in = live.observe(configured_database(), lead, session_id, "procedure", kind=ObservationKind.INTERVENTION)
    live.describe_observation(
        configured_database(),
        lead,
        session_id,
        stepped_in,
        ObservationDetailsInput(category="advice_in_question_round", concerns="member", note=NOTE),
    )
    live.observe(configured_database(), lead, session_id, "interaction", kind=ObservationKind.SELF_CORRECTION)
    item = live.add_action_item(
        configured_database(), lead, session_id, ActionItemInput(text=ACTION_ITEM, owner_id=bringer.id)
    )
    live.confirm_action_item(configured_database(), lead, session_id, item, True)
    live.record_bringer_choice(configured_database(), lead, session_id, ADVICE)
    live.close_session(configured_database(), lead, session_id, _revision(lead, session_id))
    cases.follow_up(configured_database(), bringer, case_id, FollowUpInput(text=FOLLOW_UP))


def _small_wave(lead: Person, group_id: int) -> float:
    """A closed collective-efficacy wave that only two members answered: its exact average."""
    instrument = shipped_instruments().instruments["collective_efficacy"]
    wave_id = surveys.open_wave(configured_database(), lead, group_id, "collective_efficacy", "start")
    for name, answers in zip(RESPONDENTS, SMALL_WAVE_ANSWERS, strict=True):
        surveys.answer(configured_database(), _named(name), wave_id, answers)
    surveys.close_wave(configured_database(), lead, wave_id)
    scores = [surveys.scale_score(instrument, "collective_efficacy", answers) for answers in SMALL_WAVE_ANSWERS]
    return statistics.fmean(scores)


@pytest.fixture
def planted(people) -> Planted:
    group_id = _group_id(REGENBOOG)
    lead = _named(FACILITATOR)
    _report_everything(people.coordinator, group_id)
    _held_session(lead, group_id)
    small_mean = _small_wave(lead, group_id)
    # A goal on the very measure and group of the small wave.
    goals.add_goal(
        configured_database(),
        people.coordinator,
        GoalInput(
            group_id=group_id,
            measure=GoalMeasure.COLLECTIVE_EFFICACY,
            target=4.0,
            due=clock.today() + timedelta(days=60),
        ),
    )

    # The secrets are in the database, where they belong.
    assert query("SELECT count(*) FROM cases WHERE title = ? AND follow_up = ?", (CASE_TITLE, FOLLOW_UP)) == [(1,)]
    assert query("SELECT count(*) FROM board_items WHERE text = ?", (BOARD_ITEM,)) == [(1,)]
    assert query("SELECT count(*) FROM action_items WHERE text = ? AND confirmed = 1", (ACTION_ITEM,)) == [(1,)]
    assert query("SELECT count(*) FROM observations WHERE note = ?", (NOTE,)) == [(2,)]
    [(closed, answered)] = query(
        "SELECT w.closed_at, count(r.id) FROM survey_waves w JOIN survey_responses r ON r.wave_id = w.id"
        " WHERE w.group_id = ? AND w.instrument_id = 'collective_efficacy' GROUP BY w.id ORDER BY w.id DESC LIMIT 1",
        (group_id,),
    )
    assert closed is not None and answered == 2
    assert surveys.threshold(configured_database()) == 3

    secrets = (CASE_TITLE, CASE_SITUATION, CASE_QUESTION, BOARD_ITEM, ACTION_ITEM, NOTE, ADVICE, FOLLOW_UP)
    tokens = re.findall(r"[A-Z]{3,4}-\d{4}", " ".join(secrets)) + [f"KSQ-990{n}" for n in range(1, 5)]
    assert len(tokens) == 12
    facilitators = {row[0] for row in query("SELECT person_id FROM memberships WHERE group_role = 'facilitator'")}
    names = tuple(
        row[1]
        for row in query(
            "SELECT DISTINCT p.id, p.name FROM memberships m JOIN people p ON p.id = m.person_id"
            " WHERE m.group_role = 'member' ORDER BY p.name"
        )
        if row[0] not in facilitators
    )
    assert {*RESPONDENTS, BRINGER, ASKER, "Sofie Claes"} <= set(names)
    assert "Fatima El Amrani" not in names, "she facilitates a group: her name is shown as its facilitator"
    return Planted(group_id, (*secrets, *tokens), small_mean, names)


# --- reading everything the overview offers ------------------------------------------------------


def _run(at):
    at.run()
    assert_healthy(at)
    return at


def _downloads(at, offered: Offered) -> dict[str, str]:
    found = {}
    for button in at.download_button:
        data = offered.of(button)
        if data.startswith(b"%PDF"):
            found["pdf"] = pdf_text(data)
        else:
            found["csv"] = data.decode("utf-8")
    assert set(found) == {"pdf", "csv"}
    return found


def read_the_overview(person: Person, offered: Offered, seen: dict[str, object]) -> dict[str, str]:
    """Everything the overview shows and offers, per view: tabs, groups, filters, downloads, both languages.

    What the "One group" tab drew for the planted group goes into `seen`.
    """
    shown: dict[str, str] = {}
    at = app(person)
    at.session_state["language"] = "en"
    open_page(at, OVERVIEW)
    assert_healthy(at)
    assert [tab.label for tab in at.tabs] == [
        "Groups side by side",
        "One group",
        "Learning and community",
        "Goals",
        "Report",
    ]
    shown["all tabs"] = everything(at)

    box = at.selectbox(key="overview_group")
    names = dict(zip(box.options, [_group_id(name) for name in box.options], strict=True))
    assert len(names) == 4
    for name, group_id in names.items():
        at.selectbox(key="overview_group").set_value(group_id)
        shown[f"one group: {name}"] = everything(_run(at))
        if group_id == _group_id(REGENBOOG):
            seen["charts"] = len(at.tabs[1].get("plotly_chart"))
            seen["messages"] = values(at.tabs[1].info)

    for language in Language:
        at.radio(key="overview_report_language").set_value(language)
        for kind, text in _downloads(_run(at), offered).items():
            shown[f"{kind} ({language})"] = text

    facilitators = at.selectbox(key="overview.facilitator")
    for facilitator_id in [query("SELECT id FROM people WHERE name = ?", (n,))[0][0] for n in facilitators.options]:
        at.selectbox(key="overview.facilitator").set_value(facilitator_id)
        shown[f"facilitator {facilitator_id}"] = everything(_run(at))
        for kind, text in _downloads(at, offered).items():
            shown[f"{kind} of facilitator {facilitator_id}"] = text

    dutch = app(person)
    dutch.session_state["language"] = "nl"
    open_page(dutch, OVERVIEW)
    assert_healthy(dutch)
    shown["in Dutch"] = everything(dutch)
    for kind, text in _downloads(dutch, offered).items():
        shown[f"{kind} from the Dutch page"] = text
    return shown


def _averages(mean: float) -> list[re.Pattern]:
    """The average as the page, the charts and the reports could write it (2 decimals, point or comma, or all)."""
    two = f"{mean:.2f}"
    forms = {two, two.replace(".", ","), f"{mean:.3f}", f"{mean:.3f}".replace(".", ","), repr(mean)}
    return [re.compile(rf"(?<!\d){re.escape(form)}(?!\d)") for form in forms]


def leaks(shown: dict[str, str], planted: Planted) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for view, text in shown.items():
        pieces = [secret for secret in planted.texts if secret in text]
        pieces += [name for name in planted.names if name in text]
        pieces += [pattern.pattern for pattern in _averages(planted.small_mean) if pattern.search(text)]
        if pieces:
            found[view] = pieces
    return found


# --- the coordinator -----------------------------------------------------------------------------


@pytest.mark.date_sensitive
def test_the_small_wave_has_an_average_of_its_own(people, planted):
    """The two answers make an average no release could have: so finding it would be a leak."""
    assert f"{planted.small_mean:.2f}" == "1.81"
    period = Period.year_before(clock.today())
    comparison = overview.compare_groups(configured_database(), people.coordinator, period)
    released = [release for rows in comparison.releases.values() for release in rows]
    assert all(release.respondents >= 3 for release in released)
    assert all(f"{release.mean:.2f}" != "1.81" for release in released)
    [regenboog] = [group for group in comparison.groups if group.group_id == planted.group_id]
    latest = regenboog.efficacy["collective_efficacy"]
    assert latest is None or latest.latest.day < clock.today(), "the small wave (closed today) is not released"


def test_the_reading_would_notice_a_leak(planted):
    """The same reading finds a secret, a name or the small average where they would show: in a PDF too."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    pdf.multi_cell(0, 5, f"{REGENBOOG}: {ACTION_ITEM}")
    assert ACTION_ITEM in pdf_text(bytes(pdf.output()))
    for text in (
        f"note: {NOTE}",
        f"Collective efficacy,{planted.small_mean:.2f},n = 2",
        f"Vertrouwen;{planted.small_mean:.2f}".replace(".", ","),
        f'"y": [{planted.small_mean!r}]',
        f"answered by {RESPONDENTS[0]}",
        "KSQ-2218",
    ):
        assert leaks({"screen": text}, planted) != {}, text
    # Other numbers that merely contain the digits are not taken for it.
    assert leaks({"screen": "11.81 and 1.814 and 2026-01-81"}, planted) == {}


def test_nothing_the_coordinator_opens_or_downloads_holds_a_secret(people, planted, offered):
    seen: dict[str, object] = {}
    shown = read_the_overview(people.coordinator, offered, seen)

    assert leaks(shown, planted) == {}
    # The reading saw the group and what its contract now reports: its figures, not its contents.
    assert not [message for message in seen["messages"] if "contract does not report" in message]
    assert seen["charts"] >= 2, "at least the method mix and the observation profile"
    for view in ("all tabs", "in Dutch", "csv (en)", "csv (nl)"):
        assert REGENBOOG in shown[view], view
    assert "Leidinggevenden Zorg" in shown["pdf (en)"] and "Leidinggevenden Zorg" in shown["pdf (nl)"]
    assert "Onderwijsteam Basisschool" in shown["pdf (en)"]
    assert FACILITATOR in shown["all tabs"] and FACILITATOR in shown["csv (en)"]
    assert "The group corrected itself" in shown[f"one group: {REGENBOOG}"]
    assert "Does the group run itself?" in shown["pdf (en)"] and "Stuurt de groep zichzelf?" in shown["pdf (nl)"]


def _efficacy_points(at) -> list[tuple[float, str]]:
    """Every efficacy average the charts draw, with its label ("n=5" where the chart writes one)."""
    points = []
    for chart in at.get("plotly_chart"):
        for trace in json.loads(chart.proto.spec)["data"]:
            if trace.get("name") in ("Self-efficacy", "Collective efficacy"):
                labels = trace.get("text") or [""] * len(trace["y"])
                points += list(zip(trace["y"], labels, strict=True))
    return points


@pytest.mark.date_sensitive
def test_a_raised_threshold_hides_every_average_of_fewer_people(people, offered):
    period = Period.year_before(clock.today())
    before = overview.compare_groups(configured_database(), people.coordinator, period)
    released = [release for rows in before.releases.values() for release in rows]
    kept = {release.mean for release in released if release.respondents >= 6}
    hidden = {release.mean for release in released if release.respondents < 6} - kept  # sixths recur
    assert hidden, "the demo has averages of 3 to 5 people"
    assert kept, "and some of 6 or more"
    surveys.set_threshold(configured_database(), people.coordinator, 6)

    at = app(people.coordinator)
    at.session_state["language"] = "en"
    open_page(at, OVERVIEW)
    assert_healthy(at)
    points = _efficacy_points(at)
    for name in at.selectbox(key="overview_group").options:
        at.selectbox(key="overview_group").set_value(_group_id(name))
        points += _efficacy_points(_run(at))
    csv_text = _downloads(at, offered)["csv"]

    assert points, "some averages are still shown"
    assert not [mean for mean, _ in points if mean in hidden]
    counts = [int(n) for _, label in points for n in re.findall(r"n=(\d+)", label)]
    counts += [int(n) for n in re.findall(r"n = (\d+)", csv_text)]
    assert counts and min(counts) >= 6, counts
    assert "fewer than 6 answers" in everything(at), "the legend names the threshold"


@pytest.mark.date_sensitive
def test_the_session_with_the_secrets_counts_as_a_number(people, planted):
    """The session held today shows as a count in the observation profile and the figures, nothing more."""
    period = Period.year_before(clock.today())
    story = overview.group_story(configured_database(), people.coordinator, planted.group_id, period)
    assert story.observations is not None and story.observations[-1].day == clock.today()
    today = story.observations[-1]
    assert (today.per_level["procedure"], today.interventions, today.self_corrections) == (1, 1, 1)
    assert today.balance.interventions["procedure"] == 1 and today.balance.self_corrections["interaction"] == 1
    assert "advice_in_question_round" not in repr(story) and NOTE not in repr(story)
    assert story.figures.cases is not None and story.figures.cases.submitted >= 1
    assert story.figures.action_items is not None and story.figures.action_items[0] >= 1


# --- who may not open it -------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["participant_facilitator", "facilitator", "participant"])
def test_the_overview_refuses_who_is_not_a_coordinator(people, planted, offered, role):
    person = people.by_role(role)
    # The navigation does not offer the page to them …
    at = app(person)
    at.session_state["language"] = "en"
    _run(at)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(OVERVIEW)
    # … and a link straight to it shows only the refusal.
    at = app(person)
    at.session_state["language"] = "en"
    deep_link(at, OVERVIEW)
    assert_healthy(at)
    assert NOT_ALLOWED in refusals(at), role
    assert values(at.title) == [], role
    assert not at.tabs and not at.dataframe and not at.get("plotly_chart") and not at.download_button
    assert not at.metric and not at.selectbox
    assert leaks({role: everything(at)}, planted) == {}
    assert offered == {}, "nothing was offered for download"


@pytest.mark.date_sensitive
def test_who_facilitates_one_group_and_takes_part_in_another_cannot_get_the_figures(people):
    fatima = people.participant_facilitator  # facilitates "Wijkverpleging Noord", member of "Leidinggevenden Zorg"
    assert query(
        "SELECT g.name, m.group_role FROM memberships m JOIN groups g ON g.id = m.group_id"
        " WHERE m.person_id = ? ORDER BY g.name",
        (fatima.id,),
    ) == [("Leidinggevenden Zorg", "member"), ("Wijkverpleging Noord", "facilitator")]
    period = Period.year_before(clock.today())
    noord = _group_id("Wijkverpleging Noord")
    for attempt in (
        lambda: overview.compare_groups(configured_database(), fatima, period),
        lambda: overview.group_story(configured_database(), fatima, noord, period),
        lambda: overview.choices(configured_database(), fatima),
        lambda: goals.progress(configured_database(), fatima),
    ):
        with pytest.raises(NotAllowed):
            attempt()
