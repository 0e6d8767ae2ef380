"""Reads genotypes at given GRCh38 positions from a VCF (plain or bgzip) with cyvcf2.

cyvcf2 (htslib inside, manylinux wheels) does the parsing; this module checks first that the
file is a complete VCF on GRCh38 and turns problems into the module's own errors.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from cyvcf2 import VCF  # type: ignore[import-untyped]

from painpath.clinical.pgx._data import grch38_facts
from painpath.clinical.pgx._errors import (
    NotAVcfError,
    SampleNotFoundError,
    TruncatedVcfError,
    WrongBuildError,
)

__all__ = ["Genotype", "VcfGenotypes", "read_genotypes"]

# The 28-byte empty block that ends every complete BGZF file (SAM/BAM format specification).
_BGZF_EOF = bytes.fromhex("1f8b08040000000000ff0600424302001b0003000000000000000000")


@dataclass(frozen=True, slots=True)
class Genotype:
    """Two allele strings at one position and whether the sample's phase is known."""

    alleles: tuple[str, str]
    phased: bool


@dataclass(frozen=True, slots=True)
class VcfGenotypes:
    """Samples in file order, and per sample the genotypes found at the asked positions."""

    samples: tuple[str, ...]
    calls: Mapping[str, Mapping[tuple[str, int], Genotype]]


def _header_lines(path: Path) -> list[str]:
    with path.open("rb") as fh:
        head = fh.read(18)
        fh.seek(0, 2)
        size = fh.tell()
        fh.seek(max(size - 28, 0))
        tail = fh.read()
    if head[:2] == b"\x1f\x8b":
        if tail != _BGZF_EOF and head[12:14] == b"BC":
            raise TruncatedVcfError(f"{path.name}: bgzip file has no end-of-file block (truncated)")
        opener = gzip.open(path, "rt", encoding="utf-8", errors="replace")  # noqa: SIM115 - closed by the with-block below
    else:
        opener = path.open("r", encoding="utf-8", errors="replace")
    lines: list[str] = []
    try:
        with opener as text:
            for line in text:
                lines.append(line.rstrip("\n"))
                if not line.startswith("##"):
                    break
    except (OSError, EOFError, zlib.error) as exc:
        raise TruncatedVcfError(f"{path.name}: cannot decompress ({exc})") from exc
    if not lines or not lines[0].startswith("##fileformat=VCF"):
        raise NotAVcfError(f"{path.name}: not a VCF (first line must be '##fileformat=VCFv4.x')")
    if not lines[-1].startswith("#CHROM"):
        raise NotAVcfError(f"{path.name}: VCF header has no '#CHROM' line")
    if head[:2] != b"\x1f\x8b" and not tail.endswith(b"\n"):
        raise TruncatedVcfError(f"{path.name}: file ends mid-line (truncated)")
    return lines


def _check_build(path: Path, lines: Iterable[str]) -> None:
    facts = grch38_facts()
    other = [name.lower() for name in facts["other_builds"]["names"]]
    for line in lines:
        low = line.lower()
        if low.startswith(("##reference=", "##assembly=")) and any(n in low for n in other):
            raise WrongBuildError(f"{path.name}: header '{line}' names another build, not GRCh38")
        if low.startswith("##contig=<"):
            for chrom, lengths in facts["chromosomes"].items():
                ids = (f"id={chrom.lower()},", f"id={chrom.lower().removeprefix('chr')},")
                if any(i in low for i in ids) and f"length={lengths['grch37_length']}" in low:
                    raise WrongBuildError(
                        f"{path.name}: contig {chrom} has the GRCh37 length "
                        f"{lengths['grch37_length']} (GRCh38: {lengths['grch38_length']})"
                    )


def read_genotypes(
    path: Path, wanted: Mapping[tuple[str, int], str], sample: str | None = None
) -> VcfGenotypes:
    """Genotypes at ``wanted`` positions ((chrom, pos) -> GRCh38 REF); chrom named 'chr10'.

    VCF contigs named '10' or 'chr10' are both accepted. A REF that disagrees with GRCh38 at a
    wanted single-base position is a wrong-build error.
    """
    _check_build(path, _header_lines(path))
    try:
        reader = VCF(str(path), lazy=True)
    except (OSError, Exception) as exc:  # cyvcf2 raises bare Exception on parse errors
        raise NotAVcfError(f"{path.name}: cannot be read as VCF ({exc})") from exc
    samples = tuple(reader.samples)
    if sample is not None and sample not in samples:
        raise SampleNotFoundError(f"sample '{sample}': not in {path.name} (samples: {samples})")
    chosen = [sample] if sample is not None else list(samples)
    index = [samples.index(s) for s in chosen]
    calls: dict[str, dict[tuple[str, int], Genotype]] = {s: {} for s in chosen}
    try:
        for record in reader:
            chrom = record.CHROM if record.CHROM.startswith("chr") else f"chr{record.CHROM}"
            key = (chrom, int(record.POS))
            ref = wanted.get(key)
            if ref is None:
                continue
            if len(ref) == 1 and len(record.REF) == 1 and record.REF.upper() != ref.upper():
                raise WrongBuildError(
                    f"{path.name}: {chrom}:{record.POS} has REF '{record.REF}' but GRCh38 has "
                    f"'{ref}'; the file is not on GRCh38"
                )
            alleles = [record.REF, *record.ALT]
            genotypes = record.genotypes
            for name, i in zip(chosen, index, strict=True):
                gt = genotypes[i]
                if len(gt) < 3 or gt[0] < 0 or gt[1] < 0:
                    continue
                calls[name][key] = Genotype((alleles[gt[0]], alleles[gt[1]]), bool(gt[2]))
    except WrongBuildError:
        raise
    except Exception as exc:  # htslib errors surface as bare Exception
        raise TruncatedVcfError(f"{path.name}: stopped reading mid-file ({exc})") from exc
    finally:
        reader.close()
    return VcfGenotypes(tuple(chosen), calls)
