"""Django admin: a clinic administrator manages only their own clinic's people and teams."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_clinic_admin_lists_only_their_clinics_users(world, as_user):
    html = as_user(world.admin_a).get("/admin/accounts/user/").content.decode()
    assert "dr_a" in html and "nurse" in html
    assert "dr_other" not in html


def test_clinic_admin_cannot_open_another_clinics_user_or_team(world, as_user):
    client = as_user(world.admin_a)
    assert client.get(f"/admin/accounts/user/{world.dr_other.pk}/change/").status_code == 302
    team_b = world.p_other.care_teams.get()
    response = client.get(f"/admin/patients/careteam/{team_b.pk}/change/")
    assert response.status_code == 302  # admin redirects away from objects outside the queryset
    assert client.get(f"/admin/patients/careteam/{world.team_1.pk}/change/").status_code == 200


def test_clinic_admin_cannot_grant_platform_permissions(world, as_user):
    html = (
        as_user(world.admin_a).get(f"/admin/accounts/user/{world.dr_a.pk}/change/").content.decode()
    )
    assert 'name="is_superuser"' not in html and 'name="user_permissions"' not in html


def test_clinicians_and_patients_have_no_admin(world, as_user):
    for user in (world.dr_a, world.patient_user):
        assert as_user(user).get("/admin/").status_code == 302
