"""Pharmacogenomic results: one row per gene result, with where it came from and who entered it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _

from painpath.core.jobs import JobStatus, LeasedJob
from painpath.patients.models import Patient


class SourceKind(models.TextChoices):
    VCF = "vcf", _("VCF called here")
    LAB_FILE = "lab-file", _("Lab file (CSV/JSON)")
    FHIR = "fhir", _("FHIR Observation")
    OUTSIDE_CALL = "outside-call", _("Outside call")


class PgxUpload(models.Model):
    """An uploaded lab file kept as received (the reference each result points back to)."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="pgx_uploads")
    filename = models.CharField(_("file name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=16, choices=SourceKind.choices)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    content = models.BinaryField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=dj_timezone.now, editable=False)

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return self.filename


class PgxResult(models.Model):
    """One gene's diplotype with its CPIC phenotype, as interpreted when it was stored."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="pgx_results")
    gene = models.CharField(_("gene"), max_length=16)
    diplotype = models.CharField(_("diplotype"), max_length=64)
    phenotype = models.CharField(_("phenotype"), max_length=64)
    activity_score = models.CharField(
        _("activity score"), max_length=16, blank=True, default="",
        help_text=_("A number, a CPIC lower bound such as '≥3.0', or empty (none)."),
    )  # fmt: skip
    alternatives = models.JSONField(default=list, blank=True)
    missing_positions = models.JSONField(default=list, blank=True)
    uncertain = models.BooleanField(default=False)
    source_kind = models.CharField(_("source"), max_length=16, choices=SourceKind.choices)
    lab_name = models.CharField(_("lab"), max_length=200, blank=True, default="")
    report_date = models.DateField(_("report date"), null=True, blank=True)
    upload = models.ForeignKey(
        PgxUpload, on_delete=models.PROTECT, null=True, blank=True, related_name="results"
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    entered_at = models.DateTimeField(default=dj_timezone.now, editable=False)
    synthetic = models.BooleanField(_("synthetic"), default=False)

    class Meta:
        ordering = ["gene", "-entered_at", "-id"]
        indexes = [models.Index(fields=["patient", "gene", "-entered_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(source_kind__in=[s.value for s in SourceKind]),
                name="pgxresult_source_kind_known",
            )
        ]

    def __str__(self) -> str:
        return f"{self.gene} {self.diplotype}"

    @property
    def score_value(self) -> float | str | None:
        """The activity score in the core's shape (float, '≥' string or None)."""
        if not self.activity_score:
            return None
        if self.activity_score.startswith("≥"):
            return self.activity_score
        return float(self.activity_score)


class PgxImportJob(LeasedJob):
    """An uploaded lab file read by the worker under a lease (``painpath.core.jobs``): status,
    progress, and the reason if it failed. ``stored_path`` is the upload, kept only while the
    job is queued or running; the file itself is kept with its results as their ``upload``.
    """

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="pgx_imports")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    filename = models.CharField(_("file name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=16, choices=SourceKind.choices)
    stored_path = models.CharField(max_length=500, blank=True, default="")
    size_bytes = models.BigIntegerField(default=0)
    bytes_read = models.BigIntegerField(default=0)  # progress: bytes of the file read so far
    records = models.BigIntegerField(default=0)  # VCF records (or lab rows) read so far
    status = models.CharField(max_length=8, choices=JobStatus.choices, default=JobStatus.QUEUED)
    error = models.TextField(blank=True, default="")
    notes = models.JSONField(default=list, blank=True)  # e.g. a gene not called from the VCF
    lab_name = models.CharField(_("lab"), max_length=200, blank=True, default="")
    report_date = models.DateField(_("report date"), null=True, blank=True)
    sample = models.CharField(_("sample"), max_length=100, blank=True, default="")
    upload = models.ForeignKey(
        PgxUpload, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=dj_timezone.now, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.filename
