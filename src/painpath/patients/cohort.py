"""Loads a synthetic cohort (``painpath.analytics.synth``) into the database, all flagged."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction
from faker import Faker

from painpath.accounts.models import Clinic, ClinicCrisisInstruction, Role, User
from painpath.analytics.synth import Cohort
from painpath.audit import services as audit
from painpath.audit.models import Action
from painpath.clinical.crisis_lines import dial_digits
from painpath.core.context import Actor
from painpath.core.extensions import extension_functions
from painpath.patients.models import CareTeam, Condition, Patient

__all__ = ["DemoLogin", "StoredCohort", "load_cohort"]

# The demo clinics' crisis settings, by the synthetic clinic's time zone (the cohort names no
# country). Phone numbers are from ranges reserved for fiction: NANPA 555-0100..0199 (US) and
# Ofcom's drama range 020 7946 0000..0999 (UK); none reaches a real person.
_DEMO_CRISIS = {
    "America/New_York": ("US", "+12125550199", "+1 212 555 01{:02d}"),
    "Europe/London": ("GB", "+442079460999", "+44 20 7946 0{:03d}"),
}
_DEMO_INSTRUCTIONS = {
    "en": "SYNTHETIC DEMO CLINIC. Call our crisis number at any hour: a clinician on call "
    "answers. If you cannot reach us and you are in danger, call an emergency number.",
    "es": "CLÍNICA FICTICIA DE DEMOSTRACIÓN. Llame a nuestro número de crisis a cualquier "
    "hora: responde un clínico de guardia. Si no nos localiza y está en peligro, llame a un "
    "número de emergencias.",
}
_RELATIONSHIPS = ("partner", "daughter", "son", "sister", "brother", "friend")


def _demo_contact(fake: Faker, clinic: Clinic, number: int) -> dict[str, str]:
    """A synthetic phone and, for four patients in five, an emergency contact."""
    spec = _DEMO_CRISIS.get(clinic.timezone)
    if spec is None:
        return {}
    _country, _phone, pattern = spec
    phone = dial_digits(pattern.format(number % 99))
    if number % 5 == 4:
        return {"phone": phone}
    return {
        "phone": phone,
        "emergency_contact_name": fake.name(),
        "emergency_contact_relationship": _RELATIONSHIPS[number % len(_RELATIONSHIPS)],
        "emergency_contact_phone": dial_digits(pattern.format((number + 50) % 99)),
    }


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    description: str


@dataclass(frozen=True)
class StoredCohort:
    """What a demo loader of a later capability gets: the cohort and its saved rows."""

    cohort: Cohort
    clinics: dict[str, Clinic]  # by SynthClinic.key
    users: dict[str, User]  # by username
    patients: dict[str, Patient]  # by MRN
    logins: list[DemoLogin]


def load_cohort(cohort: Cohort, *, password: str, actor: Actor | None = None) -> StoredCohort:
    """Create clinics, staff, care teams and patients in one transaction, then run every
    registered demo loader (settings.PAINPATH_DEMO_LOADERS) so each capability adds its data."""
    actor = actor or Actor.system("demo-cohort")
    hashed = make_password(password)
    logins: list[DemoLogin] = []
    fake = Faker("en_US")
    fake.seed_instance(cohort.seed)
    with transaction.atomic():
        clinics = {
            c.key: Clinic.objects.create(
                name=c.name,
                slug=c.slug,
                timezone=c.timezone,
                country=_DEMO_CRISIS.get(c.timezone, ("",))[0],
                crisis_phone=_DEMO_CRISIS.get(c.timezone, ("", ""))[1],
                synthetic=True,
            )
            for c in cohort.clinics
        }
        ClinicCrisisInstruction.objects.bulk_create(
            ClinicCrisisInstruction(clinic=clinic, language=language, text=text)
            for clinic in clinics.values()
            for language, text in _DEMO_INSTRUCTIONS.items()
        )
        users: dict[str, User] = {}
        for s in cohort.staff:
            users[s.username] = User.objects.create(
                username=s.username,
                first_name=s.first_name,
                last_name=s.last_name,
                role=s.role,
                profession=s.profession,
                clinic=clinics[s.clinic_key],
                is_staff=s.role == Role.ADMIN,
                synthetic=True,
                password=hashed,
            )
            label = s.profession or "administrator"
            logins.append(DemoLogin(s.username, s.role, f"{label}, {clinics[s.clinic_key].name}"))
        teams: dict[tuple[str, str], CareTeam] = {}
        for t in cohort.teams:
            team = CareTeam.objects.create(
                clinic=clinics[t.clinic_key], name=t.name, synthetic=True
            )
            team.members.set([users[u] for u in t.member_usernames])
            teams[(t.clinic_key, t.key)] = team
        patients: list[Patient] = []
        for number, p in enumerate(cohort.patients):
            patient_user = None
            if p.username:
                patient_user = User.objects.create(
                    username=p.username,
                    first_name=p.given_name,
                    last_name=p.family_name,
                    role=Role.PATIENT,
                    clinic=clinics[p.clinic_key],
                    synthetic=True,
                    password=hashed,
                )
                logins.append(
                    DemoLogin(p.username, Role.PATIENT, f"patient {p.given_name} {p.family_name}")
                )
            patients.append(
                Patient(
                    clinic=clinics[p.clinic_key],
                    user=patient_user,
                    mrn=p.mrn,
                    given_name=p.given_name,
                    family_name=p.family_name,
                    date_of_birth=p.date_of_birth,
                    sex=p.sex,
                    synthetic=True,
                    **_demo_contact(fake, clinics[p.clinic_key], number),
                )
            )
        Patient.objects.bulk_create(patients)
        saved = {
            (p.clinic_id, p.mrn): p
            for p in Patient.objects.filter(clinic__in=list(clinics.values()))
        }
        conditions: list[Condition] = []
        memberships: list[object] = []
        for p in cohort.patients:
            record = saved[(clinics[p.clinic_key].pk, p.mrn)]
            conditions.extend(
                Condition(
                    patient=record,
                    display=c.code.display_name,
                    icd10_code=c.code.icd10cm_code,
                    snomed_code=c.code.snomed_id or "",
                    onset_date=c.onset,
                )
                for c in p.conditions
            )
            memberships.extend(
                CareTeam.patients.through(careteam=teams[(p.clinic_key, key)], patient=record)
                for key in p.team_keys
            )
        Condition.objects.bulk_create(conditions)
        CareTeam.patients.through.objects.bulk_create(memberships)  # type: ignore[arg-type]
        audit.record_many(
            actor,
            [
                audit.AuditEntry(Action.CREATE, "Patient", str(r.pk), r.pk, {"synthetic": True})
                for r in saved.values()
            ],
        )
    stored = StoredCohort(
        cohort=cohort,
        clinics=clinics,
        users={
            **users,
            **{
                u.username: u
                for u in User.objects.filter(role=Role.PATIENT, clinic__in=list(clinics.values()))
            },
        },
        patients={p.mrn: p for p in saved.values()},
        logins=logins,
    )
    for loader in extension_functions("PAINPATH_DEMO_LOADERS"):
        loader(cohort, stored=stored)
    return stored
