"""Wearable data formats: one validated sample schema, Apple Health, Open mHealth and CSV."""

from painpath.interop.wearables.schema import (
    SLEEP_STAGES,
    SampleBatch,
    SampleIssue,
    SampleType,
    sample_types,
    validate_samples,
)

__all__ = [
    "SLEEP_STAGES",
    "SampleBatch",
    "SampleIssue",
    "SampleType",
    "sample_types",
    "validate_samples",
]
