"""Where the supervisory projection is written: its row writer, its ingestor, rebuild and digest.

The projection runs as a remote projector of the International's node: the Ingestor stores other
nodes' entries and runs it in the same transaction, moving its position per upstream with them.
``SupervisoryIngestor`` is that Ingestor with ``SupervisoryWriter`` (which also runs the ops of
``projections.supervisory.ops``, in batches), and it notes when each upstream was last ingested.
"""

from __future__ import annotations

import hashlib
import json
import json.encoder
import operator
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, cast
from uuid import UUID

from eventsourcing.application import Application

from federation.node.ingest import Ingestor, RemoteEntry, RemoteProjector
from federation.node.projection import write_position
from federation.node.supervisory_writer import SupervisoryWriter
from federation.persistence.collector import fewer_collections
from federation.persistence.database import Cursor, Database
from federation.persistence.mapper import EventReader, event_reader
from projections.rows import Table
from projections.supervisory import CLUSTERED, NAME, PARTIAL_INDEXES, TABLES
from projections.supervisory.ops import SvOp

# What an ingest added to sv_flows: ((country, currency, value_date, measure), [amount]).
FlowsMoved = list[tuple[tuple[Any, ...], list[int]]]
SYNCS = Table(
    "supervisory_syncs",
    {"upstream": "TEXT", "last_ingest": "TEXT"},
    ("upstream",),
)


def ddl(table: Table, dialect: str) -> list[str]:
    """The table's statements; on SQLite the clustered ones are WITHOUT ROWID."""
    statements = table.ddl(dialect)
    if dialect == "sqlite" and table.name in CLUSTERED:
        statements[0] += " WITHOUT ROWID"
    return statements


def note_sync(db: Database, cursor: Cursor, upstream: str) -> None:
    """Note that ``upstream``'s log was ingested up to date now (in the caller's transaction)."""
    now = datetime.now(UTC).isoformat(timespec="seconds")
    cursor.execute(
        db.sql(
            "INSERT INTO supervisory_syncs (upstream, last_ingest) VALUES (?, ?) "
            "ON CONFLICT (upstream) DO UPDATE SET last_ingest = excluded.last_ingest"
        ),
        (upstream, now),
    )


class SupervisoryIngestor(Ingestor):
    """The node's Ingestor, writing with ``SupervisoryWriter`` and noting each ingest's time."""

    def __init__(
        self, app: Application[Any], db: Database, projectors: dict[str, RemoteProjector]
    ) -> None:
        super().__init__(app, db, projectors)
        self.batch = SupervisoryWriter(db)
        self.writer = self.batch
        # Told, after each ingest that committed, what it added to sv_flows: (upstream, the
        # position before, the position after, the additions). A served International's days'
        # books follow the ingest with them (``supervisory_days``).
        self.flows_moved: Callable[[str, int, int, FlowsMoved], None] | None = None
        tables = [s for t in TABLES for s in ddl(t, db.dialect)]
        db.execute_script([*SYNCS.ddl(db.dialect), *tables, *PARTIAL_INDEXES])

    def ingest(
        self,
        upstream: str,
        entries: Sequence[RemoteEntry],
        also: Callable[[Cursor], None] | None = None,
    ) -> int:
        def noted(cursor: Cursor) -> None:
            self.batch.flush(cursor)
            note_sync(self.db, cursor, upstream)
            if also is not None:
                also(cursor)

        self.batch.reset()
        count = super().ingest(upstream, entries, noted)
        told = self.flows_moved
        if count and told is not None:
            # The new entries are those after the cursor, in a row to the last one given.
            after = max(e.position for e in entries)
            told(upstream, after - count, after, self.batch.moved_flows())
        return count


def rebuild(
    app: Application[Any], db: Database, project: Callable[[str, Any], list[SvOp]], page: int = 2000
) -> int:
    """Clear the projection and replay every ingested entry, upstream by upstream, in log order.

    One transaction: ingestion waits, and a failure leaves the live projection as it was.
    Returns how many entries were replayed.
    """
    writer = SupervisoryWriter(db)
    to_event = event_reader(app.mapper)
    replayed = 0
    with fewer_collections(), db.transaction() as cursor:
        for table in TABLES:
            cursor.execute(f"DELETE FROM {table.name}")
        cursor.execute(db.sql("DELETE FROM projection_positions WHERE projection = ?"), (NAME,))
        cursor.execute("SELECT DISTINCT upstream FROM ingested_entries")
        upstreams = sorted(row["upstream"] for row in cursor.fetchall())
        for upstream in upstreams:
            after = 0
            while rows := _page(db, cursor, upstream, after, page):
                for row in rows:
                    writer.apply(cursor, project(upstream, _event(to_event, row)))
                after = int(rows[-1]["position"])
                replayed += len(rows)
            writer.flush(cursor)
            write_position(db, cursor, NAME, upstream, 0, after)
    return replayed


def _page(db: Database, cursor: Cursor, upstream: str, after: int, limit: int) -> list[Any]:
    cursor.execute(
        db.sql(
            "SELECT position, originator_id, originator_version, topic, state "
            "FROM ingested_entries WHERE upstream = ? AND position > ? ORDER BY position LIMIT ?"
        ),
        (upstream, after, limit),
    )
    return list(cursor.fetchall())


def _event(to_event: EventReader, row: Any) -> Any:
    return to_event(
        UUID(str(row["originator_id"])),
        int(row["originator_version"]),
        row["topic"],
        bytes(row["state"]),
    )


def row_json() -> Callable[[Sequence[Any]], str]:
    """What ``json.dumps(list(row), ensure_ascii=False)`` writes of a row, written canonically.

    ``JSONEncoder.encode`` builds the stdlib's C encoder again for every call, which costs as
    much as the row's encoding; this is that C encoder, built once with the same settings (no
    check for cycles: a row's values are scalars, so the text is the same).
    """
    encoder = json.JSONEncoder(ensure_ascii=False)
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # pragma: no cover - CPython has the C encoder
        return encoder.encode
    iterencode = make(
        None,
        encoder.default,
        json.encoder.encode_basestring,
        encoder.indent,
        encoder.key_separator,
        encoder.item_separator,
        encoder.sort_keys,
        encoder.skipkeys,
        encoder.allow_nan,
    )

    def encode(row: Sequence[Any]) -> str:
        return "".join(iterencode(row, 0))

    return encode


def digest(db: Database) -> str:
    """SHA-256 over every projection table's rows, in key order, written canonically."""
    hasher = hashlib.sha256()
    collate = ' COLLATE "C"' if db.dialect == "postgres" else ""
    encode = row_json()
    with db.reading() as cursor:
        for table in sorted(TABLES, key=lambda t: t.name):
            cols = list(table.columns)
            values = operator.itemgetter(*cols)  # a tuple: every table has several columns
            order = ", ".join(
                f"{k}{collate if table.columns[k] == 'TEXT' else ''}" for k in table.key
            )
            cursor.execute(f"SELECT {', '.join(cols)} FROM {table.name} ORDER BY {order}")
            hasher.update(f"{table.name} {' '.join(cols)}\n".encode())
            # eventsourcing's SQLite cursor hides fetchmany; the sqlite3 cursor inside has it.
            fetch = cast(Any, getattr(cursor, "sqlite_cursor", cursor)).fetchmany
            while rows := fetch(5000):
                hasher.update("".join(f"{encode(values(row))}\n" for row in rows).encode())
    return hasher.hexdigest()


__all__ = ["RemoteEntry", "SupervisoryIngestor", "SupervisoryWriter", "digest", "rebuild"]
