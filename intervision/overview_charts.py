"""The overview's figures: groups side by side as a heatmap, efficacy as small multiples, one group's story."""

from __future__ import annotations

from collections import Counter
from datetime import date

import plotly.graph_objects as go
from babel.dates import format_date

from intervision.charts import FONT_SIZE, LEVEL_COLOURS, new_questions_marker, plain, session_markers
from intervision.i18n import chart_date_format, day, locale, number, t
from intervision.methods import Level
from intervision.models import Language
from intervision.overview import (
    EFFICACY_INSTRUMENTS,
    SCORECARD,
    Comparison,
    GroupFigures,
    Release,
    SessionObservations,
    new_questions,
    scorecard,
)

# Poor to good, readable for colour-blind people (a single blue hue, light to dark); grey: not reported.
STANDING_SCALE = [[0.0, "#f7fbff"], [0.5, "#9ecae1"], [1.0, "#2171b5"]]
MAX_SMALL_MULTIPLES = 24  # beyond this the trends become a wall: narrow the selection instead
INSTRUMENT_COLOURS = {"self_efficacy": "#0072B2", "collective_efficacy": "#D55E00"}


def comparison_heatmap(groups: list[GroupFigures], language: Language) -> go.Figure:
    """One row per group, one column per measure: the colour says how it stands, the cell the figure."""
    cards = [scorecard(group) for group in groups]
    standing = [[card[measure].standing for measure in SCORECARD] for card in cards]
    not_shared = t("overview.not_reported_short", language)
    text = [[card[measure].label(language, not_shared) for measure in SCORECARD] for card in cards]
    figure = go.Figure(
        go.Heatmap(
            z=standing,
            x=[t(f"overview.measure.{measure}", language) for measure in SCORECARD],
            y=[plain(group.name) for group in groups],
            text=text,
            texttemplate="%{text}",
            textfont={"size": FONT_SIZE},
            colorscale=STANDING_SCALE,
            zmin=0,
            zmax=1,
            showscale=False,
            hoverongaps=False,
            hovertemplate="%{y}<br>%{x}: %{text}<extra></extra>",
            xgap=3,
            ygap=3,
        )
    )
    figure.update_layout(
        height=120 + 56 * len(groups),
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        font={"size": FONT_SIZE},
        xaxis={"side": "top", "tickfont": {"size": FONT_SIZE, "color": "#111"}},
        yaxis={"autorange": "reversed", "automargin": True, "tickfont": {"size": FONT_SIZE, "color": "#111"}},
        plot_bgcolor="#e6e6e6",  # what is not reported shows as grey
    )
    return figure


