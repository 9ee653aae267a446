"""Learning programmes: a coordinator sets one up from the problem to the evaluation plan and moves it through
the BLITS phases.

Everything comes from `intervision.programmes`. A programme holds no case texts; what people typed is shown
with st.text or escaped Markdown.
"""

from __future__ import annotations

from functools import partial

import streamlit as st

from intervision import clock, programme_report, programme_report_document, programmes
from intervision.database import configured as configured_database
from intervision.errors import DomainError
from intervision.overview import EFFICACY_INSTRUMENTS, Period
from intervision.permissions import Action, allows
from intervision.programme_report import ProgrammeReport, ResultValueInput
from intervision.programmes import (
    ITEMS,
    Alternative,
    Decision,
    Experience,
    GoalKind,
    LearningCheckStep,
    Level,
    Level4,
    ManagerRole,
    ProblemStep,
    Programme,
    ProgrammeInput,
    StepState,
    TargetGroupStep,
    TimeStep,
    TrainingExperience,
    WorkingHours,
)
from ui import format, forms
from ui.guard import escape_markdown, guard

# The store this server was set up with (intervision/database.py), built once per process.
database = configured_database()

viewer = guard("programmes")
person = viewer.signed_in
NEW = 0  # the selector's entry for a new programme
STATE_ICONS = {
    StepState.DONE: ":material/check_circle:",
    StepState.HINTS: ":material/lightbulb:",
    StepState.OPEN: ":material/radio_button_unchecked:",
}


def say(key: str, **params: object) -> str:
    """A text of this page's own section."""
    return viewer.t(f"programme.{key}", **params)


def label(field: str) -> str:
    """A field's label (the catalog's `programme.field.<field>`)."""
    return say(f"field.{field}")


def phase_label(number: int) -> str:
    return f"{number} · {programmes.phase(number).name(viewer.language)}"


# --- creating and renaming ---------------------------------------------------------------------------------


def _programme_input(form: str) -> ProgrammeInput:
    return ProgrammeInput(name=forms.value(form, "name") or "", group_ids=forms.value(form, "group_ids") or [])


def _create(form: str) -> str:
    programme_id = programmes.create_programme(database, person, _programme_input(form))
    st.session_state["_programme_choice"] = programme_id
    forms.forget(form, ["name", "group_ids"])
    return "programme.created"


def _update(form: str, programme_id: int) -> str:
    programmes.update_programme(database, person, programme_id, _programme_input(form))
    return "programme.saved"


def name_and_groups(form: str, programme_id: int | None, action: partial) -> None:
    free = programmes.free_groups(database, person, programme_id)
    with st.form(form):
        st.text_input(say("name"), key=forms.key(form, "name"), placeholder=say("name_placeholder"))
        forms.field_error(form, "name")
        st.multiselect(say("groups"), list(free), format_func=free.get, key=forms.key(form, "group_ids"))
        forms.field_error(form, "group_ids")
        st.caption(say("groups_help"))
        forms.form_error(form)
        st.form_submit_button(
            viewer.t("common.save"), type="primary", on_click=forms.submit, args=(form, viewer, action)
        )


def _delete(programme_id: int) -> str:
    programmes.delete_programme(database, person, programme_id)
    st.session_state.pop("_programme_choice", None)
    return "programme.deleted"


# --- where it stands ---------------------------------------------------------------------------------------


def where_it_stands(programme: Programme) -> None:
    st.subheader(escape_markdown(programme.name), anchor=False)
    st.markdown(say("stands_phase", phase=escape_markdown(phase_label(programme.phase))))
    if programme.groups:
        st.caption(say("stands_groups", groups=escape_markdown(", ".join(g.name for g in programme.groups))))
    else:
        st.warning(say("no_groups"), icon=":material/group_off:")
    statuses = programme.status()
    done = sum(status.state is not StepState.OPEN for status in statuses)
    st.progress(done / len(statuses), text=say("stands_steps", done=done, total=len(statuses)))
    still_open = [say(f"step.{key}") for key in programme.open_steps()]
    if still_open:
        st.markdown(say("stands_open", steps=", ".join(still_open)))
    with_hints = [say(f"step.{s.key}") for s in statuses if s.state is StepState.HINTS]
    if with_hints:
        st.markdown(say("stands_hints", steps=", ".join(with_hints)))
    open_conditions = programme.open_conditions()
    st.markdown(say("stands_conditions", count=len(open_conditions)))


