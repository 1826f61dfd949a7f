"""Many rows for one INSERT, written at once: a multi-row VALUES on SQLite, one statement over
arrays on PostgreSQL.

SQLite's ``executemany`` returns to Python, and takes the GIL back, after every row: while a
process's other threads run Python (a follower verifies and decodes the next pages while a batch
is applied), each row then waits its turn (measured: 10 µs a row alone, 130 µs beside one busy
thread). One statement of many rows runs in SQLite's own code from the first row to the last,
and the rows are applied in order, exactly as one statement per row would apply them.

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
# Variables per statement on SQLite (it allows 32,766 since 3.32): 500 rows of seven columns.
_SQLITE_VARIABLES = 3500


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
        start, left = 0, len(rows)
        for count in _chunks(left, _SQLITE_VARIABLES // len(rows[0])):
            part = rows[start : start + count]
            cursor.execute(_many_values(sql, count), [v for row in part for v in row])
            start += count
        return
    columns = _columns(sql)
    types = tuple(_ARRAY_TYPES.get(table.columns[c], table.columns[c].lower()) for c in columns)
    arrays = [list(column) for column in zip(*rows, strict=True)]
    cursor.execute(_over_arrays(sql, types), arrays)


def _chunks(count: int, most: int) -> list[int]:
    """``count`` rows as statements of a power of two rows each, at most ``most`` (at least one).

    Every statement of a different number of rows is parsed, planned and kept apart (by
    ``_many_values`` and by the connection's statement cache, each statement of hundreds of
    rows taking hundreds of kilobytes): counts in powers of two keep them to a dozen per table
    whatever the batches' sizes, where any count a history produces would grow the memory
    with the history.
    """
    largest = 1 << (max(1, most).bit_length() - 1)
    chunks = [largest] * (count // largest)
    rest = count % largest
    while rest:
        size = 1 << (rest.bit_length() - 1)
        chunks.append(size)
        rest -= size
    return chunks


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


@lru_cache(maxsize=1024)
def _many_values(sql: str, count: int) -> str:
    """``sql`` with its VALUES row written ``count`` times."""
    start = sql.index(" VALUES (") + len(" VALUES ")
    end = sql.index(")", start) + 1
    return f"{sql[:start]}{', '.join([sql[start:end]] * count)}{sql[end:]}"
