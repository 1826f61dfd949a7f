"""What the liaison records for the Russian agencies, as the International keeps it.

Keyed by the recording upstream and the decision's id: the rules trust only rows whose upstream
is the liaison's node. Every version of an opinion is kept, with the date it took effect.
"""

from __future__ import annotations

from typing import Any

from domain.agency import RussianAgency
from domain.liaison import (
    ConsultationOpinion,
    Enterprise,
    GoodsDelivery,
    TransferReceipt,
    UnionApprovalDecision,
)
from projections.rows import Add, Change, Put, Table, to_minor
from projections.supervisory.ops import SvOp, ref

AGENCIES = Table(
    "sv_agencies",
    {
        "upstream": "TEXT",
        "agency_id": "TEXT",
        "code": "TEXT",
        "name": "TEXT",
        "kind": "TEXT",
        "parent_id": "TEXT",
        "registered_on": "TEXT",
        "deregistered_on": "TEXT",
    },
    ("upstream", "agency_id"),
)
OPINIONS = Table(
    "sv_opinions",
    {
        "upstream": "TEXT",
        "opinion_id": "TEXT",
        "consultation_id": "TEXT",
        "agency_id": "TEXT",
        "verdict": "TEXT",
        "conditions": "TEXT",
        "valid_until": "TEXT",
        "recorded_on": "TEXT",
        "first_recorded_on": "TEXT",
        "ceiling_currency": "TEXT",
        "ceiling_minor": "BIGINT",
        "notes": "TEXT",
        "revisions": "BIGINT",
        "withdrawn_on": "TEXT",
        "withdrawal_reason": "TEXT",
    },
    ("upstream", "opinion_id"),
    indexes=(("consultation_id",),),
)
OPINION_VERSIONS = Table(
    "sv_opinion_versions",
    {
        "upstream": "TEXT",
        "opinion_id": "TEXT",
        "version": "BIGINT",
        "verdict": "TEXT",
        "conditions": "TEXT",
        "valid_until": "TEXT",
        "recorded_on": "TEXT",
        "ceiling_currency": "TEXT",
        "ceiling_minor": "BIGINT",
        "recorded_ref": "TEXT",
    },
    ("upstream", "opinion_id", "version"),
)
UNION_DECISIONS = Table(
    "sv_union_decisions",
    {
        "upstream": "TEXT",
        "decision_id": "TEXT",
        "nomination_id": "TEXT",
        "union_id": "TEXT",
        "approved": "BIGINT",
        "reason": "TEXT",
        "decided_on": "TEXT",
        "decided_ref": "TEXT",
    },
    ("upstream", "decision_id"),
    indexes=(("nomination_id",),),
)
DELIVERIES = Table(
    "sv_deliveries",
    {
        "upstream": "TEXT",
        "delivery_id": "TEXT",
        "procurement_id": "TEXT",
        "enterprise": "TEXT",
        "delivered_on": "TEXT",
        "confirmed_on": "TEXT",
    },
    ("upstream", "delivery_id"),
    indexes=(("procurement_id",),),
)
ENTERPRISES = Table(
    "sv_enterprises",
    {
        "upstream": "TEXT",
        "enterprise_id": "TEXT",
        "name": "TEXT",
        "procurements": "BIGINT",
        "in_production_on": "TEXT",
        "reported_ref": "TEXT",
    },
    ("upstream", "enterprise_id"),
)
ENTERPRISE_PROCUREMENTS = Table(
    "sv_enterprise_procurements",
    {"upstream": "TEXT", "enterprise_id": "TEXT", "procurement_id": "TEXT"},
    ("upstream", "enterprise_id", "procurement_id"),
)
TRANSFER_RECEIPTS = Table(
    "sv_transfer_receipts",
    {
        "upstream": "TEXT",
        "receipt_id": "TEXT",
        "transfer_id": "TEXT",
        "receiver": "TEXT",
        "currency": "TEXT",
        "received_minor": "BIGINT",
        "confirmed_on": "TEXT",
    },
    ("upstream", "receipt_id"),
    indexes=(("transfer_id",),),
)
TABLES = (
    AGENCIES,
    OPINIONS,
    OPINION_VERSIONS,
    UNION_DECISIONS,
    DELIVERIES,
    ENTERPRISES,
    ENTERPRISE_PROCUREMENTS,
    TRANSFER_RECEIPTS,
)


def _key(upstream: str, name: str, e: Any) -> dict[str, str]:
    return {"upstream": upstream, name: str(e.originator_id)}


