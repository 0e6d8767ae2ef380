"""Catalogue entries: one medicine at RxNorm ingredient level, with its classes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["DrugClass", "Medication", "Release", "Source"]

DrugClass = Literal[
    "opioid",
    "opioid_partial_agonist",
    "opioid_antagonist",
    "oud_medication",
    "overdose_reversal",
    "acetaminophen",
    "nsaid",
    "gabapentinoid",
    "snri",
    "tricyclic",
    "muscle_relaxant",
    "benzodiazepine",
    "sedative_hypnotic",
    "topical",
]
Release = Literal["ir", "er_la"]


@dataclass(frozen=True, slots=True)
class Source:
    """A document a catalogue fact was checked against."""

    key: str
    citation: str
    url: str


@dataclass(frozen=True, slots=True)
class Medication:
    """One catalogued medicine (ingredient level)."""

    id: str
    name: str
    rxcui: str
    rxcui_source: Source
    classes: frozenset[DrugClass]
    releases: frozenset[Release] = frozenset()
    aliases: tuple[str, ...] = ()
    cns_depressant: bool = False
    note: str = ""
    rxcui_check: str = ""

    def has_class(self, drug_class: DrugClass) -> bool:
        """Whether the medicine belongs to ``drug_class``."""
        return drug_class in self.classes

    @property
    def is_opioid_analgesic(self) -> bool:
        """A full-agonist opioid analgesic (the drugs MME tables convert)."""
        return "opioid" in self.classes

    @property
    def is_benzodiazepine(self) -> bool:
        """A benzodiazepine."""
        return "benzodiazepine" in self.classes

    @property
    def is_opioid(self) -> bool:
        """Any opioid agonist: a full-agonist analgesic or the partial agonist buprenorphine
        (the combination and naloxone rules read this; MME tables convert only the former)."""
        return "opioid" in self.classes or "opioid_partial_agonist" in self.classes
