"""Hostile upload files, built on the spot: small on disk, big (or deep, or slow) when read.

Each builder streams what it writes (never the expanded content in memory), so a test can
build a 1 GiB zip bomb in a few seconds and a few megabytes.
"""

from __future__ import annotations

import gzip
import zipfile
from pathlib import Path

MiB = 1024 * 1024
GiB = 1024 * MiB
_BLOCK = 4 * MiB

APPLE_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<HealthData locale="en_US">\n'
    b' <ExportDate value="2026-03-10 08:00:00 +0100"/>\n'
)
APPLE_RECORD = (
    b' <Record type="HKQuantityTypeIdentifierHeartRate" sourceName="Watch" unit="count/min"'
    b' value="61" startDate="2026-03-01 08:00:00 +0100" endDate="2026-03-01 08:00:00 +0100"/>\n'
)
VCF_HEAD = (
    b"##fileformat=VCFv4.2\n"
    b"##reference=GRCh38\n"
    b"##contig=<ID=chr10,length=133797422>\n"
    b'##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
    b"#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\n"
)
# A real CYP2C19 position (GRCh38 chr10:94761900, REF C), so a complete file calls a gene.
VCF_RECORD = b"chr10\t94761900\t.\tC\tT\t.\tPASS\t.\tGT\t0/0\n"


def _repeat(write: object, unit: bytes, total: int) -> None:
    block = unit * max(1, _BLOCK // len(unit))
    sent = 0
    while sent < total:
        piece = block[: min(len(block), total - sent)]
        write(piece)  # type: ignore[operator]
        sent += len(piece)


def deep_json(path: Path, depth: int = 100_000) -> Path:
    """``[[[[...]]]]``: 2 bytes a level (the 200 KB Open mHealth file of the probe)."""
    path.write_bytes(b"[" * depth + b"]" * depth)
    return path


def deep_json_bytes(depth: int = 100_000) -> bytes:
    return b"[" * depth + b"]" * depth


def apple_zip(path: Path, *, attribute: int = 0, whitespace: int = 0) -> Path:
    """An Apple Health export zip: one heart-rate record whose ``sourceName`` is
    ``attribute`` bytes long (if given), then ``whitespace`` bytes of blank lines."""
    with (
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open("apple_health_export/export.xml", "w", force_zip64=True) as out,
    ):
        out.write(APPLE_HEAD)
        if attribute:
            out.write(b' <Record type="HKQuantityTypeIdentifierHeartRate" sourceName="')
            _repeat(out.write, b"A", attribute)
            out.write(
                b'" unit="count/min" value="61" startDate="2026-03-01 08:00:00 +0100"'
                b' endDate="2026-03-01 08:00:00 +0100"/>\n'
            )
        out.write(APPLE_RECORD)
        _repeat(out.write, b"        \n", whitespace)
        out.write(b"</HealthData>\n")
    return path


def gzip_vcf(path: Path, *, records: int = 0, long_line: int = 0) -> Path:
    """A gzip VCF: ``records`` copies of one record, then (if given) one record line of
    ``long_line`` bytes with no end (a gzip bomb of one endless line)."""
    with gzip.open(path, "wb", compresslevel=9) as out:
        out.write(VCF_HEAD)
        _repeat(out.write, VCF_RECORD, records * len(VCF_RECORD))
        if long_line:
            out.write(b"chr10\t94761900\t.\tC\t")
            _repeat(out.write, b"T", long_line)
    return path


def deflate_ratio(path: Path) -> float:
    """Expanded size / size on disk of a gzip file (for the report of a test)."""
    with gzip.open(path, "rb") as handle:
        size = 0
        while chunk := handle.read(_BLOCK):
            size += len(chunk)
    return size / path.stat().st_size


__all__ = [
    "APPLE_HEAD",
    "APPLE_RECORD",
    "VCF_HEAD",
    "VCF_RECORD",
    "GiB",
    "MiB",
    "apple_zip",
    "deep_json",
    "deep_json_bytes",
    "deflate_ratio",
    "gzip_vcf",
]
