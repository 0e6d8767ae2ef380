"""`painpath pgx`: CPIC phenotypes, recommendations and VCF calls (pure core, no Django)."""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path
from typing import Any

from painpath.cli import CliError
from painpath.clinical.pgx import (
    CALLABLE_GENES,
    NOT_TESTED,
    GeneCall,
    PgxError,
    PhenotypeResult,
    no_action_genes,
    phenotype,
)
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
        # utf-8-sig: spreadsheet exports often start with a byte-order mark
        with args.batch.open(encoding="utf-8-sig", newline="") as fh:
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
    untyped: dict[str, str] = {}  # OPRM1/COMT: CPIC gives no genotype-based action
    no_action = no_action_genes()
    try:
        results = {}
        for text in args.diplotype:
            gene, diplotype = _pair(text, "--diplotype")
            if gene.upper() in no_action:
                untyped[gene.upper()] = diplotype
                continue
            result = phenotype(gene, diplotype)
            results[result.gene] = result
        rec = recommend(args.drug, results)
    except PgxError as exc:
        raise CliError(str(exc)) from exc
    given = {g: d for g, d in untyped.items() if g in rec.notes}  # genes of the drug's guideline
    if args.json:
        payload = rec.to_dict()
        for gene, diplotype in given.items():
            payload["genes"][gene] = {"diplotype": diplotype, "activity_score": None,
                                      "phenotype": None}  # fmt: skip
            payload["recommendation"] += f" {gene}: {rec.notes[gene]}"
        print(json.dumps(payload, ensure_ascii=False))
        return 0
    genes = "; ".join(_human(r) for r in rec.genes.values()) or "no genotype on file"
    print(f"{rec.drug} [{genes}]\n  {rec.strength}: {rec.action}\n  {rec.recommendation}")
    for note in rec.notes.values():
        print(f"  note: {note}")
    for gene in sorted(set(untyped) - set(given)):
        print(f"  note: {gene} is not used by CPIC's guideline for {rec.drug}; ignored")
    print(f"  source: {rec.source}")
    return 0


def _outside_calls(texts: list[str]) -> dict[str, GeneCall]:
    calls: dict[str, GeneCall] = {}
    for text in texts:
        call = outside_call(*_pair(text, "--outside-call"))
        if call.gene in calls:
            raise CliError(f"--outside-call {text}: {call.gene} is given twice")
        calls[call.gene] = call
    return calls


def _refuse_conflicts(calls: dict[str, dict[str, GeneCall]], outside: dict[str, GeneCall]) -> None:
    """An outside call must not silently replace a gene the VCF itself calls."""
    for gene in set(outside) & set(CALLABLE_GENES):
        for sample, genes in calls.items():
            vcf = genes[gene]
            if vcf.phenotype != NOT_TESTED:
                raise CliError(
                    f"--outside-call {gene}={outside[gene].diplotype} conflicts with the VCF, "
                    f"which calls {gene} for sample {sample} ({vcf.diplotype or 'no call'}: "
                    f"{vcf.phenotype}); painpath does not replace a VCF call with an outside "
                    "call. Drop the option, or use a VCF without this gene."
                )


def run_call(args: argparse.Namespace) -> int:
    if not args.file.is_file():
        raise CliError(f"{args.file}: no such file")
    try:
        outside = _outside_calls(args.outside_call)
        calls = call_vcf(args.file, args.sample)
    except PgxError as exc:
        raise CliError(str(exc)) from exc
    _refuse_conflicts(calls, outside)
    payload = {
        sample: {**{g: c.to_dict() for g, c in genes.items()},
                 **{c.gene: c.to_dict() for c in outside.values()}}
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
            source = " (outside call)" if gene in outside else ""
            print(f"  {gene} {c['diplotype'] or 'no call'}: {c['phenotype']}{flag}{alts}{source}")
            if c["missing_positions"]:
                print(f"    not tested: {', '.join(c['missing_positions'])}")
    return 0
