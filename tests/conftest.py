"""Suite-wide fixtures: a small clinic world with every role, and API clients."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from painpath.accounts.models import Clinic, Role, User
from painpath.patients.models import CareTeam, Patient
from tests.factories import (
    CareTeamFactory,
    ClinicFactory,
    ConditionFactory,
    PatientFactory,
    UserFactory,
)


@dataclass
class World:
    """Clinic A with two care teams that share a nurse; clinic B next door.

    team_1: dr_a, nurse | p1, p2        team_2: dr_b, nurse | p3
    clinic B: dr_other | p_other        admin_a administers clinic A; patient_user is p1
    """

    clinic_a: Clinic
    clinic_b: Clinic
    team_1: CareTeam
    team_2: CareTeam
    dr_a: User
    dr_b: User
    nurse: User
    dr_other: User
    admin_a: User
    patient_user: User
    p1: Patient
    p2: Patient
    p3: Patient
    p_other: Patient


@pytest.fixture
def world(db: None) -> World:
    clinic_a = ClinicFactory(name="Clinic A", slug="clinic-a")
    clinic_b = ClinicFactory(name="Clinic B", slug="clinic-b", timezone="Europe/London")
    dr_a = UserFactory(username="dr_a", clinic=clinic_a, profession="physician")
    dr_b = UserFactory(username="dr_b", clinic=clinic_a, profession="physician")
    nurse = UserFactory(username="nurse", clinic=clinic_a, profession="nurse")
    dr_other = UserFactory(username="dr_other", clinic=clinic_b)
    admin_a = UserFactory(username="admin_a", clinic=clinic_a, role=Role.ADMIN, is_staff=True)
    patient_user = UserFactory(username="pat1", clinic=clinic_a, role=Role.PATIENT)
    p1 = PatientFactory(
        clinic=clinic_a, user=patient_user, given_name="Ada", family_name="Lovelace"
    )
    p2 = PatientFactory(clinic=clinic_a, given_name="Grace", family_name="Hopper")
    p3 = PatientFactory(clinic=clinic_a, given_name="Alan", family_name="Turing")
    p_other = PatientFactory(clinic=clinic_b, given_name="Other", family_name="Person")
    for p in (p1, p2, p3, p_other):
        ConditionFactory(patient=p)
    team_1 = CareTeamFactory(clinic=clinic_a, name="Team 1")
    team_1.members.set([dr_a, nurse])
    team_1.patients.set([p1, p2])
    team_2 = CareTeamFactory(clinic=clinic_a, name="Team 2")
    team_2.members.set([dr_b, nurse])
    team_2.patients.set([p3])
    team_b = CareTeamFactory(clinic=clinic_b, name="Team B")
    team_b.members.set([dr_other])
    team_b.patients.set([p_other])
    return World(
        clinic_a,
        clinic_b,
        team_1,
        team_2,
        dr_a,
        dr_b,
        nurse,
        dr_other,
        admin_a,
        patient_user,
        p1,
        p2,
        p3,
        p_other,
    )


@pytest.fixture(scope="session", autouse=True)
def _no_session_outlives_the_test_database(django_db_setup, django_db_blocker):
    """On PostgreSQL, end every other session on the test database before pytest-django drops
    it. Browser tests leave some behind: Playwright's greenlets give the test body its own
    context, hence its own Django connection, which the harness never closes; dropping the
    database under it fails the whole run at teardown. Test harness only (the app's own
    connections are closed per request)."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    connection.close()


@pytest.fixture(autouse=True)
def _own_audit_anchor_file(settings, tmp_path):
    # Each test's database starts empty; anchors recorded by another test must not apply.
    settings.AUDIT_ANCHOR_FILE = tmp_path / "audit-anchors.jsonl"


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def as_user():
    return client_for
