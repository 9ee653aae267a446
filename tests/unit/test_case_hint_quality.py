"""The case hints measured on labelled sentences: every kind of hint keeps its precision and recall.

tests/data/case_hint_sentences.toml holds sentences as nurses, teachers, social workers and managers write
them in a case, in Dutch, Flemish and English, each with the hints a facilitator expects (none for at
least 40% of them). bench/case_hints_quality.py measures the hints on them and writes the table into
docs/case-hints.md; this test fails when a kind drops below precision 0.9 or recall 0.85.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from intervision.case_checks import KINDS

pytestmark = pytest.mark.date_sensitive  # "long ago" is measured from intervision.clock's today

ROOT = Path(__file__).resolve().parents[2]
MIN_PRECISION = 0.9
MIN_RECALL = 0.85


def _quality_script():
    sys.path.insert(0, str(ROOT / "bench"))
    spec = importlib.util.spec_from_file_location("case_hints_quality", ROOT / "bench" / "case_hints_quality.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while being made
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def quality():
    return _quality_script()


@pytest.fixture(scope="module")
def sentences(quality):
    return quality.load()


def test_the_labelled_set_is_large_and_mostly_quiet_in_both_languages(sentences):
    assert len(sentences) >= 200
    assert sum(not sentence.kinds for sentence in sentences) >= 0.4 * len(sentences)
    for language in ("nl", "nl-BE", "en"):
        assert sum(sentence.language == language for sentence in sentences) >= 40, language
    for kind in KINDS:
        assert sum(kind in sentence.kinds for sentence in sentences) >= 5, kind
    assert {kind for sentence in sentences for kind in sentence.kinds} <= set(KINDS)


def test_every_kind_of_hint_keeps_its_precision_and_recall(quality, sentences):
    scores = quality.measure(sentences)
    below = [
        f"{score.kind}: precision {score.precision:.2f}, recall {score.recall:.2f}"
        for score in scores
        if score.precision < MIN_PRECISION or score.recall < MIN_RECALL
    ]
    assert below == [], "\n".join(
        [
            *below,
            *(f"{s.field}: {s.text} expected {sorted(s.kinds)} got {sorted(h)}" for s, h in quality.misses(sentences)),
        ]
    )


def test_the_measurement_counts_a_wrong_hint_and_a_missed_one(quality):
    """The measure itself: a sentence labelled wrongly shows up as a false alarm and as a miss."""
    labelled = [
        quality.Sentence("Waarom reageer ik zo fel?", "question", "nl", frozenset({"closed_question"})),
        quality.Sentence("Hoe kan ik rustig blijven?", "question", "nl", frozenset()),
    ]
    by_kind = {score.kind: score for score in quality.measure(labelled)}

    assert (by_kind["why_question"].wrong, by_kind["closed_question"].missed) == (1, 1)
    assert by_kind["closed_question"].recall == 0.0
    assert by_kind["why_question"].precision == 0.0
