"""Surveys: answer on a phone, see the group's trends (safely), open and close waves, load instruments."""

from dataclasses import dataclass
from datetime import timedelta
from functools import partial

import plotly.graph_objects as go
import streamlit as st

from intervision import groups, method_library, overview, reminders, surveys
from intervision.charts import item_distribution, survey_trend
from intervision.csv_export import write_csv
from intervision.database import configured as configured_database
from intervision.errors import DomainError
from intervision.i18n import number
from intervision.instruments import Instrument, InstrumentFileError, shipped_instruments
from intervision.mail.settings import mail_configured
from intervision.models import GroupRole, Person, Role
from intervision.permissions import Action, allows
from ui import format, forms
from ui.guard import escape_markdown, guard, while_signed_in

# The store this server was set up with (intervision/database.py), built once per process.
database = configured_database()

viewer = guard("surveys")
person = viewer.signed_in
everything = surveys.instruments(database)
reachable = surveys.surveyable_groups(database, person)


def name_of(instrument: Instrument) -> str:
    return instrument.name(viewer.language)


# --- answering -------------------------------------------------------------------------------------


CLOSED_MEANWHILE = "_closed_while_answering"  # waves that closed between drawing the form and saving it


def _answer(wave: surveys.Wave) -> str | None:
    form = f"answer.{wave.id}"
    st.session_state.pop("_saved_wave", None)
    answers = {item.id: forms.value(form, item.id) for item in wave.instrument.items}
    try:
        surveys.answer(database, person, wave.id, answers)
    except DomainError as problem:
        if problem.key != "wave_closed":
            raise
        # The wave is no longer among the open ones: keep drawing it, so that the answers stay on screen.
        st.session_state.setdefault(CLOSED_MEANWHILE, {})[wave.id] = (wave, answers)
        return None
    st.session_state["_saved_wave"] = wave.id  # said under the button, where the thumb is
    return None


def _changed_since_saved() -> None:
    # "Saved" under the button would be untrue once an answer changes after the save.
    st.session_state.pop("_saved_wave", None)


def _forget_closed(wave_id: int) -> None:
    st.session_state.get(CLOSED_MEANWHILE, {}).pop(wave_id, None)


def answer_form(wave: surveys.Wave, closed: dict[str, int | None] | None = None) -> None:
    """A wave's statements to answer; or, when it `closed` while being answered, those answers, read-only.

    Each statement is a row of option buttons (a thumb-sized target each, wrapping on a narrow phone) rather
    than a column of radio buttons, with how many are answered and the save button under them.
    """
    instrument = wave.instrument
    form = f"answer.{wave.id}"
    if closed is not None:
        # Disabled buttons are new widgets to Streamlit: they start from the answers as they were tapped.
        for item_id, value in closed.items():
            st.session_state[forms.key(form, item_id)] = value
    forms.prefill(form, surveys.my_answers(database, person, wave.id))
    with st.container(key=f"survey_{wave.id}"):  # one survey's form, for the style and the tests
        st.markdown(f"#### {escape_markdown(name_of(instrument))}")
        since = viewer.t("surveys.closes", day=format.day(wave.opened_at, viewer))
        st.caption(f"{escape_markdown(wave.group_name)} · {since}")
        if closed is not None:
            st.warning(viewer.t("surveys.closed_meanwhile"), icon=":material/lock_clock:")
        else:
            st.write(viewer.t("surveys.answer_intro"))
        # Labels and options are Markdown: a loaded file's texts are escaped to show as written.
        labels = {option.value: escape_markdown(option.label(viewer.language)) for option in instrument.options}
        for item in instrument.items:
            st.segmented_control(
                escape_markdown(item.text(viewer.language)),
                list(labels),
                format_func=labels.get,
                key=forms.key(form, item.id),
                disabled=closed is not None,
                width="stretch",
                on_change=_changed_since_saved,
            )
            forms.field_error(form, item.id)
        answered = sum(forms.value(form, item.id) is not None for item in instrument.items)
        total = len(instrument.items)
        st.progress(answered / total, text=viewer.t("surveys.progress", answered=answered, total=total))
        forms.form_error(form)
        st.button(
            viewer.t("surveys.save"),
            key=f"save_answers.{wave.id}",
            type="primary",
            disabled=closed is not None,
            width="stretch",
            on_click=forms.submit,
            args=(form, viewer, partial(_answer, wave)),
        )
        if closed is not None:
            st.button(
                viewer.t("surveys.closed_meanwhile_hide"),
                key=f"forget_closed.{wave.id}",
                on_click=while_signed_in(viewer, partial(_forget_closed, wave.id)),
            )
        if st.session_state.get("_saved_wave") == wave.id:
            st.success(viewer.t("surveys.saved"), icon=":material/check_circle:")