def show_hints(step: object) -> None:
    for hint in programmes.hints(step):
        st.info(say(f"hint.{hint}"), icon=":material/lightbulb:")


# --- the steps ---------------------------------------------------------------------------------------------


def _save(form: str, programme_id: int, build: object) -> str:
    programmes.save_step(database, person, programme_id, build(form))
    return "programme.step_saved"


def _add(form: str, programme_id: int, key: str, fields: list[str]) -> str:
    _, model = ITEMS[key]
    item = model(**{field: value for field, value in forms.values(form, fields).items() if value is not None})
    programmes.add_item(database, person, programme_id, key, item)
    # Empty what was typed, so the next item starts blank; choices that usually repeat stay as they were.
    forms.clear(form, [field for field in fields if field not in KEPT_AFTER_ADDING])
    return "programme.item_added"


KEPT_AFTER_ADDING = {"kind", "level", "weeks", "intervision"}


def _remove(programme_id: int, key: str, index: int) -> str:
    programmes.remove_item(database, person, programme_id, key, index)
    return "programme.item_removed"


def remove_button(programme_id: int, key: str, index: int) -> None:
    st.button(
        say("remove"),
        key=f"_remove_{programme_id}_{key}_{index}",
        icon=":material/delete:",
        on_click=forms.submit,
        args=(f"remove_{key}", viewer, partial(_remove, programme_id, key, index)),
    )


def add_button(form: str, programme_id: int, key: str, fields: list[str]) -> None:
    forms.form_error(form)
    st.form_submit_button(
        say(f"add.{key}"),
        type="primary",
        on_click=forms.submit,
        args=(form, viewer, partial(_add, form, programme_id, key, fields)),
    )


def text_field(form: str, field: str, area: bool = False) -> None:
    widget = st.text_area if area else st.text_input
    widget(say(f"field.{field}"), key=forms.key(form, field), help=_help(field))
    forms.field_error(form, field)


def _help(field: str) -> str | None:
    text = viewer.t(f"programme.help.{field}")
    return None if text.startswith("⟦") else text


def choice_field(form: str, field: str, options: list, family: str, multiple: bool = False) -> None:
    widget = st.multiselect if multiple else st.selectbox
    extra = {} if multiple else {"index": None, "placeholder": viewer.t("common.choose")}
    widget(
        say(f"field.{field}"), options, format_func=lambda o: say(f"{family}.{o}"), key=forms.key(form, field), **extra
    )
    forms.field_error(form, field)


def number_field(form: str, field: str, step: float | int = 1.0) -> None:
    st.number_input(
        say(f"field.{field}"), min_value=None, step=step, value=None, key=forms.key(form, field), help=_help(field)
    )
    forms.field_error(form, field)


def problem_step(programme: Programme) -> None:
    form = f"problem_{programme.id}"
    fields = ["description", "examples", "how_often", "how_many"]
    forms.prefill(form, programme.step("problem").model_dump())
    st.caption(say("intro.problem"))
    with st.form(form):
        text_field(form, "description", area=True)
        text_field(form, "examples", area=True)
        left, right = st.columns(2)
        with left:
            text_field(form, "how_often")
        with right:
            number_field(form, "how_many", step=1)
        forms.form_error(form)
        st.form_submit_button(
            say("save.problem"),
            type="primary",
            on_click=forms.submit,
            args=(form, viewer, partial(_save, form, programme.id, lambda f: ProblemStep(**_filled(f, fields)))),
        )
    show_hints(programme.step("problem"))


