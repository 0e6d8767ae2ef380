"""Builds small GRCh38 VCFs from CPIC allele definitions for the pgx tests and benchmark."""

from __future__ import annotations

import gzip
import io
import struct
import zlib
from collections.abc import Mapping, Sequence
from pathlib import Path

from painpath.clinical.pgx._data import allele_definitions

__all__ = ["allele_names", "haplotype", "reference_allele", "write_vcf"]

CONTIG = "##contig=<ID=chr10,length=133797422>"


def allele_names(gene: str) -> list[str]:
    return [a["name"] for a in allele_definitions()["genes"][gene]["named_alleles"]]


def reference_allele(gene: str) -> str:
    named = allele_definitions()["genes"][gene]["named_alleles"]
    return next(a["name"] for a in named if a["reference"])


IUPAC = {"R": "AG", "Y": "CT", "S": "CG", "W": "AT", "K": "GT", "M": "AC",
         "B": "CGT", "D": "AGT", "H": "ACT", "V": "ACG", "N": "ACGT"}  # fmt: skip


def haplotype(
    gene: str, allele: str, *, iupac: str = "ref", at: Mapping[int, str] | None = None
) -> list[str]:
    """The bases of ``allele`` at every defining position (reference where it says null).

    Where the definition is an IUPAC code (e.g. CYP2C19*4's Y at 94761900), ``iupac="ref"``
    takes the reference base if the code allows it and ``iupac="alt"`` the alternate base;
    ``at`` sets chosen GRCh38 positions explicitly (the base must be one the allele allows).
    """
    raw = allele_definitions()["genes"][gene]
    named = next(a for a in raw["named_alleles"] if a["name"] == allele)
    chosen = dict(at or {})
    bases = []
    for variant, base in zip(raw["variants"], named["alleles"], strict=True):
        options = [variant["ref"], *variant["alts"]]
        allowed = IUPAC.get(base or "", base or variant["ref"])
        if variant["position"] in chosen:
            pick = chosen.pop(variant["position"])
            if base is not None and pick not in allowed:
                raise ValueError(f"{gene}{allele} does not allow {pick} at {variant['position']}")
            bases.append(pick)
        elif base is None or base in options:
            bases.append(base or variant["ref"])
        else:
            fits = [o for o in options if o in allowed]
            alt_first = [o for o in fits if o != variant["ref"]] + [
                o for o in fits if o == variant["ref"]
            ]
            bases.append((alt_first if iupac == "alt" else fits)[0])
    if chosen:
        raise ValueError(f"positions {sorted(chosen)} are not defining positions of {gene}")
    return bases


def write_vcf(
    path: Path,
    gene: str,
    samples: Mapping[str, tuple[Sequence[str], Sequence[str]]],
    *,
    phased: bool = False,
    drop: Sequence[int] = (),
    header_extra: Sequence[str] = (CONTIG,),
    gzipped: bool = False,
) -> Path:
    """Writes one record per defining position; ``samples`` maps name -> (hap1, hap2) bases."""
    raw = allele_definitions()["genes"][gene]
    sep = "|" if phased else "/"
    out = io.StringIO()
    out.write("##fileformat=VCFv4.2\n")
    for line in header_extra:
        out.write(line + "\n")
    out.write('##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n')
    out.write("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t" + "\t".join(samples))
    out.write("\n")
    for i, v in enumerate(raw["variants"]):
        if i in drop:
            continue
        options = [v["ref"], *v["alts"]]
        gts = [f"{options.index(h1[i])}{sep}{options.index(h2[i])}" for h1, h2 in samples.values()]
        out.write(
            f"chr10\t{v['position']}\t.\t{v['ref']}\t{','.join(v['alts'])}\t.\tPASS\t.\tGT\t"
            + "\t".join(gts)
            + "\n"
        )
    text = out.getvalue()
    if gzipped:
        path.write_bytes(_bgzip(text.encode()))
    else:
        path.write_text(text)
    return path


def _bgzip(data: bytes) -> bytes:
    """Minimal BGZF writer (one block per 60 kB, then the EOF block) so htslib can read it."""
    blocks = []
    for start in range(0, max(len(data), 1), 60000):
        chunk = data[start : start + 60000]
        comp = zlib.compressobj(6, zlib.DEFLATED, -15)
        body = comp.compress(chunk) + comp.flush()
        bsize = len(body) + 25
        header = b"\x1f\x8b\x08\x04\x00\x00\x00\x00\x00\xff\x06\x00BC\x02\x00"
        blocks.append(header + struct.pack("<H", bsize) + body)
        blocks.append(struct.pack("<II", zlib.crc32(chunk), len(chunk)))
    blocks.append(bytes.fromhex("1f8b08040000000000ff0600424302001b0003000000000000000000"))
    return b"".join(blocks)


def plain_gzip(path: Path, text: str) -> Path:
    with gzip.open(path, "wt") as fh:
        fh.write(text)
    return path
