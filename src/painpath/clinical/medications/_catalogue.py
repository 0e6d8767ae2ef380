"""Loads ``data/catalogue.toml`` and looks medicines up by id, name or alias."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator, Mapping
from functools import cache
from importlib import resources

from pydantic import BaseModel, ConfigDict

from painpath.clinical.medications._errors import UnknownMedicationError
from painpath.clinical.medications._model import DrugClass, Medication, Release, Source

__all__ = ["Catalogue", "get_medication", "load_catalogue"]


class _SourceRow(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    citation: str
    url: str


class _MedicationRow(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    name: str
    rxcui: str
    rxcui_source: str
    classes: list[DrugClass]
    releases: list[Release] = []
    aliases: list[str] = []
    cns_depressant: bool = False
    note: str = ""
    rxcui_check: str = ""


class _CatalogueFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    version: str
    sources: dict[str, _SourceRow]
    medication: list[_MedicationRow]


class Catalogue(Mapping[str, Medication]):
    """The medicines by id; :meth:`find` also accepts names and aliases, any case."""

    def __init__(self, *, version: str, medications: tuple[Medication, ...]) -> None:
        self.version = version
        self._by_id = {m.id: m for m in medications}
        self._by_name: dict[str, Medication] = {}
        for medication in medications:
            for key in (medication.id, medication.name, *medication.aliases):
                self._by_name[key.casefold()] = medication

    def __getitem__(self, key: str) -> Medication:
        return self._by_id[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_id)

    def __len__(self) -> int:
        return len(self._by_id)

    def find(self, name: str) -> Medication:
        """The medicine called ``name`` (id, name or alias, case-insensitive)."""
        try:
            return self._by_name[name.strip().casefold()]
        except KeyError:
            raise UnknownMedicationError(
                f"unknown drug {name!r}: not in the painpath medication catalogue"
            ) from None


def _parse(text: str) -> Catalogue:
    data = _CatalogueFile.model_validate(tomllib.loads(text))
    sources = {
        key: Source(key=key, citation=row.citation, url=row.url)
        for key, row in data.sources.items()
    }
    medications = []
    for row in data.medication:
        if row.rxcui_source not in sources:
            raise ValueError(f"medication {row.id!r}: unknown rxcui_source {row.rxcui_source!r}")
        if row.releases and "opioid" not in row.classes:
            raise ValueError(f"medication {row.id!r}: releases are for opioids only")
        medications.append(
            Medication(
                id=row.id,
                name=row.name,
                rxcui=row.rxcui,
                rxcui_source=sources[row.rxcui_source],
                classes=frozenset(row.classes),
                releases=frozenset(row.releases),
                aliases=tuple(row.aliases),
                cns_depressant=row.cns_depressant,
                note=row.note,
                rxcui_check=row.rxcui_check,
            )
        )
    return Catalogue(version=data.version, medications=tuple(medications))


@cache
def load_catalogue() -> Catalogue:
    """The packaged catalogue (parsed once)."""
    text = (
        resources.files("painpath.clinical.medications")
        .joinpath("data/catalogue.toml")
        .read_text(encoding="utf-8")
    )
    return _parse(text)


def get_medication(name: str) -> Medication:
    """Shortcut for ``load_catalogue().find(name)``."""
    return load_catalogue().find(name)