def efficacy_small_multiples(comparison: Comparison, language: Language) -> go.Figure:
    """One small chart per group with both efficacy averages over the period; pooled points hollow.

    The grid is laid out by hand and the figure built in one go: make_subplots validates each axis and
    title again on every change, which made this chart the slowest part of the overview.
    """
    shown = [group for group in comparison.groups if group.efficacy][:MAX_SMALL_MULTIPLES]
    period = comparison.period
    columns = min(4, max(1, len(shown)))
    rows = max(1, -(-len(shown) // columns))
    height = 130 + 260 * rows
    gap_x, gap_y = 0.04, min(0.12, 0.6 / rows)
    cell_width, cell_height = (1 - gap_x * (columns - 1)) / columns, (1 - gap_y * (rows - 1)) / rows
    traces: list[dict] = []
    layout: dict = {"annotations": [], "shapes": []}
    labelled = False
    for index, group in enumerate(shown):
        row, column = divmod(index, columns)
        left, top = column * (cell_width + gap_x), 1 - row * (cell_height + gap_y)
        suffix = "" if index == 0 else str(index + 1)
        layout[f"xaxis{suffix}"] = {
            "domain": [left, left + cell_width],
            "anchor": f"y{suffix}",
            "tickformat": chart_date_format(language, "yM"),
            "nticks": 4,
        }
        layout[f"yaxis{suffix}"] = {
            "domain": [top - cell_height, top],
            "anchor": f"x{suffix}",
            "range": [1, 5],
            "dtick": 1,
            "showticklabels": column == 0,
        }
        layout["annotations"].append(
            {
                "text": plain(group.name),
                "x": left + cell_width / 2,
                "y": top,
                "xref": "paper",
                "yref": "paper",
                "xanchor": "center",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": FONT_SIZE},
            }
        )
        changes: set[date] = set()
        for instrument_id in EFFICACY_INSTRUMENTS:
            points = [
                release
                for release in comparison.releases.get(instrument_id, [])
                if group.group_id in release.group_ids and period.holds(release.day)
            ]
            traces.append(
                {
                    "type": "scatter",
                    "xaxis": f"x{suffix}",
                    "yaxis": f"y{suffix}",
                    "x": [release.day for release in points],
                    "y": [release.mean for release in points],
                    "mode": "lines+markers",
                    "line": {"color": INSTRUMENT_COLOURS[instrument_id], "width": 3},
                    "marker": {
                        "size": 10,
                        "symbol": ["circle-open" if release.pooled else "circle" for release in points],
                    },
                    "name": t(f"overview.measure.{instrument_id}", language),
                    "legendgroup": instrument_id,
                    "showlegend": index == 0,
                    "customdata": [
                        f"{day(release.day, language)}: {number(release.mean, language, 2)}" for release in points
                    ],
                    "hovertemplate": "%{customdata}<extra></extra>",
                }
            )
            changes |= {release.day for release in new_questions(points)}
        for changed in sorted(changes):
            # Labelled once in the grid: a small chart has no room for the words in each; the caption says it.
            shape, note = new_questions_marker(changed, language, suffix, label=not labelled)
            layout["shapes"].append(shape)
            if note:
                layout["annotations"].append(note)
                labelled = True
    layout |= {
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 40, "b": 60},
        "font": {"size": FONT_SIZE - 2},
        # Under the last row's dates, not on them.
        "legend": {"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom"},
        "plot_bgcolor": "white",
    }
    return go.Figure(data=traces, layout=layout)


def group_efficacy_trend(
    releases: dict[str, list[Release]], sessions: list[tuple[date, str | None]] | None, language: Language
) -> go.Figure:
    """Both efficacy averages of one group over time, with its held sessions marked along the bottom and a
    dotted line where an instrument got new questions."""
    figure = go.Figure()
    changes = sorted({release.day for points in releases.values() for release in new_questions(points)})
    for changed in changes:
        shape, note = new_questions_marker(changed, language)
        figure.add_shape(shape)
        figure.add_annotation(note)
    for instrument_id, points in releases.items():
        figure.add_trace(
            go.Scatter(
                x=[release.day for release in points],
                y=[release.mean for release in points],
                mode="lines+markers+text",
                text=[f"n={release.respondents}" + ("*" if release.pooled else "") for release in points],
                textposition="top center",
                line={"color": INSTRUMENT_COLOURS.get(instrument_id, "#333"), "width": 4},
                marker={"size": 12, "symbol": ["circle-open" if r.pooled else "circle" for r in points]},
                name=t(f"overview.measure.{instrument_id}", language),
            )
        )
    if sessions:
        figure.add_trace(session_markers(sessions, 1.1, language))
    figure.update_layout(
        font={"size": FONT_SIZE},
        height=420,
        margin={"l": 10, "r": 10, "t": 30, "b": 40},
        yaxis={"range": [1, 5.3], "dtick": 1},
        xaxis={"tickformat": chart_date_format(language)},
        legend={"orientation": "h", "y": -0.18},
        plot_bgcolor="white",
    )
    return figure


def method_mix(sessions: list[tuple[date, str | None]], method_names: dict[str, str], language: Language) -> go.Figure:
    """The methods a group used per quarter, stacked."""
    per_quarter: dict[date, Counter] = {}
    for held, method in sessions:
        quarter = date(held.year, (held.month - 1) // 3 * 3 + 1, 1)
        per_quarter.setdefault(quarter, Counter())[method or "—"] += 1
    quarters = sorted(per_quarter)
    # "K4 2026" in Dutch, "Q4 2026" in English: the quarter as CLDR names it.
    quarter_names = [format_date(quarter, format="QQQ y", locale=locale(language)) for quarter in quarters]
    figure = go.Figure()
    for method in sorted({method for counts in per_quarter.values() for method in counts}):
        figure.add_trace(
            go.Bar(
                x=quarter_names,
                y=[per_quarter[quarter].get(method, 0) for quarter in quarters],
                name=plain(method_names.get(method, method)),
            )
        )
    figure.update_layout(
        barmode="stack",
        font={"size": FONT_SIZE},
        height=380,
        margin={"l": 10, "r": 10, "t": 10, "b": 40},
        yaxis={"title": {"text": t("overview.sessions_axis", language)}, "dtick": 1},
        legend={"orientation": "h", "y": -0.2},
        plot_bgcolor="white",
    )
    return figure


# Who corrected the course: the facilitator (vermillion, dashed) or the group itself (sky blue, solid).
CORRECTION_COLOURS = {"intervened": "#D55E00", "self_corrected": "#56B4E9"}


def observation_profile(observations: list[SessionObservations], language: Language) -> go.Figure:
    """The facilitator's observations per session, stacked by level; as lines, how often the facilitator
    stepped in and how often the group corrected itself."""
    days = [session.day for session in observations]
    figure = go.Figure()
    for level in Level:
        figure.add_trace(
            go.Bar(
                x=days,
                y=[session.per_level.get(level.value, 0) for session in observations],
                name=t(f"level.{level}", language),
                marker_color=LEVEL_COLOURS[level],
                opacity=0.55,
            )
        )
    for key, counts, dash in (
        ("intervened", [session.interventions for session in observations], "dash"),
        ("self_corrected", [session.self_corrections for session in observations], "solid"),
    ):
        figure.add_trace(
            go.Scatter(
                x=days,
                y=counts,
                mode="lines+markers",
                line={"color": CORRECTION_COLOURS[key], "width": 4, "dash": dash},
                marker={"size": 10},
                name=t(f"overview.{key}", language),
            )
        )
    figure.update_layout(
        barmode="stack",
        font={"size": FONT_SIZE},
        height=420,
        margin={"l": 10, "r": 10, "t": 10, "b": 40},
        xaxis={"tickformat": chart_date_format(language)},
        yaxis={"title": {"text": t("overview.observations_axis", language)}},
        legend={"orientation": "h", "y": -0.2},
        plot_bgcolor="white",
    )
    return figure
