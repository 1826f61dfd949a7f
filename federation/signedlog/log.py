"""The node's signed log: what the application holds, the API serves and followers rely on.

Checkpoints are only ever signed over the persisted, integrated prefix, under the node's
"log-integrator" lock, with sizes strictly increasing; before signing, the new root is proved
consistent with the previous checkpoint from the stored tiles, so a damaged store makes the
node refuse to sign rather than sign a fork.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from domain.errors import InvalidInput, NotFound
from federation.node.locks import NodeLocks
from federation.persistence.database import Cursor, Database
from federation.signedlog import merkle
from federation.signedlog.entries import EntryError, aggregate_text
from federation.signedlog.integrator import Integrator, check_dense, entry_bytes
from federation.signedlog.note import (
    Checkpoint,
    NoteError,
    NoteSigner,
    parse_signature_line,
    public_key_to_base64,
    split_note,
)
from federation.signedlog.store import LogStateError, LogStore, StoredCheckpoint, StoredLevels
from federation.signedlog.tiles import TILE_WIDTH, TileHashes

LOCK: Final = "log-integrator"
SIGN_EVERY: Final = 1.0  # seconds: a long integration still signs at least this often
MAX_PAGE: Final = 1000
MAX_COSIGNATURE: Final = 1000

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LoggedEntry:
    """One entry of the log as served: which event it is and its canonical bytes."""

    position: int
    originator_id: str
    originator_version: int
    topic: str
    entry: bytes


@dataclass(frozen=True, slots=True)
class EntriesPage:
    """Contiguous entries after a position, with the signed checkpoint that covers them."""

    checkpoint: str
    size: int
    entries: list[LoggedEntry]


def checkpoint_of(note: str) -> Checkpoint:
    """Parse the checkpoint body of a signed note, without verifying signatures."""
    text, _ = split_note(note)
    return Checkpoint.parse(text)


def _leaves(levels: StoredLevels, after: int, count: int) -> bytes:
    """The leaf hashes of positions after+1 .. after+count, a tile at a time."""
    parts, index, end = [], after, after + count
    while index < end:
        take = min(end, (index // TILE_WIDTH + 1) * TILE_WIDTH) - index
        parts.append(levels.base(0, index, take))
        index += take
    return b"".join(parts)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


class SignedLog:
    """One node's RFC 6962 log over its events, with signed checkpoints and proofs."""

    def __init__(
        self, db: Database, locks: NodeLocks, events_table: str, node_id: str, signer: NoteSigner
    ) -> None:
        self.store = LogStore(db, events_table)
        with locks.hold(LOCK):  # processes of one node starting at once create tables once
            self.store.create_tables(node_id)
        self.integrator = Integrator(self.store, node_id)
        self.locks = locks
        self.signer = signer
        self.node_id = node_id
        self._stop = threading.Event()
        self._closing = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_error = ""

    @property
    def origin(self) -> str:
        """The origin line of this log's checkpoints (also the signing key's name)."""
        return self.signer.name

    def identity(self) -> dict[str, str]:
        """What followers pin: the public key (base64), the log origin and the vkey."""
        return {
            "public_key": public_key_to_base64(self.signer.verifier.public_key),
            "log_origin": self.origin,
            "log_vkey": self.signer.vkey,
        }

    # --- integration and checkpoints ----------------------------------------------------

    def integrate(self) -> int:
        """Integrate every recorded event; return the integrated size."""
        with self.locks.hold(LOCK):
            while self.integrator.integrate_batch():
                pass
            return self.integrator.state().size

    def checkpoint(self) -> str:
        """Integrate, sign the new head if it grew, and return the latest signed note."""
        with self.locks.hold(LOCK):
            signed_at = time.monotonic()
            while self.integrator.integrate_batch():
                if time.monotonic() - signed_at >= SIGN_EVERY:
                    self._sign_head()
                    signed_at = time.monotonic()
            return self._sign_head().note

    def latest(self) -> StoredCheckpoint | None:
        """The latest signed checkpoint, without integrating anything."""
        with self.store.db.reading() as cursor:
            return self.store.latest_checkpoint(cursor)

    def _sign_head(self) -> StoredCheckpoint:
        with self.store.db.reading() as cursor:
            state = self.store.read_state(cursor)
            latest = self.store.latest_checkpoint(cursor)
            if latest is not None and latest.size >= state.size:
                if latest.size > state.size:
                    raise LogStateError(
                        f"checkpoint {latest.size} is beyond the integrated log ({state.size}); "
                        "refusing to sign anything smaller"
                    )
                return latest
            root = state.compact.root()
            self._check_consistent(cursor, latest, state.size, root)
        body = Checkpoint(self.origin, state.size, root).to_text()
        signed = StoredCheckpoint(state.size, self.signer.sign(body), _now())
        with self.store.db.transaction() as cursor:
            self._insert_newest(cursor, signed)
        return signed

    def _check_consistent(
        self, cursor: Cursor, previous: StoredCheckpoint | None, size: int, root: bytes
    ) -> None:
        tiles = TileHashes(StoredLevels(self.store, cursor))
        if merkle.tree_root(tiles, size) != root:
            raise LogStateError(f"stored tiles disagree with the log head at size {size}")
        if previous is None:
            return
        old = checkpoint_of(previous.note)
        proof = merkle.consistency_proof(tiles, old.size, size)
        try:
            merkle.verify_consistency(old.size, size, proof, old.root, root)
        except merkle.ProofError as error:
            raise LogStateError(
                f"the log at size {size} is not consistent with checkpoint {old.size}: {error}"
            ) from error

    def _insert_newest(self, cursor: Cursor, signed: StoredCheckpoint) -> None:
        # One statement that writes first, so SQLite takes its write lock before it reads.
        cursor.execute(
            self.store.sql(
                "INSERT INTO log_checkpoints (size, note, created_at) SELECT ?, ?, ? "
                "WHERE NOT EXISTS (SELECT 1 FROM log_checkpoints WHERE size >= ?) RETURNING size"
            ),
            (signed.size, signed.note, signed.created_at, signed.size),
        )
        if cursor.fetchone() is None:
            raise LogStateError(f"a checkpoint of size {signed.size} or more exists already")

    # --- the background integrator ------------------------------------------------------

    def start(self, interval: float = 0.5) -> None:
        """Integrate and sign in a background thread while events arrive."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._run, args=(interval,), name=f"log-{self.node_id}", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop the background thread, waiting for its current step to finish."""
        thread, self._thread = self._thread, None
        if thread is not None:
            self._stop.set()
            thread.join()

    def _run(self, interval: float) -> None:
        while True:
            try:
                if self.latest() is None or self.integrator.pending() > 0:
                    self.checkpoint()
                self._last_error = ""
            except Exception as error:
                # Keep trying (the database may come back), but say each new problem once.
                if str(error) != self._last_error:
                    logger.exception("the signed log of %s could not advance", self.node_id)
                    self._last_error = str(error)
            if self._stop.wait(interval):
                return

    # --- reading the log ----------------------------------------------------------------

    def appended(self) -> int:
        """How many events have been appended (integrated or not): a cheap check for news."""
        return int(self.store.db.scalar("SELECT COALESCE(MAX(position), 0) FROM log_positions"))

    def wait_for_entries(self, after: int, limit: int, wait: float) -> EntriesPage:
        """Entries after ``after``; if there are none, hold on up to ``wait`` s for new ones.

        A log smaller than ``after`` answers at once: the reader holds more than this node
        has signed (a node restored from a backup?) and must learn it now.
        """
        deadline = time.monotonic() + wait
        page = self.entries(after, limit)
        while (
            not page.entries
            and page.size >= after
            and time.monotonic() < deadline
            and not self._closing.is_set()
        ):
            self._closing.wait(0.1)
            if self.appended() > after:
                page = self.entries(after, limit)
        return page

    def end_waits(self) -> None:
        """Answer every long-poll now: the server is stopping, and it waits for open requests."""
        self._closing.set()

    def entries(self, after: int, limit: int) -> EntriesPage:
        """Entries after+1 .. after+limit covered by a fresh signed checkpoint."""
        if after < 0 or not 1 <= limit <= MAX_PAGE:
            raise InvalidInput("log.page_invalid", f"after >= 0 and 1 <= limit <= {MAX_PAGE}")
        note = self.checkpoint()
        size = checkpoint_of(note).size
        count = max(0, min(limit, size - after))
        if count == 0:
            return EntriesPage(note, size, [])
        with self.store.db.reading() as cursor:
            rows = self.store.select_events(cursor, after, count)
            leaves = _leaves(StoredLevels(self.store, cursor), after, count)
        check_dense(rows, after)
        page = [self._served(row, leaves, after) for row in rows]
        return EntriesPage(note, size, page)

    def _served(self, row: Any, leaves: bytes, after: int) -> LoggedEntry:
        position = int(row["position"])
        aggregate = None  # missing or unusable: entry_bytes says what is wrong
        originator = row["originator_id"]
        if originator is not None:
            try:  # not contextlib.suppress: it costs a microsecond an entry here
                aggregate = aggregate_text(originator)
            except EntryError:
                aggregate = None
        data = entry_bytes(self.integrator.build, row, aggregate)
        offset = (position - 1 - after) * merkle.HASH_SIZE
        if merkle.leaf_hash(data) != leaves[offset : offset + merkle.HASH_SIZE]:
            # Serve nothing that the node's own signed tree does not contain.
            raise LogStateError(f"position {position}: the event no longer matches its leaf")
        return LoggedEntry(
            position, str(aggregate), int(row["originator_version"]), row["topic"], data
        )

    def _require_signed(self, size: int) -> None:
        latest = self.latest()
        if latest is None or size > latest.size:
            signed = 0 if latest is None else latest.size
            raise NotFound(
                "log.size_unknown", f"no checkpoint covers size {size}; the latest is {signed}"
            )

    def leaf_hash(self, index: int) -> bytes:
        """The stored leaf hash of leaf `index` (position index + 1)."""
        with self.store.db.reading() as cursor:
            return StoredLevels(self.store, cursor).base(0, index, 1)

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        """The audit path of leaf `index` (0-based) in the tree of `size`."""
        if not 0 <= index < size:
            raise InvalidInput("log.index_invalid", f"need 0 <= index < size, got {index}, {size}")
        self._require_signed(size)
        with self.store.db.reading() as cursor:
            tiles = TileHashes(StoredLevels(self.store, cursor))
            return merkle.inclusion_proof(tiles, index, size)

    def consistency_proof(self, first: int, second: int) -> list[bytes]:
        """The proof that the tree of `second` extends the tree of `first`."""
        if not 0 <= first <= second:
            raise InvalidInput(
                "log.sizes_invalid", f"need 0 <= first <= second, got {first}, {second}"
            )
        self._require_signed(second)
        with self.store.db.reading() as cursor:
            tiles = TileHashes(StoredLevels(self.store, cursor))
            return merkle.consistency_proof(tiles, first, second)

    # --- cosignatures -------------------------------------------------------------------

    def add_cosignature(self, size: int, line: str) -> bool:
        """Keep a follower's cosignature line on checkpoint `size`; return whether it was new."""
        line = line.removesuffix("\n")
        if not line or len(line) > MAX_COSIGNATURE or "\n" in line:
            raise InvalidInput("log.cosignature_invalid", "send one cosignature line")
        try:
            signature = parse_signature_line(line)
        except NoteError as error:
            raise InvalidInput("log.cosignature_invalid", str(error)) from error
        with self.store.db.reading() as cursor:
            if self.store.checkpoint_at(cursor, size) is None:
                raise NotFound("log.checkpoint_unknown", f"no checkpoint of size {size}")
        with self.store.db.transaction() as cursor:
            return self.store.insert_cosignature(
                cursor, size, signature.name, signature.key_id.hex(), line + "\n", _now()
            )
