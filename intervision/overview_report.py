"""The coordinator's report for a period: the overview's figures, the goals, and what each measure means.

It is built from the same `Comparison` the page shows, so it can hold nothing the page may not: counts,
shares and whole survey releases, as far as each group's contract reports them.
"""

from __future__ import annotations

from dataclasses import dataclass

from intervision.csv_export import write_csv
from intervision.goals import GoalProgress, unit_of
from intervision.i18n import day as _day
from intervision.i18n import number as _number
from intervision.i18n import t
from intervision.models import Language
from intervision.observation_log import trend_direction
from intervision.overview import (
    EFFICACY_INSTRUMENTS,
    SCORECARD,
    Comparison,
    GroupFigures,
    GroupStory,
    question_changes,
    scorecard,
)
from intervision.pdf_fonts import FAMILY, ReportPDF, printable, row_height, table_row

# What each measure means, in the report's own words (catalog keys overview.explain.<measure>).
EXPLAINED = (*SCORECARD, "methods", "self_corrections", "pooled", "not_reported", "threshold")


@dataclass(frozen=True)
class Line:
    """One figure of the report: a row of the CSV."""

    section: str
    group: str
    label: str
    measure: str
    value: str | int | float  # a number stays a number, so that the CSV writes it as one
    note: str


def half_year(name: str, language: Language) -> str:
    """A pool's half-year ("2026-1") as people say it: "eerste halfjaar 2026", "first half of 2026"."""
    year, half = name.split("-")
    return t(f"overview.half_year_{half}", language, year=year)


def _group_lines(group: GroupFigures, comparison: Comparison, language: Language) -> list[Line]:
    say = lambda key, **params: t(key, language, **params)  # noqa: E731 - a short local alias
    section = say("overview.document.groups")
    lines = []

    def add(measure: str, value: str | int | float, note: str = "") -> None:
        lines.append(Line(section, group.name, group.label, say(f"overview.measure.{measure}"), value, note))

    not_reported = say("overview.not_reported")
    add("phase", say(f"phase.{group.phase}"))
    add("facilitators", ", ".join(group.facilitators))
    if group.sessions_held is None:
        add("sessions", "", not_reported)
    else:
        add(
            "sessions",
            group.sessions_held,
            say("overview.expected", expected=_number(group.sessions_expected, language)),
        )
    share = group.attendance_share
    add(
        "attendance",
        "" if share is None else round(100 * share),
        not_reported if group.attendance is None else "%",
    )
    if group.cases is None:
        add("cases", "", not_reported)
        add("action_items", "", not_reported)
    else:
        add(
            "cases",
            group.cases.submitted,
            say("overview.cases_note", discussed=group.cases.discussed, followed_up=group.cases.followed_up),
        )
        confirmed, done = group.action_items or (0, 0)
        add("action_items", done, say("overview.of_confirmed", confirmed=confirmed))
    add(
        "methods",
        "–"
        if group.methods == {}
        else ""
        if group.methods is None
        else ", ".join(f"{m} ({n})" for m, n in sorted(group.methods.items())),
        "" if group.methods is not None else not_reported,
    )
    if group.corrections is None:
        add("self_corrections", "", not_reported)
    else:
        share = group.self_correction_share
        add(
            "self_corrections",
            "" if share is None else round(100 * share),
            corrections_note(group.corrections, language),
        )
    for instrument_id in EFFICACY_INSTRUMENTS:
        if not group.efficacy:
            add(instrument_id, "", not_reported)
            continue
        efficacy = group.efficacy.get(instrument_id)
        if efficacy is None:
            add(instrument_id, "", say("overview.no_release"))
            continue
        release = efficacy.latest
        note = say("overview.release_note", n=release.respondents, day=_day(release.day, language))
        if release.pooled:
            note += " · " + say(
                "overview.pooled_note", count=len(release.group_ids), half_year=half_year(release.half_year, language)
            )
        add(instrument_id, round(release.mean, 2), note)
    return lines


def corrections_note(corrections: tuple[int, int], language: Language) -> str:
    intervened, self_corrected = corrections
    return t(
        "overview.corrections_note",
        language,
        intervened=t("common.times", language, count=intervened),
        self_corrected=t("common.times", language, count=self_corrected),
    )


