"""Opening an import file so the importer can show progress (bytes read of the total) and
keep its job alive (a heartbeat on every read), and the bounds every reader applies."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from painpath.interop.limits import BoundedStream, FileLimits

__all__ = ["ReadProgress", "bounded_lines", "open_tracked"]


class ReadProgress:
    """Remembers the file a reader opened; ``bytes_read`` is how far it has got (for a zip,
    how far into the compressed file). ``heartbeat`` is called after every read the parser
    makes (the importer throttles it), so a long stretch of skipped records still shows the
    job alive."""

    def __init__(self, heartbeat: Callable[[], None] | None = None) -> None:
        self._handle: BinaryIO | None = None
        self._last = 0
        self.heartbeat = heartbeat

    def open(self, path: Path) -> BinaryIO:
        self._handle = path.open("rb")
        return self._handle

    def tick(self, _passed: int = 0) -> None:
        if self.heartbeat is not None:
            self.heartbeat()

    @property
    def bytes_read(self) -> int:
        handle = self._handle
        if handle is not None and not handle.closed:
            self._last = handle.tell()
        return self._last


def open_tracked(path: Path, progress: ReadProgress | None) -> BinaryIO:
    return (progress or ReadProgress()).open(path)


def bounded_lines(
    raw: BinaryIO, limits: FileLimits, progress: ReadProgress | None
) -> BoundedStream:
    """``raw`` as a stream of lines of at most ``limits.max_line_bytes``."""
    return BoundedStream(
        raw,
        max_bytes=limits.max_expanded_bytes,
        max_run=limits.max_line_bytes,
        what="a line",
        on_read=progress.tick if progress is not None else None,
    )
