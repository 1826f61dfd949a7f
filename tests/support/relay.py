"""Deliver one node's events to another through the ingest door, as federation sync will."""

from __future__ import annotations

from federation.node.base import NodeApplication
from federation.node.ingest import RemoteEntry
from federation.signedlog import merkle
from federation.signedlog.entries import decode


def entries_of(node: NodeApplication, after: int = 0) -> list[RemoteEntry]:
    """The node's log entries after ``after``, as its signed log serves them."""
    entries: list[RemoteEntry] = []
    while page := node.signed_log.entries(after, 1000).entries:
        for served in page:
            e = decode(served.entry)
            leaf = merkle.leaf_hash(served.entry)
            entries.append(RemoteEntry(e.position, e.aggregate, e.version, e.topic, e.state, leaf))
        after = page[-1].position
    return entries


def relay(source: NodeApplication, target: NodeApplication) -> int:
    """Bring ``target`` up to date with ``source``; returns how many entries were new."""
    upstream = source.settings.node_id
    return target.ingestor.ingest(upstream, entries_of(source, target.ingestor.cursor(upstream)))
