"""Runs pure projections: reads the node's notifications and writes rows and position atomically."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from eventsourcing.application import Application

from federation.persistence.database import Cursor, Database
from projections.rows import Add, Change, Op, Put, Repost, Table

POSITIONS = Table(
    "projection_positions",
    {"projection": "TEXT", "upstream": "TEXT", "position": "BIGINT"},
    ("projection", "upstream"),
)


class RowWriter:
    """Turns row operations into SQL on one cursor."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def apply(self, cursor: Cursor, ops: Iterable[Op]) -> None:
        for op in ops:
            if isinstance(op, Put):
                self._put(cursor, op)
            elif isinstance(op, Change):
                self._change(cursor, op)
            elif isinstance(op, Add):
                self._add(cursor, op)
            else:
                self._repost(cursor, op)

    def _put(self, cursor: Cursor, op: Put) -> None:
        cols = list(op.row)
        updates = [c for c in cols if c not in op.table.key]
        set_clause = ", ".join(f"{c} = excluded.{c}" for c in updates)
        conflict = f"DO UPDATE SET {set_clause}" if updates else "DO NOTHING"
        query = (
            f"INSERT INTO {op.table.name} ({', '.join(cols)}) "
            f"VALUES ({', '.join('?' for _ in cols)}) "
            f"ON CONFLICT ({', '.join(op.table.key)}) {conflict}"
        )
        cursor.execute(self.db.sql(query), tuple(op.row.values()))

    def _change(self, cursor: Cursor, op: Change) -> None:
        sets = ", ".join(f"{c} = ?" for c in op.values)
        where = " AND ".join(f"{c} = ?" for c in op.key)
        query = f"UPDATE {op.table.name} SET {sets} WHERE {where}"
        cursor.execute(self.db.sql(query), (*op.values.values(), *op.key.values()))

    def _add(self, cursor: Cursor, op: Add) -> None:
        row = {**op.key, **op.defaults, **op.amounts}
        cols = list(row)
        adds = ", ".join(f"{c} = {op.table.name}.{c} + excluded.{c}" for c in op.amounts)
        query = (
            f"INSERT INTO {op.table.name} ({', '.join(cols)}) "
            f"VALUES ({', '.join('?' for _ in cols)}) "
            f"ON CONFLICT ({', '.join(op.table.key)}) DO UPDATE SET {adds}"
        )
        cursor.execute(self.db.sql(query), tuple(row.values()))

    def _repost(self, cursor: Cursor, op: Repost) -> None:
        # The target leg first: both legs must read the source's sum before it is emptied.
        legs = [(f"{op.key}:{op.to}", op.to, 1)] if op.to is not None else []
        legs.append((f"{op.key}:{op.source}", op.source, -1))
        for movement_id, measure, sign in legs:
            query = (
                f"INSERT INTO {op.table.name} "
                "(movement_id, subject_id, measure, currency, amount_minor, value_date) "
                f"SELECT ?, subject_id, ?, currency, ? * SUM(amount_minor), ? FROM {op.table.name} "
                "WHERE subject_id = ? AND measure = ? GROUP BY subject_id, currency "
                "ON CONFLICT (movement_id) DO NOTHING"
            )
            params = (movement_id, measure, sign, op.value_date, op.subject_id, op.source)
            cursor.execute(self.db.sql(query), params)


def read_position(db: Database, cursor: Cursor, projection: str, upstream: str) -> int:
    """The last position of ``upstream`` that ``projection`` has applied (0 for none)."""
    cursor.execute(
        db.sql("SELECT position FROM projection_positions WHERE projection = ? AND upstream = ?"),
        (projection, upstream),
    )
    row = cursor.fetchone()
    return int(row["position"]) if row else 0


def write_position(
    db: Database, cursor: Cursor, projection: str, upstream: str, before: int, after: int
) -> None:
    """Move the position from ``before`` to ``after``; a concurrent writer makes this fail."""
    if before == 0:
        cursor.execute(
            db.sql(
                "INSERT INTO projection_positions (projection, upstream, position) VALUES (?, ?, ?)"
            ),
            (projection, upstream, after),
        )
        return
    cursor.execute(
        db.sql(
            "UPDATE projection_positions SET position = ? "
            "WHERE projection = ? AND upstream = ? AND position = ?"
        ),
        (after, projection, upstream, before),
    )


class LocalProjection:
    """Keeps one projection of the node's own events up to date, page by page.

    Each page's rows and the new position are written in one transaction, so a crash never
    applies an event twice or skips one. ``catch_up`` is cheap when nothing is new.
    """

    page_size = 500

    def __init__(
        self,
        app: Application[Any],
        db: Database,
        name: str,
        tables: Sequence[Table],
        project: Callable[[Any], list[Op]],
    ) -> None:
        self.app = app
        self.db = db
        self.name = name
        self.project = project
        self.writer = RowWriter(db)
        self._lock = threading.Lock()
        db.execute_script([s for t in (POSITIONS, *tables) for s in t.ddl(db.dialect)])

    def catch_up(self) -> int:
        """Apply every event recorded since the last call; returns how many were applied."""
        applied = 0
        with self._lock:
            while (count := self._apply_page()) > 0:
                applied += count
        return applied

    def position(self) -> int:
        """The notification id of the last event applied."""
        with self.db.reading() as cursor:
            return read_position(self.db, cursor, self.name, "self")

    def _apply_page(self) -> int:
        # Read outside the write transaction: in-memory SQLite allows no reader while a
        # writer is open, and readers never block writers on a file or on PostgreSQL.
        before = self.position()
        notifications = self.app.recorder.select_notifications(
            start=before, limit=self.page_size, inclusive_of_start=False
        )
        if not notifications:
            return 0
        ops = [op for n in notifications for op in self.project(self.app.mapper.to_domain_event(n))]
        with self.db.transaction() as cursor:
            if read_position(self.db, cursor, self.name, "self") != before:
                return 1  # another writer applied this page first; read again
            self.writer.apply(cursor, ops)
            write_position(self.db, cursor, self.name, "self", before, notifications[-1].id)
        return len(notifications)
