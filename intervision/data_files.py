"""Reading the product's data files (methods, instruments): TOML checked by a pydantic model.

A file that does not pass is refused with every problem spelled out: the file, the entry (a phase, an
item) by number and id, and the field.
"""

from __future__ import annotations

import tomllib
from typing import TypeVar

from pydantic import BaseModel, ValidationError

MAX_FILE_BYTES = 100_000
ModelT = TypeVar("ModelT", bound=BaseModel)


class DataFileError(Exception):
    """A data file that cannot be used, with every problem spelled out."""

    def __init__(self, source: str, problems: list[str]) -> None:
        super().__init__(f"{source}: " + "; ".join(problems))
        self.source = source
        self.problems = problems


def _where(raw: dict, location: tuple, entries: str, entry: str) -> str:
    """Say where a problem is: the entry (by number and id) and the field."""
    parts: list[str] = []
    index = 0
    while index < len(location):
        part = location[index]
        following = location[index + 1] if index + 1 < len(location) else None
        if part == entries and isinstance(following, int):
            listed = raw.get(entries) if isinstance(raw.get(entries), list) else []
            found = listed[following] if following < len(listed) and isinstance(listed[following], dict) else {}
            parts.append(f"{entry} {following + 1} ({found.get('id', '?')})")
            index += 2
            continue
        parts.append(str(part))
        index += 1
    return " › ".join(parts) if parts else "the file"


def parse_toml(
    text: str, source: str, model: type[ModelT], error: type[DataFileError], entries: str, entry: str
) -> ModelT:
    """`model` from TOML text; `error` (a DataFileError) says what is wrong and where.

    `entries` names the list whose members are numbered in messages ("phases"), `entry` one of them ("phase").
    """
    if len(text.encode()) > MAX_FILE_BYTES:
        raise error(source, [f"the file is larger than {MAX_FILE_BYTES // 1000} kB"])
    try:
        raw = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError) as problem:
        # A hostile file can nest brackets deep enough to exhaust the parser: refuse it like any other.
        raise error(source, [f"not valid TOML: {problem or 'nested too deeply'}"]) from None
    try:
        return model.model_validate(raw)
    except ValidationError as problem:
        found = [f"{_where(raw, tuple(p['loc']), entries, entry)}: {p['msg']}" for p in problem.errors()]
        raise error(source, found) from None
