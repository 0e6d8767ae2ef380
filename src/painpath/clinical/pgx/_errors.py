"""Errors raised by the pgx core; every one is a ValueError (maps to HTTP 422).

PgxError
 ├── UnknownGeneError       gene not covered
 ├── DiplotypeFormatError   diplotype text not 'ALLELE/ALLELE'
 ├── UnknownAlleleError     allele not in the CPIC table for that gene
 ├── UnknownDrugError       drug without CPIC recommendations here
 ├── PhenotypeRuleError     activity score outside every CPIC rule
 └── VcfError
      ├── NotAVcfError, WrongBuildError, TruncatedVcfError, MalformedVcfError,
      ├── SampleNotFoundError, NoSamplesError
      └── VcfTooLargeError      past a reading limit (expanded size, line length, records)
"""

from __future__ import annotations

__all__ = [
    "DiplotypeFormatError",
    "MalformedVcfError",
    "NoSamplesError",
    "NotAVcfError",
    "PgxError",
    "PhenotypeRuleError",
    "SampleNotFoundError",
    "TruncatedVcfError",
    "UnknownAlleleError",
    "UnknownDrugError",
    "UnknownGeneError",
    "VcfError",
    "VcfTooLargeError",
    "WrongBuildError",
]


class PgxError(ValueError):
    """Base class of every pgx error."""


class UnknownGeneError(PgxError):
    """The gene is not one this module interprets."""


class DiplotypeFormatError(PgxError):
    """The diplotype text is not two alleles separated by '/'."""


class UnknownAlleleError(PgxError):
    """An allele is not in the CPIC allele table for the gene."""


class UnknownDrugError(PgxError):
    """No CPIC recommendation data for the drug."""


class PhenotypeRuleError(PgxError):
    """An activity score falls outside every CPIC phenotype rule."""


class VcfError(PgxError):
    """The VCF cannot be used for calling."""


class NotAVcfError(VcfError):
    """The file is not a VCF."""


class WrongBuildError(VcfError):
    """The VCF is not on GRCh38."""


class TruncatedVcfError(VcfError):
    """The VCF ends early or is corrupt."""


class MalformedVcfError(VcfError):
    """A record in the VCF body cannot be parsed (the file is complete but wrong)."""


class NoSamplesError(VcfError):
    """The VCF has no sample columns (a sites-only file): there is nothing to genotype."""


class SampleNotFoundError(VcfError):
    """The requested sample is not in the VCF."""


class VcfTooLargeError(VcfError):
    """The VCF expands past a reading limit: its size, a line's length or its record count."""
