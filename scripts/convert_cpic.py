"""Convert the shared CPIC reference files into painpath's own pgx data files.

Usage: ``python scripts/convert_cpic.py [SHARED_CPIC_DIR]`` (default ``../shared/data/cpic``
relative to the repository). Writes JSON files into ``src/painpath/clinical/pgx/data/``,
preserving the source and version fields. CPIC data is CC0 1.0 (attribution: "CPIC",
cpicpgx.org). Recommendations are not converted: they live in the hand-curated
``recommendations.toml``, each table read from CPIC's own database rows and naming that source
(the secondary copy in the shared directory, pypgx 0.27's ``recommendations_pain_drugs.csv``,
covers no drug that lacks such a table).
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "src" / "painpath" / "clinical" / "pgx" / "data"
LICENCE = (
    "CPIC data: CC0 1.0 Universal. Attribution requested: Clinical Pharmacogenetics "
    "Implementation Consortium (CPIC), https://cpicpgx.org. The CPIC name and logo are not "
    "used as endorsement."
)


def write_json(name: str, payload: Any) -> None:
    path = OUT / name
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {path.relative_to(REPO)}")


def convert_allele_functions(src: Path) -> None:
    genes: dict[str, dict[str, Any]] = {}
    with (src / "allele_function.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            gene = genes.setdefault(
                row["gene"], {"cpic_data_version": row["cpic_data_version"], "alleles": {}}
            )
            value = row["activity_value"].strip()
            gene["alleles"][row["allele"]] = {
                "function": row["function"].strip() or None,
                "activity_value": None if value in ("", "n/a") else value,
            }
    write_json(
        "allele_functions.json",
        {
            "source": "CPIC allele function and activity value tables (shared/data/cpic/"
            "allele_function.csv): CYP2C9/CYP2C19 CPIC data 2025-11-05, CYP2D6 CPIC activity "
            "values 2024-03-25, as carried in PharmCAT's phenotype tables",
            "licence": LICENCE,
            "note": "activity_value null = no value (a diplotype containing it is Indeterminate)",
            "genes": genes,
        },
    )


def convert_function_pairs(src: Path) -> None:
    with (src / "CYP2C19_function_pair_phenotype.csv").open(encoding="utf-8", newline="") as fh:
        rows = [
            {
                "functions": [r["allele1_function"], r["allele2_function"]],
                "phenotype": r["phenotype"],
            }
            for r in csv.DictReader(fh)
        ]
    write_json(
        "cyp2c19_function_pairs.json",
        {
            "source": "CPIC CYP2C19 guideline terms, CPIC data 2025-11-05 "
            "(shared/data/cpic/CYP2C19_function_pair_phenotype.csv)",
            "licence": LICENCE,
            "pairs": rows,
        },
    )


def convert_definitions(src: Path) -> None:
    genes: dict[str, Any] = {}
    for gene in ("CYP2C9", "CYP2C19"):
        raw = json.loads((src / f"{gene}_allele_definitions.json").read_text(encoding="utf-8"))
        genes[gene] = {
            "source": raw["source"],
            "version": raw["version"],
            "modification_date": raw["modificationDate"],
            "genome_build": raw["genomeBuild"],
            "chromosome": raw["chromosome"],
            "refseq_chromosome": raw["refSeqChromosomeId"],
            "variants": [
                {"position": v["position"], "rsid": v["rsid"], "ref": v["ref"], "alts": v["alts"]}
                for v in raw["variants"]
            ],
            "named_alleles": [
                {"name": a["name"], "reference": a["reference"], "alleles": a["alleles"]}
                for a in raw["namedAlleles"]
            ],
        }
    write_json(
        "allele_definitions.json",
        {
            "source": "CPIC/PharmVar allele definitions (GRCh38) in PharmCAT's translation "
            "format, shared/data/cpic/{CYP2C9,CYP2C19}_allele_definitions.json",
            "licence": LICENCE,
            "note": "named_alleles[].alleles aligns with variants[]; null = reference or not "
            "part of that allele; single letters other than A/C/G/T are IUPAC codes",
            "genes": genes,
        },
    )


def main(argv: list[str]) -> int:
    src = Path(argv[1]) if len(argv) > 1 else REPO.parent / "shared" / "data" / "cpic"
    if not (src / "allele_function.csv").is_file():
        print(f"convert_cpic: no CPIC files in {src}", file=sys.stderr)
        return 2
    OUT.mkdir(parents=True, exist_ok=True)
    convert_allele_functions(src)
    convert_function_pairs(src)
    convert_definitions(src)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
