"""The wearable formats' own error: a file that is not what it claims to be."""

from __future__ import annotations

__all__ = ["WearableFormatError"]


class WearableFormatError(ValueError):
    """The file cannot be read as the stated format (the message says where and why)."""