# A tap on an option reruns only this tab, not the results' charts: the count of answered statements
# follows every tap without making the phone wait for the whole page.
@st.fragment
def answer_tab() -> None:
    # Options 44 px high (in px: this theme's rem is larger), the size a thumb hits reliably; a long label
    # wraps inside its button.
    st.html(
        "<style>[class*='st-key-survey_'] button[data-variant='segmented_control']"
        " { box-sizing: border-box; min-height: 44px; white-space: normal; }</style>"
    )
    waiting = surveys.open_waves(database, person)
    open_ids = {wave.id for wave in waiting}
    closed = [(wave, answers) for wave, answers in st.session_state.get(CLOSED_MEANWHILE, {}).values()]
    closed = [(wave, answers) for wave, answers in closed if wave.id not in open_ids]
    if not waiting and not closed:
        st.caption(viewer.t("surveys.nothing_open"))
    for wave, answers in closed:
        answer_form(wave, closed=answers)
    for wave in waiting:
        answer_form(wave)


# --- results ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResultsView:
    """A group's results for one instrument as the results tab draws them: the charts already built."""

    results: surveys.GroupResults | None
    trends: dict[str, go.Figure]  # per reported scale with something to draw
    distribution: go.Figure | None


# The results and their charts are made again only after a write (any process's: the key holds the change
# signal), the person, group, instrument or language changing, or after a minute: every click on the page
# reruns it, and scoring every wave and building four figures each time made it the slowest page.
# What is cached is never changed afterwards.
@st.cache_resource(ttl=60, max_entries=64, show_spinner=False)
def results_view(_viewer: Person, key: tuple) -> ResultsView:
    _, group_id, instrument_id, language, role = key  # role: the viewer's in the group, None for a coordinator
    results = surveys.group_results(database, _viewer, group_id, instrument_id)
    if results is None:
        return ResultsView(None, {}, None)
    method_names = {
        entry.method.id: entry.method.name(language) for entry in method_library.available_methods(database, _viewer)
    }
    held = (
        [
            (meeting.starts_at, method_names.get(meeting.method_id or "", meeting.method_id or ""))
            for meeting in groups.sessions_held(database, _viewer, group_id)
        ]
        if role or _viewer.role is Role.COORDINATOR
        else []
    )
    mine = surveys.my_trend(database, _viewer, group_id, instrument_id) if role is GroupRole.MEMBER else []
    trends = {}
    for scale in results.instrument.reported_scales:
        own = [(wave.opened_at, scores[scale.id]) for wave, scores in mine if scores.get(scale.id) is not None]
        if results.points(scale.id) or own:
            trends[scale.id] = survey_trend(results, scale.id, language, held, own or None)
    distribution = item_distribution(results, language) if results.latest_items is not None else None
    return ResultsView(results, trends, distribution)


