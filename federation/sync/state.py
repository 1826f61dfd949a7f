"""What a follower knows of each upstream, kept in the same transaction as what it ingested."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime

from federation.persistence.database import Cursor, Database
from projections.rows import Table

FOLLOWING = "following"
QUARANTINED = "quarantined"

STATES = Table(
    "follower_state",
    {
        "upstream": "TEXT",
        "size": "BIGINT",
        "compact": "BLOB",
        "checkpoint": "TEXT",
        "head": "BIGINT",
        "status": "TEXT",
        "reason": "TEXT",
        "evidence": "TEXT",
        "last_success": "TEXT",
        "last_attempt": "TEXT",
        "last_error": "TEXT",
        "cosigned": "BIGINT",
    },
    ("upstream",),
)
# Every checkpoint of an upstream verified here: the evidence an audit bundle carries.
CHECKPOINTS = Table(
    "upstream_checkpoints",
    {"upstream": "TEXT", "size": "BIGINT", "note": "TEXT", "verified_at": "TEXT"},
    ("upstream", "size"),
)


def now() -> str:
    """The time, for the status table."""
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(slots=True)
class FollowerState:
    """One upstream: the verified prefix held here, its last checkpoint, and how sync stands."""

    upstream: str
    size: int = 0
    compact: bytes = b""
    checkpoint: str | None = None
    head: int = 0
    status: str = FOLLOWING
    reason: str | None = None
    evidence: str | None = None
    last_success: str | None = None
    last_attempt: str | None = None
    last_error: str | None = None
    cosigned: int = 0

    @property
    def quarantined(self) -> bool:
        return self.status == QUARANTINED


class FollowerStates:
    """The follower_state table."""

    def __init__(self, db: Database) -> None:
        self.db = db
        db.execute_script([*STATES.ddl(db.dialect), *CHECKPOINTS.ddl(db.dialect)])
        # Pages refused since the node started, per (upstream, why): rejected or fork.
        self.verification_failures: Counter[tuple[str, str]] = Counter()
        self._counting = threading.Lock()

    def note_verification_failure(self, upstream: str, why: str) -> None:
        """Count a page that failed verification (for the metrics)."""
        with self._counting:
            self.verification_failures[(upstream, why)] += 1

    def load(self, upstream: str) -> FollowerState:
        """The state of ``upstream`` (a fresh one if it was never followed)."""
        rows = self.db.query("SELECT * FROM follower_state WHERE upstream = ?", [upstream])
        if not rows:
            return FollowerState(upstream)
        row = rows[0]
        row["compact"] = bytes(row["compact"] or b"")
        return FollowerState(**row)

    def all(self) -> list[FollowerState]:
        """Every upstream this node has followed."""
        names = self.db.query("SELECT upstream FROM follower_state ORDER BY upstream")
        return [self.load(r["upstream"]) for r in names]

    def save(self, cursor: Cursor, state: FollowerState) -> None:
        """Write ``state`` within the caller's transaction."""
        row = asdict(state)
        cols = [f.name for f in fields(FollowerState)]
        sets = ", ".join(f"{c} = excluded.{c}" for c in cols if c != "upstream")
        marks = ", ".join("?" for _ in cols)
        query = (
            f"INSERT INTO follower_state ({', '.join(cols)}) VALUES ({marks}) "
            f"ON CONFLICT (upstream) DO UPDATE SET {sets}"
        )
        cursor.execute(self.db.sql(query), tuple(row[c] for c in cols))

    def keep_checkpoint(self, cursor: Cursor, upstream: str, size: int, note: str) -> None:
        """Keep a verified checkpoint of ``upstream`` (once per size)."""
        cursor.execute(
            self.db.sql(
                "INSERT INTO upstream_checkpoints (upstream, size, note, verified_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (upstream, size) DO NOTHING"
            ),
            (upstream, size, note, now()),
        )

    def checkpoints(self, upstream: str) -> list[dict[str, object]]:
        """The verified checkpoints of ``upstream``, smallest first."""
        return self.db.query(
            "SELECT size, note FROM upstream_checkpoints WHERE upstream = ? ORDER BY size",
            [upstream],
        )

    def put(self, state: FollowerState) -> None:
        """Write ``state`` in a transaction of its own."""
        with self.db.transaction() as cursor:
            self.save(cursor, state)
