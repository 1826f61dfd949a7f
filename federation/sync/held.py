"""What a follower holds of one upstream, as verifying a page against it needs.

The leaf hash of an entry held (stored, or in a verified page not yet applied), the root of the
first entries held, and — when the entries served contradict those held — the proof that decides
between a fork and damage on the way: the upstream's whole log, re-read up to its signed root.
"""

from __future__ import annotations

from collections.abc import Callable

from federation.node.base import NodeApplication
from federation.signedlog import merkle
from federation.signedlog.entries import EntryBuilder
from federation.sync.client import FeedClient, ServedPage
from federation.sync.peers import Peer
from federation.sync.state import FollowerState
from federation.sync.verify import (
    ForkSuspected,
    PageRejected,
    UnprovenFork,
    Verified,
    open_signed,
    remote_entry,
)


class HeldEntries:
    """The entries of ``peer`` held by ``app``, read for verification."""

    def __init__(
        self, app: NodeApplication, peer: Peer, client: FeedClient, page_size: int
    ) -> None:
        self.app = app
        self.peer = peer
        self.upstream = peer.node_id
        self.client = client
        self.page_size = page_size
        self.builder = EntryBuilder(peer.node_id)

    def leaf(self, position: int) -> bytes:
        """The leaf hash of the entry held at ``position`` (stored)."""
        rows = self.app.db.query(
            "SELECT originator_id, originator_version, topic, state FROM ingested_entries "
            "WHERE upstream = ? AND position = ?",
            [self.upstream, position],
        )
        if not rows:
            raise PageRejected(f"entry {position} is not held here")
        row = rows[0]
        entry = self.builder(
            position,
            row["originator_id"],
            row["originator_version"],
            row["topic"],
            bytes(row["state"]),
        )
        return merkle.leaf_hash(entry)

    def root(self, size: int, held: list[Verified]) -> bytes:
        """The root of the first ``size`` entries held: stored (from their kept leaf hashes),
        then those of the verified pages not yet applied."""
        tree = merkle.CompactRange()
        with self.app.db.reading() as cursor:
            cursor.execute(
                self.app.db.sql(
                    "SELECT position, leaf FROM ingested_entries "
                    "WHERE upstream = ? AND position <= ? ORDER BY position"
                ),
                (self.upstream, size),
            )
            for row in cursor.fetchall():
                leaf = row["leaf"]
                tree.extend([bytes(leaf) if leaf else self.leaf(int(row["position"]))])
        for entry in (e for v in held for e in v.entries if tree.size < e.position <= size):
            tree.extend([entry.leaf or self.leaf(entry.position)])
        return tree.root()

    def prove_fork(self, state: FollowerState, page: ServedPage, fork: UnprovenFork) -> None:
        """Re-read the upstream's log up to the served checkpoint: a fork only if its own entries
        add up to the root it signed and differ from those held; else the page was damaged."""
        signed = open_signed(page.checkpoint, self.peer.verifier)
        held = merkle.CompactRange.from_bytes(state.compact) if state.compact else None
        tree, prefix, after = merkle.CompactRange(), None, 0
        for _ in range(signed.size // self.page_size + 2):  # bounded: pages of the signed tree
            if after >= signed.size:
                break
            served = self.client.entries(after, min(self.page_size, signed.size - after))
            if not served.entries:
                break
            for item in served.entries:
                entry = remote_entry(self.upstream, after + 1, item.entry)
                tree.extend([merkle.leaf_hash(item.entry)])
                after = entry.position
                prefix = tree.root() if after == state.size else prefix
        if after != signed.size or tree.root() != signed.root:
            raise PageRejected(
                f"{fork}; re-read in full, the upstream's entries do not add up to its signed "
                "root either: the answers were damaged on the way"
            )
        if held is None or prefix == held.root():
            raise PageRejected(f"{fork}; re-read in full, the upstream's log extends what is held")
        raise ForkSuspected(
            f"{fork}: proven, the upstream's own entries 1..{signed.size} add up to its signed "
            f"root and differ from the {state.size} held"
        )


def also_in(held: list[Verified], stored: Callable[[int], bytes]) -> Callable[[int], bytes]:
    """The leaf hash of a position held here: among the held pages, or else stored.

    Asked only for a page that overlaps what is held, so rarely: nothing is built before.
    """

    leaves: dict[int, bytes | None] = {}

    def leaf(position: int) -> bytes:
        if not leaves:
            leaves.update((e.position, e.leaf) for v in held for e in v.entries)
        found = leaves.get(position)
        return found if found is not None else stored(position)

    return leaf
