"""Typed, immutable instrument definitions and score results (plain data, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "Band",
    "ChangeThreshold",
    "Flag",
    "Instrument",
    "Item",
    "Option",
    "ScoreResult",
    "ScoringRule",
    "Source",
    "Subscale",
]

Number = int | float
ScoringMethod = Literal["sum", "mean", "percent_of_max", "lookup_sum"]


@dataclass(frozen=True, slots=True)
class Option:
    """One answer option: the value a respondent gives, its label and scored points."""

    value: int
    label: str
    points: int
    loinc: str | None = None


@dataclass(frozen=True, slots=True)
class Item:
    """One scored item; ``text`` is None where the wording is licensed and not shipped."""

    id: str
    label: str
    options: tuple[Option, ...]
    text: str | None = None
    loinc: str | None = None
    section: str | None = None
    weights: tuple[tuple[str, int], ...] = ()

    @property
    def values(self) -> tuple[int, ...]:
        """The allowed answer values, in published order."""
        return tuple(option.value for option in self.options)

    def option(self, value: int) -> Option:
        """The option with this value (the caller has validated it exists)."""
        return next(option for option in self.options if option.value == value)

    def weight_for(self, sex: str) -> int:
        """The sex-specific weight of this item (1 when the item has no weights)."""
        return dict(self.weights).get(sex, 1) if self.weights else 1


@dataclass(frozen=True, slots=True)
class ScoringRule:
    """How the primary score is computed and when the form can be scored at all."""

    method: ScoringMethod
    items: tuple[str, ...]
    min_answered: int
    missing_rule: str
    decimals: int = 2
    lookup: tuple[tuple[int, float], ...] = ()


@dataclass(frozen=True, slots=True)
class Subscale:
    """A named part-score reported alongside the primary score."""

    name: str
    method: ScoringMethod
    items: tuple[str, ...]
    min_answered: int
    loinc: str | None = None


@dataclass(frozen=True, slots=True)
class Band:
    """A published score range and its label: ``min <= x <= max`` and ``x < below``.

    ``on`` is ``"score"`` or the name of a subscale. Bands are tried in file order and
    the first match wins; a score that falls between published ranges gets no band.
    """

    label: str
    on: str = "score"
    min: float | None = None
    max: float | None = None
    below: float | None = None

    def contains(self, value: float) -> bool:
        """Whether ``value`` lies in this band's range."""
        if self.min is not None and value < self.min:
            return False
        if self.max is not None and value > self.max:
            return False
        return not (self.below is not None and value >= self.below)


@dataclass(frozen=True, slots=True)
class Flag:
    """A flag raised by an item answer (``item_above``) or the total (``score_at_least``).

    ``crisis`` marks a flag that signals a risk of self-harm: the patient is shown crisis
    resources at once and the care team is alerted."""

    label: str
    kind: Literal["item_above", "score_at_least"]
    threshold: float
    item: str | None = None
    crisis: bool = False


@dataclass(frozen=True, slots=True)
class ChangeThreshold:
    """A published threshold for judging change from baseline on this instrument.

    ``applies_to`` is ``"score"`` or the name of a subscale; with ``band_change`` the change
    also counts only when the score moved to a different band (e.g. PSEQ, per ePPOC).
    """

    kind: Literal["absolute", "percent"]
    value: float
    direction: Literal["decrease", "increase"]
    meaning: str
    source: str
    applies_to: str = "score"
    band_change: bool = False


@dataclass(frozen=True, slots=True)
class Source:
    """A document a definition rests on, and which facts it supports."""

    citation: str
    supports: str
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Instrument:
    """A validated instrument: items, options, scoring, bands, flags and provenance."""

    id: str
    name: str
    version: str
    licence: str
    full_text_shipped: bool
    recall_period: str | None
    items: tuple[Item, ...]
    scoring: ScoringRule
    sources: tuple[Source, ...]
    subscales: tuple[Subscale, ...] = ()
    bands: tuple[Band, ...] = ()
    flags: tuple[Flag, ...] = ()
    change_thresholds: tuple[ChangeThreshold, ...] = ()
    loinc_panel: str | None = None
    loinc_score: str | None = None
    instructions: str | None = None
    notes: tuple[str, ...] = ()
    licensed_text_loaded: bool = False

    @property
    def source(self) -> str:
        """The primary citation (the first source)."""
        return self.sources[0].citation

    @property
    def requires_sex(self) -> bool:
        """Whether any item's weight depends on the respondent's sex (e.g. ORT)."""
        return any(item.weights for item in self.items)

    @property
    def item_ids(self) -> tuple[str, ...]:
        """Item ids in published (answer) order."""
        return tuple(item.id for item in self.items)

    def item(self, item_id: str) -> Item:
        """The item with this id."""
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)


@dataclass(frozen=True, slots=True)
class ScoreResult:
    """The outcome of scoring one completed form, in the shape the API and CLI print."""

    instrument: str
    score: Number | None
    band: str | None
    valid: bool
    subscales: dict[str, Number] = field(default_factory=dict)
    flags: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        """The documented JSON shape: instrument, score, band, subscales, flags, valid, missing."""
        return {
            "instrument": self.instrument,
            "score": self.score,
            "band": self.band,
            "subscales": dict(self.subscales),
            "flags": list(self.flags),
            "valid": self.valid,
            "missing": list(self.missing),
        }
