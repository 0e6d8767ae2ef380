"""The crisis panel a patient sees at once when their answers signal a risk of self-harm: the
clinic's own instructions and phone, and the crisis and emergency lines of the clinic's
country (painpath.clinical.crisis_lines, plus the clinic's own lines), in the patient's
language.

Where the clinic's country has no lines on file (or no country is set) the panel still shows
the clinic's instructions and phone and a generic "call your local emergency number", and the
gap is logged so an administrator can fill it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import transaction

from painpath import access
from painpath.accounts.models import ClinicCrisisInstruction, ClinicCrisisLine, display_phone
from painpath.audit import services as audit
from painpath.audit.models import Action
from painpath.clinical.crisis_lines import (
    ClinicLine,
    CrisisCatalogue,
    CrisisDataError,
    ShownLine,
    dial_digits,
    lines_for,
    load_crisis_lines,
)
from painpath.core.context import Actor
from painpath.patients.models import Patient

logger = logging.getLogger(__name__)

__all__ = ["CrisisPanel", "crisis_panel", "show_crisis_panel"]


@dataclass(frozen=True)
class CrisisPanel:
    language: str
    country: str
    texts: dict[str, str]  # painpath's wording in ``language``
    clinic_name: str
    clinic_phone: str  # E.164, "" if the clinic set none
    instructions: str
    instructions_language: str
    lines: list[ShownLine] = field(default_factory=list)
    lines_on_file: bool = True  # False: no line on file for the country (generic text shown)
    catalogue_version: str = ""

    @property
    def clinic_phone_display(self) -> str:
        return display_phone(self.clinic_phone)

    @property
    def emergency_lines(self) -> list[ShownLine]:
        return [line for line in self.lines if line.kind == "emergency"]

    @property
    def crisis_lines(self) -> list[ShownLine]:
        return [line for line in self.lines if line.kind != "emergency"]


def _instructions(clinic_id: int, language: str) -> tuple[str, str]:
    found = dict(
        ClinicCrisisInstruction.objects.filter(clinic_id=clinic_id).values_list("language", "text")
    )
    for lang in (language, settings.LANGUAGE_CODE, *sorted(found)):
        if found.get(lang):
            return found[lang], lang
    return "", language


# Shown only if the shipped data file cannot be read (tests keep that from shipping): the
# panel must never fail at the moment a patient needs it.
_EMPTY = CrisisCatalogue(
    version="unavailable",
    last_checked=date.min,
    panel={
        "en": {
            "heading": "You do not have to face this alone",
            "intro": "Please reach out now: talking to someone helps.",
            "danger": "If you are in danger now, call your local emergency number.",
            "clinic_heading": "Your clinic",
            "lines_heading": "Crisis and emergency lines",
            "call": "Call",
            "team_told": "Your care team can see your answers and has been alerted.",
            "generic_emergency": "If you are in danger now, call your local emergency number.",
            "no_lines": "We do not have crisis lines on file for your country.",
            "emergency_name": "Emergency services",
        }
    },
    lines=(),
)


def _catalogue() -> CrisisCatalogue:
    try:
        return load_crisis_lines()
    except CrisisDataError:
        logger.critical("crisis panel: the crisis-lines file cannot be read", exc_info=True)
        return _EMPTY


def crisis_panel(patient: Patient) -> CrisisPanel:
    """The panel for this patient (reads the clinic's settings; writes nothing)."""
    catalogue = _catalogue()
    clinic = patient.clinic
    language = patient.language
    own = [
        ClinicLine(
            name=line.name,
            number=line.number,
            dial=dial_digits(line.number),
            kind=line.kind,
            how=line.how,
            language=line.language,
            replaces=line.replaces,
        )
        for line in ClinicCrisisLine.objects.filter(clinic_id=clinic.pk)
    ]
    lines = lines_for(catalogue, country=clinic.country, language=language, clinic_lines=own)
    on_file = clinic.country in catalogue.countries
    instructions, instructions_language = _instructions(clinic.pk, language)
    if not clinic.country:
        logger.error(
            "crisis panel: clinic %s has no country set; patient %s was shown only the "
            "clinic's instructions and the generic emergency text (set it in Django admin)",
            clinic.pk,
            patient.pk,
        )
    elif not on_file:
        logger.warning(
            "crisis panel: no crisis lines on file for country %s (clinic %s); patient %s was "
            "shown the clinic's own lines and instructions and the generic emergency text",
            clinic.country,
            clinic.pk,
            patient.pk,
        )
    if not instructions and not clinic.crisis_phone:
        logger.error(
            "crisis panel: clinic %s has neither crisis instructions nor a crisis phone "
            "(Django admin, Clinics)",
            clinic.pk,
        )
    return CrisisPanel(
        language=language if language in catalogue.panel else settings.LANGUAGE_CODE,
        country=clinic.country,
        texts=catalogue.panel_texts(language),
        clinic_name=clinic.name,
        clinic_phone=clinic.crisis_phone,
        instructions=instructions,
        instructions_language=instructions_language,
        lines=lines,
        lines_on_file=on_file,
        catalogue_version=catalogue.version,
    )


def show_crisis_panel(*, actor: Actor, patient_id: int, reason: str) -> CrisisPanel:
    """The panel for a patient the caller may read, audited as shown (what, to whom, why)."""
    user = access.require_authenticated(actor.user)
    with transaction.atomic():
        patient = access.get_readable_patient(user, patient_id)
        panel = crisis_panel(patient)
        audit.record(
            actor,
            action=Action.READ,
            object_type="CrisisPanel",
            object_id=patient.pk,
            patient_id=patient.pk,
            detail={
                "reason": reason,
                "country": panel.country,
                "language": panel.language,
                "lines": [line.id for line in panel.lines],
                "lines_on_file": panel.lines_on_file,
                "clinic_phone": bool(panel.clinic_phone),
                "instructions": bool(panel.instructions),
            },
        )
    return panel
