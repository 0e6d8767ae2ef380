"""Loads the pgx data files beside this package (cached, read-only)."""

from __future__ import annotations

import json
import tomllib
from functools import cache
from importlib import resources
from typing import Any

__all__ = [
    "allele_definitions",
    "allele_functions",
    "cyp2c19_function_pairs",
    "grch38_facts",
    "phenotype_rules",
    "recommendations",
]


def _read(name: str) -> str:
    return (
        resources.files("painpath.clinical.pgx").joinpath("data").joinpath(name).read_text("utf-8")
    )


@cache
def allele_functions() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(_read("allele_functions.json"))
    return data


@cache
def cyp2c19_function_pairs() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(_read("cyp2c19_function_pairs.json"))
    return data


@cache
def allele_definitions() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(_read("allele_definitions.json"))
    return data


@cache
def phenotype_rules() -> dict[str, Any]:
    return tomllib.loads(_read("phenotype_rules.toml"))


@cache
def recommendations() -> dict[str, Any]:
    return tomllib.loads(_read("recommendations.toml"))


@cache
def grch38_facts() -> dict[str, Any]:
    return tomllib.loads(_read("grch38.toml"))
