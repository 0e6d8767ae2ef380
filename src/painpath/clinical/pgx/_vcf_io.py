"""Reads genotypes at given GRCh38 positions from a VCF (plain or bgzip) with cyvcf2.

cyvcf2 (htslib inside, manylinux wheels) does the parsing; this module checks first that the
file is a complete VCF on GRCh38 and turns problems into the module's own errors. htslib writes
its diagnostics to file descriptor 2; they are captured while the file is read, folded into the
error message when reading fails, and otherwise dropped (other output is passed through).
gVCF reference blocks (a symbolic ALT such as <NON_REF> with INFO END, genotype 0/0) count as
reference at every wanted position they cover.

Before htslib sees a file, one streaming pass checks it against ``VcfLimits`` (what it expands
to, the longest line, the number of records): htslib holds a whole line in memory, so a 1 MB
gzip holding one endless line took 2 GB. ``VcfTooLargeError`` names the limit. The caller
sets the limits (and a progress callback) for a block of reads with ``vcf_reading``.
"""

from __future__ import annotations

import bisect
import gzip
import os
import sys
import tempfile
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from cyvcf2 import VCF  # type: ignore[import-untyped]

from painpath.clinical.pgx._data import grch38_facts
from painpath.clinical.pgx._errors import (
    MalformedVcfError,
    NoSamplesError,
    NotAVcfError,
    SampleNotFoundError,
    TruncatedVcfError,
    VcfTooLargeError,
    WrongBuildError,
)

__all__ = ["Genotype", "VcfGenotypes", "VcfLimits", "read_genotypes", "vcf_reading"]

_MiB = 1024 * 1024
_SCAN_CHUNK = _MiB
Progress = Callable[[int, int], None]  # (bytes of the file read, records so far)


@dataclass(frozen=True, slots=True)
class VcfLimits:
    """How much a VCF may hold: expanded bytes (after gzip/bgzip), one line, records."""

    max_expanded_bytes: int = 512 * _MiB
    max_line_bytes: int = _MiB
    max_records: int = 2_000_000


_READING: ContextVar[tuple[VcfLimits, Progress | None]] = ContextVar(
    "vcf_reading", default=(VcfLimits(), None)
)


@contextmanager
def vcf_reading(limits: VcfLimits, progress: Progress | None = None) -> Iterator[None]:
    """Reads of VCF files inside the block use ``limits`` and report to ``progress``."""
    token = _READING.set((limits, progress))
    try:
        yield
    finally:
        _READING.reset(token)


def _size(n: int) -> str:
    return f"{n / _MiB:g} MiB"


@dataclass(slots=True)
class _Scan:
    """Running counts of one pass: expanded bytes, lines, header lines, the open line."""

    limits: VcfLimits
    name: str
    expanded: int = 0
    lines: int = 0
    headers: int = 0
    run: int = 0  # bytes since the last newline
    last: bytes = b"\n"

    @property
    def records(self) -> int:
        return max(self.lines - self.headers, 0)

    def feed(self, chunk: bytes) -> None:
        limits = self.limits
        self.expanded += len(chunk)
        if self.expanded > limits.max_expanded_bytes:
            raise VcfTooLargeError(
                f"{self.name}: expands to more than {_size(limits.max_expanded_bytes)}"
            )
        pieces = chunk.split(b"\n")
        longest = self.run + len(pieces[0])
        if len(pieces) > 1:
            longest = max(longest, *map(len, pieces[1:]))
            self.run = len(pieces[-1])
        else:
            self.run = longest
        if longest > limits.max_line_bytes:
            raise VcfTooLargeError(
                f"{self.name}: a line is longer than {_size(limits.max_line_bytes)}"
            )
        self.lines += len(pieces) - 1
        self.headers += chunk.count(b"\n#") + (self.last == b"\n" and chunk[:1] == b"#")
        self.last = chunk[-1:]
        if self.records > limits.max_records:
            raise VcfTooLargeError(f"{self.name}: more than {limits.max_records:,} records")


def _prescan(path: Path, limits: VcfLimits, progress: Progress | None) -> None:
    """One streaming pass over the expanded file, refusing it past a limit."""
    scan = _Scan(limits, path.name)
    with path.open("rb") as raw:
        gzipped = raw.read(2) == b"\x1f\x8b"
        raw.seek(0)
        stream = gzip.GzipFile(fileobj=raw, mode="rb") if gzipped else raw
        try:
            while chunk := stream.read(_SCAN_CHUNK):
                scan.feed(chunk)
                if progress is not None:
                    progress(raw.tell(), scan.records)
        except (OSError, EOFError, zlib.error) as exc:
            raise TruncatedVcfError(
                f"{path.name}: compressed data is truncated or damaged ({exc})"
            ) from exc


# The 28-byte empty block that ends every complete BGZF file (SAM/BAM format specification).
_BGZF_EOF = bytes.fromhex("1f8b08040000000000ff0600424302001b0003000000000000000000")
_HTSLIB_PREFIXES = ("[E::", "[W::", "[I::", "[D::")
_SYMBOLIC_REF = frozenset({"<NON_REF>", "<*>", "<X>"})  # gVCF "any other allele" symbols
# fd 2 is process-wide: while it is redirected every thread's stderr goes to the sink, so VCF
# reads are serialised across threads. That is the price of folding htslib's message (which
# it writes to fd 2, not to a Python stream) into the error.
_FD2_LOCK = threading.Lock()