def results_tab() -> None:
    readable = surveys.results_groups(database, person)
    if not readable:
        st.caption(viewer.t("home.no_groups"))
        return
    names = {group_id: name for group_id, name, _ in readable}
    roles = {group_id: role for group_id, _, role in readable}
    picked, which = st.columns(2)
    group_id = picked.selectbox(viewer.t("surveys.group"), list(names), format_func=names.get, key="results_group")
    instrument_id = which.selectbox(
        viewer.t("surveys.instrument"),
        list(everything),
        format_func=lambda key: name_of(everything[key]),
        key="results_instrument",
    )
    shown = results_view(
        person, (overview.data_version(database), group_id, instrument_id, viewer.language, roles.get(group_id))
    )
    results = shown.results
    if results is None:
        st.info(viewer.t("surveys.no_results"))
        return
    for scale in results.instrument.reported_scales:
        st.subheader(escape_markdown(scale.name(viewer.language)))
        st.caption(escape_markdown(scale.description(viewer.language)))
        trend = shown.trends.get(scale.id)
        if trend is None:  # empty axes would look like a broken chart
            st.caption(viewer.t("surveys.trend_not_shown", threshold=results.threshold))
            reliability_lines(results, scale.id)
            continue
        st.plotly_chart(trend, key=f"trend.{scale.id}", width="stretch", config={"displayModeBar": False}, theme=None)
        hidden = sum(
            1 for wave in results.waves for result in wave.scales if result.scale_id == scale.id and not result.shown
        )
        if hidden:
            st.caption(viewer.t("surveys.hidden_waves", count=hidden, threshold=results.threshold))
        for wave in results.new_questions_on(scale.id):
            day = format.day(wave.opened_at, viewer)
            st.caption(viewer.t("surveys.new_questions", day=day, version=wave.instrument.version))
        reliability_lines(results, scale.id)
    st.subheader(viewer.t("surveys.distribution"))
    if results.latest_items is None:
        st.caption(viewer.t("surveys.too_few_items", threshold=results.threshold))
    else:
        st.plotly_chart(shown.distribution, width="stretch", config={"displayModeBar": False}, theme=None)
        least = results.least_agreement
        item = next(item for item in results.instrument.items if item.id == least.item_id)
        quoted = escape_markdown(item.text(viewer.language).rstrip("."))
        st.info(viewer.t("surveys.least_agreement", item=quoted), icon=":material/forum:")
    rows = aggregate_rows(results)
    with st.expander(viewer.t("surveys.table")):
        st.dataframe(rows, hide_index=True, width="stretch")
    numbered = aggregate_rows(results, numbers=True)
    st.download_button(
        viewer.t("surveys.download"),
        write_csv(list(numbered[0]) if numbered else [], [list(row.values()) for row in numbered], viewer.language),
        file_name=f"survey-{instrument_id}-group-{group_id}.csv",
        mime="text/csv",
        icon=":material/download:",
    )


def reliability_lines(results: surveys.GroupResults, scale_id: str) -> None:
    """Cronbach's alpha per questionnaire version, or that there are too few answers for it yet."""
    entries = results.reliability_of(scale_id)
    several = len({entry.version for entry in results.reliability}) > 1
    for entry in entries:
        version = viewer.t("surveys.reliability_version", version=entry.version) if several else ""
        if entry.too_few:
            st.caption(
                viewer.t(
                    "surveys.too_few_for_reliability",
                    version=version,
                    n=entry.complete,
                    needed=surveys.MIN_RELIABILITY_ANSWERS,
                )
            )
        elif entry.alpha is not None:
            alpha = number(entry.alpha, viewer.language, 2)
            st.caption(viewer.t("surveys.reliability", version=version, alpha=alpha, n=entry.complete))


def aggregate_rows(results: surveys.GroupResults, numbers: bool = False) -> list[dict]:
    """The aggregates behind the charts, with the same suppression: never a value under the threshold.

    For the table every cell is text (a column that mixes numbers and "not shown" must stay one type); for
    the CSV (`numbers`) the counts, means and spreads stay numbers, so that a spreadsheet can add them up.
    """
    hidden = viewer.t("surveys.not_shown", threshold=results.threshold)
    # Every scale any wave reported (an older version may have had other ones), named as its latest version does.
    scale_names = {
        scale.id: scale.name(viewer.language)
        for wave in results.waves
        for scale in wave.wave.instrument.reported_scales
    }

    def figure(value: float, decimals: int) -> str | float:
        return round(value, decimals) if numbers else format.number(value, viewer, decimals)

    rows = []
    for wave in results.waves:
        for result in wave.scales:
            rows.append(
                {
                    viewer.t("surveys.wave"): wave.wave.opened_at.astimezone(format.local_zone()).date()
                    if numbers
                    else format.day(wave.wave.opened_at, viewer),
                    viewer.t("surveys.instrument"): scale_names[result.scale_id],
                    viewer.t("surveys.respondents"): (result.n if numbers else str(result.n))
                    if result.shown
                    else f"< {results.threshold}",
                    viewer.t("surveys.mean"): figure(result.mean, 2) if result.shown else hidden,
                    viewer.t("surveys.ci"): "–".join(format.number(bound, viewer, 2) for bound in result.ci)
                    if result.shown and result.ci
                    else "",
                    viewer.t("surveys.spread"): figure(result.spread, 2) if result.shown else "",
                }
            )
    return rows