def _filled(form: str, fields: list[str]) -> dict[str, object]:
    """The form's values, leaving out what is empty so that the model's defaults apply."""
    return {field: value for field, value in forms.values(form, fields).items() if value is not None}


GOAL_FIELDS = ["kind", "text", "measure", "lowest", "highest", "start", "target", "due"]


def goals_step(programme: Programme) -> None:
    st.caption(say("intro.goals"))
    step = programme.step("goals")
    for index, goal in enumerate(step.goals):
        with st.container(border=True):
            st.markdown(f"**{say(f'goal_kind.{goal.kind}')}**")
            st.text(goal.text)
            parts = []
            if goal.measure:
                parts.append(say("goal_measure", measure=escape_markdown(goal.measure)))
            if goal.start is not None or goal.target is not None:
                parts.append(say("goal_from_to", start=_num(goal.start), target=_num(goal.target)))
            if goal.due:
                parts.append(say("goal_due", due=format.day(goal.due, viewer)))
            if parts:
                st.caption(" · ".join(parts))
            for hint in programmes.goal_hints(goal):
                st.info(say(f"hint.{hint}"), icon=":material/lightbulb:")
            remove_button(programme.id, "goals", index)
    for hint in programmes.hints(step):
        if hint.startswith("goals_"):
            st.info(say(f"hint.{hint}"), icon=":material/lightbulb:")
    form = f"goal_{programme.id}"
    st.markdown(f"**{say('new_goal')}**")
    forms.prefill(form, {"kind": GoalKind.RESULT, "due": None})
    with st.form(form):
        choice_field(form, "kind", list(GoalKind), "goal_kind")
        text_field(form, "text", area=True)
        text_field(form, "measure")
        low, high = st.columns(2)
        with low:
            number_field(form, "lowest")
        with high:
            number_field(form, "highest")
        start, target, due = st.columns(3)
        with start:
            number_field(form, "start")
        with target:
            number_field(form, "target")
        with due:
            st.date_input(label("due"), key=forms.key(form, "due"), value=None, format=format.date_input_format(viewer))
            forms.field_error(form, "due")
        add_button(form, programme.id, "goals", GOAL_FIELDS)


def _num(value: float | None) -> str:
    return "…" if value is None else format.number(value, viewer, decimals=0 if value == int(value) else 1)


def target_group_step(programme: Programme) -> None:
    form = f"target_group_{programme.id}"
    fields = ["level", "experience", "working_hours", "training_experience", "screen_access", "notes"]
    step = programme.step("target_group")
    forms.prefill(form, step.model_dump())
    st.caption(say("intro.target_group"))
    with st.form(form):
        left, right = st.columns(2)
        with left:
            choice_field(form, "level", list(Level), "level")
            choice_field(form, "working_hours", list(WorkingHours), "working_hours")
        with right:
            choice_field(form, "experience", list(Experience), "experience")
            choice_field(form, "training_experience", list(TrainingExperience), "training_experience")
        st.checkbox(label("screen_access"), key=forms.key(form, "screen_access"))
        text_field(form, "notes", area=True)
        forms.form_error(form)
        st.form_submit_button(
            say("save.target_group"),
            type="primary",
            on_click=forms.submit,
            args=(form, viewer, partial(_save, form, programme.id, lambda f: TargetGroupStep(**_filled(f, fields)))),
        )
    advice = programmes.design_advice(step)
    if advice:
        st.markdown(f"**{say('advice_title')}**")
        for key in advice:
            st.markdown(f"- {say(f'advice.{key}')}")


def learning_check_step(programme: Programme) -> None:
    form = f"learning_check_{programme.id}"
    fields = ["would_help", "decision", "reason"]
    forms.prefill(form, programme.step("learning_check").model_dump())
    st.caption(say("intro.learning_check"))
    with st.form(form):
        choice_field(form, "would_help", list(Alternative), "alternative", multiple=True)
        choice_field(form, "decision", list(Decision), "decision")
        text_field(form, "reason", area=True)
        forms.form_error(form)
        st.form_submit_button(
            say("save.learning_check"),
            type="primary",
            on_click=forms.submit,
            args=(form, viewer, partial(_save, form, programme.id, lambda f: LearningCheckStep(**_filled(f, fields)))),
        )
    show_hints(programme.step("learning_check"))


