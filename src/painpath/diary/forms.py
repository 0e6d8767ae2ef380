"""The check-in form: 0-10 scales as radio rows, body-map regions and qualities as checkboxes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy as _

from painpath.diary.bodymap import body_map

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

SCALE = [(i, str(i)) for i in range(11)]


def _scale(label: StrOrPromise, *, required: bool) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=SCALE,
        coerce=int,
        required=required,
        widget=forms.RadioSelect,
        empty_value=None,
    )


class CheckInForm(forms.Form):
    pain_now = _scale(_("Pain right now"), required=True)
    pain_average = _scale(_("Average pain today"), required=True)
    regions = forms.MultipleChoiceField(
        label=_("Where it hurts"), required=False, widget=forms.CheckboxSelectMultiple
    )
    qualities = forms.MultipleChoiceField(
        label=_("What it feels like"), required=False, widget=forms.CheckboxSelectMultiple
    )
    sleep_quality = _scale(_("Sleep last night (0 very poor, 10 very good)"), required=False)
    mood = _scale(_("Mood today (0 very low, 10 very good)"), required=False)
    activity = _scale(_("Activity today (0 in bed all day, 10 fully active)"), required=False)
    helped = forms.CharField(label=_("What helped"), max_length=500, required=False)
    worsened = forms.CharField(label=_("What made it worse"), max_length=500, required=False)
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        bm = body_map()
        self.fields["regions"].choices = [(r.id, r.label) for r in bm.regions]  # type: ignore[attr-defined]
        self.fields["qualities"].choices = [(q.id, q.label) for q in bm.qualities]  # type: ignore[attr-defined]
