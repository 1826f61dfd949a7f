"""SQLite recorder that numbers the log and keeps idempotency keys in the events' transaction."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import InterfaceError, StoredEvent
from eventsourcing.sqlite import (
    SQLITE3_DEFAULT_LOCK_TIMEOUT,
    SQLiteApplicationRecorder,
    SQLiteConnection,
    SQLiteConnectionPool,
    SQLiteCursor,
    SQLiteDatastore,
    SQLiteFactory,
)
from eventsourcing.utils import Environment, EnvType

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


# Prepared statements each connection keeps. eventsourcing connects with cached_statements=True,
# which sqlite3 reads as 1: every statement unlike the one before was parsed and planned again,
# and the projections run many distinct statements in turn (3x the cost of a small insert).
STATEMENT_CACHE = 512


# A page of ingested entries dirties thousands of index pages: with SQLite's default WAL limit
# (1,000 pages) every such commit also ran a checkpoint, writing the same pages again into the
# database file and syncing it. At ten thousand pages (40 MB) a checkpoint comes every few such
# commits and writes a page changed by several of them once; each commit still syncs the WAL,
# so durability is unchanged. A 32 MB page cache (default 2 MB)
# keeps the indexes' pages the ingest touches, instead of reading them again per row.
FILE_PRAGMAS = ("PRAGMA wal_autocheckpoint = 10000", "PRAGMA cache_size = -32768")


class StatementCachingConnectionPool(SQLiteConnectionPool):
    """eventsourcing's SQLite connection pool, whose connections keep their statements."""

    # Run on every connection to a file (later ones win: a subclass may add its own).
    pragmas: tuple[str, ...] = FILE_PRAGMAS

    def _create_connection(self) -> SQLiteConnection:
        try:
            c = sqlite3.connect(
                database=self.db_name,
                uri=True,
                check_same_thread=False,
                isolation_level=None,  # autocommit: transactions are begun explicitly
                cached_statements=STATEMENT_CACHE,
                timeout=self.lock_timeout or SQLITE3_DEFAULT_LOCK_TIMEOUT,
            )
        except (sqlite3.Error, TypeError) as e:
            raise InterfaceError(e) from e
        if not self.is_sqlite_memory_mode and not self.is_journal_mode_wal:
            mode = c.execute("PRAGMA journal_mode;").fetchone()[0]
            if mode.lower() != "wal":
                c.execute("PRAGMA journal_mode=WAL;")
                self.journal_mode_was_changed_to_wal = True
            self.is_journal_mode_wal = True
        if not self.is_sqlite_memory_mode:
            for pragma in self.pragmas:
                c.execute(pragma)
        c.row_factory = sqlite3.Row
        return SQLiteConnection(sqlite_conn=c, max_age=self.max_age)


class NodeSQLiteFactory(SQLiteFactory):
    """eventsourcing's SQLite factory with ``StatementCachingConnectionPool``."""

    def __init__(self, env: Environment | EnvType | None):
        super().__init__(env)
        use_pool(self.datastore, StatementCachingConnectionPool)


def use_pool(datastore: SQLiteDatastore, pool: type[StatementCachingConnectionPool]) -> None:
    """Give ``datastore`` a pool of class ``pool`` with the same settings, closing the old one."""
    plain = datastore.pool
    datastore.pool = pool(
        db_name=plain.db_name,
        lock_timeout=plain.lock_timeout,
        pool_size=plain.pool_size,
        max_overflow=plain.max_overflow,
        pool_timeout=plain.pool_timeout,
        max_age=plain.max_age,
        pre_ping=plain.pre_ping,
    )
    plain.close()
