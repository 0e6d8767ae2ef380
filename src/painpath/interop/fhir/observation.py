"""The score of one questionnaire response as a FHIR R4 Observation."""

from __future__ import annotations

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
) -> dict[str, Any]:
    """Observation with the instrument's LOINC score code where one exists, else text only."""
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
    if synthetic:
        body["meta"] = {"tag": [{"code": "synthetic", "display": "SYNTHETIC record"}]}
    return Observation.model_validate(body).model_dump(mode="json", exclude_none=True)
