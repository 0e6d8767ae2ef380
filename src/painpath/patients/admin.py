"""Care teams in Django admin (patients shown by id only; their records are audited pages)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext as _

from painpath.accounts.admin import ClinicScopedAdmin
from painpath.accounts.models import Role, User
from painpath.patients.models import CareTeam


class CareTeamForm(forms.ModelForm):  # type: ignore[type-arg]
    """A team's patients and clinicians come from the team's own clinic."""

    acting_clinic_id: int | None = None  # set per request: the administrator's clinic

    class Meta:
        model = CareTeam
        fields = ["clinic", "name", "members", "patients", "synthetic"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        clinic = data.get("clinic")
        clinic_id = clinic.pk if clinic is not None else self.acting_clinic_id
        if clinic_id is None and self.instance.pk:
            clinic_id = self.instance.clinic_id
        foreign = [p for p in data.get("patients", []) if p.clinic_id != clinic_id]
        if foreign:
            self.add_error(
                "patients",
                _("Not patients of this team's clinic: %s.")
                % ", ".join(str(p.pk) for p in foreign),
            )
        strangers = [m for m in data.get("members", []) if m.clinic_id != clinic_id]
        if strangers:
            self.add_error("members", _("Clinicians must belong to this team's clinic."))
        return data


@admin.register(CareTeam)
class CareTeamAdmin(ClinicScopedAdmin):
    form = CareTeamForm
    list_display = ["name", "clinic", "synthetic"]
    filter_horizontal = ["members"]
    raw_id_fields = ["patients"]

    def get_form(
        self, request: HttpRequest, obj: Any | None = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form: Any = super().get_form(request, obj, change, **kwargs)
        user = request.user
        form.acting_clinic_id = (
            user.clinic_id if isinstance(user, User) and not user.is_superuser else None
        )
        return form

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "members":
            members = User.objects.filter(role=Role.CLINICIAN)
            user = request.user
            if isinstance(user, User) and not user.is_superuser:
                members = members.filter(clinic=user.clinic)
            kwargs["queryset"] = members
        return super().formfield_for_manytomany(db_field, request, **kwargs)
