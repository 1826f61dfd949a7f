"""The node's own SQL (views, log, idempotency) on the same datastore as its events."""

from __future__ import annotations

import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Literal, Protocol

from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteDatastore

Dialect = Literal["sqlite", "postgres"]
_WRITE_LOCK = "aidfed_write_lock"
# PostgreSQL's CREATE ... IF NOT EXISTS is not safe when two sessions run it at once (both may
# insert the same type into the catalog and one fails): the node's DDL takes this advisory lock.
SCHEMA_LOCK = zlib.crc32(b"aidfed/schema")


class Cursor(Protocol):
    """The part of a DB-API cursor the node uses; rows are read by column name."""

    def execute(self, query: Any, params: Any = ...) -> Any: ...
    def executemany(self, query: Any, params_seq: Any) -> Any: ...
    def fetchall(self) -> Any: ...
    def fetchone(self) -> Any: ...


class Database:
    """Transactions on the application's datastore, written once for SQLite and PostgreSQL.

    Queries are written with ``?`` placeholders; on PostgreSQL they become ``%s``.
    """

    def __init__(self, datastore: SQLiteDatastore | PostgresDatastore) -> None:
        self.datastore = datastore
        self.dialect: Dialect = "sqlite" if isinstance(datastore, SQLiteDatastore) else "postgres"
        if self.dialect == "sqlite":
            with datastore.transaction(commit=True) as cursor:
                cursor.execute(f"CREATE TABLE IF NOT EXISTS {_WRITE_LOCK} (id INTEGER PRIMARY KEY)")

    def sql(self, query: str) -> str:
        """The query in this dialect's placeholder style."""
        return query if self.dialect == "sqlite" else query.replace("?", "%s")

    @contextmanager
    def transaction(self) -> Iterator[Cursor]:
        """A write transaction, committed when the block ends without error."""
        with self.datastore.transaction(commit=True) as cursor:
            if self.dialect == "sqlite":
                # Take SQLite's write lock before reading: a deferred transaction that reads
                # first fails at once ("database is locked") if another connection commits
                # before it writes, whatever the busy time-out.
                cursor.execute(f"UPDATE {_WRITE_LOCK} SET id = id WHERE 0")
            yield cursor

    @contextmanager
    def reading(self) -> Iterator[Cursor]:
        """A read-only transaction."""
        with self.datastore.transaction(commit=False) as cursor:
            yield cursor

    def execute_script(self, statements: Sequence[str]) -> None:
        """Run DDL statements in one transaction (one process at a time on PostgreSQL)."""
        with self.transaction() as cursor:
            if self.dialect == "postgres":
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
            for statement in statements:
                cursor.execute(statement)

    def query(self, query: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Rows of a read query as plain dicts."""
        with self.reading() as cursor:
            cursor.execute(self.sql(query), tuple(params))
            return [dict(row) for row in cursor.fetchall()]

    def scalar(self, query: str, params: Sequence[Any] = ()) -> Any:
        """The first column of the first row of a read query, or None."""
        rows = self.query(query, params)
        return next(iter(rows[0].values())) if rows else None
