"""Django admin for staff. Clinic administrators see only their own clinic's people and teams.

Patient records are not edited here: their changes must be audited, so they go through the
painpath pages and API. Care teams list their patients by id only, for the same reason.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from painpath.accounts.models import (
    ApiToken,
    Clinic,
    ClinicCrisisInstruction,
    ClinicCrisisLine,
    Role,
    User,
)
from painpath.clinical.crisis_lines import load_crisis_lines


def _is_clinic_admin(request: HttpRequest) -> bool:
    user = request.user
    return isinstance(user, User) and user.is_active and user.role == Role.ADMIN


class ClinicScopedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Superusers see everything; a clinic administrator only rows of their clinic."""

    clinic_field = "clinic"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)
        user = request.user
        if isinstance(user, User) and not user.is_superuser:
            return qs.filter(**{self.clinic_field: user.clinic_id})
        return qs

    def has_module_permission(self, request: HttpRequest) -> bool:
        return super().has_module_permission(request) or _is_clinic_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_view_permission(request, obj) or _is_clinic_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) or _is_clinic_admin(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) or _is_clinic_admin(request)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        user = request.user
        if isinstance(user, User) and not user.is_superuser:
            setattr(obj, f"{self.clinic_field}_id", user.clinic_id)
        super().save_model(request, obj, form, change)

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> Any:
        user = request.user
        if isinstance(user, User) and not user.is_superuser:
            return [self.clinic_field]
        return super().get_exclude(request, obj)


class ClinicScopedInline(admin.TabularInline):  # type: ignore[type-arg]
    """Rows inside a ClinicScopedAdmin's object: a clinic administrator may view, add, change
    and delete them, since the parent admin already scopes which object they can open."""

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_view_permission(request, obj) or _is_clinic_admin(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_add_permission(request, obj) or _is_clinic_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) or _is_clinic_admin(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) or _is_clinic_admin(request)


class CrisisInstructionInline(ClinicScopedInline):
    model = ClinicCrisisInstruction
    extra = 1
    fields = ["language", "text"]
    verbose_name_plural = _("What the clinic tells a patient in crisis to do (per language)")


class CrisisLineInline(ClinicScopedInline):
    model = ClinicCrisisLine
    extra = 0
    fields = ["kind", "name", "number", "how", "language", "replaces", "position"]
    verbose_name_plural = _("The clinic's own crisis lines (added, or replacing a line on file)")


@admin.register(Clinic)
class ClinicAdmin(ClinicScopedAdmin):
    clinic_field = "id"
    list_display = ["name", "slug", "timezone", "country", "synthetic"]
    search_fields = ["name", "slug"]
    inlines = [CrisisInstructionInline, CrisisLineInline]
    readonly_fields = ["lines_on_file"]

    @admin.display(description=_("Crisis lines on file for the country"))
    def lines_on_file(self, obj: Clinic | None) -> str:
        if obj is None or not obj.country:
            return str(_("Set the country to see its lines."))
        lines = [line for line in load_crisis_lines().lines if line.country == obj.country]
        if not lines:
            return str(_("None: patients see the clinic's instructions and phone only."))
        return "; ".join(
            f"{line.id}: {next(iter(line.names.values()), line.kind)} {line.number}"
            for line in lines
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> Any:
        return None


@admin.register(User)
class UserAdmin(ClinicScopedAdmin, BaseUserAdmin):  # type: ignore[type-arg]
    list_display = [
        "username",
        "first_name",
        "last_name",
        "role",
        "profession",
        "clinic",
        "is_active",
    ]
    list_filter = ["role", "is_active", "synthetic"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,  # type: ignore[misc]
        ("painpath", {"fields": ("role", "profession", "clinic", "synthetic")}),
    )
    add_fieldsets = (
        (None, {"fields": ("username", "password1", "password2", "role", "profession", "clinic")}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)
        if not request.user.is_superuser:
            # Platform operators are not a clinic's people: an administrator who could reset
            # their password would hold every clinic's records.
            qs = qs.filter(is_superuser=False)
        return qs

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        # Clinic administrators manage people, not platform permissions or other clinics.
        hidden = {"is_superuser", "groups", "user_permissions", "clinic", "is_staff"}
        return [
            (name, {**opts, "fields": tuple(f for f in opts["fields"] if f not in hidden)})
            for name, opts in fieldsets
        ]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = [
        "name",
        "user",
        "prefix",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
    ]
    readonly_fields = ["user", "prefix", "created_at", "last_used_at"]
    exclude = ["secret_hash"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # tokens are issued by their owner, who alone sees the secret
