"""Plotly figures: data in, figure out. Large type, so a projector shows them from the back of a room."""

from __future__ import annotations

import plotly.graph_objects as go

from intervision.i18n import t
from intervision.methods import Level, Method
from intervision.models import Language

# One colour per communication level, distinguishable for colour-blind readers (Okabe–Ito).
LEVEL_COLOURS = {
    Level.CONTENT: "#0072B2",
    Level.PROCEDURE: "#E69F00",
    Level.INTERACTION: "#009E73",
    Level.FEELINGS: "#CC79A7",
}
FONT_SIZE = 18


def method_timeline(method: Method, language: Language) -> go.Figure:
    """The phases as bars along the minutes, coloured by the level each mostly calls on."""
    figure = go.Figure()
    start = 0.0
    shown_levels: set[Level] = set()
    for phase in method.phases:
        label = f"{phase.name(language)} · {phase.minutes:g}′"
        figure.add_trace(
            go.Bar(
                x=[phase.minutes],
                y=[label],
                base=[start],
                orientation="h",
                marker_color=LEVEL_COLOURS[phase.level],
                name=t(f"level.{phase.level}", language),
                legendgroup=phase.level.value,
                showlegend=phase.level not in shown_levels,
                hovertemplate=f"{label}<br>%{{base:g}}–{start + phase.minutes:g} min<extra></extra>",
            )
        )
        shown_levels.add(phase.level)
        start += phase.minutes
    figure.update_layout(
        barmode="overlay",
        height=90 + 48 * len(method.phases),
        margin={"l": 10, "r": 10, "t": 10, "b": 40},
        font={"size": FONT_SIZE},
        legend={"orientation": "h", "y": -0.15, "title": {"text": t("methods.level", language)}},
        xaxis={"title": {"text": t("editor.minutes", language)}, "range": [0, max(start, 1)]},
        yaxis={"autorange": "reversed", "automargin": True},
        plot_bgcolor="white",
    )
    return figure
