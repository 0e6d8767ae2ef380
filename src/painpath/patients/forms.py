"""HTML forms for patient records; the rules themselves are checked by the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from painpath.patients.models import Sex


class PatientForm(forms.Form):
    mrn = forms.CharField(label=_("Medical record number"), max_length=32)
    given_name = forms.CharField(label=_("Given name"), max_length=100)
    family_name = forms.CharField(label=_("Family name"), max_length=100)
    date_of_birth = forms.DateField(
        label=_("Date of birth"), widget=forms.DateInput(attrs={"type": "date"})
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices)
    timezone = forms.CharField(
        label=_("Time zone"),
        max_length=64,
        required=False,
        help_text=_("IANA name such as Europe/Madrid; empty means the clinic's."),
    )


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search by name or MRN"), max_length=100, required=False)
