"""The anchor file: witnesses of the chain copied out of the database (JSON lines).

Each line names the chain by the id stored in its head row (so a copy of the database, under
another address, is checked against the same anchors) and records the head (seq + hash), the
first row's hash and a checkpoint every ``MARK_EVERY`` rows since the previous line. A chain
re-hashed from some row onward is then caught at the first checkpoint past that row, not only
at the newest head. Lines written before chains had ids carry only the database's address;
they still count for the database at that address.

The file proves something only if the database's users cannot rewrite it: keep copies on
write-once storage or another machine.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from painpath.audit.chain import Anchor

__all__ = [
    "MARK_EVERY",
    "AnchorFileError",
    "AnchorSet",
    "anchors_for",
    "append_anchor",
    "database_label",
    "forget_database",
]

MARK_EVERY = 100


class AnchorFileError(ValueError):
    """The anchor file has a line that is not an anchor."""


@dataclass(frozen=True)
class AnchorSet:
    """What the file says about one chain."""

    anchors: list[Anchor] = field(default_factory=list)
    lines: int = 0
    newest_seq: int = 0
    newest_at: str = ""
    marked_upto: int = 0  # the newest head among lines that carry checkpoints
    other_chains: list[dict[str, Any]] = field(default_factory=list)  # same address, other id


def database_label() -> str:
    db = connection.settings_dict
    return f"{connection.vendor}:{db.get('HOST') or ''}:{db.get('PORT') or ''}/{db['NAME']}"


def anchor_file() -> Path:
    return Path(settings.AUDIT_ANCHOR_FILE)


def _lines() -> list[dict[str, Any]]:
    path = anchor_file()
    if not path.exists():
        return []
    lines = []
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not text.strip():
            continue
        try:
            line = json.loads(text)
            int(line["seq"]), str(line["hash"]), str(line["first"])
        except (ValueError, KeyError, TypeError) as exc:
            raise AnchorFileError(f"{path} line {number} is not an anchor ({exc})") from None
        lines.append(line)
    return lines


def _line_anchors(line: dict[str, Any]) -> list[Anchor]:
    at = str(line.get("at", ""))
    found = [Anchor(int(line["seq"]), str(line["hash"]), at), Anchor(1, str(line["first"]), at)]
    found += [Anchor(int(seq), str(digest), at) for seq, digest in line.get("marks", [])]
    return found


def anchors_for(chain_id: str) -> AnchorSet:
    """The anchors of chain ``chain_id`` (and address-only lines of this database)."""
    label = database_label()
    anchors: list[Anchor] = []
    lines = newest = marked = 0
    newest_at = ""
    others = []
    for line in _lines():
        chain = line.get("chain")
        if chain is None and line.get("database") != label:
            continue
        if chain is not None and chain != chain_id:
            if line.get("database") == label:
                others.append(line)
            continue
        lines += 1
        anchors += _line_anchors(line)
        if int(line["seq"]) >= newest:
            newest, newest_at = int(line["seq"]), str(line.get("at", ""))
        if "marks" in line:
            marked = max(marked, int(line["seq"]))
    return AnchorSet(anchors, lines, newest, newest_at, marked, others)


def append_anchor(
    *, chain_id: str, seq: int, digest: str, first: str, marks: list[tuple[int, str]]
) -> dict[str, Any]:
    line = {
        "chain": chain_id,
        "database": database_label(),
        "seq": seq,
        "hash": digest,
        "first": first,
        "at": timezone.now().isoformat(timespec="seconds"),
        "marks": [[s, h] for s, h in marks],
    }
    path = anchor_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as out:
        out.write(json.dumps(line) + "\n")
    return line


def forget_database() -> int:
    """Drop every line recorded for this database's address (only when a new, empty database
    replaces an old one there, e.g. the demo's SQLite file); returns how many."""
    label = database_label()
    lines = _lines()
    keep = [line for line in lines if line.get("database") != label]
    if len(keep) != len(lines):
        anchor_file().write_text("".join(json.dumps(line) + "\n" for line in keep), "utf-8")
    return len(lines) - len(keep)
