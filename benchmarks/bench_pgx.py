"""PGx: phenotype look-ups and VCF genotyping, painpath vs pypgx 0.27 on the same input.

Each phenotype disagreement is judged against the CPIC rules in shared/data/cpic/README.md,
re-applied here by a deliberately separate, minimal implementation (``cpic_rule``) over the
project's CPIC data files, so the verdict does not reuse painpath's own code path. Set
PAINPATH_BENCH_NO_PYPGX=1 to time the painpath side only (the pypgx side takes minutes).
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import time
import zipfile
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BATCH = 100_000
PYPGX_TIMED = 300  # pypgx re-reads its tables on every call (~45 ms): timed on a sample
VCF_SAMPLES = 1_000
# CPIC-named alleles covering every rule boundary: CYP2D6 scores 0, 0.25 (*4/*10), 1.0 (*1/*4),
# 1.25 (*1/*10), 2.25 (*2x2/*41), 2.5 (*1x2/*17), duplications x2 and x>=3 (a '>=' score), and
# alleles without a value (*22, CYP2C9 *7: Indeterminate); CYP2C9 scores 0 to 2.0.
ALLELES = {
    "CYP2D6": [
        "*1", "*2", "*3", "*4", "*5", "*6", "*9", "*10", "*17", "*29", "*41", "*1x2", "*2x2",
        "*4x2", "*1x≥3", "*2x≥3", "*22",
    ],
    "CYP2C9": ["*1", "*2", "*3", "*5", "*6", "*8", "*11", "*7"],
    "CYP2C19": ["*1", "*2", "*3", "*4", "*9", "*17"],
}  # fmt: skip


def cpic_rule(gene: str, a: str, b: str) -> str:
    """The CPIC phenotype by the README's rules, applied directly to the data files.

    Only the data files are shared with painpath (read by its cached loaders); the rules are
    applied here, separately from painpath's phenotype code.
    """
    from painpath.clinical.pgx._data import (
        allele_functions,
        cyp2c19_function_pairs,
        phenotype_rules,
    )

    alleles = allele_functions()["genes"][gene]["alleles"]
    info = [alleles[a], alleles[b]]
    if gene == "CYP2C19":
        pairs = cyp2c19_function_pairs()["pairs"]
        wanted = sorted(str(i["function"]) for i in info)
        return next(str(p["phenotype"]) for p in pairs if sorted(p["functions"]) == wanted)
    values = [i["activity_value"] for i in info]
    if any(v is None for v in values):
        return "Indeterminate"
    rules = phenotype_rules()["genes"][gene]
    if any(str(v).startswith("≥") for v in values):
        return str(rules["at_least_phenotype"])
    score = sum(Fraction(str(v)) for v in values)
    return next(str(r["phenotype"]) for r in rules["ranges"]
                if Fraction(str(r["min"])) <= score <= Fraction(str(r["max"])))  # fmt: skip


def _verdict(gene: str, a: str, b: str, ours: str, theirs: str) -> str:
    rule = cpic_rule(gene, a, b)
    if ours == rule and theirs != rule:
        return f"painpath is right per CPIC ({rule})"
    if theirs == rule and ours != rule:
        return f"pypgx is right per CPIC ({rule})"
    return f"neither matches CPIC ({rule})" if rule not in (ours, theirs) else "both match"


def _run(args: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    """Runs a command built here from fixed parts (no outside input), in the project root."""
    return subprocess.run(  # noqa: S603 - fixed argument lists, absolute paths
        args,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        **kwargs,  # type: ignore[call-overload]
    )


def _pypgx_python() -> Path:
    out = _run([str(ROOT / "benchmarks" / "setup_pypgx_venv.sh")])
    return ROOT / out.stdout.strip().splitlines()[-1] / "bin" / "python"


def _batch(rng: random.Random) -> list[tuple[str, str, str]]:
    genes = list(ALLELES)
    return [
        (g, rng.choice(ALLELES[g]), rng.choice(ALLELES[g]))
        for g in (genes[i % 3] for i in range(BATCH))
    ]


def _norm(diplotype: str | None) -> str:
    from painpath.clinical.pgx import allele_sort_key

    if not diplotype:
        return "-"
    return "/".join(sorted(diplotype.split("/"), key=allele_sort_key))


def _failed(what: str, exc: subprocess.CalledProcessError) -> str:
    tail = (exc.stderr or exc.stdout or "").strip().splitlines()[-3:]
    return f"  pypgx {what} failed (exit {exc.returncode}): {' | '.join(tail) or 'no output'}"


def _our_phenotypes() -> tuple[list[tuple[str, str, str]], float, dict[str, str], list[str]]:
    """The timed batch, its time, painpath's phenotype per distinct 'gene|a|b', report lines."""
    from painpath.clinical import pgx

    batch = _batch(random.Random(11))
    started = time.perf_counter()
    ours = [pgx.phenotype(g, f"{a}/{b}").phenotype for g, a, b in batch]
    ours_s = time.perf_counter() - started
    distinct = sorted(set(batch))
    mine = {f"{g}|{a}|{b}": pgx.phenotype(g, f"{a}/{b}").phenotype for g, a, b in distinct}
    wrong = sorted(f"{g} {a}/{b}" for g, a, b in distinct
                   if mine[f"{g}|{a}|{b}"] != cpic_rule(g, a, b))  # fmt: skip
    lines = [
        f"phenotype look-ups: painpath {BATCH / ours_s:,.0f}/s over {BATCH:,} diplotypes "
        f"({ours_s:.2f} s); {len(distinct)} distinct diplotypes incl. x>=3 duplications, "
        "alleles without value and every score boundary",
        f"  painpath vs the CPIC rules re-applied independently: {len(wrong)} differ"
        + (f" ({', '.join(wrong[:5])})" if wrong else ""),
    ]
    assert ours[0]  # the batch was really computed
    return batch, ours_s, mine, lines


