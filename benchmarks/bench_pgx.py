"""PGx: phenotype look-ups and VCF genotyping, painpath vs pypgx 0.27 on the same input."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BATCH = 100_000
PYPGX_TIMED = 300  # pypgx re-reads its tables on every call (~45 ms): timed on a sample
VCF_SAMPLES = 1_000
# Common CPIC-named alleles that both tools know (duplications included for CYP2D6).
ALLELES = {
    "CYP2D6": [
        "*1",
        "*2",
        "*3",
        "*4",
        "*5",
        "*6",
        "*9",
        "*10",
        "*17",
        "*29",
        "*41",
        "*1x2",
        "*2x2",
    ],
    "CYP2C9": ["*1", "*2", "*3", "*5", "*6", "*8", "*11"],
    "CYP2C19": ["*1", "*2", "*3", "*4", "*9", "*17"],
}


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


def _phenotypes(py: Path) -> list[str]:
    from painpath.clinical import pgx

    batch = _batch(random.Random(11))
    started = time.perf_counter()
    ours = [pgx.phenotype(g, f"{a}/{b}").phenotype for g, a, b in batch]
    ours_s = time.perf_counter() - started
    unique = sorted(set(batch))
    payload = json.dumps({"timed": batch[:PYPGX_TIMED], "unique": unique})
    done = _run([str(py), str(ROOT / "benchmarks" / "_pypgx_worker.py")], input=payload)
    theirs = json.loads(done.stdout.strip().splitlines()[-1])
    ours_rate = BATCH / ours_s
    their_rate = theirs["n"] / theirs["elapsed"]
    mine = {f"{g}|{a}|{b}": pgx.phenotype(g, f"{a}/{b}").phenotype for g, a, b in unique}
    differ = sorted(k for k in mine if mine[k] != theirs["answers"][k])
    weight = dict.fromkeys(mine, 0)
    for g, a, b in batch:
        weight[f"{g}|{a}|{b}"] += 1
    agree = sum(w for k, w in weight.items() if k not in differ) / BATCH
    lines = [
        f"phenotype look-ups: painpath {ours_rate:,.0f}/s over {BATCH:,} diplotypes "
        f"({ours_s:.2f} s); pypgx 0.27 {their_rate:,.1f}/s (timed on the first {theirs['n']})",
        f"  ratio painpath/pypgx: {ours_rate / their_rate:,.0f}x faster",
        f"  agreement: {agree:.2%} of the batch ({len(unique) - len(differ)}/{len(unique)} "
        "distinct diplotypes)",
    ]
    lines += [f"  differs: {k.replace('|', ' ', 1).replace('|', '/')}: painpath "
              f"{mine[k]!r}, pypgx {theirs['answers'][k]!r}" for k in differ]  # fmt: skip
    assert ours[0]  # the batch was really computed
    return lines


def _pypgx_genotypes(results_zip: Path) -> dict[str, str]:
    """Sample -> Genotype from pypgx's results archive (a zip holding data.tsv)."""
    with zipfile.ZipFile(results_zip) as archive:
        name = next(n for n in archive.namelist() if n.endswith("data.tsv"))
        rows = archive.read(name).decode().splitlines()
    header = rows[0].split("\t")
    col = header.index("Genotype")
    return {r.split("\t")[0]: r.split("\t")[col] for r in rows[1:] if r.strip()}


def _vcf(py: Path) -> list[str]:
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
        index = f"import pysam; pysam.tabix_index({str(path)!r}, preset='vcf', force=True)"
        _run([str(py), "-c", index])
        started = time.perf_counter()
        out_dir = str(Path(tmp) / "out")
        _run(
            [
                str(py),
                "-m",
                "pypgx",
                "run-chip-pipeline",
                g,
                out_dir,
                str(path),
                "--assembly",
                "GRCh38",
            ]
        )
        their_s = time.perf_counter() - started
        theirs = _pypgx_genotypes(Path(tmp) / "out" / "results.zip")
    differ = [
        (s, ours[s][g].diplotype, theirs.get(s), "/".join(truth[s]))
        for s in truth
        if _norm(ours[s][g].diplotype) != _norm(theirs.get(s))
    ]
    ours_right = sum(_norm(o) == _norm(t) for _, o, _, t in differ)
    lines = [
        f"VCF genotyping, {VCF_SAMPLES:,} samples (CYP2C9, phased, bgzipped): painpath "
        f"{ours_s:.2f} s; pypgx 0.27 run-chip-pipeline {their_s:.2f} s (own process, incl. start-up)",
        f"  ratio pypgx/painpath: {their_s / ours_s:,.1f}x",
        f"  agreement: {(VCF_SAMPLES - len(differ)) / VCF_SAMPLES:.2%}; of {len(differ)} "
        f"disagreements painpath matches the simulated truth in {ours_right}",
    ]
    lines += [f"  differs: {s}: painpath {o}, pypgx {t}, truth {tr}" for s, o, t, tr in differ[:10]]
    return lines


def run() -> list[str]:
    try:
        py = _pypgx_python()
    except subprocess.CalledProcessError as exc:
        return [f"pypgx 0.27 baseline unavailable: {exc.stderr.strip()[-500:]}"]
    return _phenotypes(py) + _vcf(py)
