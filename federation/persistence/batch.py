"""Many rows for one INSERT, written at once: ``executemany`` on SQLite, multi-row VALUES on
PostgreSQL (psycopg sends an ``executemany`` as one statement per row, and in a pipeline each
costs more in Python than the row does in the server)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from federation.persistence.database import Cursor, Database

# Rows per PostgreSQL statement: well under its 65,535 parameters for the widest view table.
CHUNK = 200


def insert_rows(db: Database, cursor: Cursor, sql: str, rows: Sequence[Sequence[Any]]) -> None:
    """Run the one-row ``INSERT ... VALUES (...) [ON CONFLICT ...]`` for every row.

    On PostgreSQL the rows go in statements of up to ``CHUNK`` rows, so no key may appear twice
    among them when the statement has ON CONFLICT DO UPDATE (the callers' keys are unique).
    """
    if db.dialect == "sqlite":
        cursor.executemany(sql, rows)
        return
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        cursor.execute(_multi_row(sql, len(chunk)), [value for row in chunk for value in row])


@lru_cache(maxsize=1024)
def _multi_row(sql: str, count: int) -> str:
    """``sql`` with its one VALUES row repeated ``count`` times."""
    start = sql.index(" VALUES (") + len(" VALUES ")
    end = sql.index(")", start) + 1
    row = sql[start:end]
    return sql[:start] + ", ".join([row] * count) + sql[end:]
