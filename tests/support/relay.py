"""Deliver one node's events to another through the ingest door, as federation sync will."""

from __future__ import annotations

from uuid import UUID

from federation.node.base import NodeApplication
from federation.node.ingest import RemoteEntry


def entries_of(node: NodeApplication, after: int = 0) -> list[RemoteEntry]:
    """The node's log entries after ``after``, by dense log position."""
    rows = node.db.query(
        "SELECT position, notification_id FROM log_positions WHERE position > ? ORDER BY position",
        [after],
    )
    entries = []
    for row in rows:
        [n] = node.recorder.select_notifications(start=row["notification_id"], limit=1)
        entries.append(
            RemoteEntry(
                row["position"], UUID(str(n.originator_id)), n.originator_version, n.topic, n.state
            )
        )
    return entries


def relay(source: NodeApplication, target: NodeApplication) -> int:
    """Bring ``target`` up to date with ``source``; returns how many entries were new."""
    upstream = source.settings.node_id
    return target.ingestor.ingest(upstream, entries_of(source, target.ingestor.cursor(upstream)))
