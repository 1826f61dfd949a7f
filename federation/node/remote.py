"""Other nodes' aggregates, rebuilt here from their ingested events.

A decision made elsewhere (the liaison's opinion, the International's recognition) reaches this
node as that node's events. Rather than copy decisions into tables of their own, this node
replays the deciding aggregate from those events and asks it, so the decision a rule relies on is
exactly the one the other node signed in its log.
"""

from __future__ import annotations

from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import StoredEvent

from federation.persistence.database import Database

T = TypeVar("T", bound=Aggregate)


class RemoteAggregates:
    """Read access to the aggregates of the upstream nodes this node has ingested."""

    def __init__(self, app: Application[Any], db: Database) -> None:
        self.app = app
        self.db = db

    def get(self, cls: type[T], aggregate_id: UUID, upstream: str) -> T | None:
        """The aggregate as ``upstream`` last recorded it, or None if nothing has arrived."""
        rows = self.db.query(
            "SELECT originator_version, topic, state FROM ingested_entries "
            "WHERE originator_id = ? AND upstream = ? ORDER BY originator_version",
            [str(aggregate_id), upstream],
        )
        aggregate: Any = None
        for row in rows:
            stored = StoredEvent(
                aggregate_id, row["originator_version"], row["topic"], bytes(row["state"])
            )
            event: Any = self.app.mapper.to_domain_event(stored)
            aggregate = event.mutate(aggregate)
        return aggregate if isinstance(aggregate, cls) else None
