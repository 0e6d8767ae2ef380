"""factory_boy factories: clinics, users of each role, patients, care teams."""

from __future__ import annotations

import datetime as dt

import factory

from painpath.accounts.models import Clinic, Role, User
from painpath.patients.models import CareTeam, Condition, Patient

PASSWORD = "correct-horse-battery"


class ClinicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Clinic

    name = factory.Sequence(lambda n: f"Test clinic {n}")
    slug = factory.Sequence(lambda n: f"clinic-{n}")
    timezone = "America/New_York"
    synthetic = True


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.CLINICIAN
    clinic = factory.SubFactory(ClinicFactory)
    synthetic = True
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    clinic = factory.SubFactory(ClinicFactory)
    mrn = factory.Sequence(lambda n: f"SYN-{n:06d}")
    given_name = factory.Sequence(lambda n: f"Given{n}")
    family_name = factory.Sequence(lambda n: f"Family{n}")
    date_of_birth = dt.date(1970, 5, 17)
    sex = "female"
    synthetic = True


class ConditionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Condition

    patient = factory.SubFactory(PatientFactory)
    display = "Chronic low back pain"
    icd10_code = "M54.50"
    snomed_code = "278860009"


class CareTeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CareTeam

    clinic = factory.SubFactory(ClinicFactory)
    name = factory.Sequence(lambda n: f"Team {n}")
    synthetic = True