def balance_sentence(story: GroupStory, language: Language) -> str:
    """What the balance between the facilitator stepping in and the group correcting itself says over the
    period: the counts, the group's share lately, and which way that share goes."""
    sessions = story.observations or []
    intervened = sum(session.interventions for session in sessions)
    self_corrected = sum(session.self_corrections for session in sessions)
    if not intervened + self_corrected:
        return t("overview.balance_none", language)
    counts = t(
        "overview.balance_counts",
        language,
        intervened=t("common.times", language, count=intervened),
        self_corrected=t("common.times", language, count=self_corrected),
        share=f"{self_corrected / (intervened + self_corrected):.0%}",
    )
    trend = story.self_share_trend
    if trend is None:
        return f"{counts} {t('overview.balance_too_few', language)}"
    early, recent = story.early_self_share or 0.0, story.recent_self_share or 0.0
    said = t(f"overview.balance_{trend_direction(trend)}", language, early=f"{early:.0%}", recent=f"{recent:.0%}")
    return f"{counts} {said}"


def goal_line(progress: GoalProgress, language: Language) -> Line:
    """A goal, its value now, its target and date, and whether it is met."""
    say = lambda key, **params: t(key, language, **params)  # noqa: E731
    goal = progress.goal
    return Line(
        say("overview.document.goals"),
        goal.group_name or say("overview.organisation"),
        "",
        say(f"overview.measure.{goal.measure.value}"),
        "" if progress.value is None else round(progress.value, 1),
        say(
            "overview.goal_note",
            target=_number(goal.target, language),
            unit=say(f"overview.unit.{unit_of(goal.measure)}"),
            due=_day(goal.due, language),
            status=say(f"overview.status.{progress.status}"),
        ),
    )


def report_lines(comparison: Comparison, goals: list[GoalProgress], language: Language) -> list[Line]:
    """Every figure of the report, one per line: what the CSV holds and the PDF prints."""
    say = lambda key, **params: t(key, language, **params)  # noqa: E731
    lines = [line for group in comparison.groups for line in _group_lines(group, comparison, language)]
    organisation = say("overview.organisation")
    for instrument_id in EFFICACY_INSTRUMENTS:
        combined = comparison.combined(instrument_id)
        lines.append(
            Line(
                say("overview.document.organisation"),
                organisation,
                "",
                say(f"overview.measure.{instrument_id}"),
                round(combined.mean, 2) if combined else "",
                say("overview.combined_note", n=combined.answers, releases=combined.releases)
                if combined
                else say("overview.no_release"),
            )
        )
    lines.extend(goal_line(progress, language) for progress in goals)
    for key in EXPLAINED:
        lines.append(
            Line(
                say("overview.document.explanations"),
                "",
                "",
                say(f"overview.explain_title.{key}"),
                "",
                say(f"overview.explain.{key}", threshold=comparison.threshold),
            )
        )
    return lines


def report_csv(comparison: Comparison, goals: list[GoalProgress], language: Language) -> bytes:
    """The report as a CSV in the language's dialect (see csv_export): numbers stay numbers."""
    say = lambda key: t(key, language)  # noqa: E731 - a short local alias
    header = [say(f"overview.csv.{column}") for column in ("section", "group", "label", "measure", "value", "note")]
    rows = [
        [line.section, line.group, line.label, line.measure, line.value, line.note]
        for line in report_lines(comparison, goals, language)
    ]
    return write_csv(header, rows, language)


# --- the PDF ---------------------------------------------------------------------------------------

_BLUE_LIGHT, _BLUE_DARK = (247, 251, 255), (33, 113, 181)
_GREY = (225, 225, 225)


def _standing_colour(standing: float | None) -> tuple[int, int, int]:
    if standing is None:
        return _GREY
    return tuple(round(a + (b - a) * standing) for a, b in zip(_BLUE_LIGHT, _BLUE_DARK, strict=True))


class _Report(ReportPDF):
    def write_line(self, text: str, size: int = 10, style: str = "", height: float = 5) -> None:
        self.set_font(FAMILY, style, size)
        self.multi_cell(0, height, printable(text), new_x="LMARGIN", new_y="NEXT")


