"""Django admin: per-clinic medication-safety settings (the PDMP review interval), with the
clinic-policy thresholds of the safety rules listed where clinicians' citations point."""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from painpath.accounts.admin import ClinicScopedAdmin
from painpath.clinical.safety import parameter_label, rule_specs
from painpath.medications.models import ClinicMedicationSettings


def clinic_policy_rows() -> list[tuple[str, str, str]]:
    """(title, thresholds, message) of every rule whose threshold is clinic policy."""
    rows = []
    for spec in rule_specs().values():
        if spec.basis != "clinic-policy":
            continue
        params = ", ".join(
            f"{parameter_label(name)}: {value}" for name, value in spec.params.items()
        )
        rows.append((spec.title, params or "-", spec.message))
    return rows


@admin.register(ClinicMedicationSettings)
class ClinicMedicationSettingsAdmin(ClinicScopedAdmin):
    list_display = ["clinic", "pdmp_interval_days"]
    readonly_fields = ["clinic_policy"]

    @admin.display(description=_("Clinic policy of the safety rules"))
    def clinic_policy(self, obj: ClinicMedicationSettings | None = None) -> SafeString:
        """The thresholds painpath applies as the clinic's policy (not from a guideline)."""
        items = format_html_join(
            "",
            "<li><strong>{}</strong> ({}): {}</li>",
            clinic_policy_rows(),
        )
        return format_html(
            "<p>{}</p><ul>{}</ul>",
            _(
                "These thresholds are the clinic's policy, not taken from a published guideline; "
                'alerts cite them as "your clinic\'s policy". The PDMP review interval above is '
                "set here; the others are part of painpath's rules data and change with a "
                "painpath update."
            ),
            items,
        )