def _phenotypes(py: Path | None) -> list[str]:
    batch, ours_s, mine, lines = _our_phenotypes()
    if py is None:
        return lines
    unique = sorted(set(batch))  # the distinct diplotypes ``mine`` holds
    payload = json.dumps({"timed": batch[:PYPGX_TIMED], "unique": unique})
    try:
        done = _run([str(py), str(ROOT / "benchmarks" / "_pypgx_worker.py")], input=payload)
    except subprocess.CalledProcessError as exc:
        return [*lines, _failed("phenotype worker", exc)]
    theirs = json.loads(done.stdout.strip().splitlines()[-1])
    ours_rate = BATCH / ours_s
    their_rate = theirs["n"] / theirs["elapsed"]
    differ = sorted(k for k in mine if mine[k] != theirs["answers"][k])
    weight = dict.fromkeys(mine, 0)
    for g, a, b in batch:
        weight[f"{g}|{a}|{b}"] += 1
    agree = sum(w for k, w in weight.items() if k not in differ) / BATCH
    lines += [
        f"  pypgx 0.27 {their_rate:,.1f}/s (timed on the first {theirs['n']}); ratio "
        f"painpath/pypgx: {ours_rate / their_rate:,.0f}x faster",
        f"  agreement: {agree:.2%} of the batch ({len(unique) - len(differ)}/{len(unique)} "
        "distinct diplotypes)",
    ]
    errors: dict[str, list[str]] = {}
    for k in differ:
        g, a, b = k.split("|")
        theirs_k = str(theirs["answers"][k])
        verdict = _verdict(g, a, b, mine[k], theirs_k)
        if theirs_k.startswith("error:"):  # grouped: one line per distinct pypgx failure
            errors.setdefault(f"{theirs_k} -> {verdict.split(' (')[0]}", []).append(f"{a}/{b}")
            continue
        lines.append(f"  differs: {g} {a}/{b}: painpath {mine[k]!r}, pypgx {theirs_k!r} -> "
                     f"{verdict}")  # fmt: skip
    for what, diplotypes in errors.items():
        lines.append(f"  pypgx fails on {len(diplotypes)} diplotypes (e.g. "
                     f"{', '.join(diplotypes[:3])}): {what}")  # fmt: skip
    return lines


