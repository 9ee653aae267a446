"""The method library: browse and filter, read a method phase by phase, print its card, and choose one."""

import streamlit as st

from intervision import groups, method_library
from intervision.charts import method_timeline
from intervision.database import configured as configured_database
from intervision.method_choice import chooser_need
from intervision.methods import (
    Lines,
    Method,
    Need,
    QuestionType,
    Want,
    built_in_library,
    matches,
    recommend,
)
from intervision.models import DevelopmentPhase, Role
from intervision.reports import method_card_html
from ui import format, forms
from ui.chooser import safety_line, show_ranking
from ui.exercises import exercise_library_section
from ui.guard import escape_markdown, guard, while_signed_in

# The store this server was set up with (intervision/database.py), built once per process.
database = configured_database()

viewer = guard("methods")
person = viewer.signed_in
OPEN = "open_method"
entries = {entry.method.id: entry for entry in method_library.available_methods(database, person)}
if "method" in st.query_params and st.query_params["method"] in entries:
    st.session_state.setdefault(OPEN, st.query_params["method"])


def name_of(method_id: str) -> str:
    entry = entries.get(method_id)
    return entry.method.name(viewer.language) if entry else method_id


def bullets(lines: list[str]) -> None:
    if lines:
        st.markdown("\n".join(f"- {escape_markdown(line)}" for line in lines))


def labelled(label: str, lines: Lines) -> None:
    if lines(viewer.language):
        st.markdown(f"**{label}**")
        bullets(lines(viewer.language))


def facts(method: Method) -> str:
    fit = method.suitability
    return " · ".join(
        [
            viewer.t("methods.minutes", minutes=format.minutes(method.total_minutes, viewer)),
            viewer.t("methods.members_range", minimum=fit.min_members, maximum=fit.max_members),
            viewer.t(f"safety.{fit.safety}"),
        ]
    )


def show_phases(method: Method) -> None:
    cycles_after = {cycle.last_phase: cycle for cycle in method.cycles}
    names = {phase.id: phase.name(viewer.language) for phase in method.phases}
    for number, phase in enumerate(method.phases, start=1):
        with st.container(border=True):
            name = escape_markdown(phase.name(viewer.language))
            st.markdown(f"#### {number}. {name} · {format.minutes(phase.minutes, viewer)}′")
            who = ", ".join(viewer.t(f"speaker.{speaker}") for speaker in phase.speakers)
            line = f"{viewer.t('methods.speakers')}: {who}"
            if phase.listeners:
                listening = ", ".join(viewer.t(f"speaker.{speaker}") for speaker in phase.listeners)
                line += f" · {viewer.t('methods.listeners')}: {listening}"
            if phase.hat:
                line += f" · {viewer.t(f'hat.{phase.hat}')}"
            st.text(line)
            st.markdown(f"**{viewer.t('methods.purpose')}:** {escape_markdown(phase.purpose(viewer.language))}")
            labelled(viewer.t("methods.prompts"), phase.prompts)
            labelled(viewer.t("methods.rules"), phase.rules)
            extras = [f"{viewer.t('methods.level')}: {viewer.t(f'level.{phase.level}')}"]
            if phase.collects:
                collected = ", ".join(viewer.t(f"board.{kind}") for kind in phase.collects)
                extras.append(f"{viewer.t('methods.collects')}: {collected}")
            st.caption(" · ".join(extras))
            if phase.tips(viewer.language):
                with st.expander(viewer.t("methods.tips")):
                    bullets(phase.tips(viewer.language))
        if phase.id in cycles_after:
            cycle = cycles_after[phase.id]
            st.info(
                viewer.t(
                    "methods.cycle",
                    last=escape_markdown(names[cycle.last_phase]),
                    first=escape_markdown(names[cycle.first_phase]),
                    times=cycle.max_repeats,
                    until=escape_markdown(cycle.until(viewer.language)),
                ),
                icon=":material/autorenew:",
            )


