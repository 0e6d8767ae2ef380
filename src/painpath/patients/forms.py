"""HTML forms for patient records; the rules themselves are checked by the services."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from painpath.patients.models import ConditionStatus, Sex


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
    preferred_language = forms.ChoiceField(
        label=_("Preferred language"),
        choices=[("", _("— (English)")), *settings.LANGUAGES],
        required=False,
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=32,
        required=False,
        help_text=_("A number of the clinic's country, or the international form with +."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    emergency_contact_name = forms.CharField(
        label=_("Emergency contact: name"), max_length=100, required=False
    )
    emergency_contact_relationship = forms.CharField(
        label=_("Emergency contact: relationship"),
        max_length=60,
        required=False,
        help_text=_("e.g. partner, daughter, friend"),
    )
    emergency_contact_phone = forms.CharField(
        label=_("Emergency contact: phone"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search by name or MRN"), max_length=100, required=False)


class ConditionForm(forms.Form):
    display = forms.CharField(label=_("Diagnosis"), max_length=200)
    icd10_code = forms.CharField(
        label=_("ICD-10-CM code"), max_length=10, required=False, help_text=_("e.g. M54.50")
    )
    snomed_code = forms.CharField(label=_("SNOMED CT concept id"), max_length=18, required=False)
    onset_date = forms.DateField(
        label=_("Onset"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=ConditionStatus.choices, initial=ConditionStatus.ACTIVE
    )


class InviteForm(forms.Form):
    username = forms.CharField(label=_("User name for the patient"), max_length=150)
    email = forms.EmailField(label=_("The patient's e-mail address"))
