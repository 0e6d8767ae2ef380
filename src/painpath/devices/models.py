"""Wearable sources and samples, daily rollups, file imports, and the neuromodulation log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _

from painpath.core.jobs import JobStatus, LeasedJob
from painpath.patients.models import Patient


class DeviceSource(models.Model):
    """A device or app that sends samples (the key is the sender's own stable name)."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="device_sources")
    key = models.CharField(_("source key"), max_length=64)
    make = models.CharField(_("make"), max_length=100, blank=True, default="")
    model = models.CharField(_("model"), max_length=100, blank=True, default="")
    app = models.CharField(_("app"), max_length=100, blank=True, default="")
    firmware = models.CharField(_("firmware"), max_length=50, blank=True, default="")
    created_at = models.DateTimeField(default=dj_timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["patient", "key"], name="device_source_key_unique")
        ]

    def __str__(self) -> str:
        return self.key


class Sample(models.Model):
    """One measurement, compact: integer type code, epoch milliseconds, a float value.

    The composite primary key (patient, type, start, duration, source) is both the index every
    read uses (one patient, one type, a time range) and the idempotency key: the same sample
    sent twice is stored once. Sleep stores the stage index (see SLEEP_STAGES).
    """

    pk = models.CompositePrimaryKey("patient_id", "type", "start_ms", "duration_ms", "source_id")
    # The busiest table carries no secondary indexes and no database FK constraints: the
    # primary key leads with patient_id (an index on source_id would be one more B-tree per
    # row for a rare delete), and per-row FK checks cost PostgreSQL more than the insert
    # itself (deferred triggers, ~60 ms per 10,000 rows at commit). The writers, all in
    # ``devices.bulk`` (``insert_columns`` from ``services.store_batch`` and the demo loader,
    # ``stream_samples`` from the streamed ingest), take the patient and source ids from rows
    # their callers have just read or created in the same transaction; deleting a patient or
    # a source still deletes their samples (Django's cascade).
    patient = models.ForeignKey(
        Patient, on_delete=models.CASCADE, db_index=False, db_constraint=False
    )
    type = models.PositiveSmallIntegerField()
    start_ms = models.BigIntegerField()
    duration_ms = models.IntegerField()
    source = models.ForeignKey(
        DeviceSource, on_delete=models.CASCADE, db_index=False, db_constraint=False
    )
    value = models.FloatField()

    class Meta:
        db_table = "devices_sample"

    def __str__(self) -> str:
        return f"{self.type}@{self.start_ms}"


class DailySummary(models.Model):
    """The stored daily rollup charts read (never raw samples for long ranges)."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="daily_summaries")
    day = models.DateField()
    steps = models.IntegerField(null=True)
    active_minutes = models.IntegerField(null=True)
    sedentary_share = models.FloatField(null=True)
    sleep_minutes = models.FloatField(null=True)
    sleep_efficiency = models.FloatField(null=True)
    resting_hr = models.FloatField(null=True)
    rmssd = models.FloatField(null=True)
    sdnn = models.FloatField(null=True)
    pnn50 = models.FloatField(null=True)
    rr_beats = models.IntegerField(null=True)
    rr_removed_share = models.FloatField(null=True)
    stim_hours = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["patient", "day"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "day"], name="daily_summary_unique_day")
        ]

    def __str__(self) -> str:
        return f"{self.patient_id} {self.day}"


ImportStatus = JobStatus  # the lease's statuses (``painpath.core.jobs``), as lab imports use


class ImportFormat(models.TextChoices):
    APPLE_HEALTH = "apple_health", _("Apple Health export (export.xml or zip)")
    OPEN_MHEALTH = "open_mhealth", _("Open mHealth JSON")
    CSV = "csv", _("CSV (type,unit,value,start,end,source)")


class ImportJob(LeasedJob):
    """A wearable file import run by the worker under a lease (``painpath.core.jobs``).
    ``stored_path`` is the upload, kept only while the job is queued or running."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="import_jobs")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    format = models.CharField(max_length=16, choices=ImportFormat.choices)
    file_name = models.CharField(max_length=255)
    stored_path = models.CharField(max_length=500)
    size_bytes = models.BigIntegerField(default=0)
    bytes_read = models.BigIntegerField(default=0)  # progress: bytes of the file read so far
    status = models.CharField(max_length=8, choices=ImportStatus.choices, default="queued")
    processed = models.IntegerField(default=0)
    new = models.IntegerField(default=0)
    duplicates = models.IntegerField(default=0)
    rejected = models.IntegerField(default=0)
    summary = models.JSONField(default=dict)
    error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=dj_timezone.now, editable=False)
    finished_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.file_name


