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


def test_clinic_admin_cannot_see_or_reset_a_superuser_in_their_clinic(world, as_user):
    from tests.factories import UserFactory

    operator = UserFactory(
        username="operator", clinic=world.clinic_a, is_superuser=True, is_staff=True
    )
    before = operator.password
    client = as_user(world.admin_a)
    assert "operator" not in client.get("/admin/accounts/user/").content.decode()
    response = client.post(
        f"/admin/accounts/user/{operator.pk}/password/",
        {"password1": "A-new-long-password-1", "password2": "A-new-long-password-1"},
    )
    assert response.status_code in {302, 404}
    operator.refresh_from_db()
    assert operator.password == before


def _team_post(team, *, patients, members):
    return {
        "name": team.name,
        "synthetic": "",
        "patients": ",".join(str(p.pk) for p in patients),
        "members": [m.pk for m in members],
    }


def test_care_team_refuses_another_clinics_patient(world, as_user):
    client = as_user(world.admin_a)
    url = f"/admin/patients/careteam/{world.team_1.pk}/change/"
    response = client.post(
        url, _team_post(world.team_1, patients=[world.p1, world.p_other], members=[world.dr_a])
    )
    assert response.status_code == 200  # the form again, with the error
    assert (
        f"Not patients of this team&#x27;s clinic: {world.p_other.pk}" in response.content.decode()
    )
    assert set(world.team_1.patients.all()) == {world.p1, world.p2}


def test_care_team_change_within_the_clinic_is_saved(world, as_user):
    client = as_user(world.admin_a)
    url = f"/admin/patients/careteam/{world.team_1.pk}/change/"
    response = client.post(
        url, _team_post(world.team_1, patients=[world.p1, world.p3], members=[world.dr_a])
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert set(world.team_1.patients.all()) == {world.p1, world.p3}
