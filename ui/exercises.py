"""Exercises in the console (a chooser for the opening or closing, the suggestion first) and on the projector."""

from __future__ import annotations

from functools import partial
from html import escape

import streamlit as st

from intervision import session_exercises
from intervision.exercises import CommunityAspect, Exercise, Slot, exercise_library
from intervision.models import DevelopmentPhase, Language
from ui import forms
from ui.console.shared import CONTROLS, Console, act
from ui.guard import Viewer, escape_markdown

ANY_SLOT = "any"  # the library's filter: opening and closing both

# On the beamer the steps are many lines: as large as a phase's prompts when they fit, a little smaller when long.
PROJECTED_CSS = """<style>
.st-key-projector-exercise h1 { font-size: calc(var(--u) * 6.5); line-height: 1.1; padding: 0; }
.st-key-projector-exercise ol { margin: 0; padding-left: calc(var(--u) * 5); }
.st-key-projector-exercise ol li { font-size: calc(var(--u) * 4.2); line-height: 1.25;
  margin: 0 0 calc(var(--u) * 1) 0; }
.projector-exercise-minutes { font-size: calc(var(--u) * 3); color: #444;
  margin: calc(var(--u) * 0.5) 0 calc(var(--u) * 1.5) 0; }
.st-key-projector-exercise-long ol li { font-size: calc(var(--u) * 3.4); margin-bottom: calc(var(--u) * 0.6); }
</style>"""
# Steps with more text than this take the smaller type, so that a long exercise (the statements) still fits
# the screen without scrolling.
LONG_STEPS = 600


def minutes_text(viewer: Viewer, exercise: Exercise) -> str:
    return viewer.t("exercises.minutes", count=exercise.minutes)


def _bullets(lines: list[str], numbered: bool = False) -> None:
    marks = [f"{number}." if numbered else "-" for number in range(1, len(lines) + 1)]
    if lines:
        st.markdown("\n".join(f"{mark} {escape_markdown(line)}" for mark, line in zip(marks, lines, strict=True)))


def exercise_details(viewer: Viewer, exercise: Exercise, facilitator: bool = True) -> None:
    """The whole exercise for the facilitator: purpose, size, materials, steps and (for them only) the notes."""
    language = viewer.language
    st.caption(
        " · ".join(
            [
                minutes_text(viewer, exercise),
                viewer.t("exercises.people", minimum=exercise.min_people, maximum=exercise.max_people),
                ", ".join(viewer.t(f"exercises.slot.{slot}") for slot in exercise.slots),
            ]
        )
    )
    st.markdown(f"**{viewer.t('exercises.purpose')}:** {escape_markdown(exercise.purpose(language))}")
    if exercise.materials(language):
        st.markdown(f"**{viewer.t('exercises.materials')}**")
        _bullets(exercise.materials(language))
    st.markdown(f"**{viewer.t('exercises.steps')}**")
    _bullets(exercise.steps(language), numbered=True)
    if facilitator and exercise.notes(language):
        st.markdown(f"**{viewer.t('exercises.notes')}**")
        _bullets(exercise.notes(language))
    phases = ", ".join(viewer.t(f"phase.{phase}") for phase in exercise.group_phases)
    aspects = ", ".join(viewer.t(f"exercises.aspect.{aspect}") for aspect in exercise.strengthens)
    st.caption(f"{viewer.t('exercises.phases')}: {phases} · {viewer.t('exercises.strengthens')}: {aspects}")


def _why(
    viewer: Viewer, exercise: Exercise, phase: DevelopmentPhase | None, weak_aspects: frozenset[CommunityAspect]
) -> None:
    """Why the first exercise is suggested: the group's phase, the weak aspects it works on."""
    if phase is not None and phase in exercise.group_phases:
        st.caption(viewer.t("exercises.why_phase", phase=viewer.t(f"phase.{phase}")))
    weak = [aspect for aspect in exercise.strengthens if aspect in weak_aspects]
    if weak:
        aspects = ", ".join(viewer.t(f"exercises.aspect.{aspect}") for aspect in weak)
        st.caption(viewer.t("exercises.why_aspects", aspects=aspects))


def _control(console: Console, label: str, action: partial, notice: str, **button: object) -> None:
    st.button(
        console.viewer.t(label),
        on_click=_submit,
        args=(console, partial(act, action, notice)),
        **button,
    )


def _submit(console: Console, action: partial) -> None:
    # The console's controls report their problems in one place, with the other session controls.
    forms.submit(CONTROLS, console.viewer, action)


