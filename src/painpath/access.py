"""The one access policy. Every view and API endpoint asks here; nothing else decides.

- A patient sees only their own record and cannot change it (demographics are the clinic's);
  they alone write their own reports (check-ins, questionnaires, doses taken, device samples);
  a wearable file may also be imported for them by a clinician on their care team.
- A clinician sees the patients on their care teams, may change their records and makes
  clinical writes (prescriptions, schedules, plans, alerts) for them.
- A clinic administrator sees and manages the patients, users and care teams of their clinic.
- A superuser (platform operator) may do everything an administrator may, in every clinic.

A denied read raises NotFound (404: whether the record exists is not revealed). A write on a
record the caller can see but not change raises Forbidden (403); a write on a record the caller
cannot see is a NotFound like the read, for the same reason.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _

from painpath.accounts.models import Clinic, Role, User
from painpath.core.errors import Forbidden, NotFound, Unauthenticated
from painpath.patients.models import CareTeam, Patient

__all__ = [
    "can_edit_patients",
    "get_patient_for_clinical_write",
    "get_patient_for_device_upload",
    "get_patient_for_self_report",
    "get_readable_patient",
    "get_writable_patient",
    "require_audit_access",
    "require_authenticated",
    "require_can_create_patient",
    "visible_care_teams",
    "visible_patients",
]


def require_authenticated(user: User | object) -> User:
    if not isinstance(user, User) or not user.is_authenticated or not user.is_active:
        raise Unauthenticated(_("Sign in or send an API token."))
    return user


def visible_patients(user: User) -> QuerySet[Patient]:
    """The patients whose records ``user`` may read."""
    patients = Patient.objects.select_related("clinic")
    if not user.is_active:
        return patients.none()
    if user.is_superuser:
        return patients.all()
    if user.role == Role.ADMIN and user.clinic_id is not None:
        return patients.filter(clinic_id=user.clinic_id)
    if user.role == Role.CLINICIAN and user.clinic_id is not None:
        on_team = CareTeam.patients.through.objects.filter(
            patient_id=OuterRef("pk"), careteam__members=user
        )
        return patients.filter(Exists(on_team), clinic_id=user.clinic_id)
    if user.role == Role.PATIENT:
        return patients.filter(user=user)
    return patients.none()


def can_edit_patients(user: User) -> bool:
    return user.is_active and (user.is_superuser or user.role in {Role.CLINICIAN, Role.ADMIN})


def get_readable_patient(user: User, patient_id: int) -> Patient:
    patient = visible_patients(user).filter(pk=patient_id).first()
    if patient is None:
        raise NotFound(_("No such patient."))
    return patient


def get_writable_patient(user: User, patient_id: int) -> Patient:
    patient = get_readable_patient(user, patient_id)
    if not can_edit_patients(user):
        raise Forbidden(_("Your role may not change this patient's record."))
    return patient


def get_patient_for_self_report(user: User, patient_id: int) -> Patient:
    """Patient-reported data is written by the patient themself (403 for anyone else who
    can see the record: a clinician does not answer a questionnaire for the patient)."""
    patient = get_readable_patient(user, patient_id)
    if user.role != Role.PATIENT or patient.user_id != user.pk:
        raise Forbidden(_("Only the patient can report this."))
    return patient


def get_patient_for_clinical_write(user: User, patient_id: int) -> Patient:
    """Clinical decisions (prescriptions, schedules, plans, alert handling) are made by the
    patient's clinicians; administrators and the patient may read but not make them."""
    patient = get_readable_patient(user, patient_id)
    if user.role != Role.CLINICIAN:
        raise Forbidden(_("Only a clinician on the patient's care team can do this."))
    return patient


def get_patient_for_device_upload(user: User, patient_id: int) -> Patient:
    """Wearable files are uploaded by the patient or by a clinician on their care team (who
    may import a file the patient brought to a visit); administrators may not."""
    patient = get_readable_patient(user, patient_id)
    is_self = user.role == Role.PATIENT and patient.user_id == user.pk
    if not (is_self or user.role == Role.CLINICIAN):
        raise Forbidden(_("Only the patient or their clinicians may upload device files."))
    return patient


def require_can_create_patient(user: User, clinic: Clinic) -> None:
    if user.is_superuser:
        return
    if not can_edit_patients(user) or user.clinic_id != clinic.pk:
        raise Forbidden(_("Your role may not register patients in this clinic."))


def visible_care_teams(user: User) -> QuerySet[CareTeam]:
    """Care teams the user may assign patients to."""
    teams = CareTeam.objects.all()
    if user.is_superuser:
        return teams
    if user.role == Role.ADMIN and user.clinic_id is not None:
        return teams.filter(clinic_id=user.clinic_id)
    if user.role == Role.CLINICIAN:
        return teams.filter(members=user)
    return teams.none()


def require_audit_access(user: User) -> Clinic | None:
    """Administrators browse their clinic's audit log; superusers every clinic's (None)."""
    if user.is_superuser:
        return None
    if user.role == Role.ADMIN and user.clinic is not None:
        return user.clinic
    raise Forbidden(_("Only administrators may read the audit log."))
