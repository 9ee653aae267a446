"""The coordinator's overview: all groups side by side, one group's story, goals, and the report.

Everything here comes from `intervision.overview`: counts, shares and survey averages released above the
privacy threshold, as far as each group's contract reports them. Nothing here can show a case or a note.
"""

from datetime import timedelta
from functools import partial

import plotly.graph_objects as go
import streamlit as st

from intervision import clock, community, goals, method_library, overview, overview_charts, overview_report
from intervision.database import configured as configured_database
from intervision.errors import DomainError
from intervision.goals import GoalStatus
from intervision.i18n import day, number
from intervision.models import GoalInput, GoalMeasure, Language, Person, ReportItem
from intervision.overview import SCORECARD, Comparison, GroupFigures, Period, scorecard
from ui import format, forms
from ui.guard import escape_markdown, guard
from ui.learning_goals import counts_table

# The store this server was set up with (intervision/database.py), built once per process.
database = configured_database()

viewer = guard("overview")
person = viewer.signed_in
FILTER = "overview"
STATUS_ICONS = {
    GoalStatus.MET: ":material/check_circle:",
    GoalStatus.NOT_YET: ":material/pending:",
    GoalStatus.MISSED: ":material/cancel:",
    GoalStatus.NO_DATA: ":material/visibility_off:",
}


# --- the filters -----------------------------------------------------------------------------------


def chosen_period() -> Period | None:
    today = clock.today()
    forms.prefill(FILTER, {"start": today - timedelta(days=364), "end": today})
    start, end, who, labels = st.columns([1, 1, 2, 2])
    start.date_input(viewer.t("overview.from"), key=forms.key(FILTER, "start"), format=format.date_input_format(viewer))
    end.date_input(viewer.t("overview.until"), key=forms.key(FILTER, "end"), format=format.date_input_format(viewer))
    try:
        period = Period(forms.value(FILTER, "start"), forms.value(FILTER, "end"))
    except DomainError:
        end.error(viewer.t("error.period_reversed"), icon=":material/error:")
        return None
    who.selectbox(
        viewer.t("overview.facilitator"),
        [person_id for person_id, _ in everyone.facilitators],
        index=None,
        format_func=dict(everyone.facilitators).get,
        placeholder=viewer.t("overview.all_facilitators"),
        key=forms.key(FILTER, "facilitator"),
    )
    labels.multiselect(
        viewer.t("overview.labels"),
        everyone.labels,
        placeholder=viewer.t("overview.all_labels"),
        key=forms.key(FILTER, "labels"),
    )
    return period


# --- groups side by side ---------------------------------------------------------------------------


def new_questions_note(changes: dict[str, list]) -> None:
    """Beside a trend: where a questionnaire got new questions, as the dotted line on the chart marks it."""
    if not changes:
        return
    said = "; ".join(
        viewer.t(
            "overview.new_questions_change",
            instrument=viewer.t(f"overview.measure.{instrument_id}"),
            day=", ".join(format.day(day, viewer) for day in days),
        )
        for instrument_id, days in changes.items()
    )
    st.caption(viewer.t("overview.new_questions", changes=said))


def organisation_figures(comparison: Comparison) -> None:
    held = [group.sessions_held for group in comparison.groups if group.sessions_held is not None]
    attendance = [group.attendance for group in comparison.groups if group.attendance]
    present, recorded = sum(part[0] for part in attendance), sum(part[1] for part in attendance)
    columns = st.columns(4)
    columns[0].metric(viewer.t("overview.groups_count"), len(comparison.groups))
    columns[1].metric(viewer.t("overview.sessions_held"), sum(held) if held else "–")
    columns[2].metric(viewer.t("overview.measure.attendance"), f"{present / recorded:.0%}" if recorded else "–")
    combined = comparison.combined("collective_efficacy")
    columns[3].metric(
        viewer.t("overview.measure.collective_efficacy"),
        number(combined.mean, viewer.language, 2) if combined else "–",
        help=viewer.t("overview.combined_note", n=combined.answers, releases=combined.releases) if combined else None,
    )


