"""Survey instruments as data: one TOML file per instrument in data/instruments/, validated here.

The product ships instruments it wrote itself (and says so); an organisation may load a licensed,
validated instrument in the same format.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Annotated

import tomli_w
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

from intervision.config import PROJECT_ROOT
from intervision.data_files import DataFileError, parse_toml
from intervision.methods import Name, Slug, Text

INSTRUMENTS_DIR = PROJECT_ROOT / "data" / "instruments"
MIN_ANSWERED = 0.8  # a scale score needs at least this share of the scale's items answered


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Option(_Strict):
    value: int = Field(ge=0, le=10)
    label: Name


class Scale(_Strict):
    """A construct the instrument measures, such as self-efficacy."""

    id: Slug
    name: Name
    description: Text


class Item(_Strict):
    id: Slug
    scale: Slug
    text: Text
    reverse: bool = False  # scored as (lowest + highest − answer)
    facet: Slug | None = None  # a part of the scale that is also scored on its own (see Instrument.facets)


class Instrument(_Strict):
    id: Slug
    version: int = Field(ge=1)
    name: Name
    description: Text
    own: bool  # written by this product (True), or a published instrument loaded under its licence
    citations: list[Annotated[str, StringConstraints(min_length=1, max_length=500)]] = Field(max_length=10)
    options: list[Option] = Field(min_length=2, max_length=11)
    scales: list[Scale] = Field(min_length=1, max_length=10)
    # Facets split a scale into the parts its construct has (collective efficacy: what the group can, and
    # what the task asks); each facet is scored from its own items besides the whole scale.
    facets: list[Scale] = Field(default_factory=list, max_length=10)
    items: list[Item] = Field(min_length=1, max_length=60)
    reverse_scored: list[Slug] = Field(default_factory=list)  # item ids, for a reader of the file

    @model_validator(mode="after")
    def _consistent(self) -> Instrument:
        item_ids = [item.id for item in self.items]
        duplicates = sorted({item_id for item_id in item_ids if item_ids.count(item_id) > 1})
        if duplicates:
            raise PydanticCustomError(
                "duplicate_item", "item {item} appears more than once", {"item": ", ".join(duplicates)}
            )
        scale_list = [scale.id for scale in (*self.scales, *self.facets)]
        twice = sorted({scale_id for scale_id in scale_list if scale_list.count(scale_id) > 1})
        if twice:
            raise PydanticCustomError(
                "duplicate_scale", "scale {scale} appears more than once", {"scale": ", ".join(twice)}
            )
        scale_ids = {scale.id for scale in self.scales}
        facet_ids = {facet.id for facet in self.facets}
        for item in self.items:
            if item.scale not in scale_ids:
                raise PydanticCustomError(
                    "unknown_scale", "item {item} names a scale that does not exist", {"item": item.id}
                )
            if item.facet is not None and item.facet not in facet_ids:
                raise PydanticCustomError(
                    "unknown_facet", "item {item} names a facet that does not exist", {"item": item.id}
                )
        for facet in self.facets:
            if not any(item.facet == facet.id for item in self.items):
                raise PydanticCustomError("empty_facet", "facet {facet} has no items", {"facet": facet.id})
        for item_id in self.reverse_scored:
            if item_id not in item_ids:
                raise PydanticCustomError(
                    "unknown_reverse_item", "reverse-scored item {item} does not exist", {"item": item_id}
                )
        marked = {item.id for item in self.items if item.reverse}
        if set(self.reverse_scored) != marked:
            raise PydanticCustomError(
                "reverse_mismatch", "reverse_scored lists other items than those marked reverse = true"
            )
        values = [option.value for option in self.options]
        if values != sorted(set(values)):
            raise PydanticCustomError("options_order", "the answer options must go up, each value once")
        if not self.own and not self.citations:
            raise PydanticCustomError("citation_needed", "a published instrument needs its citation")
        return self

    @property
    def lowest(self) -> int:
        return self.options[0].value

    @property
    def highest(self) -> int:
        return self.options[-1].value

    @property
    def reported_scales(self) -> list[Scale]:
        """What results show: each scale, then each facet."""
        return [*self.scales, *self.facets]

    def items_of(self, scale_id: str) -> list[Item]:
        """The items of a scale or of a facet."""
        return [item for item in self.items if scale_id in (item.scale, item.facet)]

    def definition(self) -> str:
        """The instrument as a wave keeps it: TOML, without the fields left empty (TOML has no null)."""
        return tomli_w.dumps(self.model_dump(mode="json", exclude_none=True))


class InstrumentFileError(DataFileError):
    """An instrument file that cannot be used, with every problem spelled out (file, item, field)."""


def parse_instrument(text: str, source: str) -> Instrument:
    try:
        return _parsed_instrument(text)
    except InstrumentFileError:
        # Parsed again to name the source in the message (a failure is never cached).
        return parse_toml(text, source, Instrument, InstrumentFileError, "items", "item")


# Every wave stores its instrument's text, and a page of waves parsed each one on every rerun (30 parses,
# most of the surveys page's time on the large data set); a handful of distinct texts exist. The model is
# frozen, so one parsed copy may be shared.
@lru_cache(maxsize=64)
def _parsed_instrument(text: str) -> Instrument:
    return parse_toml(text, "instrument", Instrument, InstrumentFileError, "items", "item")


@dataclass(frozen=True)
class Shelf:
    instruments: dict[str, Instrument]
    refused: list[InstrumentFileError]


@cache
def _shelf(directory: Path, signature: tuple[tuple[str, float], ...]) -> Shelf:
    instruments: dict[str, Instrument] = {}
    refused: list[InstrumentFileError] = []
    for file in sorted(directory.glob("*.toml")):
        try:
            instrument = parse_instrument(file.read_text(encoding="utf-8"), file.name)
        except InstrumentFileError as error:
            refused.append(error)
            continue
        instruments[instrument.id] = instrument
    return Shelf(instruments, refused)


def shipped_instruments(directory: Path = INSTRUMENTS_DIR) -> Shelf:
    signature = tuple((file.name, file.stat().st_mtime) for file in sorted(directory.glob("*.toml")))
    return _shelf(directory, signature)


EARLIER_DIR = INSTRUMENTS_DIR / "earlier"  # earlier versions of the shipped instruments, as they were shipped


def earlier_version(instrument_id: str, version: int, directory: Path = EARLIER_DIR) -> Instrument:
    """A shipped instrument as an earlier version of the product shipped it (its waves keep their own copy;
    this one is for the demo and for tests that need answers to the old items)."""
    file = directory / f"{instrument_id}.v{version}.toml"
    instrument = parse_instrument(file.read_text(encoding="utf-8"), file.name)
    if (instrument.id, instrument.version) != (instrument_id, version):
        raise InstrumentFileError(file.name, [f"holds {instrument.id} version {instrument.version}"])
    return instrument