@contextmanager
def _htslib_messages() -> Iterator[list[str]]:
    """Captures what htslib writes to fd 2; yields a list filled with its lines on exit."""
    lines: list[str] = []
    with _FD2_LOCK, tempfile.TemporaryFile() as sink:
        sys.stderr.flush()
        saved = os.dup(2)
        os.dup2(sink.fileno(), 2)
        try:
            yield lines
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            sink.seek(0)
            other: list[str] = []
            for line in sink.read().decode("utf-8", "replace").splitlines():
                (lines if line.startswith(_HTSLIB_PREFIXES) else other).append(line)
            if other:  # not htslib's: pass it on
                print("\n".join(other), file=sys.stderr)


def _htslib_detail(lines: list[str]) -> str:
    errors = [ln.split("] ", 1)[-1] for ln in lines if ln.startswith("[E::")]
    return f" (htslib: {'; '.join(errors[:3])})" if errors else ""


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


def _block_positions(
    wanted_by_chrom: Mapping[str, list[int]], chrom: str, start: int, end: int
) -> list[int]:
    """Wanted positions strictly inside a reference block (the block's own POS is a record)."""
    positions = wanted_by_chrom.get(chrom, [])
    return positions[bisect.bisect_right(positions, start) : bisect.bisect_right(positions, end)]


def read_genotypes(
    path: Path, wanted: Mapping[tuple[str, int], str], sample: str | None = None
) -> VcfGenotypes:
    """Genotypes at ``wanted`` positions ((chrom, pos) -> GRCh38 REF); chrom named 'chr10'.

    VCF contigs named '10' or 'chr10' are both accepted. A REF that disagrees with GRCh38 at a
    wanted single-base position is a wrong-build error. The file is first checked against the
    limits set by ``vcf_reading`` (or the defaults).
    """
    _prescan(path, *_READING.get())
    _check_build(path, _header_lines(path))
    messages: list[str] = []
    try:
        with _htslib_messages() as messages:
            try:
                reader = VCF(str(path), lazy=True)
            except Exception as exc:  # cyvcf2 raises bare Exception on parse errors
                raise NotAVcfError(f"{path.name}: cannot be read as VCF ({exc})") from exc
            try:
                return _read_records(path, reader, wanted, sample)
            finally:
                reader.close()
    except (MalformedVcfError, NotAVcfError) as exc:  # htslib said why: add it
        raise type(exc)(f"{exc}{_htslib_detail(messages)}") from exc


def _chosen_samples(path: Path, reader: VCF, sample: str | None) -> tuple[list[str], list[int]]:
    samples = tuple(reader.samples)
    if not samples:
        raise NoSamplesError(
            f"{path.name}: the VCF has no sample columns (a sites-only file); there is no "
            "genotype to call"
        )
    if sample is not None and sample not in samples:
        raise SampleNotFoundError(f"sample '{sample}': not in {path.name} (samples: {samples})")
    chosen = [sample] if sample is not None else list(samples)
    return chosen, [samples.index(s) for s in chosen]


def _check_ref(path: Path, chrom: str, pos: int, vcf_ref: str, ref: str) -> None:
    if len(ref) == 1 and len(vcf_ref) == 1 and vcf_ref.upper() != ref.upper():
        raise WrongBuildError(
            f"{path.name}: {chrom}:{pos} has REF '{vcf_ref}' but GRCh38 has '{ref}'; the file "
            "is not on GRCh38"
        )


def _read_records(
    path: Path, reader: VCF, wanted: Mapping[tuple[str, int], str], sample: str | None
) -> VcfGenotypes:
    chosen, index = _chosen_samples(path, reader, sample)
    calls: dict[str, dict[tuple[str, int], Genotype]] = {s: {} for s in chosen}
    by_chrom: dict[str, list[int]] = {}
    for chrom, pos in sorted(wanted):
        by_chrom.setdefault(chrom, []).append(pos)
    key = ("", 0)  # the last record read, for error messages
    try:
        for record in reader:
            chrom = record.CHROM if record.CHROM.startswith("chr") else f"chr{record.CHROM}"
            key = (chrom, int(record.POS))
            ref = wanted.get(key)
            end = record.INFO.get("END") if set(record.ALT) <= _SYMBOLIC_REF else None
            inside = _block_positions(by_chrom, chrom, key[1], int(end)) if end else []
            if ref is None and not inside:
                continue
            if ref is not None:
                _check_ref(path, chrom, key[1], record.REF, ref)
            alleles = [record.REF, *record.ALT]
            genotypes = record.genotypes
            for name, i in zip(chosen, index, strict=True):
                gt = genotypes[i]
                if len(gt) < 3 or gt[0] < 0 or gt[1] < 0:
                    continue
                if ref is not None:
                    calls[name][key] = Genotype((alleles[gt[0]], alleles[gt[1]]), bool(gt[2]))
                if gt[0] == gt[1] == 0:  # reference block: reference at every covered position
                    for pos in inside:
                        base = wanted[(chrom, pos)]
                        calls[name].setdefault((chrom, pos), Genotype((base, base), True))
    except WrongBuildError:
        raise
    except Exception as exc:  # htslib parse errors surface as bare Exception
        where = f"after record {key[0]}:{key[1]}" if key[1] else "in the first record"
        raise MalformedVcfError(f"{path.name}: malformed VCF body {where} ({exc})") from exc
    return VcfGenotypes(tuple(chosen), calls)