def show_method(method_id: str) -> None:
    entry = entries[method_id]
    method = entry.method
    st.header(escape_markdown(method.name(viewer.language)))
    st.text(method.summary(viewer.language))
    st.markdown(f"**{facts(method)}** · {viewer.t('methods.version', version=method.version)}")
    if method.variant_of:
        st.caption(viewer.t("methods.variant_of", method=escape_markdown(name_of(method.variant_of))))
    if entry.custom:
        by = viewer.t("methods.custom_by", author=escape_markdown(entry.author))
        st.caption(f"{by}{' · ' + viewer.t('methods.shared') if entry.shared else ''}")
    fit = method.suitability
    st.markdown(
        f"**{viewer.t('methods.suited_for')}:** "
        + ", ".join(viewer.t(f"question_type.{kind}") for kind in fit.question_types)
        + " · "
        + ", ".join(viewer.t(f"phase.{phase}") for phase in fit.group_phases)
    )
    if method.notes:
        st.markdown(f"**{viewer.t('methods.notes')}:** {escape_markdown(method.notes(viewer.language))}")
    if method.sequences:
        options = [None, *[sequence.id for sequence in method.sequences]]
        names = {sequence.id: sequence for sequence in method.sequences}
        chosen = st.selectbox(
            viewer.t("methods.sequence"),
            options,
            format_func=lambda key: (
                viewer.t("methods.sequence_default")
                if key is None
                else f"{names[key].name(viewer.language)}: "
                + " → ".join(viewer.t(f"hat.{hat}") for hat in names[key].hats)
            ),
            key=f"sequence.{method.id}",
        )
        if chosen:
            method = method.in_sequence(chosen)
            st.markdown(f"**{facts(method)}**")
    st.subheader(viewer.t("methods.timeline"))
    st.plotly_chart(method_timeline(method, viewer.language), width="stretch", config={"displayModeBar": False})
    st.download_button(
        viewer.t("methods.card"),
        method_card_html(method, viewer.language),
        file_name=f"{method.id}-{viewer.language}.html",
        mime="text/html",
        icon=":material/print:",
    )
    show_phases(method)
    st.markdown(f"**{viewer.t('methods.sources')}**")
    bullets(method.sources)


def library_tab() -> None:
    refused = built_in_library().refused
    if refused and person.role is Role.COORDINATOR:
        with st.expander(viewer.t("methods.refused_files"), icon=":material/warning:"):
            for problem in refused:
                st.text(f"{problem.source}: " + "; ".join(problem.problems))
    opened = st.session_state.get(OPEN)
    if opened in entries:
        # The open method comes first, so nobody has to scroll past the whole library to read it.
        st.button(
            viewer.t("methods.close"),
            icon=":material/arrow_back:",
            on_click=st.session_state.pop,
            args=(OPEN,),
        )
        show_method(opened)
        st.divider()
    kinds, minutes, size, phase = st.columns(4)
    chosen_kinds = kinds.multiselect(
        viewer.t("methods.question_types"),
        list(QuestionType),
        format_func=lambda kind: viewer.t(f"question_type.{kind}"),
        placeholder=viewer.t("methods.any"),
    )
    available = minutes.slider(viewer.t("methods.minutes_available"), 30, 240, 240, step=15)
    group_size = size.selectbox(
        viewer.t("methods.group_size"),
        [None, *range(2, 16)],
        format_func=lambda value: viewer.t("methods.any") if value is None else str(value),
    )
    group_phase = phase.selectbox(
        viewer.t("methods.group_phase"),
        [None, *DevelopmentPhase],
        format_func=lambda value: viewer.t("methods.any") if value is None else viewer.t(f"phase.{value}"),
    )
    shown = sorted(
        (
            entry
            for entry in entries.values()
            if matches(entry.method, chosen_kinds, available, group_size, group_phase)
        ),
        key=lambda entry: entry.method.name(viewer.language).casefold(),
    )
    st.caption(viewer.t("methods.count", count=len(shown)))
    if not shown:
        st.info(viewer.t("methods.none_match"))
    for row_start in range(0, len(shown), 3):
        for column, entry in zip(st.columns(3), shown[row_start : row_start + 3], strict=False):
            with column.container(border=True, height="stretch"):
                st.markdown(f"#### {escape_markdown(entry.method.name(viewer.language))}")
                st.caption(facts(entry.method))
                if entry.method.variant_of:
                    st.caption(viewer.t("methods.variant_of", method=escape_markdown(name_of(entry.method.variant_of))))
                st.text(entry.method.summary(viewer.language))
                st.button(
                    viewer.t("methods.open"),
                    key=f"open.{entry.method.id}",
                    on_click=st.session_state.__setitem__,
                    args=(OPEN, entry.method.id),
                )


