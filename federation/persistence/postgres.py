"""PostgreSQL recorder: numbers the log and keeps idempotency keys in the events' transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

from federation.persistence.database import SCHEMA_LOCK
from federation.persistence.records import (
    IDEMPOTENCY_TABLE,
    LOG_POSITIONS_TABLE,
    IdempotencyRecord,
)


class LoggedPostgresApplicationRecorder(PostgresApplicationRecorder):
    """Writes events, their dense log positions and the idempotency record atomically.

    eventsourcing takes an EXCLUSIVE lock on the events table before inserting, so writers are
    serialised and commit in notification-id order; positions taken under that lock are dense
    and in commit order even when a rolled-back insert leaves a gap in the notification ids.
    """

    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name=events_table_name)
        schema = Identifier(self.datastore.schema)
        self.sql_create_statements.extend(
            [
                SQL(
                    "CREATE TABLE IF NOT EXISTS {schema}.{table} ("
                    "position bigint PRIMARY KEY, notification_id bigint NOT NULL UNIQUE)"
                ).format(schema=schema, table=Identifier(LOG_POSITIONS_TABLE)),
                SQL(
                    "CREATE TABLE IF NOT EXISTS {schema}.{table} ("
                    "key text PRIMARY KEY, fingerprint text NOT NULL, result text NOT NULL)"
                ).format(schema=schema, table=Identifier(IDEMPOTENCY_TABLE)),
            ]
        )
        self._insert_positions = SQL(
            "INSERT INTO {schema}.{table} (position, notification_id) "
            "SELECT (SELECT COALESCE(MAX(position), 0) FROM {schema}.{table}) + t.ord, t.nid "
            "FROM unnest(%s::bigint[]) WITH ORDINALITY AS t(nid, ord)"
        ).format(schema=schema, table=Identifier(LOG_POSITIONS_TABLE))
        self._insert_idempotency = SQL(
            "INSERT INTO {schema}.{table} (key, fingerprint, result) VALUES (%s, %s, %s)"
        ).format(schema=schema, table=Identifier(IDEMPOTENCY_TABLE))

    def create_table(self) -> None:
        # Two processes of a node starting at once on a fresh database: one at a time.
        with self.datastore.get_connection() as conn:
            conn.execute("SELECT pg_advisory_lock(%s)", (SCHEMA_LOCK,))
            try:
                super().create_table()
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", (SCHEMA_LOCK,))

    def _fetch_ids_after_insert_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        notification_ids = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        if notification_ids:
            curs.execute(self._insert_positions, (list(notification_ids),))
        record: IdempotencyRecord | None = kwargs.get("idempotency")
        if record is not None:
            curs.execute(self._insert_idempotency, (record.key, record.fingerprint, record.result))
        return notification_ids
