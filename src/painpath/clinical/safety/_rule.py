"""The rule signature and the decorator that registers rule functions by id."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from painpath.clinical.safety._alert import Alert
from painpath.clinical.safety._config import RuleSpec, rule_spec
from painpath.clinical.safety._context import RuleContext
from painpath.clinical.safety._snapshot import INPUTS, Input

__all__ = ["RULE_FUNCTIONS", "RULE_NEEDS", "RuleFunction", "rule"]

RuleFunction = Callable[[RuleContext, RuleSpec], Alert | Sequence[Alert] | None]
RULE_FUNCTIONS: dict[str, RuleFunction] = {}
# Which inputs each rule reads (code wiring, not clinical fact): a missing one means the rule
# is reported "not evaluated".
RULE_NEEDS: dict[str, tuple[Input, ...]] = {}


def rule(rule_id: str, *, needs: tuple[Input, ...] = ()) -> Callable[[RuleFunction], RuleFunction]:
    """Register ``function`` as the rule ``rule_id`` (which must exist in data/rules.toml)."""
    unknown = set(needs) - set(INPUTS)
    if unknown:
        raise ValueError(f"rule {rule_id!r}: unknown input(s) {sorted(unknown)}")

    def register(function: RuleFunction) -> RuleFunction:
        rule_spec(rule_id)  # fails loudly at import if the data file lacks the rule
        if rule_id in RULE_FUNCTIONS:
            raise ValueError(f"rule {rule_id!r} registered twice")
        RULE_FUNCTIONS[rule_id] = function
        RULE_NEEDS[rule_id] = needs
        return function

    return register
