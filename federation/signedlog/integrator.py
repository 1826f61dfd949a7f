"""Integration: turns newly positioned events into leaves, tiles and a new persisted head.

Each batch reads the positions after the integrated size with their events, builds the
canonical entry bytes, hashes them, extends the compact range and then, in one transaction,
moves the head (compare-and-set on the size) and writes the tiles. The caller holds the node's
"log-integrator" lock, so one integrator runs at a time across threads and processes; the
compare-and-set makes a second one fail loudly instead of forking the log.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any, Final

from federation.signedlog.entries import EntryBuilder, EntryError
from federation.signedlog.store import LogState, LogStateError, LogStore
from federation.signedlog.tiles import TileCollector

BATCH_SIZE: Final = 20_000


def row_entry(build: EntryBuilder, row: Any, aggregate: str | None = None) -> bytes:
    """The canonical bytes of one row of `LogStore.select_events`, or EntryError.

    ``aggregate`` is the row's originator id as canonical text, if the caller has it already.
    """
    state = row["state"]
    if not isinstance(state, bytes | memoryview):
        raise EntryError(f"its stored state is {type(state).__name__}, not bytes")
    return build(
        int(row["position"]),
        row["originator_id"] if aggregate is None else aggregate,
        int(row["originator_version"]),
        row["topic"],
        bytes(state),
        canonical=aggregate is not None,
    )


def entry_bytes(build: EntryBuilder, row: Any, aggregate: str | None = None) -> bytes:
    """Like `row_entry`, but a missing or unusable event is a broken log (LogStateError)."""
    position = int(row["position"])
    if row["topic"] is None:
        raise LogStateError(
            f"position {position}: its event (notification id "
            f"{row['notification_id']}) is missing from the events table"
        )
    try:
        return row_entry(build, row, aggregate)
    except EntryError as error:
        raise LogStateError(f"position {position}: {error}") from error


def check_dense(rows: Sequence[Any], after: int) -> None:
    """Refuse rows that do not continue the log at `after + 1` without gaps."""
    for offset, row in enumerate(rows, start=after + 1):
        if int(row["position"]) != offset:
            raise LogStateError(f"log position {offset} is missing (next is {row['position']})")


class Integrator:
    """Appends the events' entries to the Merkle tree of one node's log."""

    def __init__(self, store: LogStore, node_id: str, batch_size: int = BATCH_SIZE) -> None:
        self.store = store
        self.build = EntryBuilder(node_id)
        self.batch_size = batch_size

    def state(self) -> LogState:
        """The persisted head of the log."""
        with self.store.db.reading() as cursor:
            return self.store.read_state(cursor)

    def pending(self) -> int:
        """How many recorded events wait to be integrated."""
        with self.store.db.reading() as cursor:
            return self.store.max_position(cursor) - self.store.read_state(cursor).size

    def integrate_batch(self) -> int:
        """Integrate up to one batch of new entries; return how many (0 when caught up)."""
        # Read outside the write transaction: an in-memory SQLite database allows no reader
        # while a writer is open, and readers never block writers on a file or on PostgreSQL.
        with self.store.db.reading() as cursor:
            state = self.store.read_state(cursor)
            rows = self.store.select_events(cursor, state.size, self.batch_size)
        if not rows:
            return 0
        check_dense(rows, state.size)
        build = self.build
        sha256 = hashlib.sha256
        leaves = [sha256(b"\x00" + entry_bytes(build, row)).digest() for row in rows]
        collected = TileCollector()
        compact = state.compact.copy(on_subtree=collected)
        compact.extend(leaves)
        with self.store.db.transaction() as cursor:
            self.store.advance_state(cursor, state.size, compact)
            self.store.write_tiles(cursor, state.size, collected)
        return len(rows)
