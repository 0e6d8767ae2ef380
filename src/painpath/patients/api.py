"""API: patients the caller may see; registration and changes by clinicians and admins."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from painpath.accounts.models import Clinic
from painpath.core.api import actor_of
from painpath.core.errors import FieldError, InvalidInput
from painpath.core.paging import MAX_LIMIT, MAX_OFFSET
from painpath.patients import conditions as condition_services
from painpath.patients import services
from painpath.patients.crisis import CrisisPanel
from painpath.patients.models import Condition, Patient

router = Router(tags=["patients"])


class ConditionSchema(Schema):
    display: str = Field(min_length=1, max_length=200)
    icd10_code: str = Field("", max_length=10, description="ICD-10-CM, e.g. M54.50")
    snomed_code: str = Field("", max_length=18, description="SNOMED CT concept id")
    onset_date: date | None = None
    status: str = "active"


class ConditionOut(ConditionSchema):
    id: int


class ConditionStatusIn(Schema):
    status: str = Field(description="active or resolved")


class PatientOut(Schema):
    id: int
    clinic_id: int
    mrn: str
    given_name: str
    family_name: str
    date_of_birth: date
    sex: str
    timezone: str = Field(description="The patient's time zone (the clinic's if not set)")
    preferred_language: str = Field(description="en or es; empty: English")
    phone: str = Field(description="E.164, e.g. +12015550123; empty if unknown")
    emergency_contact_name: str
    emergency_contact_relationship: str
    emergency_contact_phone: str = Field(description="E.164; empty if no contact")
    synthetic: bool = Field(description="True for generated demo/test data, never a real person")
    conditions: list[ConditionOut]
    care_team_ids: list[int]


class PatientPage(Schema):
    items: list[PatientOut]
    count: int
    limit: int
    offset: int


class PatientIn(Schema):
    mrn: str = Field(max_length=32)
    given_name: str = Field(max_length=100)
    family_name: str = Field(max_length=100)
    date_of_birth: date
    sex: str = Field(description="female, male, other or unknown")
    timezone: str = ""
    preferred_language: str = Field("", max_length=8, description="en or es; empty: English")
    phone: str = Field(
        "", max_length=32, description="National (clinic's country) or international (+) form"
    )
    emergency_contact_name: str = Field("", max_length=100)
    emergency_contact_relationship: str = Field("", max_length=60)
    emergency_contact_phone: str = Field("", max_length=32)
    conditions: list[ConditionSchema] = []
    care_team_ids: list[int] | None = Field(
        None, description="Care teams to put the patient on (default: the clinician's first)"
    )
    clinic_id: int | None = Field(None, description="Superusers only; others use their clinic")


class PatientPatch(Schema):
    mrn: str | None = Field(None, max_length=32)
    given_name: str | None = Field(None, max_length=100)
    family_name: str | None = Field(None, max_length=100)
    date_of_birth: date | None = None
    sex: str | None = None
    timezone: str | None = None
    preferred_language: str | None = Field(None, max_length=8)
    phone: str | None = Field(None, max_length=32)
    emergency_contact_name: str | None = Field(None, max_length=100)
    emergency_contact_relationship: str | None = Field(None, max_length=60)
    emergency_contact_phone: str | None = Field(None, max_length=32)


class CrisisLineOut(Schema):
    kind: str = Field(description="emergency or crisis")
    name: str
    number: str = Field(description="As written for people, e.g. '116 123'")
    dial: str = Field(description="Digits to dial (for a tel: link)")
    how: str = Field(description="How and when to use it; may be empty")
    language: str = Field(description="Language of the name (the source's, if not the patient's)")
    how_language: str
    source_url: str = Field(description="Where the line was checked; empty for a clinic's own")
    checked: date | None = Field(description="When it was checked there")
    from_clinic: bool = Field(description="A line the clinic added or put in place of one")


class CrisisClinicOut(Schema):
    name: str
    phone: str = Field(description="E.164; empty if the clinic set none")
    instructions: str = Field(description="What the clinic asks the patient to do; may be empty")
    instructions_language: str


class CrisisPanelOut(Schema):
    """What the patient must be shown at once when their answers signal a risk of
    self-harm: painpath's wording (``texts``: heading, intro, danger, team_told, ...), the
    clinic's instructions and phone, and the crisis and emergency lines of the clinic's
    country, emergency first, in the patient's language where the source gives it."""

    language: str
    country: str = Field(description="ISO 3166-1 alpha-2 code of the clinic; empty if unset")
    texts: dict[str, str]
    clinic: CrisisClinicOut
    lines: list[CrisisLineOut]
    lines_on_file: bool = Field(
        description="False: no lines on file for the country; show texts.generic_emergency"
    )
    catalogue_version: str


