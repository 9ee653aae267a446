"""Plotly figures: data in, figure out. Large type, so a projector shows them from the back of a room."""

from __future__ import annotations

import html
from datetime import datetime, timedelta

import plotly.graph_objects as go

from intervision.i18n import chart_date_format, day, short_number, t
from intervision.methods import Level, Method
from intervision.models import Language
from intervision.surveys import GroupResults

# One colour per communication level, distinguishable for colour-blind readers (Okabe–Ito).
LEVEL_COLOURS = {
    Level.CONTENT: "#0072B2",
    Level.PROCEDURE: "#E69F00",
    Level.INTERACTION: "#009E73",
    Level.FEELINGS: "#CC79A7",
}
FONT_SIZE = 18


def plain(text: str) -> str:
    """A person's text as a chart shows it: Plotly reads <b>, <br> and <a> in labels as markup."""
    return html.escape(text, quote=False)


def session_markers(sessions: list[tuple[object, str | None]], height: float, language: Language) -> go.Scatter:
    """The held sessions as triangles along the bottom of a trend, the method in each one's hover."""
    return go.Scatter(
        x=[day for day, _ in sessions],
        y=[height] * len(sessions),
        mode="markers",
        marker={"symbol": "triangle-up", "size": 12, "color": "#555"},
        text=[plain(method or "") for _, method in sessions],
        customdata=[day(when, language) for when, _ in sessions],
        hovertemplate="%{customdata}: %{text}<extra></extra>",
        name=t("surveys.sessions", language),
    )


NEW_QUESTIONS_COLOUR = "#7a3e9d"


def new_questions_marker(
    at: object, language: Language, axis: str = "", label: bool = True
) -> tuple[dict, dict | None]:
    """A dotted vertical line where an instrument's new version starts, with a short label at the top.

    Returned as a layout shape and annotation (not add_vline: its label fails on a date axis), so that one
    chart or each small multiple (`axis` "", "2", "3" …) can carry it.
    """
    shape = {
        "type": "line",
        "xref": f"x{axis}",
        "yref": f"y{axis} domain",
        "x0": at,
        "x1": at,
        "y0": 0,
        "y1": 1,
        "line": {"color": NEW_QUESTIONS_COLOUR, "width": 2, "dash": "dot"},
    }
    note = (
        {
            "x": at,
            "y": 1,
            "xref": f"x{axis}",
            "yref": f"y{axis} domain",
            "text": t("surveys.new_questions_marker", language),
            "showarrow": False,
            "xanchor": "left",
            "yanchor": "top",
            "font": {"color": NEW_QUESTIONS_COLOUR, "size": FONT_SIZE - 2},  # still readable on a projector
            "bgcolor": "rgba(255,255,255,0.8)",
        }
        if label
        else None
    )
    return shape, note


# Tick steps a facilitator reads at a glance on a clock-time axis.
MINUTE_STEPS = (1, 2, 5, 10, 15, 20, 30, 60, 120)
SHORTEST_SESSION_AXIS = timedelta(minutes=10)


def session_time_axis(start: datetime, end: datetime, most_ticks: int = 7) -> dict:
    """A clock-time x axis from start to end with a tick every round number of minutes.

    Left to itself Plotly ticks presses a few seconds apart every few seconds, and written as hours and
    minutes those ticks all read the same minute. Give naive local times, as the chart shows them.
    """
    end = max(end, start + SHORTEST_SESSION_AXIS)
    minutes = (end - start).total_seconds() / 60
    step = next((step for step in MINUTE_STEPS if minutes / step <= most_ticks - 1), MINUTE_STEPS[-1])
    margin = (end - start) * 0.03  # a press at the very start or end is drawn whole
    return {
        "type": "date",
        "range": [start - margin, end + margin],
        "tick0": start.replace(minute=0, second=0, microsecond=0),
        "dtick": step * 60_000,
        "tickformat": "%H:%M",
    }


def method_timeline(method: Method, language: Language) -> go.Figure:
    """The phases as bars along the minutes, coloured by the level each mostly calls on."""
    figure = go.Figure()
    start = 0.0
    shown_levels: set[Level] = set()
    for phase in method.phases:
        label = f"{plain(phase.name(language))} · {short_number(phase.minutes, language)}′"
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
                hovertemplate=(
                    f"%{{y}}<br>{short_number(start, language)}–{short_number(start + phase.minutes, language)} min"
                    "<extra></extra>"
                ),
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


