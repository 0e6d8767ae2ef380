"""Pharmacogenomics: CPIC allele -> diplotype -> phenotype -> recommendation, and VCF calling.

Facts come from CPIC data files in ``data/`` (CC0; attribution "CPIC", cpicpgx.org), made by
``scripts/convert_cpic.py``; recommendations verified against the guidelines are in
``data/recommendations.toml``.
"""

from painpath.clinical.pgx._errors import (
    DiplotypeFormatError,
    NotAVcfError,
    PgxError,
    PhenotypeRuleError,
    SampleNotFoundError,
    TruncatedVcfError,
    UnknownAlleleError,
    UnknownDrugError,
    UnknownGeneError,
    VcfError,
    WrongBuildError,
)
from painpath.clinical.pgx.phenotype import (
    INDETERMINATE,
    PHENOTYPE_GENES,
    ActivityScore,
    PhenotypeResult,
    allele_sort_key,
    diplotype_sort_key,
    format_activity_score,
    normalise_gene,
    parse_diplotype,
    phenotype,
)
from painpath.clinical.pgx.recommend import (
    STRENGTHS,
    Recommendation,
    known_drugs,
    no_action_gene_note,
    recommend,
)
from painpath.clinical.pgx.vcf_call import (
    CALLABLE_GENES,
    NOT_TESTED,
    GeneCall,
    call_sample,
    call_vcf,
    outside_call,
    wanted_positions,
)

__all__ = [
    "CALLABLE_GENES",
    "INDETERMINATE",
    "NOT_TESTED",
    "PHENOTYPE_GENES",
    "STRENGTHS",
    "ActivityScore",
    "DiplotypeFormatError",
    "GeneCall",
    "NotAVcfError",
    "PgxError",
    "PhenotypeResult",
    "PhenotypeRuleError",
    "Recommendation",
    "SampleNotFoundError",
    "TruncatedVcfError",
    "UnknownAlleleError",
    "UnknownDrugError",
    "UnknownGeneError",
    "VcfError",
    "WrongBuildError",
    "allele_sort_key",
    "call_sample",
    "call_vcf",
    "diplotype_sort_key",
    "format_activity_score",
    "known_drugs",
    "no_action_gene_note",
    "normalise_gene",
    "outside_call",
    "parse_diplotype",
    "phenotype",
    "recommend",
    "wanted_positions",
]
