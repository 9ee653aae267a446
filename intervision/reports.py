"""Documents to take away: a method's one-page card, ready to print."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import escape

from fpdf import FPDF

from intervision.i18n import t
from intervision.methods import Lines, Method
from intervision.models import Language


@dataclass(frozen=True)
class SessionReport:
    """What a session report holds, gathered by the engine; never more than the reader may see."""

    group_name: str
    started_at: datetime
    method_name: str
    method_version: int
    case_title: str
    roles: dict[str, list[str]]
    phases: list[tuple[str, float, float]]  # name, planned minutes, actual minutes
    board: dict[str, list[tuple[str, str, bool]]]  # phase name: (kind, text, helped most)
    action_items: list[tuple[str, str, str]]  # text, owner, due date
    bringer_choice: str
    rating_mean: float | None
    rating_count: int
    observations: list[tuple[datetime, str, str, str, str]] | None  # at, phase, level, category, note


_CARD_STYLE = """
@page { size: A4; margin: 10mm; }
body { font-family: "Source Sans Pro", Arial, sans-serif; font-size: 9pt; line-height: 1.25;
       color: #111; margin: 0; }
h1 { font-size: 16pt; margin: 0 0 1.5mm; }
.summary { margin: 0 0 1.5mm; }
.facts { color: #333; margin: 0 0 2mm; font-weight: bold; }
table { border-collapse: collapse; width: 100%; }
tr { break-inside: avoid; }
td { border-top: 1px solid #bbb; padding: 1.2mm 1.5mm; vertical-align: top; }
td.minutes { width: 10mm; font-weight: bold; text-align: right; }
td.name { width: 34mm; font-weight: bold; }
p.lines { margin: 0.8mm 0 0; }
.label { color: #555; font-weight: normal; }
.sources { font-size: 7.5pt; color: #444; margin-top: 2mm; }
"""


def _lines(label: str, lines: Lines, language: Language) -> str:
    # One line per kind, items separated by a dot: the whole method has to fit on one page.
    items = lines(language)
    if not items:
        return ""
    return f'<p class="lines"><span class="label">{escape(label)}:</span> {escape(" · ".join(items))}</p>'


def method_card_html(method: Method, language: Language) -> str:
    """One printable page: the phases with minutes, who speaks, prompts and rules. Tips stay out."""
    rows = []
    for phase in method.phases:
        speakers = ", ".join(t(f"speaker.{speaker}", language) for speaker in phase.speakers)
        rows.append(
            "<tr>"
            f'<td class="minutes">{phase.minutes:g}′</td>'
            f'<td class="name">{escape(phase.name(language))}<br>'
            f'<span class="label">{escape(speakers)}</span></td>'
            f"<td>{escape(phase.purpose(language))}"
            f"{_lines(t('methods.prompts', language), phase.prompts, language)}"
            f"{_lines(t('methods.rules', language), phase.rules, language)}</td>"
            "</tr>"
        )
    fit = method.suitability
    facts = " · ".join(
        [
            t("methods.minutes", language, minutes=f"{method.total_minutes:g}"),
            t("methods.members_range", language, minimum=fit.min_members, maximum=fit.max_members),
            t(f"safety.{fit.safety}", language),
        ]
    )
    sources = "; ".join(escape(source) for source in method.sources)
    return (
        f'<!DOCTYPE html><html lang="{language.value}"><head><meta charset="utf-8">'
        f"<title>{escape(method.name(language))}</title><style>{_CARD_STYLE}</style></head><body>"
        f"<h1>{escape(method.name(language))}</h1>"
        f'<p class="summary">{escape(method.summary(language))}</p>'
        f'<p class="facts">{escape(facts)}</p>'
        f"<table>{''.join(rows)}</table>"
        f'<p class="sources">{escape(t("methods.sources", language))}: {sources}</p>'
        "</body></html>"
    )


# --- the session report --------------------------------------------------------------------------

_PLAIN = str.maketrans(
    {
        "“": '"',
        "”": '"',
        "„": '"',
        "‘": "'",
        "’": "'",
        "‚": "'",
        "–": "-",
        "—": "-",
        "…": "...",
        "′": "'",
        "−": "-",
        "★": "*",
        "↑": "+",
        "↓": "-",
        "→": "=",
    }
)


def printable(text: str) -> str:
    """Text as the PDF's built-in fonts can print it (Latin-1), typographic signs made plain."""
    return text.translate(_PLAIN).encode("latin-1", "replace").decode("latin-1")


def session_report_markdown(report: SessionReport, language: Language) -> str:
    """The session as the group keeps it: phases planned and actual, the board, the action items.

    The facilitator's observation log is in it only when they chose to include it.
    """

    def say(key: str, **params: object) -> str:
        return t(key, language, **params)

    lines = [
        f"# {say('session_report.title', group=report.group_name)}",
        "",
        f"- {say('session_report.date')}: {report.started_at:%d-%m-%Y %H:%M}",
        f"- {say('field.method')}: {report.method_name} ({say('methods.version', version=report.method_version)})",
    ]
    if report.case_title:
        lines.append(f"- {say('session_report.case')}: {report.case_title}")
    for role, names in report.roles.items():
        lines.append(f"- {say(f'session_role.{role}')}: {', '.join(names)}")
    lines += [
        "",
        f"## {say('session_report.phases')}",
        "",
        f"| {say('session_report.phase')} | {say('session_report.planned')} | {say('session_report.actual')} |",
        "|---|---:|---:|",
    ]
    for name, planned, actual in report.phases:
        lines.append(f"| {name} | {planned:g} | {actual:.1f} |")
    lines += ["", f"## {say('session_report.board')}", ""]
    if not report.board:
        lines.append(say("session_report.nothing"))
    for phase_name, items in report.board.items():
        lines += [f"### {phase_name}", ""]
        lines += [f"- {'★ ' if helpful else ''}{say(f'board.{kind}')}: {text}" for kind, text, helpful in items]
        lines.append("")
    lines += ["", f"## {say('session_report.actions')}", ""]
    lines += [f"- {text} ({owner or '—'}{', ' + due if due else ''})" for text, owner, due in report.action_items] or [
        say("session_report.nothing")
    ]
    lines += ["", f"## {say('session_report.choice')}", "", report.bringer_choice or say("session_report.nothing"), ""]
    if report.rating_mean is not None:
        lines += [
            f"## {say('session_report.evaluation')}",
            "",
            say("session_report.rating", mean=f"{report.rating_mean:.1f}", count=report.rating_count),
            "",
        ]
    if report.observations is not None:
        lines += [f"## {say('session_report.observations')}", ""]
        for at, phase, level, category, note in report.observations:
            parts = [f"{at:%H:%M}", phase, say(f"level.{level}"), category, note]
            lines.append("- " + " · ".join(part for part in parts if part))
        if not report.observations:
            lines.append(say("session_report.nothing"))
    return "\n".join(lines) + "\n"


def markdown_to_pdf(markdown: str) -> bytes:
    """A plain, printable PDF of a report written in our small Markdown (headings, lists, tables)."""
    pdf = FPDF(format="A4")
    pdf.set_margins(15, 15, 15)
    pdf.add_page()
    for line in markdown.splitlines():
        text = printable(line)
        if text.startswith("#"):
            level = len(text) - len(text.lstrip("#"))
            pdf.set_font("Helvetica", "B", {1: 18, 2: 14}.get(level, 12))
            pdf.multi_cell(0, 9, text.lstrip("# "), new_x="LMARGIN", new_y="NEXT")
        elif text.startswith("|---"):
            continue
        elif text.startswith("|"):
            pdf.set_font("Helvetica", "", 10)
            cells = [cell.strip() for cell in text.strip("|").split("|")]
            widths = [110, 35, 35]
            for cell, width in zip(cells, widths, strict=False):
                pdf.cell(width, 6, cell[:60])
            pdf.ln(6)
        else:
            pdf.set_font("Helvetica", "", 11)
            pdf.multi_cell(0, 6, text or " ", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
