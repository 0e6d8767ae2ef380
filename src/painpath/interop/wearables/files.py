"""Opening an import file so the importer can show progress: bytes read of the total."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

__all__ = ["ReadProgress", "open_tracked"]


class ReadProgress:
    """Remembers the file a reader opened; ``bytes_read`` is how far it has got (for a zip,
    how far into the compressed file)."""

    def __init__(self) -> None:
        self._handle: BinaryIO | None = None
        self._last = 0

    def open(self, path: Path) -> BinaryIO:
        self._handle = path.open("rb")
        return self._handle

    @property
    def bytes_read(self) -> int:
        handle = self._handle
        if handle is not None and not handle.closed:
            self._last = handle.tell()
        return self._last


def open_tracked(path: Path, progress: ReadProgress | None) -> BinaryIO:
    return (progress or ReadProgress()).open(path)