def time_step(programme: Programme) -> None:
    form = f"time_{programme.id}"
    fields = ["session_hours", "applying_hours", "moment", "avoid", "measures"]
    forms.prefill(form, programme.step("time").model_dump())
    st.caption(say("intro.time"))
    with st.form(form):
        left, right = st.columns(2)
        with left:
            number_field(form, "session_hours", step=0.5)
        with right:
            number_field(form, "applying_hours", step=0.5)
        text_field(form, "moment")
        text_field(form, "avoid")
        text_field(form, "measures", area=True)
        forms.form_error(form)
        st.form_submit_button(
            say("save.time"),
            type="primary",
            on_click=forms.submit,
            args=(form, viewer, partial(_save, form, programme.id, lambda f: TimeStep(**_filled(f, fields)))),
        )
    show_hints(programme.step("time"))


MANAGER_FIELDS = ["name", "wish", "hope", "concern", "questions", "roles"]


def support_step(programme: Programme) -> None:
    st.caption(say("intro.support"))
    step = programme.step("support")
    for index, manager in enumerate(step.managers):
        with st.container(border=True):
            st.markdown(f"**{escape_markdown(manager.name)}**")
            for field in ("wish", "hope", "concern", "questions"):
                if getattr(manager, field):
                    st.caption(say(f"field.{field}"))
                    st.text(getattr(manager, field))
            roles = ", ".join(say(f"manager_role.{role}") for role in manager.roles) or say("no_role")
            st.markdown(say("manager_roles", roles=roles))
            remove_button(programme.id, "support", index)
    show_hints(step)
    form = f"manager_{programme.id}"
    st.markdown(f"**{say('new_manager')}**")
    with st.form(form):
        text_field(form, "name")
        left, right = st.columns(2)
        with left:
            text_field(form, "wish", area=True)
            text_field(form, "concern", area=True)
        with right:
            text_field(form, "hope", area=True)
            text_field(form, "questions", area=True)
        choice_field(form, "roles", list(ManagerRole), "manager_role", multiple=True)
        add_button(form, programme.id, "support", MANAGER_FIELDS)


BLOCK_FIELDS = ["name", "weeks", "content", "intervision"]


def _save_design_texts(form: str, programme_id: int) -> str:
    values = forms.values(form, ["kick_off", "manager_conversations"])
    programmes.save_design_texts(
        database,
        person,
        programme_id,
        (values["kick_off"] or "").strip(),
        (values["manager_conversations"] or "").strip(),
    )
    return "programme.step_saved"


def design_step(programme: Programme) -> None:
    st.caption(say("intro.design"))
    step = programme.step("design")
    for index, block in enumerate(step.blocks):
        with st.container(border=True):
            st.markdown(f"**{escape_markdown(block.name)}** · {say('weeks', count=block.weeks)}")
            if block.content:
                st.text(block.content)
            if block.intervision:
                st.caption(say("with_intervision"))
            remove_button(programme.id, "design", index)
    form = f"block_{programme.id}"
    st.markdown(f"**{say('new_block')}**")
    forms.prefill(form, {"weeks": 2, "intervision": True})
    with st.form(form):
        text_field(form, "name")
        st.number_input(label("weeks"), min_value=1, max_value=52, step=1, key=forms.key(form, "weeks"))
        forms.field_error(form, "weeks")
        text_field(form, "content", area=True)
        st.checkbox(label("intervision"), key=forms.key(form, "intervision"))
        add_button(form, programme.id, "design", BLOCK_FIELDS)
    texts = f"design_texts_{programme.id}"
    forms.prefill(texts, {"kick_off": step.kick_off, "manager_conversations": step.manager_conversations})
    with st.form(texts):
        text_field(texts, "kick_off", area=True)
        text_field(texts, "manager_conversations", area=True)
        forms.form_error(texts)
        st.form_submit_button(
            say("save.design"),
            on_click=forms.submit,
            args=(texts, viewer, partial(_save_design_texts, texts, programme.id)),
        )
    show_hints(step)