def groups_table(comparison: Comparison) -> None:
    not_shared = viewer.t("overview.not_reported_short")
    rows = []
    for group in comparison.groups:
        cells = scorecard(group)
        row = {
            viewer.t("field.group"): group.name,
            viewer.t("overview.label"): group.label,
            viewer.t("overview.measure.facilitators"): ", ".join(group.facilitators),
            viewer.t("overview.measure.phase"): viewer.t(f"phase.{group.phase}"),
        }
        for measure in SCORECARD:
            cell = cells[measure]
            row[viewer.t(f"overview.measure.{measure}")] = cell.label(viewer.language, not_shared)
        row[viewer.t("overview.measure.cases")] = str(group.cases.submitted) if group.cases else not_shared
        row[viewer.t("overview.measure.methods")] = (
            ", ".join(f"{method_names.get(m, m)} ({n})" for m, n in sorted(group.methods.items(), key=lambda x: -x[1]))
            if group.methods
            else "–"
            if group.methods is not None
            else not_shared
        )
        rows.append(row)
    st.dataframe(rows, hide_index=True, width="stretch")


def compare_tab(comparison: Comparison) -> None:
    if not comparison.groups:
        st.info(viewer.t("overview.no_groups"))
        return
    organisation_figures(comparison)
    st.plotly_chart(drawn("heatmap", viewer.language, comparison, selection), width="stretch")
    st.caption(viewer.t("overview.heat_legend", threshold=comparison.threshold))
    st.subheader(viewer.t("overview.table"))
    groups_table(comparison)
    if any(group.efficacy for group in comparison.groups):
        st.subheader(viewer.t("overview.trends"))
        st.plotly_chart(drawn("trends", viewer.language, comparison, selection), width="stretch")
        st.caption(viewer.t("overview.pooled_legend"))
        new_questions_note(comparison.question_changes())
        if sum(1 for group in comparison.groups if group.efficacy) > overview_charts.MAX_SMALL_MULTIPLES:
            st.caption(viewer.t("overview.trends_capped", count=overview_charts.MAX_SMALL_MULTIPLES))


# --- learning and community ------------------------------------------------------------------------

LEARNING_RESULTS = ("sessions", "followed_up", "action_items", "self_efficacy")


def aspect_text(score: community.AspectScore) -> str:
    """A score as a percentage, or why there is none: never a number made up from too little."""
    if score.value is None:
        return viewer.t(f"community.gap.{score.gap or community.Gap.TOO_LITTLE}")
    return f"{score.value:.0%}" + ("*" if score.pooled else "")