def exercise_chooser(console: Console, session_id: int, slot: Slot) -> None:
    """The slot's exercise: what is added and whether the projector shows it, or a chooser with the suggestion
    first and a button that puts the chosen one on the projector."""
    viewer, database, person = console.viewer, console.database, console.person
    st.subheader(viewer.t(f"exercises.{slot}_title"))
    added = session_exercises.session_exercises(database, person, session_id).get(slot)
    library = exercise_library().exercises
    current = library.get(added.exercise_id) if added else None
    if added is not None and current is not None:
        name = escape_markdown(current.name(viewer.language))
        if added.shown:
            st.success(viewer.t("exercises.on_projector", name=name), icon=":material/cast:")
        else:
            st.info(viewer.t("exercises.off_projector", name=name))
        with st.expander(viewer.t("exercises.details")):
            exercise_details(viewer, current)
        shown, remove = st.columns(2)
        with shown:
            _control(
                console,
                "exercises.take_off" if added.shown else "exercises.put_back",
                partial(session_exercises.show_on_projector, database, person, session_id, slot, not added.shown),
                "exercises.taken_off" if added.shown else "exercises.shown",
                key=f"_exercise_shown.{slot}",
            )
        with remove:
            _control(
                console,
                "exercises.remove",
                partial(session_exercises.remove_exercise, database, person, session_id, slot),
                "exercises.removed",
                key=f"_exercise_remove.{slot}",
            )
        return
    st.caption(viewer.t(f"exercises.{slot}_help"))
    weak_aspects = session_exercises.weak_aspects(database, person, session_id)  # the group's community profile
    ranked = session_exercises.suggestions(database, person, session_id, slot, weak_aspects)
    if not ranked:
        return
    options = [exercise.id for exercise in ranked]
    by_id = {exercise.id: exercise for exercise in ranked}

    def label(exercise_id: str) -> str:
        exercise = by_id[exercise_id]
        key = "exercises.suggested" if exercise_id == options[0] else "exercises.option"
        return viewer.t(key, name=exercise.name(viewer.language), minutes=exercise.minutes)

    chosen = st.selectbox(viewer.t("exercises.choose"), options, format_func=label, key=f"_exercise_choice.{slot}")
    exercise = by_id.get(chosen, ranked[0])
    if exercise.id == options[0]:
        _why(viewer, exercise, session_exercises.group_phase(database, person, session_id), weak_aspects)
    st.caption(escape_markdown(exercise.purpose(viewer.language)))
    with st.expander(viewer.t("exercises.details")):
        exercise_details(viewer, exercise)
    _control(
        console,
        "exercises.show",
        partial(session_exercises.add_exercise, database, person, session_id, slot, exercise.id),
        "exercises.shown",
        key=f"_exercise_show.{slot}",
        icon=":material/cast:",
    )


def projected_exercise(exercise: Exercise, language: Language, speaking: Viewer) -> None:
    """The exercise on the beamer, in the group's language: its name, minutes and steps; never the notes."""
    st.html(PROJECTED_CSS)
    long = sum(map(len, exercise.steps(language))) > LONG_STEPS
    with st.container(key="projector-exercise"), st.container(key="projector-exercise-long" if long else None):
        st.title(escape_markdown(exercise.name(language)))
        st.html(f'<div class="projector-exercise-minutes">{escape(minutes_text(speaking, exercise))}</div>')
        _bullets(exercise.steps(language), numbered=True)


def exercise_library_section(viewer: Viewer, show_refused: bool) -> None:
    """The exercises for facilitators and coordinators to read ahead: filtered by the part of the session."""
    st.subheader(viewer.t("exercises.library_title"))
    st.caption(viewer.t("exercises.library_intro"))
    library = exercise_library()
    if library.refused and show_refused:
        with st.expander(viewer.t("exercises.refused_files"), icon=":material/warning:"):
            for problem in library.refused:
                st.text(f"{problem.source}: " + "; ".join(problem.problems))

    def slot_name(value: str) -> str:
        return viewer.t("exercises.any_slot") if value == ANY_SLOT else viewer.t(f"exercises.slot.{value}")

    chosen = st.radio(
        viewer.t("exercises.filter_slot"),
        [ANY_SLOT, *Slot],
        format_func=slot_name,
        horizontal=True,
        key="_exercise_library_slot",
    )
    slot = None if chosen == ANY_SLOT else Slot(chosen)
    shown = library.for_slot(slot) if slot else list(library.exercises.values())
    shown.sort(key=lambda exercise: exercise.name(viewer.language).casefold())
    st.caption(viewer.t("exercises.count", count=len(shown)))
    for exercise in shown:
        with st.expander(f"{exercise.name(viewer.language)} · {minutes_text(viewer, exercise)}"):
            exercise_details(viewer, exercise)
