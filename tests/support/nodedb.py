"""Reading (and, to tamper, writing) a node's database from outside its processes.

End-to-end tests judge the federation by what the nodes stored, not by what they say: the
upstream's log (its positions and the leaf hashes of its Merkle tree) against what each follower
ingested. A SQLite node is read through its file (WAL: readers never block the node), a
PostgreSQL node through its URL.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from federation.signedlog import merkle
from federation.signedlog.entries import EntryBuilder

SQLITE_FILE = "events.sqlite"


@dataclass(frozen=True, slots=True)
class Comparison:
    """What a follower holds of one upstream's log, against that log."""

    upstream_size: int
    held: int
    cursor: int
    gaps_or_extras: list[int]
    differing: list[int]
    duplicates: int

    @property
    def exact(self) -> bool:
        """Every entry once, in order, byte for byte, and the cursor at the end."""
        return (
            self.held == self.upstream_size == self.cursor
            and not self.gaps_or_extras
            and not self.differing
            and self.duplicates == 0
        )


class NodeDatabase:
    """One node's database, opened afresh for every statement."""

    def __init__(self, data_dir: Path, database: str = "sqlite") -> None:
        self.data_dir = data_dir
        self.database = database
        self.sqlite = database == "sqlite"

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Rows of a query written with ``?`` placeholders; [] if its table does not exist yet."""
        try:
            return self._run(sql, params)
        except psycopg.errors.UndefinedTable:
            return []
        except sqlite3.OperationalError as error:
            if "no such table" in str(error):
                return []
            raise

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        """Run a writing statement (a test tampering with the node's data) and commit it."""
        self._run(sql, params, fetch=False)

    def _run(self, sql: str, params: Sequence[Any], fetch: bool = True) -> list[tuple[Any, ...]]:
        if self.sqlite:
            path = self.data_dir / SQLITE_FILE
            with closing(sqlite3.connect(path, timeout=30)) as conn, conn:
                cursor = conn.execute(sql, tuple(params))
                return list(cursor.fetchall()) if fetch else []
        with psycopg.connect(self.database, autocommit=True) as pg:
            rows = pg.execute(sql.replace("?", "%s"), tuple(params))
            return list(rows.fetchall()) if fetch else []

    @property
    def events_table(self) -> str:
        """The name of the node's events table (as its log records it)."""
        return str(self.scalar("SELECT events_table FROM log_state"))

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        rows = self.query(sql, params)
        return rows[0][0] if rows else None

    # --- the node's own log ---------------------------------------------------------------

    def log_size(self) -> int:
        """How many events the node has recorded (its log's last position)."""
        return int(self.scalar("SELECT COALESCE(MAX(position), 0) FROM log_positions") or 0)

    def leaf_hashes(self) -> list[bytes]:
        """The leaf hashes of the node's integrated Merkle tree, by position (tile level 0)."""
        rows = self.query("SELECT hashes FROM log_tiles WHERE level = 0 ORDER BY idx")
        data = b"".join(bytes(row[0]) for row in rows)
        size = int(self.scalar("SELECT size FROM log_state") or 0)
        step = merkle.HASH_SIZE
        return [data[i : i + step] for i in range(0, size * step, step)]

    # --- what the node holds of others ----------------------------------------------------

    def cursor(self, upstream: str) -> int:
        """The last position of ``upstream`` ingested here."""
        value = self.scalar(
            "SELECT position FROM projection_positions WHERE projection = 'ingested' "
            "AND upstream = ?",
            [upstream],
        )
        return int(value or 0)

    def follower_state(self, upstream: str) -> dict[str, Any]:
        """The follower_state row of ``upstream`` as a dict ({} if never followed)."""
        columns = ("size", "head", "status", "reason", "evidence", "last_error", "cosigned")
        rows = self.query(
            f"SELECT {', '.join(columns)} FROM follower_state WHERE upstream = ?", [upstream]
        )
        return dict(zip(columns, rows[0], strict=True)) if rows else {}

    def ingested_leaves(self, upstream: str) -> list[tuple[int, bytes]]:
        """(position, leaf hash) of every entry of ``upstream`` held here, by position."""
        build = EntryBuilder(upstream)
        rows = self.query(
            "SELECT position, originator_id, originator_version, topic, state "
            "FROM ingested_entries WHERE upstream = ? ORDER BY position",
            [upstream],
        )
        return [
            (int(p), merkle.leaf_hash(build(int(p), str(oid), int(v), topic, bytes(state))))
            for p, oid, v, topic, state in rows
        ]

    def duplicates(self, upstream: str) -> int:
        """Events of ``upstream`` held more than once (by aggregate id and version)."""
        return int(
            self.scalar(
                "SELECT COALESCE(SUM(n - 1), 0) FROM (SELECT COUNT(*) AS n FROM ingested_entries "
                "WHERE upstream = ? GROUP BY originator_id, originator_version) AS counted",
                [upstream],
            )
            or 0
        )

    def compare(self, upstream_id: str, upstream: NodeDatabase) -> Comparison:
        """What this node holds of ``upstream_id`` against that node's own log."""
        theirs = upstream.leaf_hashes()
        mine = self.ingested_leaves(upstream_id)
        positions = [p for p, _ in mine]
        expected = list(range(1, len(mine) + 1))
        odd = sorted(set(positions) ^ set(expected)) if positions != expected else []
        differing = [p for p, leaf in mine if p > len(theirs) or theirs[p - 1] != leaf]
        return Comparison(
            len(theirs), len(mine), self.cursor(upstream_id), odd, differing,
            self.duplicates(upstream_id),
        )  # fmt: skip
