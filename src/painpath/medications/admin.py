"""Django admin: per-clinic medication-safety settings (e.g. the PDMP review interval)."""

from __future__ import annotations

from django.contrib import admin

from painpath.accounts.admin import ClinicScopedAdmin
from painpath.medications.models import ClinicMedicationSettings


@admin.register(ClinicMedicationSettings)
class ClinicMedicationSettingsAdmin(ClinicScopedAdmin):
    list_display = ["clinic", "pdmp_interval_days"]