def community_tab(comparison: Comparison) -> None:
    if not comparison.groups:
        st.info(viewer.t("overview.no_groups"))
        return
    st.caption(viewer.t("community.intro", cut_off=f"{community.CUT_OFF:.0%}"))
    profiles = profiles_of(person, comparison, selection)
    figures = {group.group_id: group for group in comparison.groups}
    not_shared = viewer.t("overview.not_reported_short")
    rows = []
    for profile in profiles:
        weak = profile.weak_aspects()
        row = {viewer.t("field.group"): profile.name}
        for aspect in community.ASPECTS:
            marked = " ▼" if aspect in weak else ""
            row[viewer.t(f"community.aspect.{aspect}")] = aspect_text(profile.latest(aspect)) + marked
        cells = scorecard(figures[profile.group_id])
        for measure in LEARNING_RESULTS:
            row[viewer.t(f"overview.measure.{measure}")] = cells[measure].label(viewer.language, not_shared)
        rows.append(row)
    st.subheader(viewer.t("community.table"))
    st.dataframe(rows, hide_index=True, width="stretch")
    st.caption(viewer.t("community.table_legend", minimum=community.MIN_OBSERVED))
    with st.expander(viewer.t("community.how_computed")):
        st.markdown(viewer.t("community.how_computed_text", minimum=community.MIN_OBSERVED))

    st.subheader(viewer.t("community.over_time"))
    chosen = st.selectbox(
        viewer.t("community.over_time_group"),
        [profile.group_id for profile in profiles],
        format_func={profile.group_id: profile.name for profile in profiles}.get,
        key="_community_group",
    )
    profile = next(profile for profile in profiles if profile.group_id == chosen)
    quarters = [quarter.quarter for quarter in profile.quarters]
    trend = {
        viewer.t(f"community.aspect.{aspect}"): [
            # A quarter without a score is a gap in the line, never a zero.
            None if quarter.scores[aspect].value is None else round(100 * quarter.scores[aspect].value)
            for quarter in profile.quarters
        ]
        for aspect in community.ASPECTS
    }
    if any(value is not None for values in trend.values() for value in values):
        figure = go.Figure(
            [
                # Markers too: a quarter with a score between two without one is still seen.
                go.Scatter(
                    x=quarters, y=values, name=name, mode="lines+markers", marker={"size": 10}, connectgaps=False
                )
                for name, values in trend.items()
            ]
        )
        figure.update_layout(
            height=320,
            margin={"l": 10, "r": 10, "t": 10, "b": 10},
            yaxis={"range": [0, 100], "ticksuffix": "%"},
            xaxis={"type": "category"},
            legend={"orientation": "h"},
        )
        figure.add_hline(y=100 * community.CUT_OFF, line_dash="dot", line_color="grey")
        st.plotly_chart(figure, width="stretch")
    else:
        st.info(viewer.t("community.no_scores"), icon=":material/hourglass_empty:")
    st.dataframe(
        [
            {
                viewer.t("community.quarter"): quarter.quarter,
                **{
                    viewer.t(f"community.aspect.{aspect}"): aspect_text(quarter.scores[aspect])
                    for aspect in community.ASPECTS
                },
            }
            for quarter in profile.quarters
        ],
        hide_index=True,
        width="stretch",
    )

    st.subheader(viewer.t("community.suggestions"))
    any_weak = False
    for profile in profiles:
        found = community.suggestions(profile)
        if not found:
            continue
        any_weak = True
        with st.container(border=True):
            st.markdown(f"**{escape_markdown(profile.name)}**")
            for suggestion in found:
                st.markdown(
                    viewer.t(
                        "community.work_on",
                        aspect=viewer.t(f"community.aspect.{suggestion.aspect}"),
                        score=aspect_text(profile.latest(suggestion.aspect)),
                    )
                )
                st.markdown(viewer.t("community.focus", focus=suggestion.focus(viewer.language)))
                names = ", ".join(method_names.get(method_id, method_id) for method_id in suggestion.methods)
                st.markdown(viewer.t("community.methods", methods=names or viewer.t("community.no_methods")))
    if not any_weak:
        st.info(viewer.t("community.nothing_weak"), icon=":material/check_circle:")


# --- one group -------------------------------------------------------------------------------------


def not_shared(item: ReportItem) -> None:
    st.info(viewer.t("overview.not_in_contract", item=viewer.t(f"report.{item}")), icon=":material/visibility_off:")


def group_tab(comparison: Comparison) -> None:
    if not comparison.groups:
        st.info(viewer.t("overview.no_groups"))
        return
    names = {group.group_id: group.name for group in comparison.groups}
    group_id = st.selectbox(viewer.t("field.group"), list(names), format_func=names.get, key="overview_group")
    story = story_of(person, comparison, group_id, selection)
    figures: GroupFigures = story.figures
    facilitators = escape_markdown(", ".join(figures.facilitators)) or "–"
    st.caption(
        f"{escape_markdown(figures.label)} · {viewer.t(f'phase.{figures.phase}')} · "
        f"{viewer.t('overview.measure.facilitators')}: {facilitators}"
    )
    st.subheader(viewer.t("overview.efficacy_over_time"))
    if ReportItem.SURVEY_AGGREGATES not in figures.reported:
        not_shared(ReportItem.SURVEY_AGGREGATES)
    elif not any(story.releases.values()):
        st.info(viewer.t("overview.no_release_explained", threshold=comparison.threshold))
    else:
        st.plotly_chart(group_drawn("efficacy", viewer.language, group_id, story, selection), width="stretch")
        new_questions_note(overview.question_changes(story.releases))
        pooled = [r for rows in story.releases.values() for r in rows if r.pooled]
        if pooled:
            st.caption(viewer.t("overview.pooled_here", threshold=comparison.threshold))
    st.subheader(viewer.t("overview.method_mix"))
    if figures.methods is None:
        not_shared(ReportItem.METHODS_USED)
    elif not story.sessions:
        st.caption(viewer.t("overview.no_sessions"))
    else:
        st.plotly_chart(group_drawn("methods", viewer.language, group_id, story, selection), width="stretch")
    st.subheader(viewer.t("overview.observation_profile"))
    if story.observations is None:
        not_shared(ReportItem.OBSERVATION_PROFILE)
    elif not story.observations:
        st.caption(viewer.t("overview.no_sessions"))
    else:
        st.plotly_chart(group_drawn("observations", viewer.language, group_id, story, selection), width="stretch")
        st.write(overview_report.balance_sentence(story, viewer.language))
        st.caption(viewer.t("overview.observation_profile_help"))


