"""The state a replay or the live node ends in: its digest, and the first row two states differ in.

The state is every table of the International's projections: the supervisory view over the
nodes' events and the International's own records. Rows are read in key order (byte order of
text on PostgreSQL too) and written canonically, so SQLite and PostgreSQL give the same digest.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import zip_longest
from typing import Any, cast

from federation.node.supervisory_store import digest as supervisory_digest
from federation.node.supervisory_store import row_json
from federation.persistence.database import Database
from projections import supervision, supervisory
from projections.rows import Table

OWN_TABLES: tuple[Table, ...] = tuple(supervision.TABLES)
TABLES: tuple[Table, ...] = (*supervisory.TABLES, *OWN_TABLES)


def rows(db: Database, table: Table) -> Iterator[tuple[Any, ...]]:
    """The table's rows in key order, streamed."""
    collate = ' COLLATE "C"' if db.dialect == "postgres" else ""
    order = ", ".join(f"{k}{collate if table.columns[k] == 'TEXT' else ''}" for k in table.key)
    with db.reading() as cursor:
        cursor.execute(f"SELECT {', '.join(table.columns)} FROM {table.name} ORDER BY {order}")
        # eventsourcing's SQLite cursor hides fetchmany; the sqlite3 cursor inside has it.
        fetch = cast(Any, getattr(cursor, "sqlite_cursor", cursor)).fetchmany
        while page := fetch(5000):
            for row in page:
                yield tuple(row[c] for c in table.columns)


def own_digest(db: Database) -> str:
    """SHA-256 over the International's own records, table by table."""
    hasher = hashlib.sha256()
    encode = row_json()  # each row as json.dumps(list(row), ensure_ascii=False) writes it
    for table in sorted(OWN_TABLES, key=lambda t: t.name):
        hasher.update(f"{table.name} {' '.join(table.columns)}\n".encode())
        for row in rows(db, table):
            hasher.update(f"{encode(row)}\n".encode())
    return hasher.hexdigest()


def digests(db: Database) -> dict[str, str]:
    """The digest of the supervisory view (the one ``/v1/supervisory/digest`` gives), of the
    International's own records, and of both together: the state digest."""
    view = supervisory_digest(db)
    own = own_digest(db)
    state = hashlib.sha256(f"supervisory {view}\nown {own}\n".encode()).hexdigest()
    return {"state": state, "supervisory": view, "own_records": own}


@dataclass(frozen=True, slots=True)
class Difference:
    """The first row where two states differ: the table, the row's key, and both rows."""

    table: str
    key: dict[str, Any]
    live: dict[str, Any] | None
    rebuilt: dict[str, Any] | None

    def __str__(self) -> str:
        key = ", ".join(f"{k}={v}" for k, v in self.key.items())
        if self.live is None:
            return f"{self.table} ({key}): the rebuild has this row, the live view has not"
        if self.rebuilt is None:
            return f"{self.table} ({key}): the live view has this row, the rebuild has not"
        changed = sorted(c for c in self.live if self.live[c] != self.rebuilt.get(c))
        return f"{self.table} ({key}): " + "; ".join(
            f"{c} is {self.live[c]!r} live, {self.rebuilt[c]!r} rebuilt" for c in changed
        )

    def line(self) -> dict[str, Any]:
        return {"table": self.table, "key": self.key, "live": self.live, "rebuilt": self.rebuilt}


def first_difference(live: Database, rebuilt: Database) -> Difference | None:
    """The first row, table by table in name order and in key order, where the states differ."""
    for table in sorted(TABLES, key=lambda t: t.name):
        cols = list(table.columns)
        for a, b in zip_longest(rows(live, table), rows(rebuilt, table)):
            if a == b:
                continue
            live_row = dict(zip(cols, a, strict=True)) if a is not None else None
            rebuilt_row = dict(zip(cols, b, strict=True)) if b is not None else None
            present = cast(dict[str, Any], live_row or rebuilt_row)
            if live_row and rebuilt_row and _key(table, live_row) != _key(table, rebuilt_row):
                # Rows out of step: the one with the smaller key is missing on the other side.
                if _sort(_key(table, live_row)) < _sort(_key(table, rebuilt_row)):
                    rebuilt_row = None
                    present = live_row
                else:
                    live_row = None
                    present = rebuilt_row
            return Difference(table.name, _key(table, present), live_row, rebuilt_row)
    return None


def _key(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    return {k: row[k] for k in table.key}


def _sort(key: dict[str, Any]) -> list[tuple[int, Any]]:
    # The order the rows were read in: numbers, and text by its bytes (COLLATE "C").
    return [(0, v) if isinstance(v, int) else (1, str(v).encode()) for v in key.values()]
