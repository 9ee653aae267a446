"""Documents to take away: a method's one-page card, ready to print."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, tzinfo
from enum import StrEnum
from html import escape
from zoneinfo import ZoneInfo

from intervision.i18n import moment, number, short_number, t
from intervision.methods import Lines, Method
from intervision.models import Language
from intervision.observation_log import LEVELS, Balance
from intervision.pdf_fonts import FAMILY, ReportPDF, paragraph_align, printable, table_row


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
    board: dict[str, list[tuple[str, str, bool, int]]]  # phase name: (kind, text, helped most, dots)
    action_items: list[tuple[str, str, str, bool]]  # text, owner, due date, confirmed
    bringer_choice: str
    rating_mean: float | None  # None until closed, and when fewer than the threshold rated
    rating_count: int
    rating_threshold: int
    # Only counts: how often the facilitator intervened and the group corrected itself, per level. None in
    # the copy the group reads: the counts come from the facilitator's own log.
    balance: Balance | None
    observations: list[tuple[datetime, str, str, str, str, str]] | None  # at, phase, level, kind, category, note


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
            f'<td class="minutes">{short_number(phase.minutes, language)}′</td>'
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
            t("methods.minutes", language, minutes=short_number(method.total_minutes, language)),
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

# Everything in a report that a person typed (names, case titles, board and action items, notes) is data: the
# Markdown escapes it and the PDF prints it as it is, so that typed text never becomes a heading, a list, a
# table, a quote, code, a link or an image. The report is first a list of blocks of our own making; each
# kind of document then draws those blocks in its own way.


class _Kind(StrEnum):
    TITLE = "title"
    SECTION = "section"
    SUBSECTION = "subsection"
    ITEM = "item"  # a list item; its text may run over several lines
    TABLE_HEAD = "table_head"
    ROW = "row"
    TEXT = "text"  # a paragraph; may run over several lines


@dataclass(frozen=True)
class _Block:
    kind: _Kind
    text: str = ""
    cells: tuple[str, ...] = ()


_HEADINGS = {_Kind.TITLE: "#", _Kind.SECTION: "##", _Kind.SUBSECTION: "###"}
# Characters that start inline Markdown anywhere in a line: escapes, code, emphasis, links and images, HTML
# and entities, tables, strikethrough, headings, math, and e-mail autolinks.
_INLINE = set("\\`*_[]<>!|~&#$@")
# Characters that start a block only at the beginning of a line: list items, setext underlines.
_LINE_START = set("-+=")
_ORDERED = re.compile(r"\d+[.)]")
_WWW = re.compile(r"(?i)\bwww\.")


def _markdown_inline(text: str) -> str:
    """Typed text inside a line (a heading, a table cell) as Markdown that reads exactly as typed."""
    escaped = "".join("\\" + char if char in _INLINE else char for char in " ".join(text.split()))
    escaped = escaped.replace("://", "\\://")  # a bare address would become a link
    return _WWW.sub(lambda found: found.group(0)[:-1] + "\\.", escaped)


def markdown_line(text: str) -> str:
    """One line of typed text as Markdown that reads exactly as typed and starts no block or link.

    Leading spaces are dropped: they would make an indented code block or a nested list.
    """
    escaped = _markdown_inline(text)
    if ordered := _ORDERED.match(escaped):
        return escaped[: ordered.end() - 1] + "\\" + escaped[ordered.end() - 1 :]
    return "\\" + escaped if escaped[:1] in _LINE_START else escaped


def markdown_lines(text: str, indent: str = "") -> str:
    """Typed text over several lines as Markdown: each line escaped, hard line breaks, the same block.

    Continuation lines are indented by `indent` so that they stay inside their list item; empty lines are
    left out, because an empty line would end the item.
    """
    lines = [markdown_line(line) for line in text.splitlines() if line.strip()]
    return ("\\\n" + indent).join(lines)


# Where no browser says otherwise (a PDF read later, a test): the groups are in the Netherlands and Flanders.
REPORT_ZONE = ZoneInfo("Europe/Amsterdam")


def _report_blocks(report: SessionReport, language: Language, zone: tzinfo) -> list[_Block]:
    def say(key: str, **params: object) -> str:
        return t(key, language, **params)

    blocks = [
        _Block(_Kind.TITLE, say("session_report.title", group=report.group_name)),
        _Block(_Kind.ITEM, f"{say('session_report.date')}: {moment(report.started_at, language, zone)}"),
        _Block(
            _Kind.ITEM,
            f"{say('field.method')}: {report.method_name} ({say('methods.version', version=report.method_version)})",
        ),
    ]
    if report.case_title:
        blocks.append(_Block(_Kind.ITEM, f"{say('session_report.case')}: {report.case_title}"))
    for role, names in report.roles.items():
        blocks.append(_Block(_Kind.ITEM, f"{say(f'session_role.{role}')}: {', '.join(names)}"))
    blocks += [
        _Block(_Kind.SECTION, say("session_report.phases")),
        _Block(
            _Kind.TABLE_HEAD,
            cells=(say("session_report.phase"), say("session_report.planned"), say("session_report.actual")),
        ),
    ]
    blocks += [
        _Block(_Kind.ROW, cells=(name, short_number(planned, language), number(actual, language)))
        for name, planned, actual in report.phases
    ]
    blocks.append(_Block(_Kind.SECTION, say("session_report.board")))
    if not report.board:
        blocks.append(_Block(_Kind.TEXT, say("session_report.nothing")))
    for phase_name, items in report.board.items():
        blocks.append(_Block(_Kind.SUBSECTION, phase_name))
        blocks += [
            _Block(
                _Kind.ITEM,
                f"{'★ ' if helpful else ''}{say(f'board.{kind}')}: {text}"
                + (f" ({say('board_edit.dots', count=dots)})" if dots else ""),
            )
            for kind, text, helpful, dots in items
        ]
    blocks.append(_Block(_Kind.SECTION, say("session_report.actions")))
    blocks += [
        _Block(
            _Kind.ITEM,
            f"{text} ({owner or '—'}{', ' + due if due else ''})"
            + ("" if confirmed else f" [{say('session_report.unconfirmed')}]"),
        )
        for text, owner, due, confirmed in report.action_items
    ] or [_Block(_Kind.TEXT, say("session_report.nothing"))]
    blocks += [
        _Block(_Kind.SECTION, say("session_report.choice")),
        _Block(_Kind.TEXT, report.bringer_choice or say("session_report.nothing")),
    ]
    blocks += [
        _Block(_Kind.SECTION, say("session_report.evaluation")),
        _Block(
            _Kind.TEXT,
            say("session_report.rating_too_few", threshold=report.rating_threshold)
            if report.rating_mean is None
            else say("session_report.rating", mean=number(report.rating_mean, language), count=report.rating_count),
        ),
    ]
    if report.balance is not None:
        blocks += _balance_blocks(report.balance, language)
    if report.observations is not None:
        blocks.append(_Block(_Kind.SECTION, say("session_report.observations")))
        for at, phase, level, kind, category, note in report.observations:
            parts = [f"{at:%H:%M}", phase, say(f"level.{level}"), kind, category, note]
            blocks.append(_Block(_Kind.ITEM, " · ".join(part for part in parts if part)))
        if not report.observations:
            blocks.append(_Block(_Kind.TEXT, say("session_report.nothing")))
    return blocks


def _balance_blocks(balance: Balance, language: Language) -> list[_Block]:
    """Who corrected the course: the facilitator, or the group itself, per level."""
    blocks = [_Block(_Kind.SECTION, t("session_report.balance", language))]
    if not balance.corrections:
        return [*blocks, _Block(_Kind.TEXT, t("session_report.no_corrections", language))]
    blocks.append(
        _Block(
            _Kind.TABLE_HEAD,
            cells=(
                t("session_report.level", language),
                t("observation_kind.intervention", language),
                t("observation_kind.self_correction", language),
            ),
        )
    )
    blocks += [
        _Block(
            _Kind.ROW,
            cells=(
                t(f"level.{level}", language),
                str(balance.interventions[level]),
                str(balance.self_corrections[level]),
            ),
        )
        for level in LEVELS
    ]
    share = balance.self_share or 0.0
    blocks.append(_Block(_Kind.TEXT, t("session_report.self_share", language, share=f"{share:.0%}")))
    return blocks


def session_report_markdown(report: SessionReport, language: Language, zone: tzinfo = REPORT_ZONE) -> str:
    """The session as the group keeps it: phases planned and actual, the board, the action items.

    The facilitator's observation log is in it only when they chose to include it.
    """
    lines: list[str] = []
    previous: _Kind | None = None
    for block in _report_blocks(report, language, zone):
        # A blank line between blocks, except inside a list or a table.
        together = (previous, block.kind) in {
            (_Kind.ITEM, _Kind.ITEM),
            (_Kind.TABLE_HEAD, _Kind.ROW),
            (_Kind.ROW, _Kind.ROW),
        }
        if previous is not None and not together:
            lines.append("")
        if block.kind in _HEADINGS:
            lines.append(f"{_HEADINGS[block.kind]} {_markdown_inline(block.text)}")
        elif block.kind is _Kind.ITEM:
            lines.append("- " + markdown_lines(block.text, indent="  "))
        elif block.kind is _Kind.TABLE_HEAD:
            lines += ["| " + " | ".join(_markdown_inline(cell) for cell in block.cells) + " |", "|---|---:|---:|"]
        elif block.kind is _Kind.ROW:
            lines.append("| " + " | ".join(_markdown_inline(cell) for cell in block.cells) + " |")
        else:
            lines.append(markdown_lines(block.text))
        previous = block.kind
    return "\n".join(lines) + "\n"


def session_report_pdf(report: SessionReport, language: Language, zone: tzinfo = REPORT_ZONE) -> bytes:
    """The same report as a plain, printable PDF; typed text is printed as it is, never read as Markdown.

    Every character people type is printed (see pdf_fonts); a long name wraps in its cell, it is never cut.
    """
    pdf = ReportPDF()
    pdf.set_margins(15, 15, 15)
    pdf.add_page()
    widths = [110, 35, 35]
    for block in _report_blocks(report, language, zone):
        text = printable(block.text)
        if block.kind in _HEADINGS:
            pdf.set_font(FAMILY, "B", {_Kind.TITLE: 18, _Kind.SECTION: 14}.get(block.kind, 12))
            pdf.multi_cell(0, 9, " ".join(text.split()), new_x="LMARGIN", new_y="NEXT")
        elif block.kind in (_Kind.TABLE_HEAD, _Kind.ROW):
            pdf.set_font(FAMILY, "B" if block.kind is _Kind.TABLE_HEAD else "", 10)
            table_row(pdf, [" ".join(printable(cell).split()) for cell in block.cells], widths, 6, aligns="LRR")
        elif block.kind is _Kind.ITEM:
            pdf.set_font(FAMILY, "", 11)
            pdf.cell(5, 6, "-")
            pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.set_font(FAMILY, "", 11)
            pdf.multi_cell(0, 6, text or " ", align=paragraph_align(text), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
