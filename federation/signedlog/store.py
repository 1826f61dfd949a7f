"""The signed log's tables, on the node's own SQLite or PostgreSQL database.

- ``log_state``: one row: the node id, the events table, the integrated size and the persisted
  compact range (so the root after each append costs nothing to recompute);
- ``log_tiles``: the Merkle tree in tiles (see `federation.signedlog.tiles`), whose level 0
  holds the leaf hashes by position;
- ``log_checkpoints``: every signed checkpoint (size, note, created_at), sizes increasing;
- ``log_cosignatures``: followers' cosignature lines on those checkpoints, kept as receipts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from federation.persistence.database import Cursor, Database
from federation.persistence.records import LOG_POSITIONS_TABLE
from federation.signedlog.merkle import HASH_SIZE, CompactRange
from federation.signedlog.tiles import TILE_BYTES, TILE_HEIGHT, TILE_WIDTH, TileCollector

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class LogStateError(RuntimeError):
    """The log's tables disagree with themselves or with the node using them."""


@dataclass(frozen=True, slots=True)
class LogState:
    """The persisted head of the log: whose it is, which events it covers, and how far."""

    node_id: str
    events_table: str
    compact: CompactRange

    @property
    def size(self) -> int:
        """The number of integrated entries."""
        return self.compact.size


@dataclass(frozen=True, slots=True)
class StoredCheckpoint:
    """A signed checkpoint as stored."""

    size: int
    note: str
    created_at: str


