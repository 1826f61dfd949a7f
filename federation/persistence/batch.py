"""Many rows for one INSERT, written at once: ``executemany`` on SQLite, one statement over
arrays on PostgreSQL.

psycopg runs an ``executemany`` as one statement per row (in a pipeline, each costs more in
Python than the row costs the server), and a long multi-row VALUES is parsed anew every time
(psycopg keeps the parse only of short statements with few parameters). ``INSERT ... SELECT
FROM unnest(array, ...)`` is short, has one parameter per column, and takes any number of rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from federation.persistence.database import Cursor, Database
from projections.rows import Table

_ARRAY_TYPES = {"BLOB": "bytea"}


def insert_rows(
    db: Database, cursor: Cursor, sql: str, rows: Sequence[Sequence[Any]], table: Table
) -> None:
    """Run the one-row ``INSERT INTO t (cols) VALUES (...) [ON CONFLICT ...]`` for every row.

    On PostgreSQL the rows go in one statement, so no key may appear twice among them when it
    has ON CONFLICT DO UPDATE (the callers' keys are unique).
    """
    if not rows:
        return
    if db.dialect == "sqlite":
        cursor.executemany(sql, rows)
        return
    columns = _columns(sql)
    types = tuple(_ARRAY_TYPES.get(table.columns[c], table.columns[c].lower()) for c in columns)
    arrays = [list(column) for column in zip(*rows, strict=True)]
    cursor.execute(_over_arrays(sql, types), arrays)


@lru_cache(maxsize=1024)
def _columns(sql: str) -> tuple[str, ...]:
    start = sql.index("(") + 1
    return tuple(c.strip() for c in sql[start : sql.index(")", start)].split(","))


@lru_cache(maxsize=1024)
def _over_arrays(sql: str, types: tuple[str, ...]) -> str:
    """``sql`` with its VALUES row replaced by the rows of one array parameter per column."""
    start = sql.index(" VALUES (")
    end = sql.index(")", start) + 1
    arrays = ", ".join(f"%b::{t}[]" for t in types)  # %b: binary arrays, no text escaping
    return f"{sql[:start]} SELECT * FROM unnest({arrays}){sql[end:]}"
