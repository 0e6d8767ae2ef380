"""The patient-state document: one patient's whole state as plain data, and its evaluation.

``parse_state`` validates a JSON document (bounded in size and depth; unknown fields refused),
``evaluate_state`` runs every rule on it and ``report_json`` gives the findings as JSON. The
web pages, the API and ``painpath safety evaluate`` all evaluate through ``evaluate_state``;
the Django shell only reads the database into a :class:`PatientState`.

A list given as ``null`` (or left out) means its data source is not available: the rules
that read it are reported "not evaluated". An empty list means there is nothing to report.
"""

from __future__ import annotations

import json
import math
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from painpath.clinical import pgx
from painpath.clinical.medications import MedicationError, Prescription
from painpath.clinical.safety._alert import Alert, NotApplied, NotEvaluated
from painpath.clinical.safety._errors import SafetyError
from painpath.clinical.safety._registry import SafetyReport, evaluate_all
from painpath.clinical.safety._snapshot import (
    Condition,
    Genotype,
    Input,
    PainScore,
    PatientSnapshot,
    ReportedDose,
)

__all__ = [
    "MAX_STATE_BYTES",
    "PatientState",
    "StateCheckin",
    "StateDose",
    "StateError",
    "StateGenotype",
    "StateMonitoringEvent",
    "StatePrescription",
    "StateQuestionnaire",
    "StateReport",
    "evaluate_state",
    "finding_json",
    "parse_state",
    "report_json",
    "to_prescription",
    "to_snapshot",
]

MAX_STATE_BYTES = 5_000_000
PHQ9_ITEM9 = ("phq9", "phq9_9")  # instrument id and item id, as in the instrument data files

Text = Annotated[str, Field(min_length=1, max_length=64)]
Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]


class StateError(SafetyError):
    """A document field breaks a rule: ``field`` is its path, e.g. ``prescriptions[1].dose``."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"field {field!r}: {reason}")
        self.field = field
        self.reason = reason


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StatePrescription(_Strict):
    """One prescription line of the history (current, ended, stopped or replaced)."""

    id: Text
    drug: Text
    dose: Positive
    unit: Literal["mg", "mcg/h"] = "mg"
    times_per_day: Positive | None = None
    every_hours: Positive | None = None
    as_needed: bool = False
    max_doses_per_day: Positive | None = None
    release: Literal["ir", "er_la"] = "ir"
    route: Annotated[str, Field(max_length=32)] = "oral"
    start: date
    end: date | None = None
    days_supply: Annotated[int, Field(ge=1, le=3660)] | None = None
    indication: Literal["acute", "chronic", "oud"]
    replaces: Text | None = None
    stopped_on: date | None = None


class StateDose(_Strict):
    """One dose report under a prescription: taken at a time, or a scheduled slot skipped."""

    prescription: Text
    taken: bool = True
    slot: Annotated[int, Field(ge=0, le=48)] = 0
    taken_at: AwareDatetime | None = None
    day: date | None = None

    def local_day(self, zone: zoneinfo.ZoneInfo) -> date:
        """``day``, or the patient's local date of ``taken_at``."""
        if self.day is not None:
            return self.day
        if self.taken_at is None:  # unreachable: the validator requires one of the two
            raise StateError("doses", "give 'taken_at' or 'day'")
        return self.taken_at.astimezone(zone).date()

    @model_validator(mode="after")
    def _when(self) -> StateDose:
        if self.taken_at is None and self.day is None:
            raise ValueError("give 'taken_at' or 'day'")
        if not self.taken and self.slot == 0:
            raise ValueError("only a scheduled dose (slot 1 or more) can be skipped")
        return self


class StateMonitoringEvent(_Strict):
    kind: Literal["urine_drug_test", "pdmp_review"]
    on: date


class StateCheckin(_Strict):
    day: date
    pain: Annotated[float, Field(ge=0, le=10, allow_inf_nan=False)] | None = None


class StateQuestionnaire(_Strict):
    instrument: Text
    on: date
    items: dict[Text, Annotated[int, Field(ge=0, le=100)]] = Field(max_length=200)


class StateGenotype(_Strict):
    gene: Text
    diplotype: Annotated[str, Field(min_length=1, max_length=200)]
    phenotype: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    activity_score: float | str | None = None
    uncertain: bool = False
    alternatives: list[Annotated[str, Field(max_length=200)]] = Field([], max_length=1000)


