"""Where a replay reads its events: an audit bundle, or the International's own database.

Both give ``Record``s node by node, in log order, streamed page by page (memory stays flat).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from uuid import UUID

from federation.audit.bundle import (
    BundleError,
    Manifest,
    entry_bytes,
    read_bundle,
    read_manifest,
)
from federation.signedlog.entries import EntryError, decode

if TYPE_CHECKING:
    from federation.node.international import InternationalApplication

PAGE = 2000


@dataclass(frozen=True, slots=True)
class Record:
    """One stored event of one node's log, at its position."""

    node: str
    position: int
    originator_id: UUID
    originator_version: int
    topic: str
    state: bytes


class BundleRecords:
    """A bundle's entries as records (checkpoints and cosignatures skipped: ``aidfed audit
    verify`` checks those), node by node in log order; ``of`` and ``besides`` narrow them by
    node (what one process of a parallel replay reads). Each iteration reads the file again,
    streamed."""

    def __init__(
        self,
        path: Path,
        manifest: Manifest,
        only: frozenset[str] | None = None,
        skip: frozenset[str] = frozenset(),
    ) -> None:
        self.path = path
        self.manifest = manifest
        self.only = only
        self.skip = skip

    def of(self, nodes: frozenset[str]) -> BundleRecords:
        """The records of ``nodes`` only."""
        return BundleRecords(self.path, self.manifest, only=nodes)

    def besides(self, nodes: frozenset[str]) -> BundleRecords:
        """The records of every node but ``nodes`` (also of nodes the manifest does not list)."""
        return BundleRecords(self.path, self.manifest, skip=nodes)

    def __iter__(self) -> Iterator[Record]:
        _, records = read_bundle(self.path)
        only, skip = self.only, self.skip
        for record in records:
            if record.get("t") != "entry":
                continue
            node = record.get("node")
            if node in skip or (only is not None and node not in only):
                continue  # another process's: not even decoded
            try:
                entry = decode(entry_bytes(record))
            except (EntryError, ValueError) as error:
                where = f"{node} at position {record.get('position')}"
                raise BundleError(f"{where}: not a canonical entry ({error})") from None
            if entry.node != node:
                # Records are shared out by the node they are filed under: both must agree.
                where = f"{node} at position {record.get('position')}"
                raise BundleError(f"{where}: the entry is of node {entry.node}")
            yield Record(
                entry.node, entry.position, entry.aggregate, entry.version, entry.topic, entry.state
            )


def bundle_records(path: Path) -> tuple[Manifest, BundleRecords]:
    """The bundle's manifest and its entries as records."""
    manifest = read_manifest(path)
    return manifest, BundleRecords(path, manifest)


def live_positions(app: InternationalApplication) -> dict[str, int]:
    """What the live projections include now: per upstream the supervisory projection's
    position, and for the International itself the notification its own records are read to."""
    app.view.catch_up()
    rows = app.db.query(
        "SELECT projection, upstream, position FROM projection_positions "
        "WHERE projection IN (?, ?)",
        ["supervisory", app.view.name],
    )
    own = app.settings.node_id
    return {own if r["upstream"] == "self" else r["upstream"]: int(r["position"]) for r in rows}


def live_records(app: InternationalApplication, upto: dict[str, int]) -> Iterator[Record]:
    """The International's own events and every ingested entry, up to ``upto`` per node."""
    own = app.settings.node_id
    yield from _own(app, upto.get(own, 0))
    for upstream in sorted(n for n in upto if n != own):
        yield from _ingested(app, upstream, upto[upstream])


def _own(app: InternationalApplication, upto: int) -> Iterator[Record]:
    after = 0
    while after < upto:
        page = app.recorder.select_notifications(
            start=after, limit=PAGE, stop=upto, inclusive_of_start=False
        )
        if not page:
            return
        for n in page:
            originator = UUID(str(n.originator_id))
            yield Record(
                app.settings.node_id, n.id, originator, n.originator_version, n.topic, n.state
            )
        after = page[-1].id


def _ingested(app: InternationalApplication, upstream: str, upto: int) -> Iterator[Record]:
    after = 0
    while after < upto:
        rows = app.db.query(
            "SELECT position, originator_id, originator_version, topic, state "
            "FROM ingested_entries WHERE upstream = ? AND position > ? AND position <= ? "
            "ORDER BY position LIMIT ?",
            [upstream, after, upto, PAGE],
        )
        if not rows:
            return
        for r in rows:
            yield Record(
                upstream,
                int(r["position"]),
                UUID(str(r["originator_id"])),
                int(r["originator_version"]),
                str(r["topic"]),
                bytes(r["state"]),
            )
        after = int(rows[-1]["position"])