MOMENT_FIELDS = ["when", "level", "what", "reported_to"]


def evaluation_step(programme: Programme) -> None:
    st.caption(say("intro.evaluation"))
    step = programme.step("evaluation")
    for index, moment in enumerate(step.moments):
        with st.container(border=True):
            st.markdown(f"**{escape_markdown(moment.when)}** · {say(f'level4.{moment.level}')}")
            st.text(moment.what)
            st.caption(say("reported_to_whom", who=escape_markdown(moment.reported_to)))
            remove_button(programme.id, "evaluation", index)
    show_hints(step)
    form = f"moment_{programme.id}"
    st.markdown(f"**{say('new_moment')}**")
    with st.form(form):
        text_field(form, "when")
        choice_field(form, "level", list(Level4), "level4")
        text_field(form, "what", area=True)
        text_field(form, "reported_to")
        add_button(form, programme.id, "evaluation", MOMENT_FIELDS)


STEP_SCREENS = {
    "problem": problem_step,
    "goals": goals_step,
    "target_group": target_group_step,
    "learning_check": learning_check_step,
    "time": time_step,
    "support": support_step,
    "design": design_step,
    "evaluation": evaluation_step,
}


def steps_tab(programme: Programme) -> None:
    statuses = {status.key: status for status in programme.status()}
    labels = [f"{STATE_ICONS[statuses[key].state]} {say(f'step.{key}')}" for key in STEP_SCREENS]
    st.caption(" · ".join(f"{icon} {say(f'state.{state}')}" for state, icon in STATE_ICONS.items()))
    for tab, show in zip(st.tabs(labels), STEP_SCREENS.values(), strict=True):
        with tab:
            show(programme)


# --- the BLITS phase ---------------------------------------------------------------------------------------


def _tick(programme_id: int, condition_id: str, widget: str) -> str | None:
    programmes.tick_condition(database, person, programme_id, condition_id, bool(st.session_state.get(widget)))
    return None


def _move(form: str, programme_id: int) -> str:
    to_phase = forms.value(form, "to_phase")
    if to_phase is None:
        raise DomainError("required", field="to_phase")
    programmes.move_phase(database, person, programme_id, int(to_phase), forms.value(form, "reason") or "")
    forms.clear(form, ["to_phase", "reason"])
    return "programme.moved"


def phase_tab(programme: Programme) -> None:
    current = programmes.phase(programme.phase)
    st.markdown(f"### {escape_markdown(phase_label(programme.phase))}")
    st.write(current.purpose(viewer.language))
    st.markdown(f"**{say('conditions')}**")
    for condition in current.conditions:
        widget = f"_condition_{programme.id}_{condition.id}"
        st.session_state[widget] = condition.id in programme.ticked
        st.checkbox(
            condition(viewer.language),
            key=widget,
            on_change=forms.submit,
            args=("conditions", viewer, partial(_tick, programme.id, condition.id, widget)),
        )
        ticked = programme.ticked.get(condition.id)
        if ticked:
            who = ticked.ticked_by or say("someone_erased")
            st.caption(say("ticked_by", who=escape_markdown(who), when=format.moment(ticked.ticked_at, viewer)))
    forms.form_error("conditions")
    tips, pitfalls = st.columns(2)
    with tips:
        st.markdown(f"**{say('tips')}**")
        for tip in current.tips:
            st.markdown(f"- {tip(viewer.language)}")
    with pitfalls:
        st.markdown(f"**{say('pitfalls')}**")
        for pitfall in current.pitfalls:
            st.markdown(f"- {pitfall(viewer.language)}")
    move_control(programme)
    if programme.moves:
        st.markdown(f"**{say('history')}**")
        for move in reversed(programme.moves):
            line = say(
                "history_line_back" if move.to_phase < move.from_phase else "history_line",
                when=format.moment(move.moved_at, viewer),
                who=escape_markdown(move.moved_by or say("someone_erased")),
                from_phase=move.from_phase,
                to_phase=move.to_phase,
            )
            st.markdown(f"- {line}")
            if move.reason:
                st.text(move.reason)


