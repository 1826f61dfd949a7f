"""The offline verifier behind ``aidfed log verify``: trusts nothing but the node's public key.

It recomputes every leaf from the stored events (canonical entry bytes) and compares it with
the stored leaf hash, recomputes the tree from those leaves and compares the stored tiles and
head, and checks every stored checkpoint: its signature, its size, its root, and its
consistency with the checkpoint before it. Each problem names the first log position it
affects; for a checkpoint that is its size.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Final

from federation.persistence.database import Cursor, Database
from federation.signedlog import merkle
from federation.signedlog.entries import EntryBuilder, EntryError
from federation.signedlog.integrator import row_entry
from federation.signedlog.note import (
    CosignatureVerifier,
    NoteVerifier,
)
from federation.signedlog.store import LogState, LogStateError, LogStore
from federation.signedlog.tiles import TILE_HEIGHT, TILE_WIDTH, LevelArrays, TileCollector
from federation.signedlog.verify_checkpoints import check_checkpoints, check_cosignatures
from federation.signedlog.verify_report import Report

PAGE: Final = 10_000
H: Final = merkle.HASH_SIZE


def verify(
    db: Database, verifier: NoteVerifier, cosigners: Sequence[CosignatureVerifier] = ()
) -> Report:
    """Verify the signed log stored in `db` against the node's public key."""
    report = Report(origin=verifier.name)
    with _snapshot(db) as cursor:
        try:
            state = LogStore(db, "stored_events").read_state(cursor)
            store = LogStore(db, state.events_table)
            build = EntryBuilder(state.node_id)
        except (LogStateError, ValueError) as error:
            report.add("state.unreadable", None, f"the log's head cannot be read: {error}")
            return report
        report.node_id, report.size = state.node_id, state.size
        leaves = _stored_leaves(store, cursor, state, report)
        _check_events(store, cursor, build, state.size, leaves, report)
        levels = _check_tree(store, cursor, state, leaves, report)
        check_checkpoints(store, cursor, verifier, levels, report)
        check_cosignatures(store, cursor, cosigners, report)
    return report


@contextmanager
def _snapshot(db: Database) -> Iterator[Cursor]:
    # One consistent snapshot, so a node that keeps writing does not look inconsistent.
    with db.reading() as cursor:
        if db.dialect == "postgres":
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield cursor


def _stored_leaves(store: LogStore, cursor: Cursor, state: LogState, report: Report) -> bytes:
    leaves = _stored_level(store, cursor, 0, report)
    count = len(leaves) // H
    if count < state.size:
        report.add(
            "leaves.missing",
            count + 1,
            f"the log has {state.size} entries but only "
            f"{count} stored leaf hashes: stored hashes from here on were removed",
        )
    elif count > state.size:
        report.add(
            "leaves.extra",
            state.size + 1,
            f"{count - state.size} leaf hashes are stored beyond the log size {state.size}",
        )
    return leaves[: min(count, state.size) * H]


def _stored_level(store: LogStore, cursor: Cursor, tile_level: int, report: Report) -> bytes:
    data = bytearray()
    for index, hashes in store.read_level(cursor, tile_level):
        first = (index * TILE_WIDTH << (TILE_HEIGHT * tile_level)) + 1
        if index * TILE_WIDTH * H != len(data) or len(hashes) % H or not hashes:
            report.add(
                "tile.shape",
                first,
                f"stored tile {tile_level}/{index} is out of place or malformed",
            )
            break
        data += hashes
    return bytes(data)


def _check_events(
    store: LogStore, cursor: Cursor, build: EntryBuilder, size: int, leaves: bytes, report: Report
) -> None:
    expected, last_id = 1, 0
    while rows := store.select_events(cursor, expected - 1, PAGE):
        for row in rows:
            position = int(row["position"])
            if position != expected:
                report.add(
                    "position.missing",
                    expected,
                    f"log position {expected} is missing "
                    f"(the next recorded position is {position})",
                )
            notification_id = int(row["notification_id"])
            if notification_id <= last_id:
                report.add(
                    "position.order",
                    position,
                    "log positions are not in the commit "
                    f"order of the events (notification id {notification_id} after "
                    f"{last_id})",
                )
            last_id = max(last_id, notification_id)
            _check_entry(build, row, position, leaves, report)
            expected = position + 1
    report.positions = expected - 1
    if report.positions < size:
        report.add(
            "event.missing",
            report.positions + 1,
            f"the log has {size} entries "
            f"but events end at position {report.positions}: the tail was removed",
        )
    for row in store.unlogged_events(cursor, 10):
        report.add(
            "event.unlogged",
            None,
            f"event {row['originator_id']} version "
            f"{row['originator_version']} (notification id {row['notification_id']}) "
            "is not in the log",
        )


def _check_entry(
    build: EntryBuilder, row: Any, position: int, leaves: bytes, report: Report
) -> None:
    if row["topic"] is None:
        report.add(
            "event.missing",
            position,
            f"the event of this position (notification id {row['notification_id']}) was deleted",
        )
        return
    try:
        entry = row_entry(build, row)
    except EntryError as error:
        report.add("event.invalid", position, f"the event cannot be an entry: {error}")
        return
    stored = leaves[(position - 1) * H : position * H]
    if stored and merkle.leaf_hash(entry) != stored:
        report.add(
            "event.changed",
            position,
            "the stored event does not match its logged "
            "leaf hash: it was changed, swapped or replaced after it was logged",
        )


def _check_tree(
    store: LogStore, cursor: Cursor, state: LogState, leaves: bytes, report: Report
) -> LevelArrays:
    collected = TileCollector()
    compact = merkle.CompactRange(on_subtree=collected)
    compact.extend(leaves[i : i + H] for i in range(0, len(leaves), H))
    levels = [leaves] + [b"".join(hashes) for hashes in collected.levels[1:]]
    for tile_level in range(1, max(len(levels), store.tile_levels(cursor))):
        stored = _stored_level(store, cursor, tile_level, report)
        computed = levels[tile_level] if tile_level < len(levels) else b""
        if stored != computed:
            index = _first_difference(stored, computed) // H
            report.add(
                "tile.wrong",
                (index << (TILE_HEIGHT * tile_level)) + 1,
                f"a stored subtree hash of tree level {TILE_HEIGHT * tile_level} is "
                "wrong: proofs served from it would fail",
            )
    if compact.size == state.size and compact.hashes != state.compact.hashes:
        report.add("state.wrong", state.size, "the stored log head does not match its leaves")
    return LevelArrays(levels)


def _first_difference(a: bytes, b: bytes) -> int:
    for offset in range(min(len(a), len(b))):
        if a[offset] != b[offset]:
            return offset
    return min(len(a), len(b))
