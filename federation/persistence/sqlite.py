"""SQLite recorder that numbers the log and keeps idempotency keys in the events' transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

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
            "position INTEGER PRIMARY KEY, notification_id INTEGER NOT NULL UNIQUE)",
            f"CREATE TABLE IF NOT EXISTS {IDEMPOTENCY_TABLE} ("
            "key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, result TEXT NOT NULL)",
        ]

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        notification_ids = super()._insert_events(c, stored_events, **kwargs)
        if notification_ids:
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
