"""`painpath createuser` and `painpath createclinic`: set up a real clinic's people."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from painpath.cli import CliError
from painpath.cli._django import setup_django


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    clinic = subparsers.add_parser("createclinic", help="create a clinic (organisation)")
    clinic.add_argument("name")
    clinic.add_argument("--slug", required=True, help="short name used in URLs")
    clinic.add_argument("--timezone", default="UTC", help="IANA name, e.g. Europe/Madrid")
    clinic.set_defaults(func=run_createclinic)

    user = subparsers.add_parser("createuser", help="create a user")
    user.add_argument("username")
    user.add_argument("--role", required=True, choices=["patient", "clinician", "admin"])
    user.add_argument("--clinic", help="clinic short name (slug); not for --superuser")
    user.add_argument("--email", default="")
    user.add_argument("--first-name", default="")
    user.add_argument("--last-name", default="")
    user.add_argument(
        "--profession",
        default="",
        choices=["", "physician", "nurse", "psychologist", "physiotherapist", "pharmacist"],
    )
    user.add_argument(
        "--patient",
        metavar="MRN",
        help="with --role patient: link the account to this medical record number's record",
    )
    user.add_argument("--superuser", action="store_true", help="platform operator (all clinics)")
    user.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    user.set_defaults(func=run_createuser)


def _format_error(exc: Exception) -> str:
    from painpath.core.errors import PainpathError

    if isinstance(exc, PainpathError) and exc.fields:
        return "; ".join(f"{f.field}: {f.message}" for f in exc.fields)
    return str(exc)


def run_createclinic(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.exceptions import ValidationError

    from painpath.accounts.models import Clinic

    clinic = Clinic(name=args.name, slug=args.slug, timezone=args.timezone)
    try:
        clinic.full_clean()
    except ValidationError as exc:
        raise CliError(
            "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
        ) from None
    clinic.save()
    print(f"clinic {clinic.slug} created (id {clinic.pk}, time zone {clinic.timezone})")
    return 0


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Password (again): "):
        raise CliError("the two passwords differ")
    return first


def run_createuser(args: argparse.Namespace) -> int:
    setup_django()
    from django.db import transaction

    from painpath.accounts.models import Clinic
    from painpath.core.context import Actor
    from painpath.core.errors import PainpathError
    from painpath.patients.models import Patient
    from painpath.patients.sign_in import link_patient_account

    if args.superuser and args.clinic:
        # a superuser inside a clinic would be listed (and editable) by its administrators
        raise CliError("--superuser is for platform operators: leave out --clinic")
    if args.patient and args.role != "patient":
        raise CliError("--patient needs --role patient")
    clinic = None
    if args.clinic:
        clinic = Clinic.objects.filter(slug=args.clinic).first()
        if clinic is None:
            raise CliError(f"--clinic: no clinic with short name {args.clinic!r}")
    elif not args.superuser:
        raise CliError("--clinic is required (except with --superuser)")
    record = None
    if args.patient:
        record = Patient.objects.filter(clinic=clinic, mrn=args.patient).first()
        if record is None:
            raise CliError(f"--patient: no record with MRN {args.patient!r} in {args.clinic}")
        if record.user_id is not None:
            raise CliError(f"--patient: record {args.patient} already has a sign-in account")
    password = _read_password(args.password_stdin)
    try:
        with transaction.atomic():
            user = _create(args, clinic, password)
            if record is not None:
                link_patient_account(actor=Actor.system("cli"), patient=record, user=user)
    except PainpathError as exc:
        raise CliError(_format_error(exc)) from None
    linked = f", linked to record {record.mrn}" if record is not None else ""
    print(f"user {user.username} created ({user.role}{linked})")
    return 0


def _create(args: argparse.Namespace, clinic: Any, password: str) -> Any:
    from painpath.accounts.services import create_user

    return create_user(
        username=args.username,
        password=password,
        role=args.role,
        clinic=clinic,
        email=args.email,
        first_name=args.first_name,
        last_name=args.last_name,
        profession=args.profession,
        superuser=args.superuser,
    )
