"""Django admin: each clinic's administrators configure alert routing and escalation."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import ForeignKey
from django.http import HttpRequest

from painpath.accounts.admin import ClinicScopedAdmin
from painpath.accounts.models import Role, User
from painpath.alerts.models import EscalationPolicy, RoutingRule


class _ClinicianChoices(ClinicScopedAdmin):
    """Recipients are active clinicians of the administrator's clinic."""

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> Any:
        if db_field.name in {"recipient", "escalate_to"}:
            users = User.objects.filter(role=Role.CLINICIAN, is_active=True)
            user = request.user
            if isinstance(user, User) and not user.is_superuser:
                users = users.filter(clinic=user.clinic)
            kwargs["queryset"] = users
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(RoutingRule)
class RoutingRuleAdmin(_ClinicianChoices):
    list_display = ["clinic", "rule_id", "recipient"]
    list_filter = ["rule_id"]


@admin.register(EscalationPolicy)
class EscalationPolicyAdmin(_ClinicianChoices):
    list_display = ["clinic", "after_minutes", "escalate_to"]
