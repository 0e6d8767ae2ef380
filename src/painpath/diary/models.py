"""One check-in per patient per local day (the patient's time zone decides the day)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _

from painpath.patients.models import Patient

SCALE_FIELDS = ("pain_now", "pain_average", "sleep_quality", "mood", "activity")


class CheckIn(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="checkins")
    day = models.DateField(_("day"), help_text=_("The patient's local day."))
    pain_now = models.PositiveSmallIntegerField(_("pain now (0-10)"))
    pain_average = models.PositiveSmallIntegerField(_("average pain today (0-10)"))
    regions = models.JSONField(_("body-map regions"), default=list, blank=True)
    qualities = models.JSONField(_("what it feels like"), default=list, blank=True)
    sleep_quality = models.PositiveSmallIntegerField(_("sleep quality (0-10)"), null=True)
    mood = models.PositiveSmallIntegerField(_("mood (0-10)"), null=True)
    activity = models.PositiveSmallIntegerField(_("activity level (0-10)"), null=True)
    helped = models.CharField(_("what helped"), max_length=500, blank=True, default="")
    worsened = models.CharField(_("what made it worse"), max_length=500, blank=True, default="")
    note = models.TextField(_("note"), max_length=2000, blank=True, default="")
    synthetic = models.BooleanField(_("synthetic"), default=False)
    created_at = models.DateTimeField(default=dj_timezone.now, editable=False)
    updated_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        ordering = ["patient", "-day"]
        verbose_name = _("check-in")
        constraints = [
            models.UniqueConstraint(fields=["patient", "day"], name="checkin_one_per_local_day"),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__lte": 10}),
                    name=f"checkin_{name}_0_10",
                )
                for name in SCALE_FIELDS
            ),
        ]

    def __str__(self) -> str:
        return f"check-in {self.patient_id} {self.day}"
