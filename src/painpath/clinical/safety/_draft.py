"""The pre-save check: the patient's state with and without a drafted prescription.

A finding is the draft's when it is new with the draft, or holds already but the draft makes
it worse (more severe; more MME prescribed, for rules whose data say so; a drug or reason
added to it). Each comes with what changed, e.g. "MME/day prescribed 45 -> 105" or "adds
oxycodone while lorazepam is in force", and saving needs a reason when one is a warning or
worse. Findings the draft does not change are listed apart; findings it ends, too.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from painpath.clinical.medications import Prescription, load_catalogue
from painpath.clinical.safety._alert import Alert, number
from painpath.clinical.safety._config import SEVERITY_RANK, rule_spec
from painpath.clinical.safety._registry import SafetyReport, evaluate_all
from painpath.clinical.safety._state import PatientState, StateError, to_snapshot

__all__ = ["DRAFT_ID", "DraftFinding", "DraftReport", "check_draft"]

DRAFT_ID = "draft"
# A combination finding names the two sides of the pair in these evidence fields.
_PAIRS = (("opioids", "cns_depressants"), ("opioids", "gabapentinoids"))


@dataclass(frozen=True, slots=True)
class DraftFinding:
    """A finding the draft sets off: ``kind`` "new" or "worse", ``change`` in words."""

    alert: Alert
    kind: str
    change: str


@dataclass(frozen=True, slots=True)
class DraftReport:
    """Before and after the draft, on the day it starts (or today)."""

    on: date
    before: SafetyReport
    after: SafetyReport
    new: tuple[DraftFinding, ...]
    unchanged: tuple[Alert, ...]
    cleared: tuple[Alert, ...]

    @property
    def needs_reason(self) -> bool:
        """Saving needs a reason: the draft sets off a warning or worse."""
        return any(SEVERITY_RANK[f.alert.severity] >= SEVERITY_RANK["warning"] for f in self.new)


def _mme(value: Decimal) -> str:
    return f"{number(value):g}"


def _be(items: list[str]) -> str:
    return f"{', '.join(items)} {'is' if len(items) == 1 else 'are'} in force"


def _strings(alert: Alert | None, key: str) -> list[str]:
    value = alert.evidence.get(key, ()) if alert is not None else ()
    return [v for v in value if isinstance(v, str)] if isinstance(value, tuple) else []


def _new_items(after: Alert, before: Alert | None, key: str, drug: str) -> list[str]:
    """Items of an evidence list the draft added: those not there before, or (for a finding
    new with the draft) the drafted drug."""
    if before is None:
        return [x for x in _strings(after, key) if x == drug]
    return [x for x in _strings(after, key) if x not in _strings(before, key)]


def _added(after: Alert, before: Alert | None, drug: str) -> tuple[list[str], str]:
    """What the draft added to the finding, in words, and the other side of a pair."""
    for first, second in _PAIRS:
        if first in after.evidence and second in after.evidence:
            for side, other in ((first, second), (second, first)):
                new = _new_items(after, before, side, drug)
                if new:
                    rest = [x for x in _strings(after, other) if x not in new]
                    return [f"adds {', '.join(new)}" + (f" while {_be(rest)}" if rest else "")], ""
            return [], _be(_strings(after, second))
    parts = []
    for key, value in after.evidence.items():
        if not isinstance(value, tuple):
            continue
        new = (
            [x for x in _strings(after, key) if x not in _strings(before, key)]
            if before is not None or key == "reasons"
            else _new_items(after, before, key, drug)
        )
        if new:
            parts.append(("adds a reason: " if key == "reasons" else "adds ") + ", ".join(new))
    return parts, ""


def _change(
    after: Alert, before: Alert | None, mme_before: Decimal, mme_after: Decimal, drug: str
) -> str | None:
    """What the draft changes in this finding (None: nothing that makes it worse)."""
    spec = rule_spec(after.rule_id)
    parts = []
    if before is not None and SEVERITY_RANK[after.severity] > SEVERITY_RANK[before.severity]:
        parts.append(f"severity {before.severity} -> {after.severity}")
    context = ""
    if "added" in spec.worse_when:
        added, context = _added(after, before, drug)
        parts.extend(added)
    if "prescribed_mme" in spec.worse_when and mme_after > mme_before:
        text = f"MME/day prescribed {_mme(mme_before)} -> {_mme(mme_after)}"
        parts.append(f"{text} while {context}" if context and not parts else text)
    if before is None:
        return "; ".join(parts) or "new with this prescription"
    return "; ".join(parts) or None


def check_draft(state: PatientState, draft: Prescription, *, table: str = "cdc2022") -> DraftReport:
    """Evaluate ``state`` with and without ``draft`` on the later of today and its start.

    ``draft.replaces`` names the line it replaces (a taper step or dose change): that line
    stops being current on the draft's start day.
    """
    snapshot = to_snapshot(state)
    ids = {line.id for line in snapshot.prescriptions}
    draft_id = draft.id or DRAFT_ID
    if draft_id in ids:
        raise StateError("draft.id", f"{draft_id!r} is the id of a stored prescription")
    if draft.replaces and draft.replaces not in ids:
        raise StateError("draft.replaces", f"no prescription with id {draft.replaces!r}")
    medication = load_catalogue().find(draft.drug)
    draft = dataclasses.replace(draft, id=draft_id, drug=medication.id)
    on = max(state.on, draft.start or state.on)
    before = evaluate_all(snapshot, on=on, table=table)
    with_draft = dataclasses.replace(snapshot, prescriptions=(*snapshot.prescriptions, draft))
    after = evaluate_all(with_draft, on=on, table=table)
    previous = {(a.rule_id, a.subject): a for a in before.alerts}
    mme_before = before.prescribed_mme.total_mme_per_day
    mme_after = after.prescribed_mme.total_mme_per_day
    new: list[DraftFinding] = []
    unchanged: list[Alert] = []
    for alert in after.alerts:
        earlier = previous.get((alert.rule_id, alert.subject))
        change = _change(alert, earlier, mme_before, mme_after, medication.name)
        if change is None:
            unchanged.append(alert)
        else:
            new.append(DraftFinding(alert, "new" if earlier is None else "worse", change))
    holding = {(a.rule_id, a.subject) for a in after.alerts}
    return DraftReport(
        on=on,
        before=before,
        after=after,
        new=tuple(new),
        unchanged=tuple(unchanged),
        cleared=tuple(a for a in before.alerts if (a.rule_id, a.subject) not in holding),
    )
