"""Surpluses declared at the end of a period, and where each part was allocated.

The resolution allows a surplus only to expand the campaign: ``exceptions_money`` checks each
allocation's campaign.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from domain.surplus import Surplus
from projections.rows import Add, Put, Table, to_minor
from projections.supervisory.flows import flow
from projections.supervisory.ops import SvOp, ref

SURPLUSES = Table(
    "sv_surpluses",
    {
        "country": "TEXT",
        "surplus_id": "TEXT",
        "period_end": "TEXT",
        "currency": "TEXT",
        "declared_minor": "BIGINT",
        "allocated_minor": "BIGINT",
        "declared_on": "TEXT",
        "declared_ref": "TEXT",
    },
    ("country", "surplus_id"),
)
ALLOCATIONS = Table(
    "sv_surplus_allocations",
    {
        "country": "TEXT",
        "surplus_id": "TEXT",
        "version": "BIGINT",
        "campaign_id": "TEXT",
        "currency": "TEXT",
        "amount_minor": "BIGINT",
        "allocated_on": "TEXT",
        "allocated_by": "TEXT",
        "allocated_ref": "TEXT",
    },
    ("country", "surplus_id", "version"),
)
TABLES = (SURPLUSES, ALLOCATIONS)

Projector = Callable[[str, Any], list[SvOp]]


def _key(country: str, e: Any) -> dict[str, str]:
    return {"country": country, "surplus_id": str(e.originator_id)}


def surplus_declared(country: str, e: Surplus.Declared) -> list[SvOp]:
    row = _key(country, e) | {
        "period_end": e.period_end.isoformat(),
        "currency": e.amount.currency,
        "declared_minor": to_minor(e.amount),
        "allocated_minor": 0,
        "declared_on": e.declared_on.isoformat(),
        "declared_ref": ref(e),
    }
    return [Put(SURPLUSES, row), *flow(country, "surplus_declared", e.amount, e.declared_on)]


def surplus_allocated(country: str, e: Surplus.Allocated) -> list[SvOp]:
    key = _key(country, e)
    row = key | {
        "version": e.originator_version,
        "campaign_id": str(e.campaign_id),
        "currency": e.amount.currency,
        "amount_minor": to_minor(e.amount),
        "allocated_on": e.allocated_on.isoformat(),
        "allocated_by": e.actor.person,
        "allocated_ref": ref(e),
    }
    return [
        Put(ALLOCATIONS, row),
        Add(SURPLUSES, key, {"allocated_minor": to_minor(e.amount)}),
        *flow(country, "surplus_allocated", e.amount, e.allocated_on),
    ]


PROJECTORS: dict[type[Any], Projector] = {
    Surplus.Declared: surplus_declared,
    Surplus.Allocated: surplus_allocated,
}