class LogStore:
    """SQL for the log's tables; every method works inside a caller's transaction."""

    def __init__(self, db: Database, events_table: str) -> None:
        if not _IDENTIFIER.fullmatch(events_table):
            raise LogStateError(f"events table name {events_table!r} is not a plain identifier")
        self.db = db
        self.events_table = events_table
        sqlite = db.dialect == "sqlite"
        self._events = events_table if sqlite else f'"{events_table}"'
        self._event_id = "rowid" if sqlite else "notification_id"
        self._blob = "BLOB" if sqlite else "BYTEA"

    def sql(self, query: str) -> str:
        """The query in this database's placeholder style."""
        return self.db.sql(query)

    def create_tables(self, node_id: str) -> None:
        """Create the tables if missing and check the log belongs to this node and events."""
        blob = self._blob
        self.db.execute_script(
            [
                "CREATE TABLE IF NOT EXISTS log_state (id INTEGER PRIMARY KEY CHECK (id = 1), "
                f"node_id TEXT NOT NULL, events_table TEXT NOT NULL, size BIGINT NOT NULL, "
                f"compact {blob} NOT NULL)",
                "CREATE TABLE IF NOT EXISTS log_tiles (level INTEGER NOT NULL, "
                f"idx BIGINT NOT NULL, hashes {blob} NOT NULL, PRIMARY KEY (level, idx))",
                "CREATE TABLE IF NOT EXISTS log_checkpoints (size BIGINT PRIMARY KEY, "
                "note TEXT NOT NULL, created_at TEXT NOT NULL)",
                "CREATE TABLE IF NOT EXISTS log_cosignatures (size BIGINT NOT NULL, "
                "cosigner TEXT NOT NULL, key_id TEXT NOT NULL, line TEXT NOT NULL, "
                "received_at TEXT NOT NULL, PRIMARY KEY (size, line))",
            ]
        )
        with self.db.transaction() as cursor:
            cursor.execute(
                self.sql(
                    "INSERT INTO log_state (id, node_id, events_table, size, compact) "
                    "VALUES (1, ?, ?, 0, ?) ON CONFLICT (id) DO NOTHING"
                ),
                (node_id, self.events_table, CompactRange().to_bytes()),
            )
        with self.db.reading() as cursor:
            state = self.read_state(cursor)
        if (state.node_id, state.events_table) != (node_id, self.events_table):
            raise LogStateError(
                f"this database holds the log of node {state.node_id} over "
                f"{state.events_table}, not of node {node_id} over {self.events_table}"
            )

    # --- state --------------------------------------------------------------------------

    def read_state(self, cursor: Cursor) -> LogState:
        """The persisted head of the log."""
        cursor.execute("SELECT node_id, events_table, size, compact FROM log_state WHERE id = 1")
        row = cursor.fetchone()
        if row is None:
            raise LogStateError("the log has no state row; was it ever created on this database?")
        compact = CompactRange.from_bytes(bytes(row["compact"]))
        if compact.size != int(row["size"]):
            raise LogStateError(f"log size {row['size']} disagrees with its compact range")
        return LogState(row["node_id"], row["events_table"], compact)

    def advance_state(self, cursor: Cursor, before: int, compact: CompactRange) -> None:
        """Move the head from `before` to `compact`; written first so SQLite locks at once."""
        cursor.execute(
            self.sql(
                "UPDATE log_state SET size = ?, compact = ? WHERE id = 1 AND size = ? "
                "RETURNING size"
            ),
            (compact.size, compact.to_bytes(), before),
        )
        if cursor.fetchone() is None:
            raise LogStateError(f"the log moved on from size {before} under this integrator")

    # --- positions and events -----------------------------------------------------------

    def max_position(self, cursor: Cursor) -> int:
        """The highest log position recorded with the events (0 for none)."""
        cursor.execute(f"SELECT COALESCE(MAX(position), 0) AS head FROM {LOG_POSITIONS_TABLE}")
        return int(cursor.fetchone()["head"])

    def select_events(self, cursor: Cursor, after: int, limit: int) -> list[Any]:
        """Rows of positions after `after` with their events; missing events have NULLs."""
        cursor.execute(
            self.sql(
                "SELECT p.position, p.notification_id, e.originator_id, e.originator_version, "
                f"e.topic, e.state FROM {LOG_POSITIONS_TABLE} p LEFT JOIN {self._events} e "
                f"ON e.{self._event_id} = p.notification_id WHERE p.position > ? "
                "ORDER BY p.position LIMIT ?"
            ),
            (after, limit),
        )
        return list(cursor.fetchall())

    def unlogged_events(self, cursor: Cursor, limit: int) -> list[Any]:
        """Events that have no log position: never recorded through the logged recorder."""
        # An anti-join, not NOT EXISTS: SQLite indexes the join on the fly, but would scan
        # every position for every event in a correlated subquery.
        cursor.execute(
            self.sql(
                f"SELECT e.{self._event_id} AS notification_id, e.originator_id, "
                f"e.originator_version FROM {self._events} e LEFT JOIN {LOG_POSITIONS_TABLE} p "
                f"ON p.notification_id = e.{self._event_id} WHERE p.position IS NULL "
                f"ORDER BY e.{self._event_id} LIMIT ?"
            ),
            (limit,),
        )
        return list(cursor.fetchall())

    # --- tiles --------------------------------------------------------------------------

    def read_tile(self, cursor: Cursor, tile_level: int, index: int) -> bytes:
        """The stored hashes of one tile, or empty bytes."""
        cursor.execute(
            self.sql("SELECT hashes FROM log_tiles WHERE level = ? AND idx = ?"),
            (tile_level, index),
        )
        row = cursor.fetchone()
        return b"" if row is None else bytes(row["hashes"])

    def read_level(self, cursor: Cursor, tile_level: int) -> list[tuple[int, bytes]]:
        """Every stored tile of one level, in index order."""
        cursor.execute(
            self.sql("SELECT idx, hashes FROM log_tiles WHERE level = ? ORDER BY idx"),
            (tile_level,),
        )
        return [(int(row["idx"]), bytes(row["hashes"])) for row in cursor.fetchall()]

    def tile_levels(self, cursor: Cursor) -> int:
        """How many tile levels are stored."""
        cursor.execute("SELECT COALESCE(MAX(level) + 1, 0) AS levels FROM log_tiles")
        return int(cursor.fetchone()["levels"])

    def write_tiles(self, cursor: Cursor, before: int, collected: TileCollector) -> None:
        """Append the collected hashes to each tile level of a log that had `before` leaves."""
        rows: list[tuple[int, int, bytes]] = []
        for tile_level, hashes in enumerate(collected.levels):
            if not hashes:
                continue
            start = before >> (TILE_HEIGHT * tile_level)
            first, offset = divmod(start, TILE_WIDTH)
            head = self.read_tile(cursor, tile_level, first) if offset else b""
            if len(head) != offset * HASH_SIZE:
                raise LogStateError(
                    f"tile {tile_level}/{first} holds {len(head) // HASH_SIZE} hashes, "
                    f"expected {offset}"
                )
            data = head + b"".join(hashes)
            for number, begin in enumerate(range(0, len(data), TILE_BYTES)):
                rows.append((tile_level, first + number, data[begin : begin + TILE_BYTES]))
        cursor.executemany(
            self.sql(
                "INSERT INTO log_tiles (level, idx, hashes) VALUES (?, ?, ?) "
                "ON CONFLICT (level, idx) DO UPDATE SET hashes = excluded.hashes"
            ),
            rows,
        )

    # --- checkpoints and cosignatures ---------------------------------------------------

    def latest_checkpoint(self, cursor: Cursor) -> StoredCheckpoint | None:
        """The checkpoint with the largest size, if any."""
        cursor.execute(
            "SELECT size, note, created_at FROM log_checkpoints ORDER BY size DESC LIMIT 1"
        )
        row = cursor.fetchone()
        return None if row is None else _checkpoint(row)

    def checkpoint_at(self, cursor: Cursor, size: int) -> StoredCheckpoint | None:
        """The checkpoint of exactly this size, if one was signed."""
        cursor.execute(
            self.sql("SELECT size, note, created_at FROM log_checkpoints WHERE size = ?"), (size,)
        )
        row = cursor.fetchone()
        return None if row is None else _checkpoint(row)

    def checkpoints(self, cursor: Cursor, after: int, limit: int) -> list[StoredCheckpoint]:
        """Checkpoints with sizes above `after`, smallest first."""
        cursor.execute(
            self.sql(
                "SELECT size, note, created_at FROM log_checkpoints WHERE size > ? "
                "ORDER BY size LIMIT ?"
            ),
            (after, limit),
        )
        return [_checkpoint(row) for row in cursor.fetchall()]

    def insert_checkpoint(self, cursor: Cursor, checkpoint: StoredCheckpoint) -> None:
        """Store a newly signed checkpoint."""
        cursor.execute(
            self.sql("INSERT INTO log_checkpoints (size, note, created_at) VALUES (?, ?, ?)"),
            (checkpoint.size, checkpoint.note, checkpoint.created_at),
        )

    def insert_cosignature(
        self, cursor: Cursor, size: int, cosigner: str, key_id: str, line: str, at: str
    ) -> bool:
        """Store a cosignature line once; return whether it was new."""
        cursor.execute(
            self.sql(
                "INSERT INTO log_cosignatures (size, cosigner, key_id, line, received_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (size, line) DO NOTHING RETURNING size"
            ),
            (size, cosigner, key_id, line, at),
        )
        return cursor.fetchone() is not None

    def cosignatures(self, cursor: Cursor) -> list[Any]:
        """Every stored cosignature, by size."""
        cursor.execute(
            "SELECT size, cosigner, key_id, line, received_at FROM log_cosignatures "
            "ORDER BY size, cosigner, line"
        )
        return list(cursor.fetchall())


def _checkpoint(row: Any) -> StoredCheckpoint:
    return StoredCheckpoint(int(row["size"]), row["note"], row["created_at"])


class StoredLevels:
    """A tiles `LevelSource` reading through one cursor, caching each tile it reads."""

    def __init__(self, store: LogStore, cursor: Cursor) -> None:
        self._store = store
        self._cursor = cursor
        self._tiles: dict[tuple[int, int], bytes] = {}

    def base(self, tile_level: int, start: int, count: int) -> bytes:
        """Return `count` hashes of tile level `tile_level` from index `start` (one tile)."""
        index, offset = divmod(start, TILE_WIDTH)
        key = (tile_level, index)
        tile = self._tiles.get(key)
        if tile is None:
            tile = self._tiles[key] = self._store.read_tile(self._cursor, tile_level, index)
        return tile[offset * HASH_SIZE : (offset + count) * HASH_SIZE]
