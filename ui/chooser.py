"""The chooser's ranking as the method library and the console show it: recommended methods first, each
with the facts that decided, and a method that needs shortening with its shortened plan."""

from __future__ import annotations

import streamlit as st

from intervision.i18n import number
from intervision.methods import RECOMMENDED_COUNT, MeasuredSafety, Method, Need, Reason, Recommendation, Standing
from ui import format
from ui.guard import Viewer, escape_markdown


def reason_text(reason: Reason, viewer: Viewer) -> str:
    params = dict(reason.params)
    for kind in ("question", "made_for"):
        if kind in params:
            params[kind] = viewer.t(f"chooser.about_{params[kind]}")
    if "wants" in params:
        params["wants"] = ", ".join(viewer.t(f"want.{want}").lower() for want in params["wants"])  # type: ignore[union-attr]
    if "phase" in params:
        # The phase as a word inside a sentence ("in de oriëntatiefase", "in the forming phase").
        params["phase"] = viewer.t(f"chooser.phase_{params['phase']}")
    if isinstance(form := params.get("form"), Method):
        # An own method's name is typed text: escaped, it stays a name in these Markdown lines.
        params["form"] = escape_markdown(form.name(viewer.language))
    if "score" in params:
        params["score"] = number(float(params["score"]), viewer.language)  # type: ignore[arg-type]
    if reason.key == "fits_time" and params["spare"] == 0:
        return viewer.t("chooser.fits_time_full", **params)
    return viewer.t(f"chooser.{reason.key}", **params)


def safety_line(safety: MeasuredSafety | None, viewer: Viewer) -> str:
    """The group's measured safety as the chooser used it, or that there is none."""
    if safety is None:
        return viewer.t("chooser.safety_unknown")
    return viewer.t(
        "chooser.safety_known",
        score=number(safety.score, viewer.language),
        highest=safety.highest,
        line=number(safety.low_below, viewer.language),
    )


def group_line(need: Need, viewer: Viewer) -> str:
    """The group as the chooser counted it: who counts as a member, its phase, the session's minutes."""
    return viewer.t(
        "chooser.group_line",
        size=need.group_size,
        phase=viewer.t(f"chooser.phase_{need.group_phase}"),
        minutes=need.minutes_available,
    )


def plan_text(recommendation: Recommendation, viewer: Viewer) -> str | None:
    """The shortened phases, "name 7′ · name 5′ …", or None when the method fits as it is."""
    if recommendation.plan is None:
        return None
    phases = " · ".join(f"{planned.phase.name(viewer.language)} {planned.minutes}′" for planned in recommendation.plan)
    return viewer.t("chooser.shortened", minutes=sum(p.minutes for p in recommendation.plan), phases=phases)


def reasons_markdown(recommendation: Recommendation, viewer: Viewer) -> str:
    lines = []
    for reason in recommendation.reasons:
        mark = ":material/check:" if reason.fits else ":material/close:"
        # Catalog texts filled with catalog texts, numbers and escaped method names.
        lines.append(f"- {mark} {reason_text(reason, viewer)}")
    return "\n".join(lines)


def show_recommendation(recommendation: Recommendation, viewer: Viewer, rank: int | None = None) -> None:
    """One method: a numbered heading only when it is among the recommended ones."""
    method = recommendation.method
    number_part = f"{rank}. " if rank is not None else ""
    with st.container(border=True):
        st.markdown(
            f"#### {number_part}{escape_markdown(method.name(viewer.language))} · "
            f"{viewer.t('methods.minutes', minutes=format.minutes(method.total_minutes, viewer))}"
        )
        # The heading above the card already names its standing; a method that cannot run has no score.
        if recommendation.fits:
            st.caption(viewer.t("methods.score", score=recommendation.score))
        st.markdown(reasons_markdown(recommendation, viewer))
        plan = plan_text(recommendation, viewer)
        if plan:
            st.text(plan)


def show_ranking(ranked: list[Recommendation], viewer: Viewer, only_recommended: bool = False) -> None:
    """The recommended methods numbered, then each other standing under its own heading."""
    recommended = [r for r in ranked if r.standing is Standing.RECOMMENDED]
    st.subheader(viewer.t("chooser.recommended"))
    if not recommended:
        st.info(viewer.t("chooser.none_recommended"))
    elif len(recommended) < RECOMMENDED_COUNT:
        st.caption(viewer.t("chooser.few_recommended"))
    for rank, recommendation in enumerate(recommended, start=1):
        show_recommendation(recommendation, viewer, rank)
    if only_recommended:
        return
    for standing in (Standing.ALSO_POSSIBLE, Standing.OTHER_QUESTION, Standing.NOT_YET, Standing.RULED_OUT):
        rest = [r for r in ranked if r.standing is standing]
        if rest:
            st.subheader(viewer.t(f"chooser.{standing.value}"))
            for recommendation in rest:
                show_recommendation(recommendation, viewer)
