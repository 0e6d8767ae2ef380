"""Django admin: each clinic's administrators set their own questionnaire policy (grace,
reminder expiry, default schedules); what they leave empty falls back to policy.toml."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from painpath.accounts.admin import ClinicScopedAdmin, ClinicScopedInline
from painpath.accounts.models import User
from painpath.assessments.models import ClinicDefaultSchedule, ClinicQuestionnairePolicy
from painpath.clinical.instruments import list_instruments


class _DefaultForm(forms.ModelForm):  # type: ignore[type-arg]
    instrument = forms.ChoiceField(label=_("instrument"), choices=())

    class Meta:
        model = ClinicDefaultSchedule
        fields = ["instrument", "every_days"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["instrument"].choices = [(i.id, i.name) for i in list_instruments()]  # type: ignore[attr-defined]


class DefaultScheduleInline(ClinicScopedInline):
    """The defaults of the clinic's own policy (the parent admin scopes which policy)."""

    model = ClinicDefaultSchedule
    form = _DefaultForm
    extra = 1


@admin.register(ClinicQuestionnairePolicy)
class ClinicQuestionnairePolicyAdmin(ClinicScopedAdmin):
    list_display = ["clinic", "grace_days", "reminder_expiry_days", "own_defaults", "updated_at"]
    inlines = [DefaultScheduleInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # One policy per clinic: a clinic administrator adds theirs once, then changes it.
        user = request.user
        if isinstance(user, User) and not user.is_superuser and user.clinic_id is not None:
            taken = ClinicQuestionnairePolicy.objects.filter(clinic_id=user.clinic_id).exists()
            return not taken and super().has_add_permission(request)
        return super().has_add_permission(request)