class StimType(models.TextChoices):
    SCS = "SCS", _("Spinal cord stimulator")
    DRG = "DRG", _("Dorsal root ganglion stimulator")
    PNS = "PNS", _("Peripheral nerve stimulator")
    TENS = "TENS", _("TENS")


class Waveform(models.TextChoices):
    TONIC = "tonic", _("Tonic")
    BURST = "burst", _("Burst")
    HIGH_FREQUENCY = "high_frequency", _("High frequency")
    OTHER = "other", _("Other")


class StimDevice(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="stim_devices")
    type = models.CharField(_("type"), max_length=4, choices=StimType.choices)
    make = models.CharField(_("make"), max_length=100)
    model = models.CharField(_("model"), max_length=100)
    implant_date = models.DateField(_("implant date"), null=True, blank=True)
    leads = models.CharField(_("leads"), max_length=200, blank=True, default="")
    synthetic = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=dj_timezone.now, editable=False)

    class Meta:
        ordering = ["-implant_date", "id"]

    def __str__(self) -> str:
        return f"{self.type} {self.make} {self.model}"


class StimProgram(models.Model):
    device = models.ForeignKey(StimDevice, on_delete=models.CASCADE, related_name="programs")
    name = models.CharField(_("name"), max_length=60)
    waveform = models.CharField(_("waveform"), max_length=16, choices=Waveform.choices)
    frequency_hz = models.FloatField(_("frequency (Hz)"))
    pulse_width_us = models.FloatField(_("pulse width (µs)"))
    amplitude_ma = models.FloatField(_("amplitude (mA)"))
    burst = models.JSONField(_("burst parameters"), default=dict, blank=True)
    contacts = models.CharField(_("active contacts and polarity"), max_length=200, blank=True)
    cycling = models.CharField(_("cycling"), max_length=100, blank=True, default="")
    closed_loop = models.BooleanField(_("closed loop"), default=False)
    amplitude_min_ma = models.FloatField(_("patient range min (mA)"), null=True, blank=True)
    amplitude_max_ma = models.FloatField(_("patient range max (mA)"), null=True, blank=True)

    class Meta:
        ordering = ["device", "name"]
        constraints = [
            models.UniqueConstraint(fields=["device", "name"], name="stim_program_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class ChangeContext(models.TextChoices):
    CLINICIAN_VISIT = "clinician_visit", _("Clinician visit")
    REMOTE_SESSION = "remote_session", _("Remote session")
    PATIENT = "patient", _("Patient")


class ProgramChange(models.Model):
    device = models.ForeignKey(StimDevice, on_delete=models.CASCADE, related_name="changes")
    program = models.ForeignKey(StimProgram, on_delete=models.CASCADE, related_name="changes")
    changed_at = models.DateTimeField(_("changed at"))
    # Who made the change (the clinician, or the patient for a patient-made change) and who
    # entered it here: a clinician may record a change the patient reports having made.
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    context = models.CharField(_("context"), max_length=16, choices=ChangeContext.choices)
    reason = models.CharField(_("why"), max_length=300, blank=True, default="")

    class Meta:
        ordering = ["device", "changed_at"]

    def __str__(self) -> str:
        return f"{self.program_id} {self.changed_at}"


class StimUsage(models.Model):
    program = models.ForeignKey(StimProgram, on_delete=models.CASCADE, related_name="usage")
    day = models.DateField()
    hours = models.FloatField()

    class Meta:
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(fields=["program", "day"], name="stim_usage_one_per_day"),
            models.CheckConstraint(
                condition=models.Q(hours__gte=0, hours__lte=24), name="stim_usage_hours_in_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program_id} {self.day}"


class Sensation(models.Model):
    """The patient's own report of how stimulation feels on a day (one per device and day)."""

    device = models.ForeignKey(StimDevice, on_delete=models.CASCADE, related_name="sensations")
    day = models.DateField()
    paresthesia_coverage = models.PositiveSmallIntegerField(null=True, blank=True)  # % of pain area
    overstimulation = models.PositiveSmallIntegerField(null=True, blank=True)  # 0-4
    note = models.CharField(_("note"), max_length=500, blank=True, default="")
    reported_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(fields=["device", "day"], name="sensation_one_per_day"),
            models.CheckConstraint(
                condition=models.Q(overstimulation__lte=4), name="sensation_overstim_0_4"
            ),
            models.CheckConstraint(
                condition=models.Q(paresthesia_coverage__lte=100),
                name="sensation_coverage_0_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.device_id} {self.day}"
