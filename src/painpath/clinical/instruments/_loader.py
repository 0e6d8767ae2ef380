"""Parse one instrument data file (TOML) into an :class:`Instrument`, checking its shape."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast

from ._errors import DefinitionError
from ._model import (
    Band,
    ChangeThreshold,
    Flag,
    Instrument,
    Item,
    Option,
    ScoringMethod,
    ScoringRule,
    Source,
    Subscale,
)

__all__ = ["load_definition"]

_METHODS = ("sum", "mean", "percent_of_max", "lookup_sum")


def load_definition(path: Path) -> Instrument:
    """Read and validate one data file; errors name the file and the field."""
    with path.open("rb") as handle:
        raw = tomllib.load(handle)
    try:
        return _build(raw)
    except (KeyError, TypeError, ValueError) as exc:
        raise DefinitionError(f"{path.name}: {exc}") from exc


def _build(raw: Mapping[str, Any]) -> Instrument:
    option_sets = {
        name: tuple(_option(entry) for entry in spec["options"])
        for name, spec in raw.get("option_sets", {}).items()
    }
    items = tuple(_item(entry, option_sets) for entry in raw["items"])
    ids = [item.id for item in items]
    if len(set(ids)) != len(ids):
        raise ValueError("duplicate item ids")
    scoring = _scoring(raw["scoring"], ids)
    subscales = tuple(_subscale(entry, ids) for entry in raw.get("subscales", []))
    names = {"score", *(subscale.name for subscale in subscales)}
    bands = tuple(_band(entry, names) for entry in raw.get("bands", []))
    flags = tuple(_flag(entry, ids) for entry in raw.get("flags", []))
    banded = {band.on for band in bands}
    changes = tuple(_change(entry, names, banded) for entry in raw.get("change_thresholds", []))
    return Instrument(
        id=str(raw["id"]),
        name=str(raw["name"]),
        version=str(raw["version"]),
        licence=str(raw["licence"]),
        full_text_shipped=bool(raw["full_text"]),
        recall_period=raw.get("recall_period"),
        items=items,
        scoring=scoring,
        sources=tuple(_source(entry) for entry in raw["sources"]),
        subscales=subscales,
        bands=bands,
        flags=flags,
        change_thresholds=changes,
        loinc_panel=raw.get("loinc_panel"),
        loinc_score=raw.get("loinc_score"),
        instructions=raw.get("instructions"),
        notes=tuple(str(note) for note in raw.get("notes", [])),
    )


def _option(entry: Mapping[str, Any]) -> Option:
    value = int(entry["value"])
    return Option(
        value=value,
        label=str(entry["label"]),
        points=int(entry.get("points", value)),
        loinc=entry.get("loinc"),
    )


def _item(entry: Mapping[str, Any], option_sets: Mapping[str, tuple[Option, ...]]) -> Item:
    options = entry["options"]
    if isinstance(options, str):
        resolved = option_sets[options]
    else:
        resolved = tuple(_option(option) for option in options)
    weights = tuple(sorted((str(k), int(v)) for k, v in entry.get("weights", {}).items()))
    return Item(
        id=str(entry["id"]),
        label=str(entry["label"]),
        options=resolved,
        text=entry.get("text"),
        loinc=entry.get("loinc"),
        section=entry.get("section"),
        weights=weights,
    )


def _method(value: Any) -> ScoringMethod:
    if value not in _METHODS:
        raise ValueError(f"unknown scoring method {value!r}")
    return cast(ScoringMethod, value)


def _min_answered(method: ScoringMethod, items: tuple[str, ...], value: Any, where: str) -> int:
    minimum = int(value) if value is not None else len(items)
    if method in ("sum", "lookup_sum") and minimum != len(items):
        raise ValueError(f"{where}: a {method} over missing items would under-count")
    if not 1 <= minimum <= len(items):
        raise ValueError(f"{where}: min_answered must be between 1 and {len(items)}")
    return minimum


def _known_items(items: list[str] | None, ids: list[str], where: str) -> tuple[str, ...]:
    chosen = tuple(items) if items is not None else tuple(ids)
    unknown = [item for item in chosen if item not in ids]
    if unknown:
        raise ValueError(f"{where} names unknown items {unknown}")
    return chosen


def _scoring(entry: Mapping[str, Any], ids: list[str]) -> ScoringRule:
    items = _known_items(entry.get("items"), ids, "scoring")
    lookup = tuple(
        sorted((int(raw_score), float(t)) for raw_score, t in entry.get("lookup", {}).items())
    )
    method = _method(entry["method"])
    if method == "lookup_sum" and not lookup:
        raise ValueError("lookup_sum scoring needs a lookup table")
    return ScoringRule(
        method=method,
        items=items,
        min_answered=_min_answered(method, items, entry.get("min_answered"), "scoring"),
        missing_rule=str(entry["missing_rule"]),
        decimals=int(entry.get("decimals", 2)),
        lookup=lookup,
    )


def _subscale(entry: Mapping[str, Any], ids: list[str]) -> Subscale:
    where = f"subscale {entry['name']}"
    items = _known_items(entry["items"], ids, where)
    method = _method(entry["method"])
    return Subscale(
        name=str(entry["name"]),
        method=method,
        items=items,
        min_answered=_min_answered(method, items, entry.get("min_answered"), where),
        loinc=entry.get("loinc"),
    )


def _band(entry: Mapping[str, Any], names: set[str]) -> Band:
    on = str(entry.get("on", "score"))
    if on not in names:
        raise ValueError(f"band {entry['label']!r} is on unknown score {on!r}")
    return Band(
        label=str(entry["label"]),
        on=on,
        min=entry.get("min"),
        max=entry.get("max"),
        below=entry.get("below"),
    )


def _flag(entry: Mapping[str, Any], ids: list[str]) -> Flag:
    kind = entry["kind"]
    if kind not in ("item_above", "score_at_least"):
        raise ValueError(f"unknown flag kind {kind!r}")
    item = entry.get("item")
    if kind == "item_above" and item not in ids:
        raise ValueError(f"flag {entry['label']!r} names unknown item {item!r}")
    crisis = entry.get("crisis", False)
    if not isinstance(crisis, bool):
        raise ValueError(f"flag {entry['label']!r}: 'crisis' must be true or false")
    return Flag(
        label=str(entry["label"]),
        kind=kind,
        threshold=entry["threshold"],
        item=item,
        crisis=crisis,
    )


def _change(entry: Mapping[str, Any], names: set[str], banded: set[str]) -> ChangeThreshold:
    if entry["kind"] not in ("absolute", "percent"):
        raise ValueError(f"unknown change threshold kind {entry['kind']!r}")
    if entry["direction"] not in ("decrease", "increase"):
        raise ValueError(f"unknown change direction {entry['direction']!r}")
    applies_to = str(entry.get("applies_to", "score"))
    if applies_to not in names:
        raise ValueError(f"change threshold applies to unknown score {applies_to!r}")
    band_change = entry.get("band_change", False)
    if not isinstance(band_change, bool):
        raise ValueError("change threshold band_change must be true or false")
    if band_change and "score" not in banded:
        # The band of a result is the primary score's band (see ScoreResult.band).
        raise ValueError("band_change needs bands on the primary score")
    return ChangeThreshold(
        kind=entry["kind"],
        value=float(entry["value"]),
        direction=entry["direction"],
        meaning=str(entry["meaning"]),
        source=str(entry["source"]),
        applies_to=applies_to,
        band_change=band_change,
    )


def _source(entry: Mapping[str, Any]) -> Source:
    return Source(
        citation=str(entry["citation"]), supports=str(entry["supports"]), url=entry.get("url")
    )
