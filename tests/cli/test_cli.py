"""The `painpath` command: one-line errors, demo preparation, users and clinics."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

from painpath.accounts.models import Clinic, User
from painpath.audit.models import AuditEvent
from painpath.audit.services import verify_chain
from painpath.cli import main
from painpath.patients.models import Patient


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["nonsense"], "invalid choice: 'nonsense'"),
        (["demo", "--patients", "0"], "argument --patients: 0 must be 1 or more"),
        (["demo", "--port", "70000"], "argument --port: 70000 is not a TCP port"),
        (["demo", "--seed", "x"], "argument --seed: invalid int value: 'x'"),
        (["audit"], "the following arguments are required: ACTION"),
    ],
)
def test_bad_arguments_give_one_line_and_exit_2(capsys, argv, message):
    with pytest.raises(SystemExit) as caught:
        main(argv)
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1


def test_console_script_entry_point_runs():
    result = subprocess.run(
        [sys.executable, "-m", "painpath.cli", "demo", "--patients", "-3"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert (
        result.stderr.strip() == "painpath demo: error: argument --patients: -3 must be 1 or more"
    )


@pytest.mark.django_db(transaction=True)
def test_demo_no_serve_loads_a_synthetic_cohort_once(capsys):
    assert main(["demo", "--no-serve", "--patients", "12", "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert "Loaded a SYNTHETIC cohort: 12 patients (seed 3)." in out
    assert "password for all: painpath-demo" in out and "dr.rivera" in out
    assert Patient.objects.count() == 12
    assert not Patient.objects.filter(synthetic=False).exists()
    assert not User.objects.filter(synthetic=False).exists()
    # every capability's demo loader audits what it creates; the chain stays intact
    assert AuditEvent.objects.filter(action="create", object_type="Patient").count() == 12
    assert verify_chain().ok
    assert main(["demo", "--no-serve"]) == 0
    assert "not loaded again" in capsys.readouterr().out
    assert Patient.objects.count() == 12


@pytest.mark.django_db
def test_createclinic_and_createuser(capsys, monkeypatch):
    assert (
        main(["createclinic", "North Clinic", "--slug", "north", "--timezone", "Europe/Madrid"])
        == 0
    )
    monkeypatch.setattr(sys, "stdin", io.StringIO("long-enough-secret-1\n"))
    assert (
        main(
            [
                "createuser",
                "dr.north",
                "--role",
                "clinician",
                "--clinic",
                "north",
                "--profession",
                "physician",
                "--password-stdin",
            ]
        )
        == 0
    )
    user = User.objects.get(username="dr.north")
    assert user.clinic == Clinic.objects.get(slug="north") and user.check_password(
        "long-enough-secret-1"
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("argv", "stdin", "message"),
    [
        (
            ["createclinic", "X", "--slug", "x", "--timezone", "Mars/Base"],
            "",
            "timezone: Mars/Base is not an IANA time zone",
        ),
        (
            ["createuser", "u", "--role", "clinician", "--clinic", "nowhere", "--password-stdin"],
            "pw-long-enough-1\n",
            "--clinic: no clinic with short name 'nowhere'",
        ),
        (
            ["createuser", "u", "--role", "clinician", "--password-stdin"],
            "pw-long-enough-1\n",
            "--clinic is required",
        ),
        (
            ["createuser", "u", "--role", "admin", "--clinic", "c1", "--password-stdin"],
            "123\n",
            "password: This password is too short",
        ),
    ],
)
def test_createuser_errors_are_one_line(capsys, monkeypatch, argv, stdin, message):
    Clinic.objects.create(name="C1", slug="c1")
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not User.objects.filter(username="u").exists()


def test_serve_refuses_to_start_in_production_without_a_secret_key(tmp_path):
    env = {
        k: v for k, v in __import__("os").environ.items() if k not in {"PAINPATH_ENV", "SECRET_KEY"}
    }
    result = subprocess.run(
        [sys.executable, "-m", "painpath.cli", "serve"],
        capture_output=True,
        text=True,
        check=False,
        env={**env, "PAINPATH_VAR_DIR": str(tmp_path)},
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("painpath serve: error: configuration: SECRET_KEY is not set")
    assert result.stderr.count("\n") == 1


@pytest.mark.django_db
def test_createuser_links_a_patient_account_to_its_record(world, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("long-enough-secret-2\n"))
    argv = ["createuser", "grace", "--role", "patient", "--clinic", "clinic-a"]
    assert main([*argv, "--patient", world.p2.mrn, "--password-stdin"]) == 0
    assert f"linked to record {world.p2.mrn}" in capsys.readouterr().out
    world.p2.refresh_from_db()
    assert world.p2.user.username == "grace"
    assert AuditEvent.objects.filter(
        patient_id=world.p2.pk, actor_label="system:cli", detail__linked_user="grace"
    ).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--patient", "NOPE-1"], "--patient: no record with MRN 'NOPE-1' in clinic-a"),
        (["--patient", "{p1}"], "already has a sign-in account"),
    ],
)
def test_createuser_patient_link_errors_create_nothing(world, capsys, monkeypatch, extra, message):
    monkeypatch.setattr(sys, "stdin", io.StringIO("long-enough-secret-2\n"))
    extra = [e.replace("{p1}", world.p1.mrn) for e in extra]
    argv = ["createuser", "newpat", "--role", "patient", "--clinic", "clinic-a", *extra]
    assert main([*argv, "--password-stdin"]) == 2
    assert message in capsys.readouterr().err
    assert not User.objects.filter(username="newpat").exists()


@pytest.mark.django_db
def test_superuser_inside_a_clinic_and_patient_link_for_staff_are_refused(world, capsys):
    assert main(["createuser", "op", "--role", "admin", "--clinic", "clinic-a", "--superuser"]) == 2
    assert "leave out --clinic" in capsys.readouterr().err
    argv = ["createuser", "x", "--role", "clinician", "--clinic", "clinic-a", "--patient", "M1"]
    assert main(argv) == 2
    assert "--patient needs --role patient" in capsys.readouterr().err


def test_database_errors_are_one_line(tmp_path):
    env = {k: v for k, v in __import__("os").environ.items() if k != "DATABASE_URL"}
    result = subprocess.run(
        [sys.executable, "-m", "painpath.cli", "audit", "verify"],
        capture_output=True,
        text=True,
        check=False,
        env={**env, "PAINPATH_ENV": "test", "DATABASE_URL": f"sqlite:///{tmp_path}/empty.sqlite3"},
    )
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1, result.stderr
    assert "error: database: no such table" in result.stderr
