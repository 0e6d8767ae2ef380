"""HTML forms of the device pages: file upload, device token, sensation report, and the
clinician's neuromodulation log (device, program, program change, daily usage)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from painpath.devices.models import (
    ChangeContext,
    ImportFormat,
    StimDevice,
    StimProgram,
    StimType,
    Waveform,
)

DATE = forms.DateInput(attrs={"type": "date"})
# painpath's own patient-facing 0-4 wording for overstimulation, not a validated instrument:
# no published scale is behind these anchor words, and no score or cut-off is derived from them.
OVERSTIMULATION = [
    (0, _("0 none")),
    (1, _("1 mild")),
    (2, _("2 moderate")),
    (3, _("3 strong")),
    (4, _("4 unbearable")),
]
# Burst parameters offered on the form: name in the stored JSON -> label.
BURST_FIELDS = {
    "pulses": _("Pulses per burst"),
    "intra_burst_hz": _("Intra-burst rate (Hz)"),
    "burst_hz": _("Burst rate (Hz)"),
}


class UploadForm(forms.Form):
    format = forms.ChoiceField(label=_("Format"), choices=ImportFormat.choices)
    file = forms.FileField(
        label=_("File"), error_messages={"required": _("Choose a file to upload.")}
    )


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Device name"), max_length=100)


class SensationForm(forms.Form):
    device = forms.TypedChoiceField(label=_("Stimulator"), coerce=int)
    day = forms.DateField(label=_("Day"), widget=DATE)
    paresthesia_coverage = forms.IntegerField(
        label=_("Paresthesia coverage (% of the painful area, 0-100)"),
        min_value=0,
        max_value=100,
        required=False,
    )
    overstimulation = forms.TypedChoiceField(
        label=_("Overstimulation (0 none to 4)"),
        choices=OVERSTIMULATION,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, devices: list[StimDevice], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["device"].choices = [(d.pk, str(d)) for d in devices]  # type: ignore[attr-defined]


class DeviceForm(forms.Form):
    type = forms.ChoiceField(label=_("Type"), choices=StimType.choices)
    make = forms.CharField(label=_("Make"), max_length=100)
    model = forms.CharField(label=_("Model"), max_length=100)
    implant_date = forms.DateField(label=_("Implant date"), required=False, widget=DATE)
    leads = forms.CharField(label=_("Leads"), max_length=200, required=False)


def _amp(label: Any) -> forms.FloatField:
    return forms.FloatField(label=label, min_value=0, required=False)


class ProgramForm(forms.Form):
    device = forms.TypedChoiceField(label=_("Device"), coerce=int)
    name = forms.CharField(label=_("Program name"), max_length=60)
    waveform = forms.ChoiceField(label=_("Waveform"), choices=Waveform.choices)
    frequency_hz = forms.FloatField(label=_("Frequency (Hz)"), min_value=0)
    pulse_width_us = forms.FloatField(label=_("Pulse width (µs)"), min_value=0)
    amplitude_ma = forms.FloatField(label=_("Amplitude (mA)"), min_value=0)
    burst_pulses = forms.IntegerField(label=BURST_FIELDS["pulses"], min_value=0, required=False)
    burst_intra_burst_hz = forms.FloatField(
        label=BURST_FIELDS["intra_burst_hz"], min_value=0, required=False
    )
    burst_burst_hz = forms.FloatField(label=BURST_FIELDS["burst_hz"], min_value=0, required=False)
    contacts = forms.CharField(
        label=_("Active contacts and polarity"), max_length=200, required=False
    )
    cycling = forms.CharField(
        label=_("Cycling (e.g. 30 s on / 2 min off, or continuous)"),
        max_length=100,
        required=False,
    )
    closed_loop = forms.BooleanField(label=_("Closed loop"), required=False)
    amplitude_min_ma = _amp(_("Patient range min (mA)"))
    amplitude_max_ma = _amp(_("Patient range max (mA)"))

    def __init__(self, *args: Any, devices: list[StimDevice] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if devices is None:  # editing: the device is fixed
            del self.fields["device"]
        else:
            self.fields["device"].choices = [(d.pk, str(d)) for d in devices]  # type: ignore[attr-defined]

    @classmethod
    def initial_for(cls, program: StimProgram) -> dict[str, Any]:
        initial = {
            n: getattr(program, n)
            for n in (
                "name",
                "waveform",
                "frequency_hz",
                "pulse_width_us",
                "amplitude_ma",
                "contacts",
                "cycling",
                "closed_loop",
                "amplitude_min_ma",
                "amplitude_max_ma",
            )
        }
        for key in BURST_FIELDS:
            initial[f"burst_{key}"] = (program.burst or {}).get(key)
        return initial

    def values(self) -> dict[str, Any]:
        """The service's program fields from the cleaned data."""
        data = self.cleaned_data
        burst = {
            key: data[f"burst_{key}"]
            for key in BURST_FIELDS
            if data.get(f"burst_{key}") is not None
        }
        return {
            "name": data["name"].strip(),
            "waveform": data["waveform"],
            "frequency_hz": data["frequency_hz"],
            "pulse_width_us": data["pulse_width_us"],
            "amplitude_ma": data["amplitude_ma"],
            "burst": burst,
            "contacts": data["contacts"],
            "cycling": data["cycling"],
            "closed_loop": data["closed_loop"],
            "amplitude_min_ma": data["amplitude_min_ma"],
            "amplitude_max_ma": data["amplitude_max_ma"],
        }


def _program_choices(devices: list[StimDevice]) -> list[tuple[int, str]]:
    return [(p.pk, f"{d}: {p.name}") for d in devices for p in d.programs.all()]


class ChangeForm(forms.Form):
    program = forms.TypedChoiceField(label=_("Program now active"), coerce=int)
    changed_at = forms.DateTimeField(
        label=_("When (the patient's local time)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    context = forms.ChoiceField(
        label=_("Who and where"),
        choices=[
            (ChangeContext.CLINICIAN_VISIT, _("Clinician, at a visit")),
            (ChangeContext.REMOTE_SESSION, _("Clinician, remote session")),
            (ChangeContext.PATIENT, _("Patient-reported change (the patient made it)")),
        ],
    )
    reason = forms.CharField(label=_("Why"), max_length=300, required=False)

    def __init__(self, *args: Any, devices: list[StimDevice], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["program"].choices = _program_choices(devices)  # type: ignore[attr-defined]


class UsageForm(forms.Form):
    program = forms.TypedChoiceField(label=_("Program"), coerce=int)
    day = forms.DateField(label=_("Day"), widget=DATE)
    hours = forms.FloatField(label=_("Hours on"), min_value=0, max_value=24)

    def __init__(self, *args: Any, devices: list[StimDevice], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["program"].choices = _program_choices(devices)  # type: ignore[attr-defined]


def device_of(devices: list[StimDevice], program_id: int) -> int:
    """The device a listed program belongs to (the form's choices came from ``devices``)."""
    for d in devices:
        if any(p.pk == program_id for p in d.programs.all()):
            return d.pk
    raise KeyError(program_id)


def apply_errors(form: forms.Form, fields: list[Any]) -> None:
    """Service field errors onto the form (unknown field names go to the top)."""
    aliases = {"program_id": "program", "device_id": "device", "burst": None}
    for err in fields:
        name = aliases.get(err.field, err.field)
        form.add_error(name if name in form.fields else None, err.message)
