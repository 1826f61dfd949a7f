"""The offline verifier behind ``aidfed log verify``: trusts nothing but the node's public key.

It recomputes every leaf from the stored events (canonical entry bytes) and compares it with
the stored leaf hash, recomputes the tree from those leaves and compares the stored tiles and
head, and checks every stored checkpoint: its signature, its size, its root, and its
consistency with the checkpoint before it. Each problem names the first log position it
affects; for a checkpoint that is its size.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final
from urllib.parse import unquote, urlsplit

from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteDatastore

from federation.persistence.database import Cursor, Database
from federation.signedlog import merkle
from federation.signedlog.entries import EntryBuilder, EntryError
from federation.signedlog.note import (
    CosignatureVerifier,
    NoteError,
    NoteVerifier,
    open_checkpoint,
    parse_signature_line,
    split_note,
)
from federation.signedlog.store import (
    TILE_HEIGHT,
    TILE_WIDTH,
    LevelArrays,
    LogState,
    LogStateError,
    LogStore,
    StoredCheckpoint,
    TileCollector,
    TileHashes,
)

PAGE: Final = 10_000
MAX_PROBLEMS: Final = 100
H: Final = merkle.HASH_SIZE


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong: a stable code, the first log position it affects, and a sentence."""

    code: str
    position: int | None
    message: str

    def __str__(self) -> str:
        where = "" if self.position is None else f"position {self.position}: "
        return f"{where}{self.message} [{self.code}]"


@dataclass
class Report:
    """What the verifier checked and what it found."""

    origin: str
    node_id: str = ""
    size: int = 0
    positions: int = 0
    checkpoints: int = 0
    cosignatures: int = 0
    problems: list[Problem] = field(default_factory=list)
    more_problems: int = 0

    @property
    def ok(self) -> bool:
        """True when nothing is wrong."""
        return not self.problems

    @property
    def first(self) -> Problem | None:
        """The problem at the lowest log position (problems without one come last)."""
        if not self.problems:
            return None
        return min(self.problems, key=lambda p: (p.position is None, p.position or 0))

    def add(self, code: str, position: int | None, message: str) -> None:
        """Record a problem, keeping at most MAX_PROBLEMS of them."""
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(code, position, message))
        else:
            self.more_problems += 1


def verify(
    db: Database, verifier: NoteVerifier, cosigners: Sequence[CosignatureVerifier] = ()
) -> Report:
    """Verify the signed log stored in `db` against the node's public key."""
    report = Report(origin=verifier.name)
    with _snapshot(db) as cursor:
        try:
            state = LogStore(db, "stored_events").read_state(cursor)
        except (LogStateError, ValueError) as error:
            report.add("state.unreadable", None, str(error))
            return report
        store = LogStore(db, state.events_table)
        report.node_id, report.size = state.node_id, state.size
        leaves = _stored_leaves(store, cursor, state, report)
        _check_events(store, cursor, state, leaves, report)
        levels = _check_tree(store, cursor, state, leaves, report)
        _check_checkpoints(store, cursor, verifier, levels, report)
        _check_cosignatures(store, cursor, cosigners, report)
    return report


@contextmanager
def _snapshot(db: Database) -> Iterator[Cursor]:
    # One consistent snapshot, so a node that keeps writing does not look inconsistent.
    with db.reading() as cursor:
        if db.dialect == "postgres":
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield cursor


def _stored_leaves(store: LogStore, cursor: Cursor, state: LogState, report: Report) -> bytes:
    leaves = _stored_level(store, cursor, 0, report)
    count = len(leaves) // H
    if count < state.size:
        report.add(
            "leaves.missing",
            count + 1,
            f"the log has {state.size} entries but only "
            f"{count} stored leaf hashes: stored hashes from here on were removed",
        )
    elif count > state.size:
        report.add(
            "leaves.extra",
            state.size + 1,
            f"{count - state.size} leaf hashes are stored beyond the log size {state.size}",
        )
    return leaves[: min(count, state.size) * H]


