"""FHIR R4 mapping of questionnaires (no Django): Questionnaire out, QuestionnaireResponse in,
Observation of the score out, with the crisis panel as a Communication when the answers
signal a risk of self-harm (``crisis``). Built and checked with fhir.resources' R4B models,
which are wire-compatible with R4 for these resources; tests check the output against the
official R4 JSON schema and the HL7 R4 examples.

Sex for instruments weighted by it (ORT): their Questionnaire carries one extra, unscored
item ``linkId = "sex"`` answered with a valueCoding of http://hl7.org/fhir/administrative-gender
(``female`` or ``male``). A QuestionnaireResponse may leave it out when the patient record
states the sex; otherwise it is refused with an error naming that item."""

from .crisis import CrisisPanelLike, crisis_communication, submission_bundle
from .observation import score_observation
from .questionnaire import (
    ANSWER_VALUE_SYSTEM,
    GENDER_SYSTEM,
    SEX_LINK_ID,
    questionnaire,
    questionnaire_url,
)
from .response import (
    FhirInputError,
    ParsedResponse,
    parse_questionnaire_response,
    questionnaire_response,
)

__all__ = [
    "ANSWER_VALUE_SYSTEM",
    "GENDER_SYSTEM",
    "SEX_LINK_ID",
    "CrisisPanelLike",
    "FhirInputError",
    "ParsedResponse",
    "crisis_communication",
    "parse_questionnaire_response",
    "questionnaire",
    "questionnaire_response",
    "questionnaire_url",
    "score_observation",
    "submission_bundle",
]
