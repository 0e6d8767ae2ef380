"""A FHIR R4 QuestionnaireResponse in: which instrument, which answers, for whom, when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from pydantic import ValidationError

from painpath.clinical.instruments import (
    SEXES,
    Instrument,
    UnknownInstrumentError,
    get_instrument,
    is_whole_number,
)

from .questionnaire import (
    ANSWER_VALUE_SYSTEM,
    GENDER_SYSTEM,
    LOINC,
    SEX_LINK_ID,
    answer_coding,
    questionnaire_url,
)

__all__ = [
    "FhirInputError",
    "ParsedResponse",
    "parse_questionnaire_response",
    "questionnaire_response",
]


class FhirInputError(ValueError):
    """The resource cannot be accepted; ``field`` is a FHIRPath-like location."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class ParsedResponse:
    instrument_id: str
    answers: list[int | None]
    authored: datetime | None
    patient_id: int | None
    sex: str | None = None  # from item linkId 'sex' (instruments weighted by sex, e.g. ORT)


def _instrument(canonical: str | None) -> Instrument:
    if not canonical:
        raise FhirInputError("questionnaire", "required: the canonical URL of the Questionnaire")
    ref = canonical.split("|", 1)[0].rstrip("/")
    instrument_id = ref.rsplit(":", 1)[-1].rsplit("/", 1)[-1].replace("-", "_")
    try:
        return get_instrument(instrument_id)
    except UnknownInstrumentError:
        raise FhirInputError("questionnaire", f"unknown questionnaire {canonical!r}") from None


def _value(instrument: Instrument, link_id: str, answer: dict[str, Any], where: str) -> int:
    item = instrument.item(link_id)
    if "valueInteger" in answer:
        value = answer["valueInteger"]
        if isinstance(value, bool) or not isinstance(value, int):
            raise FhirInputError(where, f"valueInteger {value!r} is not an integer")
    elif "valueDecimal" in answer and float(answer["valueDecimal"]).is_integer():
        value = int(answer["valueDecimal"])
    elif "valueCoding" in answer:
        coding = answer["valueCoding"]
        system, code = coding.get("system"), coding.get("code")
        if system == LOINC:
            match = [o.value for o in item.options if o.loinc == code]
            if not match:
                raise FhirInputError(where, f"LOINC answer {code!r} is not an option of {link_id}")
            value = match[0]
        elif system == ANSWER_VALUE_SYSTEM and isinstance(code, str) and is_whole_number(code):
            value = int(code)
        else:
            raise FhirInputError(where, f"unknown answer coding system {system!r}")
    else:
        raise FhirInputError(where, "answer must be valueCoding, valueInteger or valueDecimal")
    if value not in item.values:
        allowed = ", ".join(str(v) for v in item.values)
        raise FhirInputError(where, f"{value!r} is not an allowed value of {link_id} ({allowed})")
    return int(value)


def parse_questionnaire_response(resource: dict[str, Any]) -> ParsedResponse:
    """Validate the resource (R4B model, then painpath's rules) and map it to answers. An
    empty form parses; storing refuses it (submit_response, one rule for every path)."""
    if resource.get("resourceType") != "QuestionnaireResponse":
        raise FhirInputError("resourceType", "must be 'QuestionnaireResponse'")
    try:
        model = QuestionnaireResponse.model_validate(resource)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise FhirInputError(
            ".".join(str(p) for p in first.get("loc", ())) or "resource", first["msg"]
        ) from None
    if model.status != "completed":
        raise FhirInputError("status", "only a 'completed' response can be scored")
    instrument = _instrument(model.questionnaire)
    values: dict[str, int | None] = dict.fromkeys(instrument.item_ids)
    seen: dict[str, int] = {}
    sex: str | None = None
    for i, item in enumerate(resource.get("item") or []):
        link_id = item.get("linkId")
        where = f"item[{i}]"
        if link_id in seen:
            raise FhirInputError(
                f"{where}.linkId",
                f"{link_id!r} is answered more than once (also item[{seen[link_id]}]); "
                "each item may appear once",
            )
        is_sex = instrument.requires_sex and link_id == SEX_LINK_ID
        if link_id not in values and not is_sex:
            raise FhirInputError(
                f"{where}.linkId", f"{link_id!r} is not an item of {instrument.id}"
            )
        seen[link_id] = i
        answers = item.get("answer") or []
        if len(answers) > 1:
            raise FhirInputError(f"{where}.answer", "one answer per item")
        if answers and is_sex:
            sex = _sex(answers[0], f"{where}.answer[0]")
        elif answers:
            values[link_id] = _value(instrument, link_id, answers[0], f"{where}.answer[0]")
    patient_id = None
    subject = (resource.get("subject") or {}).get("reference")
    if subject:
        kind, _, ident = subject.partition("/")
        if kind != "Patient" or not ident.isdigit():
            raise FhirInputError("subject.reference", "must be 'Patient/<id>'")
        patient_id = int(ident)
    authored = model.authored if isinstance(model.authored, datetime) else None
    return ParsedResponse(instrument.id, list(values.values()), authored, patient_id, sex)


def _sex(answer: dict[str, Any], where: str) -> str:
    coding = answer.get("valueCoding") or {}
    code = coding.get("code")
    if coding.get("system") != GENDER_SYSTEM or code not in SEXES:
        raise FhirInputError(where, f"sex must be valueCoding {GENDER_SYSTEM} 'female' or 'male'")
    return str(code)


def questionnaire_response(
    *,
    instrument: Instrument,
    response_id: str,
    patient_id: int,
    authored: datetime,
    answers: list[int | None],
    sex: str | None,
    synthetic: bool,
) -> dict[str, Any]:
    """A stored response as an R4 QuestionnaireResponse; missing items carry no answer."""
    items: list[dict[str, Any]] = []
    for item, value in zip(instrument.items, answers, strict=True):
        entry: dict[str, Any] = {"linkId": item.id, "text": item.text or item.label}
        if value is not None:
            entry["answer"] = [{"valueCoding": answer_coding(item.option(value))}]
        items.append(entry)
    if instrument.requires_sex and sex:
        items.append(
            {
                "linkId": SEX_LINK_ID,
                "answer": [{"valueCoding": {"system": GENDER_SYSTEM, "code": sex}}],
            }
        )
    body: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "id": response_id,
        "questionnaire": questionnaire_url(instrument.id),
        "status": "completed",
        "subject": {"reference": f"Patient/{patient_id}"},
        "authored": authored.isoformat(),
        "item": items,
    }
    if synthetic:
        body["meta"] = {"tag": [{"code": "synthetic", "display": "SYNTHETIC record"}]}
    return QuestionnaireResponse.model_validate(body).model_dump(mode="json", exclude_none=True)
