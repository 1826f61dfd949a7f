"""The International's supervisory view over the ingested events of every node.

A remote projection: ``Projector(international)(upstream, event)`` is a pure function from one
event of node ``upstream`` to row operations (``projections.rows`` and ``ops``). For a committee's
events the country is its node id (the upstream), so no node can write another's rows.

Modules by topic: ``flows`` (the measures and the boundary), ``money`` (receipts, pledges),
``loans``, ``surplus``, ``transfers``, ``committees`` (committees, delegates, campaigns, period
reports), ``resolution`` and ``liaison`` (consultations, opinions, procurement, enterprises),
``specialists``,
``consultations`` (the records per agency and their coverage), ``exceptions`` (the compliance
rules), ``convert`` (reporting currency at the dated rates), ``queries`` (SQL of the answers).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from projections.rows import Table
from projections.supervisory import (
    committees,
    flows,
    loans,
    money,
    resolution,
    specialists,
    surplus,
    transfers,
)
from projections.supervisory.ops import SvOp

NAME = "supervisory"

TABLES: tuple[Table, ...] = (
    *flows.TABLES,
    *money.TABLES,
    *loans.TABLES,
    *surplus.TABLES,
    *transfers.TABLES,
    *committees.TABLES,
    *resolution.TABLES,
    *specialists.TABLES,
)

# Tables SQLite keeps as their key's B-tree (small rows read by key ranges): no rowid, no lookup.
CLUSTERED = frozenset({"sv_flows"})

# Indexes of only the rows that have the column (portable to SQLite and PostgreSQL).
PARTIAL_INDEXES = (
    "CREATE INDEX IF NOT EXISTS ix_sv_receipts_pledge_id ON sv_receipts (pledge_id) "
    "WHERE pledge_id IS NOT NULL",
)


class Projector:
    """The supervisory projection of one event of one upstream; configured with INTL's node id.

    The International's id decides which transfers are internal to the federation.
    """

    def __init__(self, international: str = "INTL") -> None:
        self.international = international
        self.projectors: dict[type[Any], Callable[[str, Any], list[SvOp]]] = {
            **money.PROJECTORS,
            **loans.PROJECTORS,
            **surplus.PROJECTORS,
            **transfers.projectors(international),
            **committees.PROJECTORS,
            **resolution.PROJECTORS,
            **specialists.PROJECTORS,
        }

    def __call__(self, upstream: str, event: object) -> list[SvOp]:
        """The row operations of ``event`` from node ``upstream`` (none for events not kept)."""
        projector = self.projectors.get(type(event))
        return projector(upstream, event) if projector else []


__all__ = ["CLUSTERED", "NAME", "PARTIAL_INDEXES", "TABLES", "Projector"]
