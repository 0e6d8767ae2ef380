"""Forms of the PGx pages: a lab file upload and an outside call (e.g. CYP2D6 from a lab)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Lab file"),
        help_text=_("A GRCh38 VCF (.vcf or .vcf.gz), or a CSV/JSON with gene and diplotype."),
    )
    sample = forms.CharField(
        label=_("Sample (multi-sample VCF only)"), max_length=100, required=False
    )
    lab_name = forms.CharField(label=_("Lab"), max_length=200, required=False)
    report_date = forms.DateField(
        label=_("Report date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class OutsideCallForm(forms.Form):
    gene = forms.ChoiceField(
        label=_("Gene"),
        choices=[("CYP2D6", "CYP2D6"), ("CYP2C9", "CYP2C9"), ("CYP2C19", "CYP2C19")],
    )
    diplotype = forms.CharField(
        label=_("Diplotype"),
        max_length=64,
        help_text=_("As the lab wrote it, e.g. *1/*4 or *2x2/*41."),
    )
    lab_name = forms.CharField(label=_("Lab"), max_length=200, required=False)
    report_date = forms.DateField(
        label=_("Report date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