def _stored_level(store: LogStore, cursor: Cursor, tile_level: int, report: Report) -> bytes:
    data = bytearray()
    for index, hashes in store.read_level(cursor, tile_level):
        first = (index * TILE_WIDTH << (TILE_HEIGHT * tile_level)) + 1
        if index * TILE_WIDTH * H != len(data) or len(hashes) % H or not hashes:
            report.add(
                "tile.shape",
                first,
                f"stored tile {tile_level}/{index} is out of place or malformed",
            )
            break
        data += hashes
    return bytes(data)


def _check_events(
    store: LogStore, cursor: Cursor, state: LogState, leaves: bytes, report: Report
) -> None:
    build = EntryBuilder(state.node_id)
    expected, last_id = 1, 0
    while rows := store.select_events(cursor, expected - 1, PAGE):
        for row in rows:
            position = int(row["position"])
            if position != expected:
                report.add(
                    "position.missing",
                    expected,
                    f"log position {expected} is missing "
                    f"(the next recorded position is {position})",
                )
            notification_id = int(row["notification_id"])
            if notification_id <= last_id:
                report.add(
                    "position.order",
                    position,
                    "log positions are not in the commit "
                    f"order of the events (notification id {notification_id} after "
                    f"{last_id})",
                )
            last_id = max(last_id, notification_id)
            _check_entry(build, row, position, leaves, report)
            expected = position + 1
    report.positions = expected - 1
    if report.positions < state.size:
        report.add(
            "event.missing",
            report.positions + 1,
            f"the log has {state.size} entries "
            f"but events end at position {report.positions}: the tail was removed",
        )
    for row in store.unlogged_events(cursor, 10):
        report.add(
            "event.unlogged",
            None,
            f"event {row['originator_id']} version "
            f"{row['originator_version']} (notification id {row['notification_id']}) "
            "is not in the log",
        )


def _check_entry(
    build: EntryBuilder, row: Any, position: int, leaves: bytes, report: Report
) -> None:
    if row["topic"] is None:
        report.add(
            "event.missing",
            position,
            f"the event of this position (notification id {row['notification_id']}) was deleted",
        )
        return
    try:
        entry = build(
            position,
            row["originator_id"],
            int(row["originator_version"]),
            row["topic"],
            bytes(row["state"]),
        )
    except EntryError as error:
        report.add("event.invalid", position, f"the event cannot be an entry: {error}")
        return
    stored = leaves[(position - 1) * H : position * H]
    if stored and merkle.leaf_hash(entry) != stored:
        report.add(
            "event.changed",
            position,
            "the stored event does not match its logged "
            "leaf hash: it was changed, swapped or replaced after it was logged",
        )


def _check_tree(
    store: LogStore, cursor: Cursor, state: LogState, leaves: bytes, report: Report
) -> LevelArrays:
    collected = TileCollector()
    compact = merkle.CompactRange(on_subtree=collected)
    compact.extend(leaves[i : i + H] for i in range(0, len(leaves), H))
    levels = [leaves] + [b"".join(hashes) for hashes in collected.levels[1:]]
    for tile_level in range(1, max(len(levels), store.tile_levels(cursor))):
        stored = _stored_level(store, cursor, tile_level, report)
        computed = levels[tile_level] if tile_level < len(levels) else b""
        if stored != computed:
            index = _first_difference(stored, computed) // H
            report.add(
                "tile.wrong",
                (index << (TILE_HEIGHT * tile_level)) + 1,
                f"a stored subtree hash of tree level {TILE_HEIGHT * tile_level} is "
                "wrong: proofs served from it would fail",
            )
    if compact.size == state.size and compact.hashes != state.compact.hashes:
        report.add("state.wrong", state.size, "the stored log head does not match its leaves")
    return LevelArrays(levels)


def _first_difference(a: bytes, b: bytes) -> int:
    for offset in range(min(len(a), len(b))):
        if a[offset] != b[offset]:
            return offset
    return min(len(a), len(b))


