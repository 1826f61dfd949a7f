"""Replaying events into a throw-away read model in this process, page by page.

Each page of records is one transaction: the other nodes' entries are noted (so exceptions can
name the events behind them) and projected by the supervisory projection with its own batching
writer, the International's own events are projected into its own records, and the positions
move with them. Pages keep memory flat whatever the size of the history.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import groupby, islice
from typing import Any

from federation.audit.readmodel import ReadModel
from federation.audit.source import Record
from federation.node.ingest import CURSOR
from federation.node.international import InternationalApplication
from federation.node.supervisory_writer import SupervisoryWriter
from federation.persistence.collector import fewer_collections
from federation.persistence.database import Cursor
from federation.persistence.mapper import event_reader
from projections import supervision, supervisory
from projections.audit.moment import Moment

PAGE = 5000


@dataclass(slots=True)
class Covered:
    """How much of one node's log the replay read, how much of it the moment included, and
    the digest of what it read."""

    read: int = 0
    included: int = 0
    last_position: int = 0
    inputs: Any = field(default_factory=hashlib.sha256)

    def line(self, node: str) -> dict[str, Any]:
        return {
            "node": node,
            "read": self.read,
            "included": self.included,
            "last_position": self.last_position,
        }

    def inputs_digest(self) -> str:
        return str(self.inputs if isinstance(self.inputs, str) else self.inputs.hexdigest())


@dataclass(slots=True)
class Replayed:
    """What a replay read and included, node by node."""

    nodes: dict[str, Covered] = field(default_factory=dict)

    @property
    def events(self) -> int:
        return sum(c.included for c in self.nodes.values())

    @property
    def read(self) -> int:
        return sum(c.read for c in self.nodes.values())

    def covered(self) -> list[dict[str, Any]]:
        return [c.line(node) for node, c in sorted(self.nodes.items())]

    def inputs_digest(self) -> str:
        """SHA-256 over each node's digest of the entries read, in node order: the same
        whichever process read which node."""
        lines = "".join(
            f"{n} {c.read} {c.inputs_digest()}\n" for n, c in sorted(self.nodes.items())
        )
        return hashlib.sha256(lines.encode()).hexdigest()


def replay_pages(
    records: Iterable[Record],
    model: ReadModel,
    moment: Moment,
    progress: Callable[[int], None] | None = None,
) -> Replayed:
    """The replay in this process: page after page, one transaction each.

    A page holds one node's records only (as a sync page does). The rows a node's records
    write then depend on that node's records alone, in the same transactions whichever other
    nodes a process replays: a replay shared out among processes ends exactly as one process
    does, even where a result would depend on how records are grouped into transactions.
    """
    app = model.app
    out = Replayed()
    writer = SupervisoryWriter(app.db)
    with fewer_collections():
        for _, records_of_node in groupby(_read(iter(records), out, moment), key=_node):
            while page := list(islice(records_of_node, PAGE)):
                _write(app, writer, page, moment, out)
                if progress is not None:
                    progress(len(page))
    return out


def _node(record: Record) -> str:
    return record.node


def _read(stream: Iterator[Record], out: Replayed, moment: Moment) -> Iterator[Record]:
    for record in stream:
        if moment.stops(record.node, record.position):
            continue  # the rest of this node's log is beyond the moment: not even read
        covered = out.nodes.get(record.node) or out.nodes.setdefault(record.node, Covered())
        covered.read += 1
        inputs = covered.inputs
        inputs.update(
            f"{record.node} {record.position} {record.aggregate} {record.originator_version} "
            f"{record.topic} {len(record.state)}\n".encode()
        )
        inputs.update(record.state)
        yield record


def _write(
    app: InternationalApplication,
    writer: SupervisoryWriter,
    page: list[Record],
    moment: Moment,
    out: Replayed,
) -> None:
    node = page[0].node  # a page holds one node's records
    covered = out.nodes[node]
    covered.last_position = page[-1].position
    # Only a value date or a recording time judges events one by one (the records beyond a
    # per-node size were left unread).
    judge = moment.includes if moment.judges_events() else None
    to_event = event_reader(app.mapper)
    events = ((r, to_event(r.originator_id, r.originator_version, r.topic, r.state)) for r in page)
    included = ((r, e) for r, e in events if judge is None or judge(node, r.position, e))
    db = app.db
    with db.transaction() as cursor:
        writer.reset()
        if node == app.settings.node_id:
            for _, event in included:
                covered.included += 1
                app.view.writer.apply(cursor, supervision.project(event))
            writer.flush(cursor)
            return
        project, apply = app.remote_projectors()[supervisory.NAME], writer.apply
        stored: list[tuple[Any, ...]] = []
        for r, event in included:
            stored.append((node, r.position, r.aggregate, r.originator_version, r.topic))
            apply(cursor, project(node, event))
        covered.included += len(stored)
        writer.flush(cursor)
        if stored:
            # Without the states: the read model's ingested entries only name the events
            # behind its rows (exceptions cite them); the states are in the bundle or the
            # live node, and a third of a replay's writes (and of a parallel replay's merge).
            cursor.executemany(
                db.sql(
                    "INSERT INTO ingested_entries (upstream, position, originator_id, "
                    "originator_version, topic) VALUES (?, ?, ?, ?, ?)"
                ),
                stored,
            )
        _position(app, cursor, node, covered.last_position)


def _position(app: InternationalApplication, cursor: Cursor, node: str, position: int) -> None:
    for projection in (CURSOR, supervisory.NAME):
        cursor.execute(
            app.db.sql(
                "INSERT INTO projection_positions (projection, upstream, position) "
                "VALUES (?, ?, ?) ON CONFLICT (projection, upstream) "
                "DO UPDATE SET position = excluded.position"
            ),
            (projection, node, position),
        )
