"""Documents to take away: a method's one-page card, ready to print."""

from __future__ import annotations

from html import escape

from intervision.i18n import t
from intervision.methods import Lines, Method
from intervision.models import Language

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
