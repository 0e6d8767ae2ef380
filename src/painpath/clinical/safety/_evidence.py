"""Evidence in words: the label of each evidence key and its value made readable.

Labels and formats are data (``data/evidence_labels.toml``); a finding's evidence, as a rule
emits it or as stored with an alert (JSON), becomes (label, text) rows for a clinician.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict

from painpath.clinical.mme import UnknownTableError, load_table

__all__ = ["evidence_label", "evidence_labels", "evidence_rows", "evidence_text", "parameter_label"]

NONE_RECORDED = "none recorded"
NONE = "none"


class _LabelsFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    evidence: dict[str, str]
    formats: dict[str, Literal["percent", "mme_table"]]
    parameters: dict[str, str]


@cache
def _labels() -> _LabelsFile:
    text = (
        resources.files("painpath.clinical.safety")
        .joinpath("data/evidence_labels.toml")
        .read_text("utf-8")
    )
    data = _LabelsFile.model_validate(tomllib.loads(text))
    unlabelled = sorted(set(data.formats) - set(data.evidence))
    if unlabelled:
        raise ValueError(f"evidence_labels.toml: formats for keys without a label: {unlabelled}")
    return data


def evidence_labels() -> dict[str, str]:
    """Every evidence key with its label."""
    return dict(_labels().evidence)


def evidence_label(key: str) -> str:
    """The words for an evidence key; a key without a label (a stored alert from an older
    rule) is spelt out from the key rather than hidden."""
    return _labels().evidence.get(key) or key.replace("_", " ").capitalize()


def parameter_label(name: str) -> str:
    """The words for a rule's threshold parameter (e.g. ``lookback_days``)."""
    return _labels().parameters.get(name) or name.replace("_", " ")


def _number(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _table_title(name: str) -> str:
    try:
        return load_table(name).title
    except UnknownTableError:
        return name


def evidence_text(key: str, value: object) -> str:
    """One evidence value in words: lists joined, yes/no, shares as percentages, nested
    mappings as "Label: value" (a key without a label, e.g. a gene name, is shown as it is)."""
    if isinstance(value, Mapping):
        return "; ".join(_pair(str(k), v) for k, v in value.items()) or NONE
    if isinstance(value, list | tuple):
        return "; ".join(evidence_text(key, v) for v in value) or NONE
    return _scalar(_labels().formats.get(key), value)


def _scalar(kind: str | None, value: object) -> str:
    if value is None:
        return NONE_RECORDED
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return f"{_number(100 * value)}%" if kind == "percent" else _number(value)
    if kind == "mme_table" and isinstance(value, str):
        return _table_title(value)
    return str(value)


def _pair(key: str, value: object) -> str:
    label = _labels().evidence.get(key, key)
    if isinstance(value, Mapping):
        inner = ", ".join(_pair(str(k), v) for k, v in value.items())
        return f"{label} ({inner})"
    return f"{label}: {evidence_text(key, value)}"


def evidence_rows(evidence: Mapping[str, object]) -> list[tuple[str, str]]:
    """(label, value text) for each evidence entry, in the rule's order."""
    return [(evidence_label(key), evidence_text(key, value)) for key, value in evidence.items()]
