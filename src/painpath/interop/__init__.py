"""Interoperability: FHIR R4 mapping, bundle import, NDJSON export, wearable formats."""
