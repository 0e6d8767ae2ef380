"""Turns uploaded lab files (VCF, CSV or JSON of gene + diplotype) into gene results.

Pure functions over files: no database. Every problem is an InvalidInput naming the field (and
row) that broke a rule, so a bad file is refused whole and nothing is half-stored. Reading is
bounded: a lab file's JSON nesting and token length are measured before it is parsed and its
rows are read only up to one past ``MAX_ROWS``; a VCF is checked against ``VcfLimits``
(expanded size, line length, records) before htslib reads it.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ijson  # type: ignore[import-untyped]
from django.utils.translation import gettext as _

from painpath.clinical import pgx
from painpath.core.errors import FieldError, InvalidInput
from painpath.interop.limits import LimitExceeded, check_json

__all__ = ["GeneResult", "detect_kind", "interpret", "parse_lab_file", "parse_vcf"]

MAX_ROWS = 50
MAX_JSON_DEPTH = 16  # a list of {gene, diplotype} objects is 2 levels deep
MAX_FIELD_BYTES = 64 * 1024  # one CSV field or JSON value


@dataclass(frozen=True)
class GeneResult:
    """An interpreted result ready to store (the shape of ``pgx call`` plus the gene)."""

    gene: str
    diplotype: str
    phenotype: str
    activity_score: float | str | None
    alternatives: tuple[str, ...] = ()
    missing_positions: tuple[str, ...] = ()
    uncertain: bool = False


def interpret(gene: str, diplotype: str, *, field: str) -> GeneResult:
    """CPIC phenotype of a lab's diplotype; an unknown gene/allele is an error on ``field``."""
    try:
        result = pgx.phenotype(gene, diplotype)
    except pgx.PgxError as exc:
        raise InvalidInput(
            _("The result cannot be interpreted."), fields=[FieldError(field, str(exc))]
        ) from exc
    return GeneResult(result.gene, result.diplotype, result.phenotype, result.activity_score)


def detect_kind(filename: str, content: bytes) -> str:
    """'vcf' or 'lab-file', from the name and the first bytes (``content`` may be only those)."""
    name = filename.lower()
    if name.endswith((".vcf", ".vcf.gz", ".vcf.bgz")) or content[:16].startswith(
        b"##fileformat=VCF"
    ):
        return "vcf"
    if content[:2] == b"\x1f\x8b":
        return "vcf"
    if name.endswith((".csv", ".json", ".txt")):
        return "lab-file"
    raise InvalidInput(
        _("Unknown file type."),
        fields=[FieldError("file", _("Send a VCF (.vcf, .vcf.gz), a .csv or a .json file."))],
    )


def _file_error(message: str, rule: str) -> InvalidInput:
    return InvalidInput(message, fields=[FieldError("file", rule)])


def _rows_from_csv(text: str) -> Iterator[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text))
    try:
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
        if "gene" not in header or "diplotype" not in header:
            raise _file_error(
                _("The CSV needs a header row with the columns gene and diplotype."),
                _("Header must name the columns gene,diplotype."),
            )
        for row in reader:
            yield {(k or "").strip().lower(): (v or "").strip() for k, v in row.items() if k}
    except csv.Error as exc:  # e.g. a field past the csv module's limit
        raise _file_error(_("The file is not valid CSV."), str(exc)) from exc


def _rows_from_json(text: str) -> Iterator[dict[str, str]]:
    data = text.encode("utf-8")
    try:
        check_json(data, max_depth=MAX_JSON_DEPTH, max_token=MAX_FIELD_BYTES)
    except LimitExceeded as exc:
        raise _file_error(_("The file is not a lab result list."), str(exc)) from exc
    prefix = "item" if text.lstrip().startswith("[") else "results.item"
    shape = _('The JSON must be a list of {gene, diplotype} objects (or {"results": [...]}).')
    try:
        for row in ijson.items(io.BytesIO(data), prefix):
            if not isinstance(row, dict):
                raise _file_error(shape, _("Expected a list of objects with gene and diplotype."))
            yield {str(k).lower(): str(v) for k, v in row.items()}
    except ijson.JSONError as exc:
        raise _file_error(_("The file is not valid JSON."), _first_line(exc)) from exc


def _first_line(exc: Exception) -> str:
    raw = exc.args[0] if exc.args else exc
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__


def parse_lab_file(filename: str, content: bytes) -> list[GeneResult]:
    """Results from a lab's CSV (columns gene,diplotype) or JSON list; every row checked."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            _("The file is not UTF-8 text."), fields=[FieldError("file", _("Not UTF-8 text."))]
        ) from exc
    stripped = text.lstrip()
    reader = _rows_from_json(text) if stripped.startswith(("[", "{")) else _rows_from_csv(text)
    rows: list[dict[str, Any]] = list(itertools.islice(reader, MAX_ROWS + 1))
    if not rows:
        raise InvalidInput(_("The file has no results."), fields=[FieldError("file", _("Empty."))])
    if len(rows) > MAX_ROWS:
        raise InvalidInput(
            _("Too many rows."), fields=[FieldError("file", _("At most %d rows.") % MAX_ROWS)]
        )
    results: list[GeneResult] = []
    errors: list[FieldError] = []
    for i, row in enumerate(rows, start=1):
        try:
            results.append(
                interpret(row.get("gene", ""), row.get("diplotype", ""), field=f"file.row[{i}]")
            )
        except InvalidInput as exc:
            errors.extend(exc.fields)
    if errors:
        raise InvalidInput(_("Some rows of the lab file cannot be interpreted."), fields=errors)
    return results


def _not_called_note(call: pgx.GeneCall) -> str:
    if call.phenotype == pgx.NOT_TESTED:
        return _("%(gene)s: not tested (no defining position of the gene in the file); nothing "
                 "stored for this gene.") % {"gene": call.gene}  # fmt: skip
    return _("%(gene)s: no CPIC allele definition matches the genotypes in the file; nothing "
             "stored for this gene. Check the file, or enter the lab's own call.") % {
        "gene": call.gene
    }  # fmt: skip


def parse_vcf(
    path: Path,
    *,
    sample: str | None = None,
    limits: pgx.VcfLimits | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[str, list[GeneResult], list[str]]:
    """Calls CYP2C9 and CYP2C19 for one sample of a GRCh38 VCF (the only one, or ``sample``).

    Returns the sample, the genes called, and a note for each gene that was not (not tested, or
    no allele matched), so no gene is dropped without saying so.
    """
    try:
        with pgx.vcf_reading(limits or pgx.VcfLimits(), progress):
            calls = pgx.call_vcf(path, sample)
    except pgx.PgxError as exc:
        raise InvalidInput(
            _("The VCF cannot be used."), fields=[FieldError("file", str(exc))]
        ) from exc
    if len(calls) != 1:
        raise InvalidInput(
            _("The VCF holds several samples: say which one."),
            fields=[
                FieldError("sample", _("One of: %s.") % ", ".join(sorted(calls)[:20])),
            ],
        )
    name, genes = next(iter(calls.items()))
    results = [
        GeneResult(
            c.gene,
            c.diplotype,
            c.phenotype,
            c.activity_score,
            c.alternatives,
            c.missing_positions,
            c.uncertain,
        )
        for c in genes.values()
        if c.diplotype is not None
    ]
    notes = [_not_called_note(c) for c in genes.values() if c.diplotype is None]
    if not results:
        raise InvalidInput(
            _("No CYP2C9 or CYP2C19 diplotype could be called from this VCF."),
            fields=[FieldError("file", " ".join(notes))],
        )
    return name, results, notes
