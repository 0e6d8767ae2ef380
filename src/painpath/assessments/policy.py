"""The questionnaire policy (defaults, grace, expiry, urgent flags): painpath's defaults from
data/policy.toml, overridden per clinic by a ClinicQuestionnairePolicy row where one exists."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from painpath.assessments.models import ClinicQuestionnairePolicy

__all__ = ["Policy", "policies_for", "policy", "policy_for"]

DATA = Path(__file__).with_name("data") / "policy.toml"


@dataclass(frozen=True)
class Policy:
    version: str
    source: str
    grace_days: int
    reminder_expiry_days: int
    defaults: tuple[tuple[str, int | None], ...]  # (instrument, every_days; None = at intake)
    urgent_labels: frozenset[str]


@cache
def policy() -> Policy:
    """painpath's default policy (the data file); urgent flag labels are always these."""
    raw = tomllib.loads(DATA.read_text(encoding="utf-8"))
    return Policy(
        version=raw["policy"]["version"],
        source=raw["policy"]["source"],
        grace_days=int(raw["policy"]["grace_days"]),
        reminder_expiry_days=int(raw["policy"]["reminder_expiry_days"]),
        defaults=tuple((d["instrument"], int(d["every_days"]) or None) for d in raw["defaults"]),
        urgent_labels=frozenset(raw["urgent"]["labels"]),
    )


def policies_for(clinic_ids: Iterable[int | None]) -> dict[int | None, Policy]:
    """The effective policy of each clinic, in two queries whatever the number of clinics.
    A clinic's version and source say that its own policy (set in Django admin) is in force."""
    base = policy()
    wanted = set(clinic_ids)
    found: dict[int | None, Policy] = dict.fromkeys(wanted, base)
    rows = ClinicQuestionnairePolicy.objects.filter(
        clinic_id__in=[c for c in wanted if c is not None]
    ).prefetch_related("defaults")
    for row in rows:
        own = tuple((d.instrument, d.every_days) for d in row.defaults.all())
        found[row.clinic_id] = replace(
            base,
            version=f"{base.version} + the clinic's policy of {row.updated_at:%Y-%m-%d}",
            source=f"{base.source}; overridden by the clinic's own policy (Django admin)",
            grace_days=base.grace_days if row.grace_days is None else row.grace_days,
            reminder_expiry_days=(
                base.reminder_expiry_days
                if row.reminder_expiry_days is None
                else row.reminder_expiry_days
            ),
            defaults=own if row.own_defaults else base.defaults,
        )
    return found


def policy_for(clinic_id: int | None) -> Policy:
    """The effective policy of one clinic (painpath's defaults where it sets none)."""
    return policies_for([clinic_id])[clinic_id]
