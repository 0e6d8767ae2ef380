"""Rows are appended unsealed and sealed into the chain later (no lock on every audited read);
the chain head gets an id that anchors name; refused requests are counted per minute; the
database refuses DELETE, TRUNCATE, sealed-looking INSERTs and any UPDATE but sealing, on the
rows and on the head (painpath.audit.guards)."""

import uuid

from django.conf import settings
from django.db import migrations, models

from painpath.audit import guards

GENESIS = "0" * 64


def drop_old_update_trigger(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_auditevent_no_update")
    elif vendor == "postgresql":
        schema_editor.execute(
            "DROP TRIGGER IF EXISTS audit_auditevent_no_update ON audit_auditevent"
        )
        schema_editor.execute("DROP FUNCTION IF EXISTS audit_auditevent_append_only()")


def create_head(apps, schema_editor):
    # A chain id from the start (an existing head got one from the new field's default).
    head = apps.get_model("audit", "AuditChainHead")
    event = apps.get_model("audit", "AuditEvent")
    if not head.objects.exists() and not event.objects.filter(seq__isnull=False).exists():
        head.objects.create(pk=1, seq=0, hash=GENESIS, chain_id=uuid.uuid4())


def install_guards(apps, schema_editor):
    guards.install(schema_editor.connection)


def uninstall_guards(apps, schema_editor):
    guards.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_append_only_triggers"),
        ("patients", "0001_patients_conditions_care_teams"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(drop_old_update_trigger, migrations.RunPython.noop),
        migrations.CreateModel(
            name="RefusalWindow",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key", models.CharField(max_length=200)),
                ("reason", models.CharField(max_length=32)),
                ("window_start", models.DateTimeField()),
                ("count", models.PositiveIntegerField(default=0)),
                ("actor_id", models.BigIntegerField(null=True)),
                ("actor_label", models.CharField(max_length=150)),
                ("client_ip", models.GenericIPAddressField(null=True)),
            ],
        ),
        migrations.AlterModelOptions(
            name="auditevent",
            options={"ordering": ["-id"]},
        ),
        migrations.RemoveIndex(
            model_name="auditevent",
            name="audit_audit_patient_36c015_idx",
        ),
        migrations.RemoveIndex(
            model_name="auditevent",
            name="audit_audit_actor_i_4ccb81_idx",
        ),
        migrations.AddField(
            model_name="auditchainhead",
            name="chain_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("read", "read"),
                    ("list", "listed"),
                    ("create", "created"),
                    ("update", "updated"),
                    ("delete", "deleted"),
                    ("export", "exported"),
                    ("denied", "refused"),
                ],
                max_length=16,
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="seq",
            field=models.BigIntegerField(editable=False, null=True, unique=True),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["patient", "-id"], name="audit_event_patient_idx"),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["actor", "-id"], name="audit_event_actor_idx"),
        ),
        migrations.AddConstraint(
            model_name="refusalwindow",
            constraint=models.UniqueConstraint(
                fields=("key", "reason", "window_start"), name="audit_refusal_window_unique"
            ),
        ),
        migrations.AddConstraint(
            model_name="auditchainhead",
            constraint=models.CheckConstraint(
                condition=models.Q(("id", 1)), name="audit_chainhead_single_row"
            ),
        ),
        migrations.RunPython(create_head, migrations.RunPython.noop),
        migrations.RunPython(install_guards, uninstall_guards),
    ]
