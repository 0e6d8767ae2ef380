"""Django admin: each clinic's administrators configure alert routing and escalation."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import ForeignKey, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from painpath.accounts.admin import ClinicScopedAdmin
from painpath.accounts.models import Role, User
from painpath.alerts.models import EscalationPolicy, RoutingRule
from painpath.clinical.safety import rule_specs, rule_title


def rule_choices() -> list[tuple[str, str]]:
    """Every rule by its title (the stored value stays the rule id), after the catch-all."""
    return [("", str(_("Any rule (every alert without a route of its own)")))] + [
        (rule_id, spec.title) for rule_id, spec in rule_specs().items()
    ]


class RoutingRuleForm(forms.ModelForm):  # type: ignore[type-arg]
    rule_id = forms.ChoiceField(label=_("Rule"), choices=rule_choices, required=False)

    class Meta:
        model = RoutingRule
        fields = ["clinic", "rule_id", "recipient"]


class RuleFilter(admin.SimpleListFilter):
    title = _("rule")
    parameter_name = "rule"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(rule_id or "*", title) for rule_id, title in rule_choices()]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value is None:
            return queryset
        return queryset.filter(rule_id="" if value == "*" else value)


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
    form = RoutingRuleForm
    list_display = ["clinic", "rule", "recipient"]
    list_filter = [RuleFilter]

    @admin.display(description=_("Rule"), ordering="rule_id")
    def rule(self, obj: RoutingRule) -> str:
        return rule_title(obj.rule_id) if obj.rule_id else str(_("Any rule"))


@admin.register(EscalationPolicy)
class EscalationPolicyAdmin(_ClinicianChoices):
    list_display = ["clinic", "after_minutes", "escalate_to"]