def _check_checkpoints(
    store: LogStore, cursor: Cursor, verifier: NoteVerifier, levels: LevelArrays, report: Report
) -> None:
    tiles = TileHashes(levels)
    size = len(levels.levels[0]) // H
    previous: tuple[int, bytes] | None = None
    after = -1
    while batch := store.checkpoints(cursor, after, 1000):
        for stored in batch:
            report.checkpoints += 1
            checked = _check_checkpoint(stored, verifier, tiles, size, previous, report)
            previous = checked or previous
        after = batch[-1].size


def _check_checkpoint(
    stored: StoredCheckpoint,
    verifier: NoteVerifier,
    tiles: TileHashes,
    size: int,
    previous: tuple[int, bytes] | None,
    report: Report,
) -> tuple[int, bytes] | None:
    where = max(stored.size, 1)
    try:
        checkpoint, _ = open_checkpoint(stored.note, [verifier])
    except NoteError as error:
        report.add("checkpoint.signature", where, f"checkpoint {stored.size}: {error}")
        return None
    if checkpoint.origin != verifier.name or checkpoint.size != stored.size:
        report.add(
            "checkpoint.mismatch",
            where,
            f"checkpoint stored as size {stored.size} is "
            f"for {checkpoint.origin} at size {checkpoint.size}",
        )
        return None
    if checkpoint.size > size:
        report.add(
            "checkpoint.beyond",
            where,
            f"checkpoint {checkpoint.size} is beyond the "
            f"{size} logged entries: the log was truncated",
        )
        return None
    if merkle.tree_root(tiles, checkpoint.size) != checkpoint.root:
        report.add(
            "checkpoint.root",
            where,
            f"checkpoint {checkpoint.size}'s root is not the root of the logged entries",
        )
        return None
    if previous is not None:
        old_size, old_root = previous
        proof = merkle.consistency_proof(tiles, old_size, checkpoint.size)
        try:
            merkle.verify_consistency(old_size, checkpoint.size, proof, old_root, checkpoint.root)
        except merkle.ProofError as error:
            report.add(
                "checkpoint.consistency",
                where,
                f"checkpoints {old_size} and {checkpoint.size} are inconsistent: {error}",
            )
    return checkpoint.size, checkpoint.root


def _check_cosignatures(
    store: LogStore, cursor: Cursor, cosigners: Sequence[CosignatureVerifier], report: Report
) -> None:
    known = {(c.name, c.key_id.hex()): c for c in cosigners}
    for row in store.cosignatures(cursor):
        report.cosignatures += 1
        size = int(row["size"])
        stored = store.checkpoint_at(cursor, size)
        if stored is None:
            report.add(
                "cosignature.orphan",
                max(size, 1),
                f"a cosignature by {row['cosigner']} is for checkpoint {size}, which is not stored",
            )
            continue
        try:
            parse_signature_line(row["line"].removesuffix("\n"))
            cosigner = known.get((row["cosigner"], row["key_id"]))
            if cosigner is not None:
                cosigner.verify_cosignature(split_note(stored.note)[0], row["line"])
        except NoteError as error:
            report.add(
                "cosignature.invalid",
                max(size, 1),
                f"cosignature by {row['cosigner']} on checkpoint {size}: {error}",
            )


# ---------------------------------------------------------------------------------------------
# Opening a node's database for reading only.


@contextmanager
def open_database(database: str | None, data_dir: Path) -> Iterator[Database]:
    """Open a node's database read-only: a PostgreSQL URL, or the SQLite file in `data_dir`."""
    datastore: SQLiteDatastore | PostgresDatastore
    if database and database.startswith(("postgresql://", "postgres://")):
        url = urlsplit(database)
        datastore = PostgresDatastore(
            url.path.lstrip("/"),
            url.hostname or "127.0.0.1",
            url.port or 5432,
            unquote(url.username or "postgres"),
            unquote(url.password or ""),
        )
    else:
        path = data_dir / "events.sqlite"
        if not path.is_file():
            raise FileNotFoundError(f"no node database at {path}")
        datastore = SQLiteDatastore(f"file:{path}?mode=ro", pool_size=1)
    try:
        yield Database(datastore)
    finally:
        datastore.close()
