"""`painpath pgx`: CPIC phenotypes, recommendations and VCF calls (pure core, no Django)."""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path
from typing import Any

from painpath.cli import CliError
from painpath.clinical.pgx import PgxError, PhenotypeResult, phenotype
from painpath.clinical.pgx.recommend import recommend
from painpath.clinical.pgx.vcf_call import call_vcf, outside_call


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Adds ``pgx phenotype``, ``pgx recommend`` and ``pgx call``."""
    pgx = subparsers.add_parser("pgx", help="pharmacogenomics (CPIC)")
    sub = pgx.add_subparsers(dest="pgx_command", required=True, metavar="ACTION")

    ph = sub.add_parser("phenotype", help="diplotype -> activity score -> CPIC phenotype")
    ph.add_argument("gene", nargs="?")
    ph.add_argument("diplotype", nargs="?")
    ph.add_argument("--batch", type=Path, help="CSV with columns gene,diplotype")
    ph.add_argument("--json", action="store_true")
    ph.set_defaults(func=run_phenotype)

    rec = sub.add_parser("recommend", help="CPIC recommendation for a drug")
    rec.add_argument("drug")
    rec.add_argument("--diplotype", action="append", default=[], metavar="GENE=DIPLOTYPE")
    rec.add_argument("--json", action="store_true")
    rec.set_defaults(func=run_recommend)

    call = sub.add_parser("call", help="call CYP2C9/CYP2C19 from a GRCh38 VCF")
    call.add_argument("file", type=Path)
    call.add_argument("--sample")
    call.add_argument("--outside-call", action="append", default=[], metavar="GENE=DIPLOTYPE")
    call.add_argument("--json", action="store_true")
    call.set_defaults(func=run_call)


def _pair(text: str, option: str) -> tuple[str, str]:
    gene, sep, diplotype = text.partition("=")
    if not sep or not gene.strip() or not diplotype.strip():
        raise CliError(f"{option} '{text}': expected GENE=DIPLOTYPE, e.g. CYP2D6=*1/*4")
    return gene.strip(), diplotype.strip()


def _human(result: PhenotypeResult) -> str:
    score = "" if result.activity_score is None else f" (activity score {result.activity_score})"
    return f"{result.gene} {result.diplotype}: {result.phenotype}{score}"


def run_phenotype(args: argparse.Namespace) -> int:
    if args.batch is None:
        if not args.gene or not args.diplotype:
            raise CliError("give GENE DIPLOTYPE, or --batch FILE.csv")
        try:
            result = phenotype(args.gene, args.diplotype)
        except PgxError as exc:
            raise CliError(str(exc)) from exc
        print(json.dumps(result.to_dict(), ensure_ascii=False) if args.json else _human(result))
        return 0
    try:
        with args.batch.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
    except OSError as exc:
        raise CliError(f"--batch {args.batch}: {exc.strerror}") from exc
    if rows and not {"gene", "diplotype"} <= set(rows[0]):
        raise CliError(f"--batch {args.batch}: needs columns 'gene,diplotype'")
    failed = 0
    for row in rows:
        gene, diplotype = row.get("gene") or "", row.get("diplotype") or ""
        try:
            result = phenotype(gene, diplotype)
        except PgxError as exc:
            failed += 1
            err = {"gene": gene, "diplotype": diplotype, "error": str(exc)}
            print(json.dumps(err, ensure_ascii=False) if args.json else f"{gene} {diplotype}: "
                  f"error: {exc}")  # fmt: skip
            continue
        print(json.dumps(result.to_dict(), ensure_ascii=False) if args.json else _human(result))
    return 1 if failed else 0


def run_recommend(args: argparse.Namespace) -> int:
    try:
        results = {}
        for text in args.diplotype:
            gene, diplotype = _pair(text, "--diplotype")
            result = phenotype(gene, diplotype)
            results[result.gene] = result
        rec = recommend(args.drug, results)
    except PgxError as exc:
        raise CliError(str(exc)) from exc
    if args.json:
        print(json.dumps(rec.to_dict(), ensure_ascii=False))
    else:
        genes = "; ".join(_human(r) for r in rec.genes.values()) or "no genotype on file"
        print(f"{rec.drug} [{genes}]\n  {rec.strength}: {rec.action}\n  {rec.recommendation}")
        print(f"  source: {rec.source}")
    return 0


def run_call(args: argparse.Namespace) -> int:
    if not args.file.is_file():
        raise CliError(f"{args.file}: no such file")
    try:
        outside = [outside_call(*_pair(t, "--outside-call")) for t in args.outside_call]
        calls = call_vcf(args.file, args.sample)
    except PgxError as exc:
        raise CliError(str(exc)) from exc
    payload = {
        sample: {**{g: c.to_dict() for g, c in genes.items()},
                 **{c.gene: c.to_dict() for c in outside}}
        for sample, genes in calls.items()
    }  # fmt: skip
    if args.json:
        print(json.dumps(payload, ensure_ascii=False))
        return 0
    for sample, genes in payload.items():
        print(sample)
        for gene, c in genes.items():
            flag = " (uncertain)" if c["uncertain"] else ""
            alts = f" alternatives: {', '.join(c['alternatives'])}" if c["alternatives"] else ""
            print(f"  {gene} {c['diplotype'] or 'no call'}: {c['phenotype']}{flag}{alts}")
            if c["missing_positions"]:
                print(f"    not tested: {', '.join(c['missing_positions'])}")
    return 0
