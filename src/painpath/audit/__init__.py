"""Append-only, hash-chained audit trail of every read and change of patient data."""
