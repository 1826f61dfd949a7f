"""Where a replay reads its events: an audit bundle, or the International's own database.

Both give ``Record``s node by node, in log order, streamed page by page (memory stays flat).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple
from uuid import UUID

import orjson

from federation.audit.bundle import (
    BundleError,
    Manifest,
    entry_bytes,
    filed_under,
    read_lines,
    read_manifest,
)
from federation.signedlog.entries import EntryError, decode

if TYPE_CHECKING:
    from federation.node.international import InternationalApplication

PAGE = 2000


class Record(NamedTuple):
    """One stored event of one node's log, at its position (``aggregate``: the originator id
    as text, which the replay's digest and its rows spell out)."""

    node: str
    position: int
    originator_id: UUID
    originator_version: int
    topic: str
    state: bytes
    aggregate: str


# How BundleWriter spells the start of an entry line. A line that starts so names its node in
# the next bytes up to a quote: a process of a parallel replay knows whose line it is without
# parsing it (most of a bundle's lines belong to the other processes).
_ENTRY_START = b'{"t":"entry","node":"'
_NODE_AT = len(_ENTRY_START)


def _filed_under(line: bytes) -> str | None:
    """The node an entry line is filed under, read from its start; None when the line does not
    start as BundleWriter writes it, or spells the node with an escape (then only parsing
    knows)."""
    if not line.startswith(_ENTRY_START):
        return None
    end = line.find(b'"', _NODE_AT)
    if end < 0 or b"\\" in line[_NODE_AT:end]:
        return None
    return line[_NODE_AT:end].decode("utf-8", "replace")


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

    def wanted(self, node: str) -> bool:
        """Whether this share of the bundle holds ``node``'s records."""
        return node not in self.skip and (self.only is None or node in self.only)

    def __iter__(self) -> Iterator[Record]:
        wanted = self.wanted
        for number, member, line in read_lines(self.path, wanted):
            # In a framed bundle the members of other nodes were not even read; in an unframed
            # one, the start of an entry line tells whose it is.
            filed = member if member is not None else _filed_under(line)
            if filed is not None and not wanted(filed):
                continue  # another process's line: not even parsed
            try:
                record = orjson.loads(line)
            except ValueError:
                raise BundleError(f"line {number} of the bundle is not JSON") from None
            if not isinstance(record, dict) or record.get("t") != "entry":
                continue
            node = record.get("node")
            if filed is not None:
                # The one process that owns the line by its member (or its start) must own it
                # parsed too, or no process would replay it.
                filed_under(number, filed, node)
            elif not wanted(str(node)):
                continue
            yield _record(node, record)


def bundle_records(path: Path) -> tuple[Manifest, BundleRecords]:
    """The bundle's manifest and its entries as records."""
    manifest = read_manifest(path)
    return manifest, BundleRecords(path, manifest)


def _record(node: object, record: dict[str, object]) -> Record:
    try:
        entry = decode(entry_bytes(record))
    except (EntryError, ValueError, TypeError, KeyError) as error:
        where = f"{node} at position {record.get('position')}"
        raise BundleError(f"{where}: not a canonical entry ({error})") from None
    if entry.node != node:
        # Records are shared out by the node they are filed under: both must agree.
        where = f"{node} at position {record.get('position')}"
        raise BundleError(f"{where}: the entry is of node {entry.node}")
    aggregate = entry.aggregate
    return Record(
        entry.node,
        entry.position,
        aggregate,
        entry.version,
        entry.topic,
        entry.state,
        str(aggregate),
    )


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
                app.settings.node_id,
                n.id,
                originator,
                n.originator_version,
                n.topic,
                n.state,
                str(originator),
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
            originator = UUID(str(r["originator_id"]))
            yield Record(
                upstream,
                int(r["position"]),
                originator,
                int(r["originator_version"]),
                str(r["topic"]),
                bytes(r["state"]),
                str(originator),
            )
        after = int(rows[-1]["position"])