class PatientState(_Strict):
    """One patient's whole state as of ``as_of`` (see the README's worked example)."""

    as_of: AwareDatetime
    timezone: Annotated[str, Field(min_length=1, max_length=64)]
    age_years: Annotated[int, Field(ge=0, le=130)]
    conditions: list[Condition] = Field([], max_length=50)
    prescriptions: list[StatePrescription] = Field(max_length=5000)
    doses: list[StateDose] | None = Field(None, max_length=200_000)
    monitoring_events: list[StateMonitoringEvent] | None = Field(None, max_length=10_000)
    pdmp_interval_days: Annotated[int, Field(ge=1, le=3660)] | None = None
    checkins: list[StateCheckin] | None = Field(None, max_length=10_000)
    questionnaires: list[StateQuestionnaire] | None = Field(None, max_length=10_000)
    genotypes: list[StateGenotype] | None = Field(None, max_length=200)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"not an IANA time zone name: {value!r}") from None
        return value

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def on(self) -> date:
        """The patient's local day at ``as_of``."""
        return self.as_of.astimezone(self.zone).date()


def _path(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "document"


def _validation_error(exc: ValidationError) -> StateError:
    first = exc.errors(include_url=False)[0]
    message = str(first["msg"])
    if message.startswith("Value error, "):
        message = message.removeprefix("Value error, ")
    return StateError(_path(tuple(first["loc"])), message[0].lower() + message[1:])


def parse_state(document: str | bytes | Mapping[str, Any]) -> PatientState:
    """Validate a state document (JSON text or already-parsed); raises :class:`StateError`
    naming the first offending field."""
    if isinstance(document, str | bytes):
        if len(document) > MAX_STATE_BYTES:
            raise StateError("document", f"larger than {MAX_STATE_BYTES} bytes")
        try:
            data = json.loads(document)
        except json.JSONDecodeError as exc:
            raise StateError(
                "document", f"not valid JSON ({exc.msg} at line {exc.lineno})"
            ) from None
        except RecursionError:
            raise StateError("document", "nested too deeply") from None
    else:
        data = document
    if not isinstance(data, Mapping):
        raise StateError("document", "must be a JSON object")
    try:
        return PatientState.model_validate(data)
    except ValidationError as exc:
        raise _validation_error(exc) from None


def to_prescription(line: StatePrescription) -> Prescription:
    """The document's line as the core's Prescription (errors name the field)."""
    try:
        return Prescription(
            drug=line.drug,
            dose=line.dose,
            unit=line.unit,
            times_per_day=line.times_per_day,
            every_hours=line.every_hours,
            as_needed=line.as_needed,
            max_doses_per_day=line.max_doses_per_day,
            release=line.release,
            route=line.route,
            start=line.start,
            end=line.end,
            days_supply=line.days_supply,
            indication=line.indication,
            id=line.id,
            replaces=line.replaces or "",
            stopped_on=line.stopped_on,
        )
    except MedicationError as exc:
        text = str(exc)
        if text.startswith("field '"):
            name, _, reason = text.removeprefix("field '").partition("': ")
            raise StateError(name, reason) from None
        raise StateError("drug", text) from None


def _genotype(index: int, row: StateGenotype) -> Genotype:
    where = f"genotypes[{index}]"
    try:
        gene = pgx.normalise_gene(row.gene)
    except pgx.PgxError as exc:
        raise StateError(f"{where}.gene", str(exc)) from None
    phenotype, score = row.phenotype, row.activity_score
    if phenotype is None:
        try:
            result = pgx.phenotype(gene, row.diplotype)
        except pgx.PgxError as exc:
            raise StateError(f"{where}.diplotype", f"{exc}; give 'phenotype' too") from None
        phenotype, score = result.phenotype, result.activity_score
    if isinstance(score, float) and not math.isfinite(score):
        raise StateError(f"{where}.activity_score", "must be a finite number")
    return Genotype(
        gene=gene,
        diplotype=row.diplotype,
        phenotype=phenotype,
        activity_score=score,
        uncertain=row.uncertain,
        alternatives=tuple(row.alternatives),
    )


def to_snapshot(state: PatientState) -> PatientSnapshot:
    """The rules' typed snapshot of a validated document."""
    lines = []
    for index, row in enumerate(state.prescriptions):
        try:
            lines.append(to_prescription(row))
        except StateError as exc:
            raise StateError(f"prescriptions[{index}].{exc.field}", exc.reason) from None
    zone, on = state.zone, state.on
    doses = tuple(
        ReportedDose(
            prescription=d.prescription,
            day=d.local_day(zone),
            taken=d.taken,
            slot=d.slot,
            taken_at=d.taken_at,
        )
        for d in state.doses or ()
    )
    last: dict[str, date] = {}
    for event in state.monitoring_events or ():
        if event.on <= on and event.on > last.get(event.kind, date.min):
            last[event.kind] = event.on
    checkins = [c for c in state.checkins or () if c.day <= on]
    phq9 = []
    for index, q in enumerate(state.questionnaires or ()):
        instrument, item = PHQ9_ITEM9
        if q.instrument != instrument or item not in q.items or q.on > on:
            continue
        if q.items[item] > 3:
            raise StateError(f"questionnaires[{index}].items.{item}", "must be 0-3")
        phq9.append((q.on, q.items[item]))
    latest_phq9 = max(phq9, default=None)
    given: dict[Input, object] = {
        "doses": state.doses,
        "monitoring": state.monitoring_events,
        "checkins": state.checkins,
        "questionnaires": state.questionnaires,
        "genotypes": state.genotypes,
    }
    missing = {name for name, value in given.items() if value is None}
    return PatientSnapshot(
        age_years=state.age_years,
        conditions=frozenset(state.conditions),
        prescriptions=tuple(lines),
        doses=doses,
        last_urine_drug_test=last.get("urine_drug_test"),
        last_pdmp_review=last.get("pdmp_review"),
        pdmp_interval_days=state.pdmp_interval_days,
        phq9_item9=None if latest_phq9 is None else latest_phq9[1],
        phq9_item9_on=None if latest_phq9 is None else latest_phq9[0],
        pain_scores=tuple(
            PainScore(day=c.day, score=c.pain)
            for c in sorted(checkins, key=lambda c: c.day)
            if c.pain is not None
        ),
        last_checkin=max((c.day for c in checkins), default=None),
        genotypes=tuple(_genotype(i, g) for i, g in enumerate(state.genotypes or ())),
        missing=frozenset(missing),
    )


@dataclass(frozen=True, slots=True)
class StateReport:
    """The evaluation of one document: the report of every rule, as of ``as_of``."""

    as_of: datetime
    report: SafetyReport

    @property
    def on(self) -> date:
        return self.report.on

    @property
    def findings(self) -> tuple[Alert, ...]:
        return self.report.alerts

    @property
    def not_evaluated(self) -> tuple[NotEvaluated, ...]:
        return self.report.not_evaluated

    @property
    def not_applied(self) -> tuple[NotApplied, ...]:
        return self.report.not_applied


def evaluate_state(
    state: PatientState, *, on: date | None = None, table: str = "cdc2022"
) -> StateReport:
    """Run every rule on the document, as of its local day (or ``on``, a later day)."""
    snapshot = to_snapshot(state)
    return StateReport(
        as_of=state.as_of, report=evaluate_all(snapshot, on=on or state.on, table=table)
    )


def _jsonable(value: object) -> object:
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def finding_json(alert: Alert) -> dict[str, object]:
    """``{"rule", "severity", "title", "message", "evidence", "citation"}`` (+ ``subject``)."""
    out: dict[str, object] = {
        "rule": alert.rule_id,
        "severity": alert.severity,
        "title": alert.title,
        "message": alert.message,
        "evidence": _jsonable(alert.evidence),
        "citation": alert.reference,
    }
    if alert.subject:
        out["subject"] = alert.subject
    return out


def report_json(result: StateReport) -> dict[str, object]:
    """The JSON contract of ``painpath safety evaluate --json``."""
    report = result.report
    return {
        "as_of": result.as_of.isoformat(),
        "on": report.on.isoformat(),
        "findings": [finding_json(a) for a in report.alerts],
        "not_evaluated": [{"rule": n.rule_id, "reason": n.reason} for n in report.not_evaluated],
        "not_applied": [{"rule": n.rule_id, "reason": n.reason} for n in report.not_applied],
        "prescribed_mme_per_day": float(report.prescribed_mme.total_mme_per_day),
        "taken_mme_per_day": float(report.taken_mme.total_mme_per_day),
    }