# --- goals -----------------------------------------------------------------------------------------

GOAL = "goal"
GOAL_FIELDS = ["group_id", "measure", "target", "due"]


def _add_goal() -> str:
    goals.add_goal(database, person, GoalInput(**forms.values(GOAL, GOAL_FIELDS)))
    forms.forget(GOAL, GOAL_FIELDS)
    return "overview.goal_added"


def _remove_goal(goal_id: int) -> str:
    goals.remove_goal(database, person, goal_id)
    return "overview.goal_removed"


def goal_value(measure: GoalMeasure, value: float | None) -> str:
    if value is None:
        return "–"
    unit = goals.unit_of(measure)
    if unit == "percent":
        return f"{value:.0f}%"
    return number(value, viewer.language, 2 if unit == "average" else 1)


def goals_tab(comparison: Comparison) -> None:
    st.write(viewer.t("overview.goals_intro"))
    for progress in goals.progress(database, person):
        goal = progress.goal
        line = st.columns([5, 2, 1], vertical_alignment="center")
        with line[0]:
            who = escape_markdown(goal.group_name) if goal.group_name else viewer.t("overview.organisation")
            st.markdown(f"**{who}** · {viewer.t(f'overview.measure.{goal.measure.value}')}")
            st.progress(
                progress.share_of_target,
                text=viewer.t(
                    "overview.goal_progress",
                    value=goal_value(goal.measure, progress.value),
                    target=goal_value(goal.measure, goal.target),
                    due=day(goal.due, viewer.language),
                ),
            )
        line[1].markdown(f"{STATUS_ICONS[progress.status]} {viewer.t(f'overview.status.{progress.status}')}")
        line[2].button(
            viewer.t("overview.remove_goal"),
            key=f"goal.remove.{goal.id}",
            icon=":material/delete:",
            on_click=forms.submit,
            args=(GOAL, viewer, partial(_remove_goal, goal.id)),
        )
    st.subheader(viewer.t("overview.new_goal"))
    groups = dict(everyone.groups)
    forms.prefill(GOAL, {"group_id": None, "measure": GoalMeasure.SESSIONS_HELD, "target": 8.0, "due": None})
    with st.form(GOAL):
        scope, measure = st.columns(2)
        scope.selectbox(
            viewer.t("overview.goal_for"),
            list(groups),
            index=None,
            format_func=groups.get,
            placeholder=viewer.t("overview.organisation"),
            key=forms.key(GOAL, "group_id"),
        )
        with scope:
            forms.field_error(GOAL, "group_id")
        measure.selectbox(
            viewer.t("overview.goal_measure"),
            list(GoalMeasure),
            format_func=lambda m: viewer.t(f"overview.measure.{m.value}"),
            key=forms.key(GOAL, "measure"),
        )
        target, due = st.columns(2)
        target.number_input(
            viewer.t("overview.goal_target"),
            step=0.5,
            key=forms.key(GOAL, "target"),
            help=viewer.t("overview.goal_target_help"),
        )
        with target:
            forms.field_error(GOAL, "target")
        due.date_input(
            viewer.t("overview.goal_due"), key=forms.key(GOAL, "due"), format=format.date_input_format(viewer)
        )
        with due:
            forms.field_error(GOAL, "due")
        forms.form_error(GOAL)
        st.form_submit_button(
            viewer.t("overview.add_goal"), on_click=forms.submit, args=(GOAL, viewer, _add_goal), type="primary"
        )
    counts_table(database, viewer, person, [group.group_id for group in comparison.groups], comparison.period)


# --- the report ------------------------------------------------------------------------------------


