"""The programme report as a CSV and a PDF, in the reader's language: the four levels and what each means.

Built from the same `ProgrammeReport` the page shows, so it holds nothing the page may not: counts, means of
whole rated sessions, whole survey releases and the coordinator's measured values; no case, board or person.
"""

from __future__ import annotations

from intervision.csv_export import write_csv
from intervision.i18n import day as _day
from intervision.i18n import number as _number
from intervision.i18n import t
from intervision.models import Language
from intervision.overview import EFFICACY_INSTRUMENTS
from intervision.overview_report import Line
from intervision.pdf_fonts import FAMILY, ReportPDF, printable
from intervision.programme_report import LEVELS, ProgrammeReport, ResultGoal


def _say(language: Language):  # noqa: ANN202 - a short local alias
    return lambda key, **params: t(f"programme_report.{key}", language, **params)


def _value(value: float | None, language: Language) -> str:
    """A measure's value as people write it: 12, not 12.0; "…" when there is none."""
    if value is None:
        return "…"
    return _number(value, language, 0 if value == int(value) else 2)


def result_note(result: ResultGoal, language: Language) -> str:
    say = _say(language)
    goal = result.goal
    status = "unknown" if result.reached is None else "reached" if result.reached else "not_reached"
    return say(
        "result_note",
        start=_value(goal.start, language),
        target=_value(goal.target, language),
        due=_day(goal.due, language) if goal.due else "…",
        measured=len(result.values),
        status=say(f"status.{status}"),
    )


def report_lines(report: ProgrammeReport, language: Language) -> list[Line]:
    """Every figure of the report, one per line: what the CSV holds and the PDF prints."""
    say = _say(language)
    lines: list[Line] = []
    not_reported, too_few = say("not_reported"), say("too_few")
    programme = say("whole_programme")

    def add(level: str, group: str, measure: str, value: str | int | float, note: str = "") -> None:
        lines.append(Line(say(f"level.{level}"), group, "", measure, value, note))

    # Reaction
    reaction = report.reaction
    mean = reaction.mean
    add(
        "reaction",
        programme,
        say("measure.usefulness"),
        "" if mean is None else round(mean, 2),
        say("ratings_note", ratings=reaction.ratings, sessions=reaction.sessions) if mean is not None else too_few,
    )
    for group in reaction.groups:
        if not group.reported:
            add("reaction", group.name, say("measure.usefulness"), "", not_reported)
            continue
        note = say("ratings_note", ratings=group.ratings, sessions=group.sessions) if group.mean else too_few
        if group.too_few:
            note += " · " + say("sessions_too_few", count=group.too_few)
        add("reaction", group.name, say("measure.usefulness"), "" if group.mean is None else round(group.mean, 2), note)
    for release in reaction.releases:
        add(
            "reaction",
            programme,
            say("measure.session_evaluation"),
            round(release.mean, 2),
            say("release_note", n=release.respondents, day=_day(release.day, language)),
        )
    # Learning
    for goal in report.learning_goals:
        add("learning", programme, say("measure.learning_goal"), goal.text, goal.measure)
    for group in report.learning:
        for instrument in EFFICACY_INSTRUMENTS:
            measure = say(f"measure.{instrument}")
            if group.efficacy is None:
                add("learning", group.name, measure, "", not_reported)
                continue
            efficacy = group.efficacy.get(instrument)
            if efficacy is None:
                add("learning", group.name, measure, "", say("no_release"))
                continue
            release = efficacy.latest
            note = say("release_note", n=release.respondents, day=_day(release.day, language))
            if efficacy.change is not None:
                sign = "+" if efficacy.change > 0 else ""
                note += " · " + say("change", change=sign + _number(efficacy.change, language, 2))
            add("learning", group.name, measure, round(release.mean, 2), note)
        for field in ("people_with_goals", "goals_reviewed", "goals_reached"):
            count = getattr(group.goals, field)
            add(
                "learning",
                group.name,
                say(f"measure.{field}"),
                "" if count is None else count,
                "" if count is not None else too_few,
            )
    # Behaviour
    for group in report.behaviour:
        if group.action_items is None or group.cases is None:
            add("behaviour", group.name, say("measure.action_items"), "", not_reported)
            add("behaviour", group.name, say("measure.followed_up"), "", not_reported)
            continue
        confirmed, done = group.action_items
        discussed, followed_up = group.cases
        add("behaviour", group.name, say("measure.action_items"), done, say("of_confirmed", confirmed=confirmed))
        add("behaviour", group.name, say("measure.followed_up"), followed_up, say("of_discussed", discussed=discussed))
    # Results
    for result in report.results:
        latest = result.latest
        add(
            "results",
            programme,
            result.goal.measure or result.goal.text,
            "" if latest is None else latest.value,
            result_note(result, language),
        )
        for value in result.values:
            add(
                "results",
                programme,
                result.goal.measure or result.goal.text,
                value.value,
                _day(value.measured_on, language),
            )
    for level in LEVELS:
        lines.append(Line(say("explanations"), "", "", say(f"level.{level}"), "", say(f"explain.{level}")))
    lines.append(
        Line(say("explanations"), "", "", say("threshold_title"), "", say("privacy", threshold=report.threshold))
    )
    return lines


def report_csv(report: ProgrammeReport, language: Language) -> bytes:
    say = _say(language)
    header = [say(f"csv.{column}") for column in ("level", "group", "label", "measure", "value", "note")]
    rows = [
        [line.section, line.group, line.label, line.measure, line.value, line.note]
        for line in report_lines(report, language)
    ]
    return write_csv(header, rows, language)


class _Report(ReportPDF):
    def write_line(self, text: str, size: int = 10, style: str = "", height: float = 5) -> None:
        self.set_font(FAMILY, style, size)
        self.multi_cell(0, height, printable(text), new_x="LMARGIN", new_y="NEXT")


def report_pdf(report: ProgrammeReport, language: Language, organisation: str) -> bytes:
    """A printable report: per level its explanation, then its figures as lines."""
    say = _say(language)
    pdf = _Report()
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(True, 15)
    pdf.add_page()
    pdf.write_line(
        say("document.title", programme=report.name, organisation=organisation), size=18, style="B", height=9
    )
    period = report.period
    pdf.write_line(say("document.period", start=_day(period.start, language), end=_day(period.end, language)), size=11)
    pdf.write_line(say("document.groups", groups=", ".join(report.groups) or "–"), size=10)
    pdf.write_line(say("privacy", threshold=report.threshold), size=9)
    lines = report_lines(report, language)
    for level in LEVELS:
        section = say(f"level.{level}")
        pdf.ln(3)
        pdf.write_line(section, size=14, style="B", height=8)
        pdf.write_line(say(f"explain.{level}"), size=9)
        pdf.ln(1)
        shown = [line for line in lines if line.section == section]
        if not shown:
            pdf.write_line(say("nothing"), size=10)
        for line in shown:
            value = line.value if isinstance(line.value, str) else _value(float(line.value), language)
            text = f"{line.group} · {line.measure}: {value or '–'}"
            pdf.write_line(text, size=10, style="B")
            if line.note:
                pdf.write_line(line.note, size=9)
    return bytes(pdf.output())
