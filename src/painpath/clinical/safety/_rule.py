"""The rule signature and the decorator that registers rule functions by id."""

from __future__ import annotations

from collections.abc import Callable

from painpath.clinical.safety._alert import Alert
from painpath.clinical.safety._config import RuleSpec, rule_spec
from painpath.clinical.safety._context import RuleContext

__all__ = ["RULE_FUNCTIONS", "RuleFunction", "rule"]

RuleFunction = Callable[[RuleContext, RuleSpec], Alert | None]
RULE_FUNCTIONS: dict[str, RuleFunction] = {}


def rule(rule_id: str) -> Callable[[RuleFunction], RuleFunction]:
    """Register ``function`` as the rule ``rule_id`` (which must exist in data/rules.toml)."""

    def register(function: RuleFunction) -> RuleFunction:
        rule_spec(rule_id)  # fails loudly at import if the data file lacks the rule
        if rule_id in RULE_FUNCTIONS:
            raise ValueError(f"rule {rule_id!r} registered twice")
        RULE_FUNCTIONS[rule_id] = function
        return function

    return register