def _heat_table(pdf: _Report, comparison: Comparison, language: Language) -> None:
    """The groups side by side, each cell coloured by how it stands, as on the page's heatmap."""
    name_width, cell_width, line_height = 52, 21, 4
    widths = [name_width] + [cell_width] * len(SCORECARD)
    pdf.set_font(FAMILY, "B", 8)
    heads = [printable(t(f"overview.measure_short.{measure}", language)) for measure in SCORECARD]
    table_row(pdf, ["", *heads], widths, line_height, aligns="L" + "C" * len(SCORECARD))
    for group in comparison.groups:
        pdf.set_font(FAMILY, "", 8)
        # A long name wraps onto more lines and the row grows with it: a name is never cut.
        name = printable(group.name)
        height = max(8.0, row_height(pdf, [name], [name_width], line_height))
        if pdf.will_page_break(height):
            pdf.add_page()
        top = pdf.get_y()
        pdf.multi_cell(name_width, line_height, name, new_x="RIGHT", new_y="TOP")
        pdf.set_xy(pdf.l_margin + name_width, top)
        for cell in scorecard(group).values():
            colour = _standing_colour(cell.standing)
            pdf.set_fill_color(*colour)
            pdf.set_text_color(*((255, 255, 255) if cell.standing and cell.standing > 0.6 else (17, 17, 17)))
            text = cell.label(language, t("overview.not_reported_short", language))
            pdf.cell(cell_width, height, printable(text), border=1, align="C", fill=True)
        pdf.set_text_color(17, 17, 17)
        pdf.set_xy(pdf.l_margin, top + height)


def _trend_charts(pdf: _Report, comparison: Comparison, language: Language) -> None:
    """Small multiples: per group, both efficacy averages over the period as lines on a 1–5 axis."""
    shown = [group for group in comparison.groups if group.efficacy]
    width, height, gap = 58, 34, 6
    colours = {"self_efficacy": (0, 114, 178), "collective_efficacy": (213, 94, 0)}
    start, end = comparison.period.start.toordinal(), comparison.period.end.toordinal()
    for index, group in enumerate(shown):
        if index % 3 == 0:
            if pdf.get_y() + height + 12 > pdf.h - pdf.b_margin:
                pdf.add_page()
            top = pdf.get_y()
        left = pdf.l_margin + (index % 3) * (width + gap)
        pdf.set_font(FAMILY, "B", 8)
        pdf.set_xy(left, top)
        # The name wraps above its chart (two lines at most fit the room left for it; a third shrinks the font).
        name = printable(group.name)
        while row_height(pdf, [name], [width], 3) > 6 and pdf.font_size_pt > 5:
            pdf.set_font(FAMILY, "B", pdf.font_size_pt - 0.5)
        pdf.multi_cell(width, 3, name, align="L")
        box_top = top + 7
        pdf.set_draw_color(180, 180, 180)
        pdf.rect(left, box_top, width, height)
        pdf.set_font(FAMILY, "", 6)
        pdf.text(left - 3, box_top + 2, "5")
        pdf.text(left - 3, box_top + height, "1")
        for score in (2, 3, 4):
            y = box_top + height * (5 - score) / 4
            pdf.line(left, y, left + width, y)
        # A dotted vertical line where the group's questionnaire got new questions, as on the page.
        changed = {day for days in question_changes(comparison.group_releases(group.group_id)).values() for day in days}
        pdf.set_draw_color(122, 62, 157)
        pdf.set_dash_pattern(dash=0.8, gap=0.8)
        for day in sorted(changed):
            x = left + width * (day.toordinal() - start) / max(1, end - start)
            pdf.line(x, box_top, x, box_top + height)
        pdf.set_dash_pattern()
        for instrument_id in EFFICACY_INSTRUMENTS:
            points = [
                (left + width * (r.day.toordinal() - start) / max(1, end - start), box_top + height * (5 - r.mean) / 4)
                for r in comparison.releases.get(instrument_id, [])
                if group.group_id in r.group_ids and comparison.period.holds(r.day)
            ]
            pdf.set_draw_color(*colours[instrument_id])
            pdf.set_fill_color(*colours[instrument_id])
            pdf.set_line_width(0.6)
            for (x1, y1), (x2, y2) in zip(points, points[1:], strict=False):
                pdf.line(x1, y1, x2, y2)
            for x, y in points:
                pdf.circle(x, y, 0.9, style="F")
            pdf.set_line_width(0.2)
        if index % 3 == 2 or index == len(shown) - 1:
            pdf.set_xy(pdf.l_margin, box_top + height + 3)
    pdf.set_draw_color(0, 0, 0)
    pdf.write_line(
        t("overview.document.legend", language),
        size=8,
    )
    if changes := comparison.question_changes():
        said = "; ".join(
            t(
                "overview.new_questions_change",
                language,
                instrument=t(f"overview.measure.{instrument_id}", language),
                day=", ".join(_day(changed, language) for changed in days),
            )
            for instrument_id, days in changes.items()
        )
        pdf.write_line(t("overview.new_questions", language, changes=said), size=8)