# --- managing waves --------------------------------------------------------------------------------

OPEN = "open_wave"


def _open(group_id: int) -> str:
    surveys.open_wave(
        database,
        person,
        group_id,
        forms.value(OPEN, "instrument_id"),
        forms.value(OPEN, "moment") or "",
        closes_on=forms.value(OPEN, "closes_on"),
    )
    return "surveys.opened"


def _close(wave_id: int) -> str:
    surveys.close_wave(database, person, wave_id)
    return "surveys.closed_notice"


def _schedule(group_id: int, instrument_id: str) -> str:
    every = st.session_state.get(f"every.{group_id}.{instrument_id}") or None
    surveys.set_schedule(database, person, group_id, instrument_id, every)
    return "surveys.schedule_saved"


def manage_tab() -> None:
    led = {group_id: name for group_id, name, role in reachable if allows(Action.MANAGE_SURVEYS, person.role, role)}
    if not led:
        st.caption(viewer.t("surveys.manage_none"))
        return
    group_id = st.selectbox(viewer.t("surveys.group"), list(led), format_func=led.get, key="manage_group")
    with st.form(OPEN):
        st.markdown(f"**{viewer.t('surveys.open_wave')}**")
        instrument, moment = st.columns(2)
        instrument.selectbox(
            viewer.t("surveys.instrument"),
            list(everything),
            format_func=lambda key: name_of(everything[key]),
            key=forms.key(OPEN, "instrument_id"),
        )
        moment.selectbox(
            viewer.t("surveys.moment"),
            list(surveys.MOMENTS),
            format_func=lambda key: viewer.t(f"moment.{key}"),
            key=forms.key(OPEN, "moment"),
        )
        # The members get a mail that it opened, and those who have not answered one reminder two days before
        # this day ends; then it closes by itself.
        today = format.local_now().date()
        st.date_input(
            viewer.t("report_mail.closes_on"),
            value=today + timedelta(days=reminders.SURVEY_OPEN_DAYS),
            min_value=today,
            format=format.date_input_format(viewer),
            key=forms.key(OPEN, "closes_on"),
        )
        forms.field_error(OPEN, "closes_on")
        if not mail_configured():
            st.caption(viewer.t("report_mail.survey_no_mail_server"))
        forms.form_error(OPEN)
        st.form_submit_button(
            viewer.t("surveys.open_wave"),
            type="primary",
            on_click=forms.submit,
            args=(OPEN, viewer, partial(_open, group_id)),
        )
    # For those who open surveys: what each one measures, with its technical name (participants never see it).
    with st.expander(viewer.t("surveys.about_instruments")):
        for instrument in everything.values():
            st.markdown(f"**{escape_markdown(name_of(instrument))}**")
            st.caption(escape_markdown(instrument.description(viewer.language)))
    forms.form_error("waves")
    rates = surveys.response_rates(database, person, group_id)
    for wave in reversed(surveys.waves(database, person, group_id)):
        rate = rates[wave.id]
        status = viewer.t("surveys.open_label") if wave.is_open else viewer.t("surveys.closed_label")
        line, action = st.columns([4, 1], vertical_alignment="center")
        answered = viewer.t("surveys.rate", respondents=rate.respondents, members=rate.members)
        moment = viewer.t(f"moment.{wave.moment}")
        name = escape_markdown(name_of(wave.instrument))
        if wave.is_open and wave.closes_at is not None:
            last_day = format.day(reminders.last_open_day(wave.closes_at), viewer)
            status = viewer.t("report_mail.closes_line", date=last_day)
        line.markdown(f"**{name}** · {moment} · {format.day(wave.opened_at, viewer)} · {status} · {answered}")
        if wave.is_open:
            action.button(
                viewer.t("surveys.close"),
                key=f"close_wave.{wave.id}",
                on_click=forms.submit,
                args=("waves", viewer, partial(_close, wave.id)),
            )
    st.markdown(f"**{viewer.t('surveys.schedule')}**")
    planned = {
        schedule.instrument_id: schedule.every_sessions for schedule in surveys.schedules(database, person, group_id)
    }
    for instrument_id, instrument in everything.items():
        key = f"every.{group_id}.{instrument_id}"
        st.session_state.setdefault(key, planned.get(instrument_id, 0))
        label, number, save = st.columns([3, 1, 1], vertical_alignment="bottom")
        label.markdown(escape_markdown(name_of(instrument)))
        number.number_input(
            viewer.t("surveys.schedule"), min_value=0, max_value=20, step=1, key=key, label_visibility="collapsed"
        )
        save.button(
            viewer.t("surveys.schedule_save"),
            key=f"save.{key}",
            on_click=forms.submit,
            args=("waves", viewer, partial(_schedule, group_id, instrument_id)),
        )


