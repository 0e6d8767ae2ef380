"""An instrument definition as a FHIR R4 Questionnaire (LOINC-coded where codes exist)."""

from __future__ import annotations

import re
from typing import Any

from fhir.resources.R4B.questionnaire import Questionnaire

from painpath.clinical.instruments import SEXES, Instrument, Option

__all__ = [
    "ANSWER_VALUE_SYSTEM",
    "GENDER_SYSTEM",
    "LOINC",
    "SEX_LINK_ID",
    "answer_coding",
    "questionnaire",
    "questionnaire_url",
]

LOINC = "http://loinc.org"
# Options without a LOINC answer code carry their option value under this painpath system.
ANSWER_VALUE_SYSTEM = "urn:painpath:answer-value"
ORDINAL_VALUE = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
# Instruments whose item weights differ by sex (ORT) ask it as one extra, unscored item.
SEX_LINK_ID = "sex"
GENDER_SYSTEM = "http://hl7.org/fhir/administrative-gender"


def questionnaire_url(instrument_id: str) -> str:
    return f"urn:painpath:questionnaire:{instrument_id}"


def answer_coding(option: Option) -> dict[str, str]:
    """The Coding of an answer option: its LOINC answer code, else its painpath value."""
    if option.loinc:
        return {"system": LOINC, "code": option.loinc, "display": option.label}
    return {"system": ANSWER_VALUE_SYSTEM, "code": str(option.value), "display": option.label}


def _option(option: Option) -> dict[str, Any]:
    return {
        "extension": [{"url": ORDINAL_VALUE, "valueDecimal": option.points}],
        "valueCoding": answer_coding(option),
    }


def _sex_item() -> dict[str, Any]:
    return {
        "linkId": SEX_LINK_ID,
        "text": "Sex (the item weights of this instrument differ by sex)",
        "type": "choice",
        "required": False,  # the patient record's sex is used when left out
        "answerOption": [
            {"valueCoding": {"system": GENDER_SYSTEM, "code": code, "display": code.title()}}
            for code in SEXES
        ],
    }


def questionnaire(instrument: Instrument) -> dict[str, Any]:
    """The R4 Questionnaire JSON of an instrument; licensed wording only if a clinic loaded it."""
    items: list[dict[str, Any]] = []
    for item in instrument.items:
        entry: dict[str, Any] = {
            "linkId": item.id,
            "text": item.text or item.label,
            "type": "choice",
            "required": True,
            "answerOption": [_option(o) for o in item.options],
        }
        if item.loinc:
            entry["code"] = [{"system": LOINC, "code": item.loinc, "display": item.label}]
        items.append(entry)
    if instrument.requires_sex:
        items.append(_sex_item())
    body: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "id": instrument.id.replace("_", "-"),
        "url": questionnaire_url(instrument.id),
        "version": instrument.version,
        "name": re.sub(r"[^A-Za-z0-9]", "", instrument.id.title()) or "Instrument",
        "title": instrument.name,
        "status": "active",
        "subjectType": ["Patient"],
        "description": f"{instrument.name}. Source: {instrument.source}.",
        "copyright": instrument.licence,
        "item": items,
    }
    if instrument.loinc_panel:
        body["code"] = [{"system": LOINC, "code": instrument.loinc_panel}]
    return Questionnaire.model_validate(body).model_dump(mode="json", exclude_none=True)