def agency_registered(upstream: str, e: RussianAgency.Registered) -> list[SvOp]:
    row = _key(upstream, "agency_id", e) | {
        "code": e.code,
        "name": e.name,
        "kind": str(e.kind),
        "parent_id": str(e.parent_id) if e.parent_id else None,
        "registered_on": e.registered_on.isoformat(),
        "deregistered_on": None,
    }
    return [Put(AGENCIES, row)]


def agency_deregistered(upstream: str, e: RussianAgency.Deregistered) -> list[SvOp]:
    values = {"deregistered_on": e.deregistered_on.isoformat()}
    return [Change(AGENCIES, _key(upstream, "agency_id", e), values)]


def _opinion_terms(e: Any) -> dict[str, Any]:
    return {
        "verdict": str(e.verdict),
        "conditions": e.conditions,
        "valid_until": e.valid_until.isoformat(),
        "recorded_on": e.recorded_on.isoformat(),
        "ceiling_currency": e.ceiling.currency if e.ceiling else None,
        "ceiling_minor": to_minor(e.ceiling) if e.ceiling else None,
    }


def _version(upstream: str, e: Any) -> Put:
    row = _key(upstream, "opinion_id", e) | {"version": e.originator_version}
    return Put(OPINION_VERSIONS, row | _opinion_terms(e) | {"recorded_ref": ref(e)})


def opinion_recorded(upstream: str, e: ConsultationOpinion.Recorded) -> list[SvOp]:
    row = _key(upstream, "opinion_id", e) | {
        "consultation_id": str(e.consultation_id),
        "agency_id": str(e.agency_id),
        **_opinion_terms(e),
        "first_recorded_on": e.recorded_on.isoformat(),
        "notes": e.notes,
        "revisions": 0,
        "withdrawn_on": None,
        "withdrawal_reason": None,
    }
    return [Put(OPINIONS, row), _version(upstream, e)]


def opinion_revised(upstream: str, e: ConsultationOpinion.Revised) -> list[SvOp]:
    key = _key(upstream, "opinion_id", e)
    return [
        Change(OPINIONS, key, _opinion_terms(e) | {"notes": e.notes}),
        Add(OPINIONS, key, {"revisions": 1}),
        _version(upstream, e),
    ]


def opinion_withdrawn(upstream: str, e: ConsultationOpinion.Withdrawn) -> list[SvOp]:
    values = {"withdrawn_on": e.withdrawn_on.isoformat(), "withdrawal_reason": e.reason}
    return [Change(OPINIONS, _key(upstream, "opinion_id", e), values)]


def union_decided(
    upstream: str, e: UnionApprovalDecision.Granted | UnionApprovalDecision.Refused
) -> list[SvOp]:
    row = _key(upstream, "decision_id", e) | {
        "nomination_id": str(e.nomination_id),
        "union_id": str(e.union_id),
        "approved": 1 if isinstance(e, UnionApprovalDecision.Granted) else 0,
        "reason": e.reason,
        "decided_on": e.decided_on.isoformat(),
        "decided_ref": ref(e),
    }
    return [Put(UNION_DECISIONS, row)]


def delivery_confirmed(upstream: str, e: GoodsDelivery.Confirmed) -> list[SvOp]:
    row = _key(upstream, "delivery_id", e) | {
        "procurement_id": str(e.procurement_id),
        "enterprise": e.enterprise,
        "delivered_on": e.delivered_on.isoformat(),
        "confirmed_on": e.confirmed_on.isoformat(),
    }
    return [Put(DELIVERIES, row)]


def enterprise_in_production(upstream: str, e: Enterprise.BroughtIntoProduction) -> list[SvOp]:
    key = _key(upstream, "enterprise_id", e)
    row = key | {
        "name": e.name,
        "procurements": len(e.procurement_ids),
        "in_production_on": e.in_production_on.isoformat(),
        "reported_ref": ref(e),
    }
    links = [
        Put(ENTERPRISE_PROCUREMENTS, key | {"procurement_id": str(p)}) for p in e.procurement_ids
    ]
    return [Put(ENTERPRISES, row), *links]


def transfer_receipt_confirmed(upstream: str, e: TransferReceipt.Confirmed) -> list[SvOp]:
    row = _key(upstream, "receipt_id", e) | {
        "transfer_id": str(e.transfer_id),
        "receiver": e.receiver,
        "currency": e.received.currency,
        "received_minor": to_minor(e.received),
        "confirmed_on": e.confirmed_on.isoformat(),
    }
    return [Put(TRANSFER_RECEIPTS, row)]
