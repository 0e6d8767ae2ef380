"""Import jobs carry a lease (heartbeat_at, attempts): jobs left queued or running by an
earlier version start with a lease from their creation, so the recovery sweep finds them."""

from django.db import migrations, models
from django.db.models import F


def lease_from_creation(apps, schema_editor):
    ImportJob = apps.get_model("devices", "ImportJob")
    ImportJob.objects.filter(status__in=["queued", "running"]).update(heartbeat_at=F("created_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("devices", "0002_sensation_notes_entered_by_import_progress_lean_samples"),
    ]

    operations = [
        migrations.AddField(
            model_name="importjob",
            name="attempts",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="importjob",
            name="heartbeat_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(lease_from_creation, migrations.RunPython.noop),
    ]
