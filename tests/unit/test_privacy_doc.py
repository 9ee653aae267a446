"""docs/privacy.md names the test behind each rule: every test it names exists, so the promise cannot drift
silently from the suite that keeps it."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRIVACY_DOC = ROOT / "docs" / "privacy.md"
# `tests/unit/test_x.py::test_y` or `…::test_y[case]`, as the doc cites them.
CITED_TEST = re.compile(r"`(tests/[\w/]+\.py)::(\w+)(\[[^\]`]*\])?`")


def _cited() -> list[tuple[str, str]]:
    return [(file, name) for file, name, _ in CITED_TEST.findall(PRIVACY_DOC.read_text(encoding="utf-8"))]


def test_the_privacy_doc_names_tests_for_its_rules():
    assert len(_cited()) > 100


def test_every_test_the_privacy_doc_names_exists():
    missing = []
    for file, name in _cited():
        source = ROOT / file
        if not source.exists() or not re.search(rf"^\s*def {name}\(", source.read_text(encoding="utf-8"), re.M):
            missing.append(f"{file}::{name}")
    assert missing == []


def test_the_privacy_doc_has_no_rule_waiting_for_its_test():
    assert "TEST:" not in PRIVACY_DOC.read_text(encoding="utf-8")
