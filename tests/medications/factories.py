"""Factories and helpers for medication and alert tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import factory
import pytest

from painpath.alerts import inputs
from painpath.medications.models import DoseReport, MonitoringEvent, Prescription

TODAY = dt.date(2026, 3, 10)


class PrescriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Prescription

    drug = "oxycodone"
    dose = Decimal("10")
    unit = "mg"
    times_per_day = Decimal("2")
    release = "ir"
    start = TODAY - dt.timedelta(days=60)
    indication = "chronic"
    synthetic = True


class DoseReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DoseReport

    patient = factory.SelfAttribute("prescription.patient")
    day = TODAY
    slot = 1
    taken = True
    synthetic = True


class MonitoringEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MonitoringEvent

    kind = "urine_drug_test"
    on = TODAY - dt.timedelta(days=10)
    synthetic = True


class StubInputs:
    """Controls what the adapter returns (the other capabilities' data)."""

    def __init__(self) -> None:
        self.pain: dict[int, dict[dt.date, float]] = {}
        self.function: dict[int, dict[dt.date, float]] = {}
        self.checkin: dict[int, dt.date | None] = {}
        self.phq9: dict[int, tuple[dt.date, int] | None] = {}
        self.flags: dict[int, list[str]] = {}
        self.pgx: dict[tuple[int, str], list[inputs.PgxFindingView]] = {}
        self.genotypes: dict[int, list[dict[str, Any]]] = {}
        self.default_checkin: dt.date | None = TODAY
        self.calls: list[tuple[str, Any]] = []

    def install(self, monkeypatch: pytest.MonkeyPatch) -> StubInputs:
        monkeypatch.setattr(
            inputs,
            "daily_pain",
            lambda pid, start, end: {
                d: s for d, s in self.pain.get(pid, {}).items() if start <= d <= end
            },
        )
        monkeypatch.setattr(inputs, "daily_pain_and_function", self._pain_and_function)
        monkeypatch.setattr(
            inputs, "last_checkin_date", lambda pid: self.checkin.get(pid, self.default_checkin)
        )
        monkeypatch.setattr(inputs, "latest_phq9_item9", self.phq9.get)
        monkeypatch.setattr(inputs, "open_urgent_flags", self._flags)
        monkeypatch.setattr(inputs, "pgx_findings", self._pgx)
        monkeypatch.setattr(inputs, "pgx_results", lambda pid: self.genotypes.get(pid, []))
        return self

    def _pain_and_function(
        self, pid: int, start: dt.date, end: dt.date
    ) -> dict[dt.date, tuple[float | None, float | None]]:
        self.calls.append(("diary", pid))
        pain, function = self.pain.get(pid, {}), self.function.get(pid, {})
        return {d: (pain.get(d), function.get(d)) for d in {*pain, *function} if start <= d <= end}

    def _pgx(self, pid: int, drug: str) -> list[inputs.PgxFindingView]:
        return self.pgx.get((pid, drug), [])

    def _flags(self, ids: list[int]) -> dict[int, list[str]]:
        self.calls.append(("flags", list(ids)))
        return {i: f for i, f in self.flags.items() if i in ids}


def genotype(gene: str, diplotype: str, **extra: Any) -> dict[str, Any]:
    """A stored genotype row as ``inputs.pgx_results`` gives it (phenotype from CPIC)."""
    from painpath.clinical import pgx

    result = pgx.phenotype(gene, diplotype)
    return {
        "gene": result.gene,
        "diplotype": result.diplotype,
        "phenotype": result.phenotype,
        "activity_score": result.activity_score,
        "uncertain": False,
        "alternatives": [],
        **extra,
    }


def finding(drug: str, *, actionable: bool = True) -> inputs.PgxFindingView:
    return inputs.PgxFindingView(
        drug=drug,
        genes={"CYP2D6": {"diplotype": "*4/*4", "phenotype": "Poor Metabolizer"}},
        strength="Strong",
        action="avoid",
        recommendation=f"Avoid {drug}; use a non-tramadol, non-codeine opioid.",
        source="CPIC test fixture",
        actionable=actionable,
    )