def _corrections_section(pdf: _Report, comparison: Comparison, language: Language) -> None:
    """Per group that reports its observation profile: who corrected the course, in counts only."""
    pdf.write_line(t("overview.document.corrections", language), size=14, style="B", height=8)
    shown = [group for group in comparison.groups if group.corrections is not None]
    if not shown:
        pdf.write_line(t("overview.document.no_corrections", language), size=10)
    for group in shown:
        share = group.self_correction_share
        said = "–" if share is None else t("overview.document.self_share", language, share=f"{share:.0%}")
        note = corrections_note(group.corrections or (0, 0), language)
        pdf.write_line(f"{group.name} · {said} ({note})", size=10)
    pdf.write_line(t("overview.document.corrections_legend", language), size=8)


def report_pdf(comparison: Comparison, goals: list[GoalProgress], language: Language, organisation: str) -> bytes:
    """A printable report: figures side by side, trends, goals with their progress, and explanations."""
    say = lambda key, **params: t(key, language, **params)  # noqa: E731
    pdf = _Report()
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(True, 15)
    pdf.add_page()
    period = comparison.period
    pdf.write_line(say("overview.document.title", organisation=organisation), size=18, style="B", height=9)
    start, end = _day(period.start, language), _day(period.end, language)
    pdf.write_line(say("overview.document.period", start=start, end=end), size=11)
    pdf.write_line(say("overview.document.privacy", threshold=comparison.threshold), size=9)
    pdf.ln(3)
    pdf.write_line(say("overview.document.groups"), size=14, style="B", height=8)
    _heat_table(pdf, comparison, language)
    pdf.ln(2)
    pdf.write_line(say("overview.document.heat_legend"), size=8)
    pdf.ln(3)
    pdf.write_line(say("overview.document.trends"), size=14, style="B", height=8)
    _trend_charts(pdf, comparison, language)
    pdf.ln(3)
    _corrections_section(pdf, comparison, language)
    pdf.ln(3)
    pdf.write_line(say("overview.document.goals"), size=14, style="B", height=8)
    if not goals:
        pdf.write_line(say("overview.no_goals"))
    for progress in goals:
        line = goal_line(progress, language)
        shown = "–" if line.value == "" else _number(float(line.value), language)
        pdf.write_line(f"{line.group} · {line.measure}: {shown}", size=10, style="B")
        pdf.set_fill_color(*_GREY)
        pdf.rect(pdf.l_margin, pdf.get_y() + 1, 80, 3, style="F")
        pdf.set_fill_color(*_BLUE_DARK)
        pdf.rect(pdf.l_margin, pdf.get_y() + 1, 80 * progress.share_of_target, 3, style="F")
        pdf.ln(5)
        pdf.write_line(line.note, size=9)
        pdf.ln(2)
    pdf.ln(3)
    pdf.write_line(say("overview.document.explanations"), size=14, style="B", height=8)
    for key in EXPLAINED:
        pdf.write_line(say(f"overview.explain_title.{key}"), size=10, style="B")
        pdf.write_line(say(f"overview.explain.{key}", threshold=comparison.threshold), size=9)
    return bytes(pdf.output())