def move_control(programme: Programme) -> None:
    form = f"move_{programme.id}"
    st.markdown(f"**{say('move_title')}**")
    targets = [number for number in range(programme.phase + 2) if number != programme.phase and number <= 4]
    still_open = programme.open_conditions()
    if still_open:
        st.warning(say("move_open_conditions", count=len(still_open)), icon=":material/warning:")
    with st.form(form):
        st.selectbox(
            label("to_phase"),
            targets,
            index=None,
            placeholder=viewer.t("common.choose"),
            format_func=lambda number: say(
                "back_to" if number < programme.phase else "on_to", phase=phase_label(number)
            ),
            key=forms.key(form, "to_phase"),
        )
        forms.field_error(form, "to_phase")
        st.text_area(label("reason"), key=forms.key(form, "reason"), help=_help("reason"))
        forms.field_error(form, "reason")
        forms.form_error(form)
        st.form_submit_button(
            say("move"), type="primary", on_click=forms.submit, args=(form, viewer, partial(_move, form, programme.id))
        )


# --- the report on four levels -------------------------------------------------------------------------------


def report_say(key: str, **params: object) -> str:
    return viewer.t(f"programme_report.{key}", **params)


def _figure(value: float | None, decimals: int = 2) -> str:
    return "–" if value is None else format.number(value, viewer, decimals=decimals)


def _count(value: int | None) -> str:
    return report_say("too_few") if value is None else str(value)


def _add_value(form: str, programme_id: int, goal_key: str) -> str:
    values = forms.values(form, ["value", "measured_on"])
    if values["value"] is None:
        raise DomainError("required", field="value")
    programme_report.add_result_value(
        database,
        person,
        programme_id,
        goal_key,
        ResultValueInput(value=values["value"], measured_on=values["measured_on"]),
    )
    forms.clear(form, ["value"])
    return "programme_report.value_added"


def _remove_value(programme_id: int, value_id: int) -> str:
    programme_report.remove_result_value(database, person, programme_id, value_id)
    return "programme_report.value_removed"


def reaction_level(report: ProgrammeReport) -> None:
    reaction = report.reaction
    rows = []
    for group in reaction.groups:
        if not group.reported:
            mean, ratings, sessions = report_say("not_reported"), "", ""
        elif group.mean is None:
            mean, ratings, sessions = report_say("too_few"), "", ""
        else:
            mean, ratings, sessions = _figure(group.mean), str(group.ratings), str(group.sessions)
        rows.append({report_say("column.group"): group.name, report_say("column.mean"): mean,
                     report_say("column.ratings"): ratings, report_say("column.sessions"): sessions})  # fmt: skip
    whole = reaction.mean
    rows.append({
        report_say("column.group"): report_say("whole_programme"),
        report_say("column.mean"): report_say("too_few") if whole is None else _figure(whole),
        report_say("column.ratings"): "" if whole is None else str(reaction.ratings),
        report_say("column.sessions"): "" if whole is None else str(reaction.sessions),
    })  # fmt: skip
    st.dataframe(rows, hide_index=True, width="stretch")
    if reaction.releases:
        st.markdown(f"**{report_say('evaluations_title')}**")
        for release in reaction.releases:
            note = report_say("release_note", n=release.respondents, day=format.day(release.day, viewer))
            st.markdown(f"- {_figure(release.mean)} ({note})")