def report_tab(comparison: Comparison) -> None:
    st.write(viewer.t("overview.report_intro"))
    language = st.radio(
        viewer.t("overview.report_language"),
        list(Language),
        index=list(Language).index(viewer.language),
        format_func=lambda code: viewer.t(f"language.{code}"),
        horizontal=True,
        key="overview_report_language",
    )
    name = f"overview-{comparison.period.start}-{comparison.period.end}-{language}"
    pdf, csv = st.columns(2)
    # Made when clicked, not on every rerun: a report of hundreds of groups takes a moment to draw.
    pdf.download_button(
        viewer.t("overview.download_pdf"),
        lambda: overview_report.report_pdf(
            comparison, goals.progress(database, person), language, viewer.organisation.name
        ),
        file_name=f"{name}.pdf",
        mime="application/pdf",
        icon=":material/picture_as_pdf:",
        width="stretch",
    )
    csv.download_button(
        viewer.t("overview.download_csv"),
        lambda: overview_report.report_csv(comparison, goals.progress(database, person), language),
        file_name=f"{name}.csv",
        mime="text/csv",
        icon=":material/table_view:",
        width="stretch",
    )


# A comparison (and its charts) is made again only after a write, or after a minute for writes by another
# process: every tab, filter or form click reruns the page, and comparing hundreds of groups on each would
# make them all slow. What is cached is never changed afterwards.
@st.cache_resource(ttl=60, max_entries=32, show_spinner=False)
def compared(_viewer: Person, selection: tuple) -> Comparison:
    _, period, facilitator_id, labels, today, _ = selection
    return overview.compare_groups(database, _viewer, period, facilitator_id=facilitator_id, labels=labels, today=today)


CHARTS = {
    "heatmap": lambda comparison, language: overview_charts.comparison_heatmap(comparison.groups, language),
    "trends": overview_charts.efficacy_small_multiples,
}


@st.cache_resource(ttl=60, max_entries=64, show_spinner=False)
def drawn(chart: str, language: Language, _comparison: Comparison, selection: tuple) -> go.Figure:
    return CHARTS[chart](_comparison, language)


# One group's story and its charts, likewise: made again after a write (the selection holds the change
# signal), or for another group or language, not on every click of the page.
@st.cache_resource(ttl=60, max_entries=64, show_spinner=False)
def story_of(_viewer: Person, _comparison: Comparison, group_id: int, selection: tuple) -> overview.GroupStory:
    return overview.story_in(database, _viewer, _comparison, group_id)


# The community profiles of a comparison, likewise made again only after a write or for another selection.
@st.cache_resource(ttl=60, max_entries=64, show_spinner=False)
def profiles_of(_viewer: Person, _comparison: Comparison, selection: tuple) -> list[community.CommunityProfile]:
    return community.community_profiles(database, _viewer, _comparison)


GROUP_CHARTS = {
    "efficacy": lambda story, language: overview_charts.group_efficacy_trend(
        story.releases,
        [(day, method_names.get(m, m) if m else None) for day, m in story.sessions or []],
        language,
    ),
    "methods": lambda story, language: overview_charts.method_mix(story.sessions, method_names, language),
    "observations": lambda story, language: overview_charts.observation_profile(story.observations, language),
}


@st.cache_resource(ttl=60, max_entries=64, show_spinner=False)
def group_drawn(
    chart: str, language: Language, group_id: int, _story: overview.GroupStory, selection: tuple
) -> go.Figure:
    return GROUP_CHARTS[chart](_story, language)


st.title(viewer.t("nav.overview"))
forms.notice(viewer)
method_names = {
    entry.method.id: entry.method.name(viewer.language) for entry in method_library.available_methods(database, person)
}
everyone = overview.choices(database, person)
period = chosen_period()
if period is not None:
    selection = (
        person.id,
        period,
        forms.value(FILTER, "facilitator"),
        tuple(forms.value(FILTER, "labels") or ()),
        clock.today(),
        overview.data_version(database),
    )
    comparison = compared(person, selection)
    tabs = {
        "overview.compare": compare_tab,
        "overview.one_group": group_tab,
        "community.tab": community_tab,
        "overview.goals": goals_tab,
        "overview.report": report_tab,
    }
    for tab, show in zip(st.tabs([viewer.t(label) for label in tabs]), tabs.values(), strict=True):
        with tab:
            show(comparison)
