"""The score of one questionnaire response as a FHIR R4 Observation."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from fhir.resources.R4B.observation import Observation

from painpath.clinical.instruments import Instrument

from .questionnaire import LOINC

__all__ = ["score_observation"]

CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
ABSENT = "http://terminology.hl7.org/CodeSystem/data-absent-reason"


def score_observation(
    *,
    instrument: Instrument,
    observation_id: str,
    response_id: str,
    patient_id: int,
    effective: datetime,
    score: float | None,
    band: str | None,
    synthetic: bool,
    subscales: Mapping[str, float] | None = None,
) -> dict[str, Any]:
    """Observation with the instrument's LOINC score code where one exists, else text only;
    one component per subscale scored (LOINC-coded only where the instrument's data file
    names a code for it, e.g. BPI interference 77565-0; otherwise code text only)."""
    code: dict[str, Any] = {"text": f"{instrument.name} score"}
    if instrument.loinc_score:
        code["coding"] = [{"system": LOINC, "code": instrument.loinc_score}]
    body: dict[str, Any] = {
        "resourceType": "Observation",
        "id": observation_id,
        "status": "final",
        "category": [{"coding": [{"system": CATEGORY, "code": "survey"}]}],
        "code": code,
        "subject": {"reference": f"Patient/{patient_id}"},
        "effectiveDateTime": effective.isoformat(),
        "derivedFrom": [{"reference": f"QuestionnaireResponse/{response_id}"}],
    }
    if score is None:
        body["dataAbsentReason"] = {
            "coding": [{"system": ABSENT, "code": "unknown"}],
            "text": "The form could not be scored under the instrument's missing-item rule.",
        }
    else:
        body["valueQuantity"] = {"value": score}
    if band:
        body["interpretation"] = [{"text": band}]
    components = [_component(instrument, name, value) for name, value in (subscales or {}).items()]
    if components:
        body["component"] = components
    if synthetic:
        body["meta"] = {"tag": [{"code": "synthetic", "display": "SYNTHETIC record"}]}
    return Observation.model_validate(body).model_dump(mode="json", exclude_none=True)


def _component(instrument: Instrument, name: str, value: float) -> dict[str, Any]:
    loinc = next((s.loinc for s in instrument.subscales if s.name == name), None)
    code: dict[str, Any] = {"text": f"{instrument.name}: {name}"}
    if loinc:
        code["coding"] = [{"system": LOINC, "code": loinc}]
    return {"code": code, "valueQuantity": {"value": value}}
