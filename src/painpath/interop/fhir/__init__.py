"""FHIR R4 mapping of questionnaires (no Django): Questionnaire out, QuestionnaireResponse in,
Observation of the score out. Built and checked with fhir.resources' R4B models, which are
wire-compatible with R4 for these resources; tests check the output against the official R4
JSON schema and the HL7 R4 examples."""

from .observation import score_observation
from .questionnaire import ANSWER_VALUE_SYSTEM, questionnaire, questionnaire_url
from .response import FhirInputError, ParsedResponse, parse_questionnaire_response

__all__ = [
    "ANSWER_VALUE_SYSTEM",
    "FhirInputError",
    "ParsedResponse",
    "parse_questionnaire_response",
    "questionnaire",
    "questionnaire_url",
    "score_observation",
]
