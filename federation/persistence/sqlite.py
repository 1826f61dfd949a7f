"""SQLite recorder that numbers the log and keeps idempotency keys in the events' transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor, SQLiteDatastore

from federation.persistence.records import (
    IDEMPOTENCY_TABLE,
    LOG_POSITIONS_TABLE,
    IdempotencyRecord,
)


class LoggedSQLiteApplicationRecorder(SQLiteApplicationRecorder):
    """Writes events, their dense log positions and the idempotency record atomically."""

    def __init__(self, datastore: SQLiteDatastore, events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name)

    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            f"CREATE TABLE IF NOT EXISTS {LOG_POSITIONS_TABLE} ("
            "position INTEGER PRIMARY KEY, notification_id INTEGER NOT NULL)",
            f"CREATE TABLE IF NOT EXISTS {IDEMPOTENCY_TABLE} ("
            "key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, result TEXT NOT NULL)",
        ]

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        if not stored_events:
            return []
        # One executemany instead of the library's row-by-row inserts. The insert comes first:
        # a deferred transaction that reads before it writes fails at once with "database is
        # locked" when another connection commits in between, while a first write waits for
        # the lock. Inside the write transaction nobody else inserts, and SQLite gives a table
        # without AUTOINCREMENT the rowid MAX(rowid)+1, so the new ids are consecutive.
        c.executemany(
            self.insert_events_statement,
            [
                (
                    s.originator_id.hex if isinstance(s.originator_id, UUID) else s.originator_id,
                    s.originator_version,
                    s.topic,
                    s.state,
                )
                for s in stored_events
            ],
        )
        c.execute(f"SELECT MAX(rowid) FROM {self.events_table_name}")
        last = int(c.fetchone()[0])
        notification_ids = list(range(last - len(stored_events) + 1, last + 1))
        # The writer holds SQLite's write lock, so MAX(position) cannot move under us.
        c.execute(f"SELECT COALESCE(MAX(position), 0) FROM {LOG_POSITIONS_TABLE}")
        head = int(c.fetchone()[0])
        c.executemany(
            f"INSERT INTO {LOG_POSITIONS_TABLE} (position, notification_id) VALUES (?, ?)",
            [(head + i, nid) for i, nid in enumerate(notification_ids, start=1)],
        )
        record: IdempotencyRecord | None = kwargs.get("idempotency")
        if record is not None:
            c.execute(
                f"INSERT INTO {IDEMPOTENCY_TABLE} (key, fingerprint, result) VALUES (?, ?, ?)",
                (record.key, record.fingerprint, record.result),
            )
        return notification_ids
