"""Turns uploaded lab files (VCF, CSV or JSON of gene + diplotype) into gene results.

Pure functions over bytes: no database. Every problem is an InvalidInput naming the field (and
row) that broke a rule, so a bad file is refused whole and nothing is half-stored.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

from painpath.clinical import pgx
from painpath.core.errors import FieldError, InvalidInput

__all__ = ["GeneResult", "detect_kind", "interpret", "parse_lab_file", "parse_vcf"]

MAX_ROWS = 50


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
    """'vcf' or 'lab-file', from the name and the first bytes."""
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


def _rows_from_csv(text: str) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    if "gene" not in header or "diplotype" not in header:
        raise InvalidInput(
            _("The CSV needs a header row with the columns gene and diplotype."),
            fields=[FieldError("file", _("Header must name the columns gene,diplotype."))],
        )
    return [
        {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()} for row in reader
    ]


def _rows_from_json(text: str) -> list[dict[str, str]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            _("The file is not valid JSON."), fields=[FieldError("file", str(exc))]
        ) from exc
    if isinstance(data, dict):
        data = data.get("results")
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise InvalidInput(
            _('The JSON must be a list of {gene, diplotype} objects (or {"results": [...]}).'),
            fields=[FieldError("file", _("Expected a list of objects with gene and diplotype."))],
        )
    return [{str(k).lower(): str(v) for k, v in row.items()} for row in data]


def parse_lab_file(filename: str, content: bytes) -> list[GeneResult]:
    """Results from a lab's CSV (columns gene,diplotype) or JSON list; every row checked."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            _("The file is not UTF-8 text."), fields=[FieldError("file", _("Not UTF-8 text."))]
        ) from exc
    stripped = text.lstrip()
    rows = _rows_from_json(text) if stripped.startswith(("[", "{")) else _rows_from_csv(text)
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
    content: bytes, *, sample: str | None = None
) -> tuple[str, list[GeneResult], list[str]]:
    """Calls CYP2C9 and CYP2C19 for one sample of a GRCh38 VCF (the only one, or ``sample``).

    Returns the sample, the genes called, and a note for each gene that was not (not tested, or
    no allele matched), so no gene is dropped without saying so.
    """
    with tempfile.TemporaryDirectory(prefix="painpath-vcf-") as tmp:
        path = Path(tmp) / ("upload.vcf.gz" if content[:2] == b"\x1f\x8b" else "upload.vcf")
        path.write_bytes(content)
        try:
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
