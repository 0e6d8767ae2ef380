"""HTML forms: a prescription draft (checked before saving), stopping a line with a reason,
and a monitoring event."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from painpath.clinical.medications import load_catalogue
from painpath.medications.models import (
    LIVE_STATUSES,
    EventKind,
    Indication,
    Prescription,
    Release,
    Unit,
)
from painpath.medications.services import DraftData
from painpath.patients.models import Patient


def _drug_choices() -> list[tuple[str, str]]:
    return sorted(((m.id, m.name) for m in load_catalogue().values()), key=lambda c: c[1])


class PrescriptionForm(forms.Form):
    drug = forms.ChoiceField(label=_("Drug"), choices=_drug_choices)
    dose = forms.DecimalField(label=_("Dose"), min_value=0, max_digits=9, decimal_places=3)
    unit = forms.ChoiceField(label=_("Unit"), choices=Unit.choices, initial=Unit.MG)
    frequency = forms.ChoiceField(
        label=_("Frequency"),
        choices=[
            ("times_per_day", _("times a day")),
            ("every_hours", _("every N hours")),
            ("as_needed", _("as needed, up to N a day")),
            ("patch", _("patch (no frequency)")),
        ],
    )
    frequency_value = forms.DecimalField(
        label=_("N"), required=False, min_value=0, max_digits=5, decimal_places=2
    )
    release = forms.ChoiceField(label=_("Release"), choices=Release.choices, initial=Release.IR)
    route = forms.CharField(label=_("Route"), max_length=32, initial="oral")
    # No default: the prescriber chooses (an ER/LA opioid saved as "acute pain" by default
    # would set off the wrong rules).
    indication = forms.ChoiceField(
        label=_("Indication"), choices=[("", _("— choose —")), *Indication.choices]
    )
    start = forms.DateField(label=_("Start"), widget=forms.DateInput(attrs={"type": "date"}))
    days_supply = forms.IntegerField(
        label=_("Days' supply"), required=False, min_value=1, max_value=366
    )
    end = forms.DateField(
        label=_("End (optional)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    replaces = forms.TypedChoiceField(
        label=_("Replaces (taper or dose change)"), required=False, coerce=int, empty_value=None
    )
    taper = forms.BooleanField(label=_("This is a taper step"), required=False)
    override_reason = forms.CharField(
        label=_("Reason for prescribing over the warnings"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self, *args: Any, patient: Patient, live: list[Prescription] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if live is None:
            live = list(Prescription.objects.filter(patient=patient, status__in=LIVE_STATUSES))
        self.fields["replaces"].choices = [("", "—")] + [  # type: ignore[attr-defined]
            (rx.pk, f"{rx} ({rx.start:%Y-%m-%d})") for rx in live
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("frequency")
        if kind in {"times_per_day", "every_hours", "as_needed"} and not data.get(
            "frequency_value"
        ):
            self.add_error("frequency_value", _("Give N for this frequency."))
        return data

    def draft_data(self) -> DraftData:
        d = self.cleaned_data
        kind, value = d["frequency"], d.get("frequency_value")
        return DraftData(
            drug=d["drug"],
            dose=d["dose"],
            unit=d["unit"],
            times_per_day=value if kind == "times_per_day" else None,
            every_hours=value if kind == "every_hours" else None,
            as_needed=kind == "as_needed",
            max_doses_per_day=value if kind == "as_needed" else None,
            release=d["release"],
            route=d["route"],
            indication=d["indication"],
            start=d["start"],
            end=d.get("end"),
            days_supply=d.get("days_supply"),
            replaces_id=d.get("replaces"),
            taper=bool(d.get("taper")),
        )


def _plain(value: Decimal | None) -> str | None:
    """30.000 -> '30' (``normalize`` alone gives '3E+1')."""
    return None if value is None else f"{value.normalize():f}"


def initial_from(rx: Prescription, *, start: date) -> dict[str, Any]:
    """The form filled from the line ``rx`` that the new one replaces, starting ``start``."""
    if rx.unit == Unit.MCG_H:
        frequency, value = "patch", None
    elif rx.as_needed:
        frequency, value = "as_needed", rx.max_doses_per_day
    elif rx.times_per_day is not None:
        frequency, value = "times_per_day", rx.times_per_day
    else:
        frequency, value = "every_hours", rx.every_hours
    return {
        "drug": rx.drug,
        "dose": _plain(rx.dose),
        "unit": rx.unit,
        "frequency": frequency,
        "frequency_value": _plain(value),
        "release": rx.release,
        "route": rx.route,
        "indication": rx.indication,
        "start": start,
        "days_supply": rx.days_supply,
        "replaces": rx.pk,
    }


class StopForm(forms.Form):
    on = forms.DateField(label=_("Stop from"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(
        label=_("Reason for stopping"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.BooleanField(label=_("I confirm that this prescription is stopped."))


class EventForm(forms.Form):
    kind = forms.ChoiceField(label=_("Event"), choices=EventKind.choices)
    on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note"), required=False, max_length=500)
