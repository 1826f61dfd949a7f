"""The read model's secondary indexes, dropped while a replay writes and built once at the end.

The replay's statements find their rows by table keys (primary keys); the secondary indexes of
the views and of the ingested entries serve the queries of the report, the dashboard and the
drift check that run once the replay is done. Keeping them up to date a million times costs
more than building them once from the finished tables (SQLite and PostgreSQL both sort the
rows to build an index), and a parallel replay's merge then copies rows into tables without
them too. ``tests/integration/audit/test_replay_indexes.py`` shows that no statement a replay
runs scans a table for want of them.
"""

from __future__ import annotations

import re

from federation.audit.state import TABLES
from federation.node.ingest import INGESTED
from federation.persistence.database import Database
from projections.rows import Table
from projections.supervisory import PARTIAL_INDEXES

INDEXED: tuple[Table, ...] = (*TABLES, INGESTED)


def _creates(dialect: str) -> list[str]:
    """The CREATE INDEX statements of every indexed table (each table's first statement is its
    CREATE TABLE)."""
    return [s for t in INDEXED for s in t.ddl(dialect)[1:]] + list(PARTIAL_INDEXES)


_NAME = re.compile(r"CREATE INDEX IF NOT EXISTS (\w+) ON ")


def names(dialect: str) -> list[str]:
    """The names of the indexes a replay builds at the end."""
    found = [_NAME.match(s) for s in _creates(dialect)]
    return [m[1] for m in found if m is not None]


def without_indexes(db: Database) -> None:
    """Drop the secondary indexes (the tables and their keys stay)."""
    db.execute_script([f"DROP INDEX IF EXISTS {name}" for name in names(db.dialect)])


def with_indexes(db: Database) -> None:
    """Build the secondary indexes again, from the rows the replay wrote."""
    db.execute_script(_creates(db.dialect))
