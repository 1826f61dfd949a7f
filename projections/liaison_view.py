"""What the liaison has learned of the committees: consultations, nominations, goods, transfers.

A remote projection: it reads the committees' events as they arrive through sync and keeps, per
id, what the liaison's decisions need (the agency consulted, the union named, whether goods were
shipped, whether money was sent). A row names the node it came from, and a later event (a
closure, a shipment) changes a row only when it comes from that same node.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from domain.consultation import Consultation
from domain.procurement import Procurement
from domain.specialist import SpecialistNomination
from domain.transfer import Transfer
from projections.rows import Change, Op, Put, Table, to_minor

CONSULTATIONS = Table(
    "liaison_consultations",
    {
        "consultation_id": "TEXT",
        "upstream": "TEXT",
        "country": "TEXT",
        "reference": "TEXT",
        "purpose": "TEXT",
        "category": "TEXT",
        "agency_id": "TEXT",
        "agency_name": "TEXT",
        "currency": "TEXT",
        "ceiling_minor": "BIGINT",
        "requested_on": "TEXT",
        "closed_on": "TEXT",
    },
    ("consultation_id",),
    indexes=(("agency_id",),),
)
NOMINATIONS = Table(
    "liaison_nominations",
    {
        "nomination_id": "TEXT",
        "upstream": "TEXT",
        "country": "TEXT",
        "reference": "TEXT",
        "person": "TEXT",
        "trade": "TEXT",
        "enterprise": "TEXT",
        "urgency": "TEXT",
        "union_id": "TEXT",
        "union_name": "TEXT",
        "nominated_on": "TEXT",
        "approval_requested_on": "TEXT",
    },
    ("nomination_id",),
)
PROCUREMENTS = Table(
    "liaison_procurements",
    {
        "procurement_id": "TEXT",
        "upstream": "TEXT",
        "country": "TEXT",
        "reference": "TEXT",
        "category": "TEXT",
        "description": "TEXT",
        "supplier": "TEXT",
        "enterprise": "TEXT",
        "agency_id": "TEXT",
        "currency": "TEXT",
        "amount_minor": "BIGINT",
        "committed_on": "TEXT",
        "shipped_on": "TEXT",
        "cancelled_on": "TEXT",
    },
    ("procurement_id",),
)
TRANSFERS = Table(
    "liaison_transfers",
    {
        "transfer_id": "TEXT",
        "upstream": "TEXT",
        "sender": "TEXT",
        "recipient": "TEXT",
        "purpose": "TEXT",
        "currency": "TEXT",
        "amount_minor": "BIGINT",
        "initiated_on": "TEXT",
        "sent_on": "TEXT",
        "cancelled": "INTEGER",
    },
    ("transfer_id",),
)

TABLES = (CONSULTATIONS, NOMINATIONS, PROCUREMENTS, TRANSFERS)


def _key(upstream: str, name: str, event: Any) -> dict[str, str]:
    return {name: str(event.originator_id), "upstream": upstream}


def _consultation_requested(upstream: str, e: Consultation.Requested) -> list[Op]:
    row = {
        **_key(upstream, "consultation_id", e),
        "country": e.country,
        "reference": e.reference,
        "purpose": e.purpose,
        "category": str(e.category),
        "agency_id": str(e.agency_id),
        "agency_name": e.agency_name,
        "currency": e.ceiling.currency,
        "ceiling_minor": to_minor(e.ceiling),
        "requested_on": e.requested_on.isoformat(),
        "closed_on": None,
    }
    return [Put(CONSULTATIONS, row)]


def _consultation_closed(upstream: str, e: Consultation.Closed) -> list[Op]:
    key = _key(upstream, "consultation_id", e)
    return [Change(CONSULTATIONS, key, {"closed_on": e.closed_on.isoformat()})]


def _nominated(upstream: str, e: SpecialistNomination.Nominated) -> list[Op]:
    row = {
        **_key(upstream, "nomination_id", e),
        "country": e.country,
        "reference": e.reference,
        "person": e.person,
        "trade": e.trade,
        "enterprise": e.enterprise,
        "urgency": str(e.urgency),
        "union_id": str(e.union_id),
        "union_name": e.union_name,
        "nominated_on": e.nominated_on.isoformat(),
        "approval_requested_on": None,
    }
    return [Put(NOMINATIONS, row)]


def _approval_requested(upstream: str, e: SpecialistNomination.ApprovalRequested) -> list[Op]:
    key = _key(upstream, "nomination_id", e)
    return [Change(NOMINATIONS, key, {"approval_requested_on": e.requested_on.isoformat()})]


def _committed(upstream: str, e: Procurement.Committed) -> list[Op]:
    row = {
        **_key(upstream, "procurement_id", e),
        "country": e.country,
        "reference": e.reference,
        "category": str(e.category),
        "description": e.description,
        "supplier": e.supplier,
        "enterprise": e.enterprise,
        "agency_id": str(e.agency_id),
        "currency": e.amount.currency,
        "amount_minor": to_minor(e.amount),
        "committed_on": e.committed_on.isoformat(),
        "shipped_on": None,
        "cancelled_on": None,
    }
    return [Put(PROCUREMENTS, row)]


def _shipped(upstream: str, e: Procurement.GoodsShipped) -> list[Op]:
    key = _key(upstream, "procurement_id", e)
    return [Change(PROCUREMENTS, key, {"shipped_on": e.shipped_on.isoformat()})]


def _procurement_cancelled(upstream: str, e: Procurement.Cancelled) -> list[Op]:
    key = _key(upstream, "procurement_id", e)
    return [Change(PROCUREMENTS, key, {"cancelled_on": e.cancelled_on.isoformat()})]


def _transfer_initiated(upstream: str, e: Transfer.Initiated) -> list[Op]:
    row = {
        **_key(upstream, "transfer_id", e),
        "sender": e.sender,
        "recipient": e.recipient,
        "purpose": e.purpose,
        "currency": e.amount.currency,
        "amount_minor": to_minor(e.amount),
        "initiated_on": e.initiated_on.isoformat(),
        "sent_on": None,
        "cancelled": 0,
    }
    return [Put(TRANSFERS, row)]


def _transfer_sent(upstream: str, e: Transfer.Sent) -> list[Op]:
    key = _key(upstream, "transfer_id", e)
    return [Change(TRANSFERS, key, {"sent_on": e.sent_on.isoformat()})]


def _transfer_cancelled(upstream: str, e: Transfer.Cancelled) -> list[Op]:
    return [Change(TRANSFERS, _key(upstream, "transfer_id", e), {"cancelled": 1})]


PROJECTORS: dict[type[Any], Callable[[str, Any], list[Op]]] = {
    Consultation.Requested: _consultation_requested,
    Consultation.Closed: _consultation_closed,
    SpecialistNomination.Nominated: _nominated,
    SpecialistNomination.ApprovalRequested: _approval_requested,
    Procurement.Committed: _committed,
    Procurement.GoodsShipped: _shipped,
    Procurement.Cancelled: _procurement_cancelled,
    Transfer.Initiated: _transfer_initiated,
    Transfer.Sent: _transfer_sent,
    Transfer.Cancelled: _transfer_cancelled,
}


def project(upstream: str, event: object) -> list[Op]:
    """The rows one event of node ``upstream`` makes in the liaison's view (none for most)."""
    projector = PROJECTORS.get(type(event))
    return projector(upstream, event) if projector else []
