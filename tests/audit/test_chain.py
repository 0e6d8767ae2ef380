"""The hash chain as pure functions: every kind of tampering is caught at the right row."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from painpath.audit.chain import GENESIS_HASH, ChainRow, row_hash, verify_rows


def _chain(n: int) -> list[ChainRow]:
    rows: list[ChainRow] = []
    prev = GENESIS_HASH
    for seq in range(1, n + 1):
        row = ChainRow(
            seq=seq,
            at=datetime(2026, 1, 1, 12, 0, seq, tzinfo=UTC),
            actor_id=1,
            actor_label="dr",
            patient_id=seq,
            action="read",
            object_type="Patient",
            object_id=str(seq),
            request_id="r",
            client_ip="127.0.0.1",
            detail={"k": [1, 2]},
            prev_hash=prev,
        )
        row = dataclasses.replace(row, hash=row_hash(row))
        rows.append(row)
        prev = row.hash
    return rows


def test_intact_chain_verifies():
    rows = _chain(5)
    assert verify_rows(rows, head_seq=5, head_hash=rows[-1].hash) == (5, None)


def test_empty_chain_verifies():
    assert verify_rows([], head_seq=0, head_hash=GENESIS_HASH) == (0, None)


def test_edited_row_is_the_first_break():
    rows = _chain(5)
    rows[2] = dataclasses.replace(rows[2], action="update")
    checked, broken = verify_rows(rows, head_seq=5, head_hash=rows[-1].hash)
    assert (checked, broken.seq) == (2, 3)
    assert "altered" in broken.reason


def test_edit_with_recomputed_hash_breaks_the_next_link():
    rows = _chain(5)
    forged = dataclasses.replace(rows[2], patient_id=99)
    rows[2] = dataclasses.replace(forged, hash=row_hash(forged))
    _, broken = verify_rows(rows, head_seq=5, head_hash=rows[-1].hash)
    assert broken.seq == 4 and "previous-hash" in broken.reason


def test_removed_row_in_the_middle():
    rows = _chain(5)
    del rows[1]
    _, broken = verify_rows(rows, head_seq=5, head_hash=rows[-1].hash)
    assert broken.seq == 2 and "missing" in broken.reason


def test_removed_rows_at_the_end_are_caught_by_the_head():
    rows = _chain(5)
    _, broken = verify_rows(rows[:3], head_seq=5, head_hash=rows[-1].hash)
    assert broken.seq == 4 and "5 rows but 3" in broken.reason


def test_time_zone_of_the_timestamp_does_not_change_the_hash():
    row = _chain(1)[0]
    from zoneinfo import ZoneInfo

    shifted = dataclasses.replace(row, at=row.at.astimezone(ZoneInfo("Asia/Tokyo")))
    assert row_hash(shifted) == row.hash


def test_anchor_catches_rows_removed_from_the_end_with_the_head_rewound():
    from painpath.audit.chain import Anchor

    rows = _chain(5)
    anchors = [Anchor(seq=5, hash=rows[4].hash, at="2026-01-02")]
    # the head was rewound to row 3 as well, so without the anchor this looks intact
    assert verify_rows(rows[:3], head_seq=3, head_hash=rows[2].hash) == (3, None)
    checked, broken = verify_rows(rows[:3], head_seq=3, head_hash=rows[2].hash, anchors=anchors)
    assert (checked, broken.seq) == (3, 4)
    assert "saw 5 rows but 3 are present" in broken.reason


def test_anchor_catches_a_chain_rebuilt_with_recomputed_hashes():
    from painpath.audit.chain import Anchor

    rows = _chain(4)
    anchors = [Anchor(seq=2, hash=rows[1].hash, at="t")]
    forged = dataclasses.replace(rows[1], patient_id=77, prev_hash=rows[0].hash)
    forged = dataclasses.replace(forged, hash=row_hash(forged))
    rebuilt = [rows[0], forged]
    _, broken = verify_rows(rebuilt, head_seq=2, head_hash=forged.hash, anchors=anchors)
    assert broken.seq == 2 and "anchor" in broken.reason


def test_anchors_that_match_pass():
    from painpath.audit.chain import Anchor

    rows = _chain(4)
    anchors = [Anchor(seq=1, hash=rows[0].hash), Anchor(seq=3, hash=rows[2].hash)]
    assert verify_rows(rows, head_seq=4, head_hash=rows[3].hash, anchors=anchors) == (4, None)