def learning_level(report: ProgrammeReport) -> None:
    st.markdown(f"**{report_say('learning_goals_title')}**")
    if not report.learning_goals:
        st.caption(report_say("no_learning_goals"))
    for goal in report.learning_goals:
        st.markdown(f"- {escape_markdown(goal.text)}")
    st.markdown(f"**{report_say('efficacy_title')}**")
    rows = []
    for group in report.learning:
        row = {report_say("column.group"): group.name}
        for instrument in EFFICACY_INSTRUMENTS:
            if group.efficacy is None:
                shown = report_say("not_reported")
            elif (efficacy := group.efficacy.get(instrument)) is None:
                shown = report_say("no_release")
            else:
                shown = _figure(efficacy.latest.mean)
                if efficacy.change is not None:
                    shown += f" ({'+' if efficacy.change > 0 else ''}{_figure(efficacy.change)})"
            row[report_say(f"measure.{instrument}")] = shown
        rows.append(row)
    if rows:
        st.dataframe(rows, hide_index=True, width="stretch")
    st.markdown(f"**{report_say('personal_goals_title')}**")
    rows = [
        {report_say("column.group"): group.name}
        | {
            report_say(f"measure.{field}"): _count(getattr(group.goals, field))
            for field in ("people_with_goals", "goals_reviewed", "goals_reached")
        }  # fmt: skip
        for group in report.learning
    ]
    if rows:
        st.dataframe(rows, hide_index=True, width="stretch")


def behaviour_level(report: ProgrammeReport) -> None:
    rows = []
    for group in report.behaviour:
        if group.action_items is None or group.cases is None:
            done = followed = report_say("not_reported")
        else:
            done = f"{group.action_items[1]} / {group.action_items[0]}"
            followed = f"{group.cases[1]} / {group.cases[0]}"
        rows.append({report_say("column.group"): group.name, report_say("column.action_items"): done,
                     report_say("column.followed_up"): followed})  # fmt: skip
    if rows:
        st.dataframe(rows, hide_index=True, width="stretch")


def results_level(report: ProgrammeReport) -> None:
    if not report.results:
        st.info(report_say("no_result_goals"), icon=":material/flag:")
    for result in report.results:
        goal = result.goal
        with st.container(border=True):
            st.markdown(f"**{escape_markdown(goal.text)}**")
            st.caption(programme_report_document.result_note(result, viewer.language))
            badge = {True: "reached_badge", False: "not_reached_badge", None: "unknown_badge"}[result.reached]
            (st.success if result.reached else st.caption)(report_say(badge))
            if result.values:
                measured = [
                    {report_say("column.day"): format.day(value.measured_on, viewer),
                     report_say("column.value"): _num(value.value)}
                    for value in result.values
                ]  # fmt: skip
                st.dataframe(measured, hide_index=True, width="stretch")
                latest = result.values[-1]
                st.button(
                    report_say("remove_value"),
                    key=f"_remove_value_{report.programme_id}_{latest.id}",
                    icon=":material/delete:",
                    on_click=forms.submit,
                    args=("remove_value", viewer, partial(_remove_value, report.programme_id, latest.id)),
                )
            else:
                st.caption(report_say("no_values"))
            form = f"result_{goal.key}"
            forms.prefill(form, {"measured_on": clock.today()})
            with st.form(form):
                st.markdown(report_say("enter_value"))
                value, day = st.columns(2)
                with value:
                    st.number_input(
                        viewer.t("programme_report.field.value"), value=None, step=1.0, key=forms.key(form, "value")
                    )
                    forms.field_error(form, "value")
                with day:
                    st.date_input(viewer.t("programme_report.field.measured_on"), key=forms.key(form, "measured_on"),
                                  format=format.date_input_format(viewer))  # fmt: skip
                    forms.field_error(form, "measured_on")
                forms.form_error(form)
                st.form_submit_button(
                    report_say("add_value"),
                    on_click=forms.submit,
                    args=(form, viewer, partial(_add_value, form, report.programme_id, goal.key)),
                )
    forms.form_error("remove_value")


