"""The liaison's own records: the agencies it keeps and every decision it recorded for them."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from domain.agency import RussianAgency
from domain.liaison import (
    ConsultationOpinion,
    Enterprise,
    GoodsDelivery,
    TransferReceipt,
    UnionApprovalDecision,
)
from domain.money import Money
from projections.rows import Add, Change, Op, Put, Table, to_minor

AGENCIES = Table(
    "liaison_agencies",
    {
        "agency_id": "TEXT",
        "code": "TEXT",
        "name": "TEXT",
        "kind": "TEXT",
        "parent_id": "TEXT",
        "registered_on": "TEXT",
        "deregistered_on": "TEXT",
        "deregistration_reason": "TEXT",
    },
    ("agency_id",),
)
OPINIONS = Table(
    "liaison_opinions",
    {
        "opinion_id": "TEXT",
        "consultation_id": "TEXT",
        "agency_id": "TEXT",
        "verdict": "TEXT",
        "conditions": "TEXT",
        "valid_until": "TEXT",
        "recorded_on": "TEXT",
        "currency": "TEXT",
        "ceiling_minor": "BIGINT",
        "notes": "TEXT",
        "revisions": "INTEGER",
        "recorded_by": "TEXT",
        "withdrawn_on": "TEXT",
        "withdrawal_reason": "TEXT",
    },
    ("opinion_id",),
    indexes=(("consultation_id",),),
)
UNION_DECISIONS = Table(
    "liaison_union_decisions",
    {
        "decision_id": "TEXT",
        "nomination_id": "TEXT",
        "union_id": "TEXT",
        "decision": "TEXT",
        "reason": "TEXT",
        "decided_on": "TEXT",
        "decided_by": "TEXT",
    },
    ("decision_id",),
    indexes=(("nomination_id",),),
)
DELIVERIES = Table(
    "liaison_deliveries",
    {
        "delivery_id": "TEXT",
        "procurement_id": "TEXT",
        "enterprise": "TEXT",
        "delivered_on": "TEXT",
        "confirmed_on": "TEXT",
        "notes": "TEXT",
        "confirmed_by": "TEXT",
    },
    ("delivery_id",),
    indexes=(("procurement_id",),),
)
TRANSFER_RECEIPTS = Table(
    "liaison_transfer_receipts",
    {
        "receipt_id": "TEXT",
        "transfer_id": "TEXT",
        "receiver": "TEXT",
        "currency": "TEXT",
        "received_minor": "BIGINT",
        "confirmed_on": "TEXT",
        "confirmed_by": "TEXT",
    },
    ("receipt_id",),
    indexes=(("transfer_id",),),
)
ENTERPRISES = Table(
    "liaison_enterprises",
    {
        "enterprise_id": "TEXT",
        "name": "TEXT",
        "procurement_ids": "TEXT",
        "in_production_on": "TEXT",
        "reported_by": "TEXT",
    },
    ("enterprise_id",),
)
# One row per procurement that equipped an enterprise, to find a procurement's enterprise.
EQUIPPED_BY = Table(
    "liaison_enterprise_procurements",
    {"procurement_id": "TEXT", "enterprise_id": "TEXT"},
    ("procurement_id", "enterprise_id"),
)

TABLES = (
    AGENCIES,
    OPINIONS,
    UNION_DECISIONS,
    DELIVERIES,
    TRANSFER_RECEIPTS,
    ENTERPRISES,
    EQUIPPED_BY,
)


def _agency_registered(e: RussianAgency.Registered) -> list[Op]:
    row = {
        "agency_id": str(e.originator_id),
        "code": e.code,
        "name": e.name,
        "kind": str(e.kind),
        "parent_id": str(e.parent_id) if e.parent_id else None,
        "registered_on": e.registered_on.isoformat(),
        "deregistered_on": None,
        "deregistration_reason": None,
    }
    return [Put(AGENCIES, row)]


def _agency_deregistered(e: RussianAgency.Deregistered) -> list[Op]:
    values = {"deregistered_on": e.deregistered_on.isoformat(), "deregistration_reason": e.reason}
    return [Change(AGENCIES, {"agency_id": str(e.originator_id)}, values)]


def _ceiling(ceiling: Money | None) -> dict[str, Any]:
    if ceiling is None:
        return {"currency": None, "ceiling_minor": None}
    return {"currency": ceiling.currency, "ceiling_minor": to_minor(ceiling)}


def _opinion_terms(e: ConsultationOpinion.Recorded | ConsultationOpinion.Revised) -> dict[str, Any]:
    return {
        "verdict": str(e.verdict),
        "conditions": e.conditions,
        "valid_until": e.valid_until.isoformat(),
        "recorded_on": e.recorded_on.isoformat(),
        **_ceiling(e.ceiling),
        "notes": e.notes,
        "recorded_by": e.actor.person,
    }


def _opinion_recorded(e: ConsultationOpinion.Recorded) -> list[Op]:
    row = {
        "opinion_id": str(e.originator_id),
        "consultation_id": str(e.consultation_id),
        "agency_id": str(e.agency_id),
        **_opinion_terms(e),
        "revisions": 0,
        "withdrawn_on": None,
        "withdrawal_reason": None,
    }
    return [Put(OPINIONS, row)]


def _opinion_revised(e: ConsultationOpinion.Revised) -> list[Op]:
    key = {"opinion_id": str(e.originator_id)}
    return [Change(OPINIONS, key, _opinion_terms(e)), Add(OPINIONS, key, {"revisions": 1})]


def _opinion_withdrawn(e: ConsultationOpinion.Withdrawn) -> list[Op]:
    values = {"withdrawn_on": e.withdrawn_on.isoformat(), "withdrawal_reason": e.reason}
    return [Change(OPINIONS, {"opinion_id": str(e.originator_id)}, values)]


def _union_decision(decision: str) -> Callable[[Any], list[Op]]:
    def project(e: UnionApprovalDecision.Granted | UnionApprovalDecision.Refused) -> list[Op]:
        row = {
            "decision_id": str(e.originator_id),
            "nomination_id": str(e.nomination_id),
            "union_id": str(e.union_id),
            "decision": decision,
            "reason": e.reason,
            "decided_on": e.decided_on.isoformat(),
            "decided_by": e.actor.person,
        }
        return [Put(UNION_DECISIONS, row)]

    return project


def _delivery_confirmed(e: GoodsDelivery.Confirmed) -> list[Op]:
    row = {
        "delivery_id": str(e.originator_id),
        "procurement_id": str(e.procurement_id),
        "enterprise": e.enterprise,
        "delivered_on": e.delivered_on.isoformat(),
        "confirmed_on": e.confirmed_on.isoformat(),
        "notes": e.notes,
        "confirmed_by": e.actor.person,
    }
    return [Put(DELIVERIES, row)]


def _receipt_confirmed(e: TransferReceipt.Confirmed) -> list[Op]:
    row = {
        "receipt_id": str(e.originator_id),
        "transfer_id": str(e.transfer_id),
        "receiver": e.receiver,
        "currency": e.received.currency,
        "received_minor": to_minor(e.received),
        "confirmed_on": e.confirmed_on.isoformat(),
        "confirmed_by": e.actor.person,
    }
    return [Put(TRANSFER_RECEIPTS, row)]


def _in_production(e: Enterprise.BroughtIntoProduction) -> list[Op]:
    enterprise_id = str(e.originator_id)
    procurements = [str(p) for p in e.procurement_ids]
    row = {
        "enterprise_id": enterprise_id,
        "name": e.name,
        "procurement_ids": json.dumps(procurements),
        "in_production_on": e.in_production_on.isoformat(),
        "reported_by": e.actor.person,
    }
    equipped = [
        Put(EQUIPPED_BY, {"procurement_id": p, "enterprise_id": enterprise_id})
        for p in procurements
    ]
    return [Put(ENTERPRISES, row), *equipped]


PROJECTORS: dict[type[Any], Callable[[Any], list[Op]]] = {
    RussianAgency.Registered: _agency_registered,
    RussianAgency.Deregistered: _agency_deregistered,
    ConsultationOpinion.Recorded: _opinion_recorded,
    ConsultationOpinion.Revised: _opinion_revised,
    ConsultationOpinion.Withdrawn: _opinion_withdrawn,
    UnionApprovalDecision.Granted: _union_decision("granted"),
    UnionApprovalDecision.Refused: _union_decision("refused"),
    GoodsDelivery.Confirmed: _delivery_confirmed,
    TransferReceipt.Confirmed: _receipt_confirmed,
    Enterprise.BroughtIntoProduction: _in_production,
}


def project(event: object) -> list[Op]:
    """The rows one of the liaison's own events makes in its records."""
    projector = PROJECTORS.get(type(event))
    return projector(event) if projector else []
