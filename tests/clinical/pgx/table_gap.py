"""A gap in a checked CPIC table, for one test: the path a phenotype no checked row covers takes."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from functools import cache
from typing import Any

import pytest

from painpath.clinical.pgx._data import recommendations

Rule = dict[str, Any]


def drop_cpic_row(
    monkeypatch: pytest.MonkeyPatch, table_key: str, is_row: Callable[[Rule], bool]
) -> Rule:
    """Removes the one row ``is_row`` picks from the loaded table; undone after the test."""
    module = importlib.import_module("painpath.clinical.pgx.recommend")  # not the function
    table = recommendations()["tables"][table_key]
    (row,) = [r for r in table["rules"] if is_row(r)]
    monkeypatch.setitem(table, "rules", [r for r in table["rules"] if r is not row])
    # rules parsed afresh from the altered table; the real cache never sees it
    monkeypatch.setattr(module, "_rules", cache(module._rules.__wrapped__))
    return row
