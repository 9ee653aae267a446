"""bench/RESULTS.md holds one section per benchmark script, so each script can rerun on its own.

A section sits between `<!-- section: NAME -->` and `<!-- end: NAME -->`. A script rewrites only its own
section and leaves every other line of the file as it was; a section not yet in the file is added at
the end.
"""

from __future__ import annotations

import re
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def _markers(name: str) -> tuple[str, str]:
    return f"<!-- section: {name} -->", f"<!-- end: {name} -->"


def replace_section(document: str, name: str, body: str) -> str:
    """The document with section `name` holding `body` (replaced in place, or appended)."""
    start, end = _markers(name)
    block = f"{start}\n{body.strip()}\n{end}"
    existing = re.compile(re.escape(start) + r".*?" + re.escape(end), re.DOTALL)
    if existing.search(document):
        return existing.sub(lambda _: block, document, count=1)
    return f"{document.rstrip()}\n\n{block}\n" if document.strip() else f"{block}\n"


def write_section(name: str, body: str, path: Path = RESULTS) -> None:
    """Write one script's results into its own section of bench/RESULTS.md."""
    document = path.read_text() if path.exists() else ""
    path.write_text(replace_section(document, name, body).rstrip() + "\n")
    print(f"wrote section '{name}' of {path}", flush=True)
