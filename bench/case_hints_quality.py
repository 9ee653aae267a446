"""How well the case hints do on the labelled sentences: precision and recall per kind of hint.

    .venv/bin/python bench/case_hints_quality.py [--misses]

Reads tests/data/case_hint_sentences.toml (sentences as case bringers write them, each with the hints a
facilitator expects), runs `intervision.case_checks.case_hints` on each in its field, and counts per kind
what was flagged rightly (true positives), flagged wrongly (false positives) and missed. Writes the table,
with the date and commit, into the section "measured" of docs/case-hints.md; --misses also prints every
sentence where the hints and the labels differ. tests/unit/test_case_hint_quality.py holds the floors.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from results import replace_section  # noqa: E402  (bench/results.py, beside this script)

from intervision import clock  # noqa: E402
from intervision.case_checks import KINDS, case_hints  # noqa: E402

SENTENCES = ROOT / "tests" / "data" / "case_hint_sentences.toml"
DOC = ROOT / "docs" / "case-hints.md"
# The labelled set's field names and the intake field each is typed into.
FIELDS = {"question": "learning_question", "situation": "situation", "other": "involved"}


@dataclass(frozen=True)
class Sentence:
    text: str
    field: str
    language: str
    kinds: frozenset[str]


@dataclass(frozen=True)
class Score:
    """One kind of hint on the labelled set."""

    kind: str
    sentences: int  # how many sentences should raise it
    right: int
    wrong: int
    missed: int

    @property
    def precision(self) -> float:
        flagged = self.right + self.wrong
        return self.right / flagged if flagged else 0.0

    @property
    def recall(self) -> float:
        return self.right / self.sentences if self.sentences else 0.0


def load(path: Path = SENTENCES) -> list[Sentence]:
    rows = tomllib.loads(path.read_text(encoding="utf-8"))["sentence"]
    return [Sentence(row["text"], row["field"], row["language"], frozenset(row["kinds"])) for row in rows]


def flagged(sentence: Sentence) -> frozenset[str]:
    """The kinds of hint the checks raise on this sentence, typed into its field."""
    field = FIELDS[sentence.field]
    return frozenset(hint.key for hint in case_hints({field: sentence.text}).get(field, []))


def measure(sentences: list[Sentence]) -> list[Score]:
    found = [(sentence, flagged(sentence)) for sentence in sentences]
    scores = []
    for kind in KINDS:
        scores.append(
            Score(
                kind,
                sentences=sum(kind in sentence.kinds for sentence, _ in found),
                right=sum(kind in sentence.kinds and kind in hints for sentence, hints in found),
                wrong=sum(kind not in sentence.kinds and kind in hints for sentence, hints in found),
                missed=sum(kind in sentence.kinds and kind not in hints for sentence, hints in found),
            )
        )
    return scores


def misses(sentences: list[Sentence]) -> list[tuple[Sentence, frozenset[str]]]:
    return [(sentence, hints) for sentence in sentences if (hints := flagged(sentence)) != sentence.kinds]


def table(sentences: list[Sentence], scores: list[Score]) -> str:
    quiet = sum(not sentence.kinds for sentence in sentences)
    languages = {language: sum(s.language == language for s in sentences) for language in ("nl", "nl-BE", "en")}
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.strip()
    changed = subprocess.run(
        ["git", "status", "--porcelain", "--", "intervision", "data", "tests/data"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    if commit and changed:
        commit += " with uncommitted changes"  # the figures are of the working tree, not of that commit
    lines = [
        f"Measured on {clock.today().isoformat()} at commit {commit or 'unknown'} by `make hint-quality` "
        f"(bench/case_hints_quality.py) on {len(sentences)} labelled sentences "
        f"({languages['nl']} Dutch, {languages['nl-BE']} Flemish, {languages['en']} English; "
        f"{quiet} of them, {quiet / len(sentences):.0%}, must raise nothing).",
        "",
        "| hint | sentences | flagged rightly | flagged wrongly | missed | precision | recall |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for score in scores:
        lines.append(
            f"| `{score.kind}` | {score.sentences} | {score.right} | {score.wrong} | {score.missed} "
            f"| {score.precision:.2f} | {score.recall:.2f} |"
        )
    wrong_on_quiet = sum(1 for sentence, _ in misses(sentences) if not sentence.kinds)
    lines += ["", f"Sentences that must raise nothing but raise a hint: {wrong_on_quiet} of {quiet}."]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="print every sentence the hints get wrong")
    arguments = parser.parse_args()
    sentences = load()
    scores = measure(sentences)
    body = table(sentences, scores)
    print(body)
    if arguments.misses:
        for sentence, hints in misses(sentences):
            print(f"\n[{sentence.field}/{sentence.language}] {sentence.text}")
            print(f"   expected {sorted(sentence.kinds)}, got {sorted(hints)}")
    DOC.write_text(replace_section(DOC.read_text(encoding="utf-8"), "measured", body).rstrip() + "\n")
    print(f"wrote section 'measured' of {DOC}", flush=True)


if __name__ == "__main__":
    main()