def crisis_panel_out(panel: CrisisPanel) -> CrisisPanelOut:
    return CrisisPanelOut(
        language=panel.language,
        country=panel.country,
        texts=panel.texts,
        clinic=CrisisClinicOut(
            name=panel.clinic_name,
            phone=panel.clinic_phone,
            instructions=panel.instructions,
            instructions_language=panel.instructions_language,
        ),
        lines=[CrisisLineOut.model_validate(line, from_attributes=True) for line in panel.lines],
        lines_on_file=panel.lines_on_file,
        catalogue_version=panel.catalogue_version,
    )


class ListParams(Schema):
    search: str = Field("", max_length=100, description="Words matched against names; MRN exact")
    limit: int = Field(25, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


def condition_out(condition: Condition) -> ConditionOut:
    return ConditionOut.model_validate(condition, from_attributes=True)


def patient_out(patient: Patient) -> PatientOut:
    return PatientOut(
        id=patient.pk,
        clinic_id=patient.clinic_id,
        mrn=patient.mrn,
        given_name=patient.given_name,
        family_name=patient.family_name,
        date_of_birth=patient.date_of_birth,
        sex=patient.sex,
        timezone=patient.timezone_name,
        preferred_language=patient.preferred_language,
        phone=patient.phone,
        emergency_contact_name=patient.emergency_contact_name,
        emergency_contact_relationship=patient.emergency_contact_relationship,
        emergency_contact_phone=patient.emergency_contact_phone,
        synthetic=patient.synthetic,
        conditions=[condition_out(c) for c in patient.conditions.all()],
        care_team_ids=sorted(t.pk for t in patient.care_teams.all()),
    )


@router.get("", response=PatientPage, summary="Patients I may see")
def list_patients(request: HttpRequest, params: Query[ListParams]) -> PatientPage:
    page = services.list_patients(
        actor=actor_of(request), search=params.search, limit=params.limit, offset=params.offset
    )
    return PatientPage(
        items=[patient_out(p) for p in page.items],
        count=page.count,
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/{patient_id}", response=PatientOut, summary="One patient")
def get_patient(request: HttpRequest, patient_id: int) -> PatientOut:
    return patient_out(services.get_patient(actor=actor_of(request), patient_id=patient_id))


@router.post("", response={201: PatientOut}, summary="Register a patient")
def create_patient(request: HttpRequest, payload: PatientIn) -> Status[PatientOut]:
    clinic = None
    if payload.clinic_id is not None:
        clinic = Clinic.objects.filter(pk=payload.clinic_id).first()
        if clinic is None:
            raise InvalidInput(
                _("Unknown clinic."), fields=[FieldError("clinic_id", _("No such clinic."))]
            )
    data = services.PatientData(
        mrn=payload.mrn,
        given_name=payload.given_name,
        family_name=payload.family_name,
        date_of_birth=payload.date_of_birth,
        sex=payload.sex,
        timezone=payload.timezone,
        preferred_language=payload.preferred_language,
        phone=payload.phone,
        emergency_contact_name=payload.emergency_contact_name,
        emergency_contact_relationship=payload.emergency_contact_relationship,
        emergency_contact_phone=payload.emergency_contact_phone,
        conditions=[services.ConditionData(**c.model_dump()) for c in payload.conditions],
    )
    patient = services.create_patient(
        actor=actor_of(request), data=data, clinic=clinic, care_team_ids=payload.care_team_ids
    )
    return Status(201, patient_out(patient))


@router.patch("/{patient_id}", response=PatientOut, summary="Change a patient's record")
def update_patient(request: HttpRequest, patient_id: int, payload: PatientPatch) -> PatientOut:
    changes = services.PatientChanges(**payload.model_dump(exclude_unset=True))
    patient = services.update_patient(
        actor=actor_of(request), patient_id=patient_id, changes=changes
    )
    return patient_out(patient)


@router.post(
    "/{patient_id}/conditions",
    response={201: ConditionOut},
    summary="Add a coded diagnosis (ICD-10-CM and/or SNOMED CT)",
)
def add_condition(
    request: HttpRequest, patient_id: int, payload: ConditionSchema
) -> Status[ConditionOut]:
    condition = condition_services.add_condition(
        actor=actor_of(request),
        patient_id=patient_id,
        data=services.ConditionData(**payload.model_dump()),
    )
    return Status(201, condition_out(condition))


@router.patch(
    "/{patient_id}/conditions/{condition_id}",
    response=ConditionOut,
    summary="Mark a diagnosis resolved or active again",
)
def set_condition_status(
    request: HttpRequest, patient_id: int, condition_id: int, payload: ConditionStatusIn
) -> ConditionOut:
    condition = condition_services.set_condition_status(
        actor=actor_of(request),
        patient_id=patient_id,
        condition_id=condition_id,
        status=payload.status,
    )
    return condition_out(condition)