# --- instruments (coordinators) --------------------------------------------------------------------


def _load() -> str | None:
    upload = st.session_state.get("instrument_file")
    if upload is None:
        st.session_state.pop("_instrument_refused", None)
        return None
    try:
        surveys.load_instrument(database, person, upload.getvalue().decode("utf-8", "replace"), upload.name)
    except InstrumentFileError as refused:
        st.session_state["_instrument_refused"] = [f"{refused.source}: {problem}" for problem in refused.problems]
        return None
    st.session_state.pop("_instrument_refused", None)
    return "surveys.loaded"


def _threshold() -> str:
    surveys.set_threshold(database, person, int(forms.value("threshold", "value") or 0))
    return "surveys.threshold_saved"


def instruments_tab() -> None:
    for instrument in everything.values():
        kind = viewer.t("surveys.own") if instrument.own else viewer.t("surveys.published")
        count = viewer.t("surveys.items", count=len(instrument.items))
        version = viewer.t("surveys.version", version=instrument.version)
        st.markdown(f"**{escape_markdown(name_of(instrument))}** · {kind} · {count} · {version}")
        st.caption(escape_markdown(instrument.description(viewer.language)))
        st.caption(escape_markdown(" ".join(instrument.citations)))
    for refused in shipped_instruments().refused:
        st.warning(escape_markdown(f"{refused.source}: " + "; ".join(refused.problems)))
    st.subheader(viewer.t("surveys.load"))
    st.caption(viewer.t("surveys.load_intro"))
    st.file_uploader(
        viewer.t("surveys.load"),
        type=["toml"],
        key="instrument_file",
        label_visibility="collapsed",
        on_change=forms.submit,
        args=("instrument", viewer, _load),
    )
    forms.form_error("instrument")
    if problems := st.session_state.get("_instrument_refused"):
        st.error(viewer.t("surveys.load_refused") + "\n\n" + "\n".join(f"- {escape_markdown(p)}" for p in problems))
    with st.form("threshold"):
        st.number_input(
            viewer.t("surveys.threshold"),
            value=surveys.threshold(database),
            step=1,
            key=forms.key("threshold", "value"),
        )
        forms.field_error("threshold", "threshold")
        forms.form_error("threshold")
        st.form_submit_button(
            viewer.t("surveys.threshold_save"), on_click=forms.submit, args=("threshold", viewer, _threshold)
        )


st.title(viewer.t("nav.surveys"))
forms.notice(viewer)
views = {"surveys.to_answer": answer_tab, "surveys.results": results_tab}
if any(allows(Action.MANAGE_SURVEYS, person.role, role) for _, _, role in reachable):
    views["surveys.manage"] = manage_tab
if person.role is Role.COORDINATOR:
    views["surveys.instruments"] = instruments_tab
for tab, show in zip(st.tabs([viewer.t(label) for label in views]), views.values(), strict=True):
    with tab:
        show()
