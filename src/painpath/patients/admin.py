"""Care teams in Django admin (patients shown by id only; their records are audited pages)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from painpath.accounts.admin import ClinicScopedAdmin
from painpath.accounts.models import Role, User
from painpath.patients.models import CareTeam


@admin.register(CareTeam)
class CareTeamAdmin(ClinicScopedAdmin):
    list_display = ["name", "clinic", "synthetic"]
    filter_horizontal = ["members"]
    raw_id_fields = ["patients"]

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "members":
            members = User.objects.filter(role=Role.CLINICIAN)
            user = request.user
            if isinstance(user, User) and not user.is_superuser:
                members = members.filter(clinic=user.clinic)
            kwargs["queryset"] = members
        return super().formfield_for_manytomany(db_field, request, **kwargs)