def _pypgx_genotypes(results_zip: Path) -> dict[str, str]:
    """Sample -> Genotype from pypgx's results archive (a zip holding data.tsv)."""
    with zipfile.ZipFile(results_zip) as archive:
        name = next(n for n in archive.namelist() if n.endswith("data.tsv"))
        rows = archive.read(name).decode().splitlines()
    header = rows[0].split("\t")
    col = header.index("Genotype")
    return {r.split("\t")[0]: r.split("\t")[col] for r in rows[1:] if r.strip()}


def _vcf(py: Path | None) -> list[str]:
    sys.path.insert(0, str(ROOT / "tests" / "clinical" / "pgx"))
    from vcf_builder import haplotype, write_vcf

    from painpath.clinical import pgx

    rng = random.Random(5)
    g = "CYP2C9"
    names = ALLELES[g]
    truth = {f"S{i:04d}": (rng.choice(names), rng.choice(names)) for i in range(VCF_SAMPLES)}
    with tempfile.TemporaryDirectory(prefix="bench-pgx-") as tmp:
        path = Path(tmp) / "cohort.vcf.gz"
        samples = {s: (haplotype(g, a), haplotype(g, b)) for s, (a, b) in truth.items()}
        write_vcf(path, g, samples, phased=True, gzipped=True)
        started = time.perf_counter()
        ours = pgx.call_vcf(path)
        ours_s = time.perf_counter() - started
        right = sum(_norm(ours[s][g].diplotype) == _norm("/".join(t)) for s, t in truth.items())
        mine = [
            f"VCF genotyping, {VCF_SAMPLES:,} samples (CYP2C9, phased, bgzipped): painpath "
            f"{ours_s:.2f} s; matches the simulated truth in {right}/{VCF_SAMPLES}",
        ]
        if py is None:
            return mine
        try:
            index = f"import pysam; pysam.tabix_index({str(path)!r}, preset='vcf', force=True)"
            _run([str(py), "-c", index])
            started = time.perf_counter()
            out_dir = str(Path(tmp) / "out")
            _run([str(py), "-m", "pypgx", "run-chip-pipeline", g, out_dir, str(path),
                  "--assembly", "GRCh38"])  # fmt: skip
            their_s = time.perf_counter() - started
            theirs = _pypgx_genotypes(Path(tmp) / "out" / "results.zip")
        except subprocess.CalledProcessError as exc:
            return [*mine, _failed("run-chip-pipeline", exc)]
        except (OSError, KeyError, StopIteration, zipfile.BadZipFile) as exc:
            return [*mine, f"  pypgx results unreadable: {exc!r}"]
    differ = [
        (s, ours[s][g].diplotype, theirs.get(s), "/".join(truth[s]))
        for s in truth
        if _norm(ours[s][g].diplotype) != _norm(theirs.get(s))
    ]
    ours_right = sum(_norm(o) == _norm(t) for _, o, _, t in differ)
    lines = [
        *mine,
        f"  pypgx 0.27 run-chip-pipeline {their_s:.2f} s (own process, incl. start-up)",
        f"  ratio pypgx/painpath: {their_s / ours_s:,.1f}x",
        f"  agreement: {(VCF_SAMPLES - len(differ)) / VCF_SAMPLES:.2%}; of {len(differ)} "
        f"disagreements painpath matches the simulated truth in {ours_right}",
    ]
    lines += [f"  differs: {s}: painpath {o}, pypgx {t}, truth {tr}" for s, o, t, tr in differ[:10]]
    return lines


def run() -> list[str]:
    py: Path | None = None
    note: list[str] = []
    if os.environ.get("PAINPATH_BENCH_NO_PYPGX"):
        note = ["pypgx side skipped (PAINPATH_BENCH_NO_PYPGX set)"]
    else:
        try:
            py = _pypgx_python()
        except (subprocess.CalledProcessError, OSError) as exc:
            detail = (
                exc.stderr.strip()[-500:] if isinstance(exc, subprocess.CalledProcessError) else exc
            )
            note = [f"pypgx 0.27 baseline unavailable: {detail}"]
    return note + _phenotypes(py) + _vcf(py)
