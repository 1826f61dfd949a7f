"""Finding an aggregate by id, refused in the domain's words when it is not there."""

from __future__ import annotations

from typing import TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.errors import NotFound
from federation.node.base import NodeApplication

T = TypeVar("T", bound=Aggregate)


def find(app: NodeApplication, cls: type[T], aggregate_id: UUID, code: str, message: str) -> T:
    """The aggregate, or a NotFound carrying ``code`` (e.g. ``agency.not_found``)."""
    try:
        return app.load(cls, aggregate_id, code)
    except NotFound:
        raise NotFound(code, message) from None