CHOOSE = "chooser"


def _apply_group() -> None:
    """Take the chosen group's size, phase, session length and measured safety into the chooser."""
    group_id = forms.value(CHOOSE, "group")
    if group_id is None:
        return
    need = chooser_need(database, person, group_id, None)
    for field in ("group_size", "group_phase", "minutes_available", "safety"):
        st.session_state[forms.key(CHOOSE, field)] = getattr(need, field)


def chooser_tab() -> None:
    st.write(viewer.t("methods.choose_intro"))
    visible = {group.id: group for group, _ in groups.visible_groups(database, person)}
    forms.prefill(
        CHOOSE,
        {
            "question_type": QuestionType.OWN_BEHAVIOUR,
            "wants": [],
            "minutes_available": 90,
            "group_size": 6,
            "group_phase": DevelopmentPhase.NORMING,
            "safety": None,
        },
    )
    if visible:
        st.selectbox(
            viewer.t("methods.group_from"),
            list(visible),
            index=None,
            format_func=lambda group_id: visible[group_id].name,
            placeholder=viewer.t("methods.group_none"),
            key=forms.key(CHOOSE, "group"),
            on_change=while_signed_in(viewer, _apply_group),
        )
        if forms.value(CHOOSE, "group") is not None:
            st.caption(safety_line(forms.value(CHOOSE, "safety"), viewer))
    need = forms.validated(
        CHOOSE, viewer, Need, ["question_type", "wants", "minutes_available", "group_size", "group_phase", "safety"]
    )
    case, group = st.columns(2)
    case.selectbox(
        viewer.t("methods.question_types"),
        list(QuestionType),
        format_func=lambda kind: viewer.t(f"question_type.{kind}"),
        key=forms.key(CHOOSE, "question_type"),
    )
    case.multiselect(
        viewer.t("methods.wants"),
        list(Want),
        format_func=lambda want: viewer.t(f"want.{want}"),
        placeholder=viewer.t("common.choose"),
        key=forms.key(CHOOSE, "wants"),
    )
    with group:
        st.number_input(viewer.t("methods.minutes_available"), step=15, key=forms.key(CHOOSE, "minutes_available"))
        forms.field_error(CHOOSE, "minutes_available")
        st.number_input(
            viewer.t("methods.group_size"),
            step=1,
            help=viewer.t("chooser.group_size_help"),
            key=forms.key(CHOOSE, "group_size"),
        )
        forms.field_error(CHOOSE, "group_size")
    group.selectbox(
        viewer.t("methods.group_phase"),
        list(DevelopmentPhase),
        format_func=lambda value: viewer.t(f"phase.{value}"),
        key=forms.key(CHOOSE, "group_phase"),
    )
    if need is None:
        return
    show_ranking(recommend([entry.method for entry in entries.values()], need), viewer)


st.title(viewer.t("nav.methods"))
library, chooser, exercises = st.tabs(
    [viewer.t("methods.library"), viewer.t("methods.chooser"), viewer.t("exercises.tab")]
)
with library:
    library_tab()
with chooser:
    chooser_tab()
with exercises:
    exercise_library_section(viewer, show_refused=person.role is Role.COORDINATOR)