def survey_trend(
    results: GroupResults,
    scale_id: str,
    language: Language,
    sessions: list[tuple[datetime, str]],
    mine: list[tuple[datetime, float]] | None = None,
) -> go.Figure:
    """A scale's group mean per closed wave with its 95% band and n; sessions (with their method) marked,
    and a dotted line where the questionnaire got new questions.

    Waves under the privacy threshold are left out of the line; the caller says why.
    """
    points = results.points(scale_id)
    figure = go.Figure()
    if points:
        times = [at for at, _ in points]
        lows = [result.ci[0] if result.ci else result.mean for _, result in points]
        highs = [result.ci[1] if result.ci else result.mean for _, result in points]
        figure.add_trace(
            go.Scatter(
                x=times + times[::-1],
                y=highs + lows[::-1],
                fill="toself",
                fillcolor="rgba(31,95,139,0.18)",
                mode="lines",
                line={"width": 0},
                hoverinfo="skip",
                name=t("surveys.band", language),
            )
        )
        figure.add_trace(
            go.Scatter(
                x=times,
                y=[result.mean for _, result in points],
                mode="lines+markers+text",
                text=[f"n={result.n}" for _, result in points],
                textposition="top center",
                textfont={"size": FONT_SIZE, "color": "#111"},
                line={"color": "#1f5f8b", "width": 4},
                marker={"size": 12},
                name=t("surveys.group_mean", language),
            )
        )
    if mine:
        figure.add_trace(
            go.Scatter(
                x=[at for at, _ in mine],
                y=[score for _, score in mine],
                mode="lines+markers",
                line={"color": "#E69F00", "width": 3, "dash": "dash"},
                marker={"size": 10},
                name=t("surveys.my_score", language),
            )
        )
    if points:  # the time axis spans the waves; sessions outside them would only push the line aside
        first, last = min(at for at, _ in points), max(at for at, _ in points)
        sessions = [(at, method) for at, method in sessions if first <= at <= last]
    if sessions:
        figure.add_trace(session_markers(sessions, results.instrument.lowest, language))
    for wave in results.new_questions_on(scale_id):
        shape, note = new_questions_marker(wave.opened_at, language)
        figure.add_shape(shape)
        figure.add_annotation(note)
    figure.update_layout(
        font={"size": FONT_SIZE},
        height=460,
        margin={"l": 10, "r": 10, "t": 30, "b": 40},
        yaxis={"range": [results.instrument.lowest - 0.2, results.instrument.highest + 0.3], "dtick": 1},
        xaxis={"tickformat": chart_date_format(language)},
        legend={"orientation": "h", "y": -0.18},
        plot_bgcolor="white",
    )
    return figure


# The distribution chart is laid out in pixels, so that each statement sits whole above its own bar
# at any width: beside the bars it ate a phone's width and left the bars a sliver.
STATEMENT_LINE_PX = 22
STATEMENT_BAR_PX = 30
STATEMENT_GAP_PX = 18
STATEMENT_WIDTH = 38  # characters a line: fits a phone's 390 pixels at the statement's type size
DISTRIBUTION_MARGINS = {"l": 10, "r": 10, "t": 120, "b": 40}  # the legend sits in the top margin, above the bars


def item_distribution(results: GroupResults, language: Language) -> go.Figure:
    """Per item of the latest wave, how many chose each answer, each statement written above its bar; the
    least agreed item marked ◆."""
    instrument = results.instrument
    items = {item.id: item for item in instrument.items}
    least = results.least_agreement.item_id if results.least_agreement else None
    distributions = results.latest_items or []
    statements = [
        ("◆ " if distribution.item_id == least else "")
        + _wrapped(plain(items[distribution.item_id].text(language)), STATEMENT_WIDTH)
        for distribution in distributions
    ]
    tops, bars, top = [], [], 0.0
    for statement in statements:
        tops.append(top)
        text_px = STATEMENT_LINE_PX * (statement.count("<br>") + 1) + 4
        bars.append(top + text_px + STATEMENT_BAR_PX / 2)
        top += text_px + STATEMENT_BAR_PX + STATEMENT_GAP_PX
    figure = go.Figure()
    palette = ["#b2182b", "#ef8a62", "#d9d9d9", "#67a9cf", "#2166ac", "#053061", "#1b7837"]
    for index, option in enumerate(instrument.options):
        figure.add_trace(
            go.Bar(
                y=bars,
                x=[distribution.counts[option.value] for distribution in distributions],
                width=[STATEMENT_BAR_PX] * len(bars),
                orientation="h",
                name=option.label(language),
                marker_color=palette[index % len(palette)],
                customdata=statements,
                hovertemplate=f"%{{customdata}}<br>{plain(option.label(language))}: %{{x}}<extra></extra>",
            )
        )
    for statement, at in zip(statements, tops, strict=True):
        figure.add_annotation(
            x=0,
            xref="paper",
            xanchor="left",
            y=at,
            yanchor="top",
            text=statement,
            showarrow=False,
            align="left",
            font={"size": FONT_SIZE - 2, "color": "#111"},
            bgcolor="white",  # the grid lines stop behind the words
        )
    figure.update_layout(
        barmode="stack",
        font={"size": FONT_SIZE},
        height=int(top) + DISTRIBUTION_MARGINS["t"] + DISTRIBUTION_MARGINS["b"],
        margin=DISTRIBUTION_MARGINS,
        yaxis={
            "range": [top, 0],  # top down, in the pixels computed above
            "showticklabels": False,
            "showgrid": False,
            "zeroline": False,
            "automargin": False,
            "fixedrange": True,
        },
        xaxis={"dtick": 1, "fixedrange": True},
        legend={"orientation": "h", "x": 0, "y": 1, "yanchor": "bottom", "yref": "paper", "traceorder": "normal"},
        plot_bgcolor="white",
    )
    return figure


def _wrapped(text: str, width: int = 45) -> str:
    """A long statement over several lines of the axis, whole, instead of cut off."""
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "<br>".join([*lines, line])
