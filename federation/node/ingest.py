"""Events of other nodes arriving at this node: stored, projected and cursored in one transaction.

This is the one door through which another node's decisions (an opinion, a union's approval, a
rate, a recognition) reach this node. Federation sync calls it after verifying a page against a
signed checkpoint; tests call it with entries taken from another node's log.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.application import Application

from domain.errors import InvalidInput
from federation.node.projection import POSITIONS, RowWriter, read_position, write_position
from federation.persistence.batch import insert_rows
from federation.persistence.collector import fewer_collections
from federation.persistence.database import Cursor, Database
from federation.persistence.mapper import event_reader
from projections.rows import Op, Table

INGESTED = Table(
    "ingested_entries",
    {
        "upstream": "TEXT",
        "position": "BIGINT",
        "originator_id": "TEXT",
        "originator_version": "BIGINT",
        "topic": "TEXT",
        "state": "BLOB",
        "leaf": "BLOB",
    },
    ("upstream", "position"),
    indexes=(("originator_id",),),
)
CURSOR = "ingested"


@dataclass(frozen=True, slots=True)
class RemoteEntry:
    """One entry of another node's log, as that node stored it."""

    position: int
    originator_id: UUID
    originator_version: int
    topic: str
    state: bytes
    leaf: bytes | None = None  # the leaf hash verified against the upstream's signed root
    # Made ahead by a follower while an earlier batch is applied: the domain event and the
    # originator id as text (as stored).
    event: Any = field(default=None, compare=False, repr=False)
    originator_text: str = field(default="", compare=False, repr=False)


RemoteProjector = Callable[[str, Any], list[Op]]


class Ingestor:
    """Applies other nodes' entries exactly once, in order, per upstream."""

    def __init__(self, app: Application[Any], db: Database, projectors: dict[str, RemoteProjector]):
        self.app = app
        self.db = db
        self.projectors = projectors
        self.writer = RowWriter(db)
        self._to_event = event_reader(app.mapper)
        db.execute_script([*POSITIONS.ddl(db.dialect), *INGESTED.ddl(db.dialect)])

    def cursor(self, upstream: str) -> int:
        """The last position of ``upstream`` ingested here (0 for none)."""
        with self.db.reading() as cursor:
            return read_position(self.db, cursor, CURSOR, upstream)

    def ingest(
        self,
        upstream: str,
        entries: Sequence[RemoteEntry],
        also: Callable[[Cursor], None] | None = None,
    ) -> int:
        """Store and project the entries after the cursor; returns how many were new.

        Entries at or below the cursor are ignored (a repeated or overlapping page); a gap
        after the cursor is refused, so nothing is ever applied out of order. ``also`` writes
        in the same transaction (the follower's verified state), so nothing is half done.
        Projectors' operations and ``also`` only write: on PostgreSQL they are pipelined.
        """
        with fewer_collections(), self.db.transaction() as cursor:
            names = (CURSOR, *self.projectors)
            positions = {name: read_position(self.db, cursor, name, upstream) for name in names}
            before = positions[CURSOR]
            fresh = sorted((e for e in entries if e.position > before), key=lambda e: e.position)
            expected = list(range(before + 1, before + 1 + len(fresh)))
            if [e.position for e in fresh] != expected:
                got = fresh[0].position if fresh else None
                raise InvalidInput(
                    "ingest.gap",
                    f"entries of {upstream} must continue at position {before + 1}, got {got}",
                )
            if not fresh:
                if also is not None:
                    also(cursor)
                return 0
            rows = _rows(upstream, fresh)
            copied = _copy_rows(cursor, rows)  # on PostgreSQL, before the pipeline
            with _pipelined(cursor):  # from here on nothing is read back
                if not copied:
                    self._store(cursor, rows)
                projectors, apply = list(self.projectors.values()), self.writer.apply
                for entry in fresh:
                    event = entry.event if entry.event is not None else self._decode(entry)
                    for projector in projectors:
                        apply(cursor, projector(upstream, event))
                after = fresh[-1].position
                for name in names:
                    write_position(self.db, cursor, name, upstream, positions[name], after)
                if also is not None:
                    also(cursor)
            return len(fresh)

    def decoded(self, entries: Sequence[RemoteEntry]) -> list[RemoteEntry]:
        """The entries with their domain events decoded, ready to ingest."""
        # Built directly: dataclasses.replace costs more than the rest of the line.
        return [
            RemoteEntry(
                e.position, e.originator_id, e.originator_version, e.topic, e.state, e.leaf,
                self._decode(e), e.originator_text or str(e.originator_id),
            )
            for e in entries
        ]  # fmt: skip

    def decoded_rows(
        self, rows: Sequence[tuple[int, str, int, str, bytes, bytes]]
    ) -> list[RemoteEntry]:
        """Entries given as (position, originator id as text, version, topic, state, leaf),
        with their domain events decoded, ready to ingest."""
        to_event = self._to_event
        entries = []
        for position, text, version, topic, state, leaf in rows:
            originator = UUID(text)
            event = to_event(originator, version, topic, state)
            entries.append(
                RemoteEntry(position, originator, version, topic, state, leaf, event, text)
            )
        return entries

    def _decode(self, entry: RemoteEntry) -> Any:
        return self._to_event(
            entry.originator_id, entry.originator_version, entry.topic, entry.state
        )

    def _store(self, cursor: Cursor, rows: list[tuple[Any, ...]]) -> None:
        sql = self.db.sql(
            f"INSERT INTO ingested_entries ({', '.join(_COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?, ?)"
        )
        insert_rows(self.db, cursor, sql, rows, INGESTED)


_COLUMNS = ("upstream", "position", "originator_id", "originator_version", "topic", "state", "leaf")
_COPY = f"COPY ingested_entries ({', '.join(_COLUMNS)}) FROM STDIN (FORMAT BINARY)"
_COPY_TYPES = ["text", "int8", "text", "int8", "text", "bytea", "bytea"]


def _rows(upstream: str, entries: Sequence[RemoteEntry]) -> list[tuple[Any, ...]]:
    return [
        (upstream, e.position, e.originator_text or str(e.originator_id), e.originator_version,
         e.topic, e.state, e.leaf)
        for e in entries
    ]  # fmt: skip


def _copy_rows(cursor: Cursor, rows: list[tuple[Any, ...]]) -> bool:
    """On PostgreSQL, write the rows with a binary COPY: no statement to parse and no arrays to
    build in Python (the profile's largest share of the insert). Not inside a pipeline: libpq
    refuses COPY there."""
    if not isinstance(cursor, psycopg.Cursor):
        return False
    with cursor.copy(_COPY) as copy:
        copy.set_types(_COPY_TYPES)
        for row in rows:
            copy.write_row(row)
    return True


def _pipelined(cursor: Cursor) -> AbstractContextManager[Any]:
    """On PostgreSQL, send a page's writes without waiting for each one's answer.

    The writes of a page (its entries, the projections' rows, the cursors) read nothing back;
    in psycopg's pipeline mode they travel together instead of one round trip each, and an
    error surfaces when the pipeline ends, before the commit. Nothing may be read inside it:
    a cursor that fetches after many pipelined writes can be handed a write's result (seen
    with psycopg 3.3). SQLite runs in-process: nothing to gain there.
    """
    connection = getattr(cursor, "connection", None)
    if isinstance(connection, psycopg.Connection):
        return connection.pipeline()
    return nullcontext()