def report_tab(programme: Programme) -> None:
    st.caption(report_say("intro"))
    if not programme.groups:
        st.info(report_say("no_groups"), icon=":material/group_off:")
    default = programme_report.default_period(database, person, programme.id)
    start, end = st.columns(2)
    with start:
        first = st.date_input(report_say("period_start"), value=default.start, key=f"_report_start_{programme.id}",
                              help=report_say("period_help"), format=format.date_input_format(viewer))  # fmt: skip
    with end:
        last = st.date_input(report_say("period_end"), value=default.end, key=f"_report_end_{programme.id}",
                             format=format.date_input_format(viewer))  # fmt: skip
    try:
        period = Period(first, last)
    except DomainError as problem:
        st.error(viewer.t(f"error.{problem.key}"), icon=":material/error:")
        return
    report = programme_report.programme_report(database, person, programme.id, period)
    st.caption(report_say("privacy", threshold=report.threshold))
    levels = {"reaction": reaction_level, "learning": learning_level, "behaviour": behaviour_level,
              "results": results_level}  # fmt: skip
    for level, show in levels.items():
        st.markdown(f"#### {report_say(f'level.{level}')}")
        st.caption(report_say(f"explain.{level}"))
        show(report)
    name = f"programme-{programme.id}-{period.start}-{period.end}-{viewer.language}"
    pdf, csv = st.columns(2)
    pdf.download_button(
        report_say("download_pdf"),
        lambda: programme_report_document.report_pdf(report, viewer.language, viewer.organisation.name),
        file_name=f"{name}.pdf",
        mime="application/pdf",
        icon=":material/picture_as_pdf:",
        width="stretch",
    )
    csv.download_button(
        report_say("download_csv"),
        lambda: programme_report_document.report_csv(report, viewer.language),
        file_name=f"{name}.csv",
        mime="text/csv",
        icon=":material/table_view:",
        width="stretch",
    )


# --- the page ------------------------------------------------------------------------------------------------


st.title(viewer.t("nav.programmes"))
st.caption(say("page_intro"))
forms.notice(viewer)
summaries = {summary.id: summary for summary in programmes.programmes(database, person)}
choices = [*summaries, NEW]
if st.session_state.get("_programme_choice") not in choices:
    st.session_state["_programme_choice"] = choices[0]
chosen = st.selectbox(
    say("choose"),
    choices,
    format_func=lambda pid: (
        say("new") if pid == NEW else f"{summaries[pid].name} · {say('phase_short', phase=summaries[pid].phase)}"
    ),
    key="_programme_choice",
)
if chosen == NEW:
    st.subheader(say("new"), anchor=False)
    st.caption(say("new_help"))
    name_and_groups("new_programme", None, partial(_create, "new_programme"))
    st.stop()

programme = programmes.programme(database, person, chosen)
where_it_stands(programme)
# The report is the coordinator's: it draws on the overview's figures (a facilitator reads the plan only).
may_report = allows(Action.VIEW_OVERVIEW, person.role)
labels = [say("tab.steps"), say("tab.phase")] + ([report_say("tab")] if may_report else []) + [say("tab.settings")]
steps, blits, *report_tabs, settings = st.tabs(labels)
with steps:
    steps_tab(programme)
with blits:
    phase_tab(programme)
if may_report:
    with report_tabs[0]:
        report_tab(programme)
with settings:
    form = f"settings_{programme.id}"
    forms.prefill(form, {"name": programme.name, "group_ids": [g.group_id for g in programme.groups]})
    name_and_groups(form, programme.id, partial(_update, form, programme.id))
    with st.expander(say("delete_title")):
        st.warning(say("delete_warning"))
        confirmed = st.checkbox(say("delete_confirm"), key=f"_confirm_delete_programme_{programme.id}")
        st.button(
            say("delete"),
            disabled=not confirmed,
            on_click=forms.submit,
            args=("delete_programme", viewer, partial(_delete, programme.id)),
        )
    forms.form_error("delete_programme")
