"""The resolution's work as the International sees it, from the committees and from the liaison.

From the committees: consultations and procurement (with totals by category and agency);
specialists are in ``specialists``.
From the liaison: the agencies, their opinions (every revision kept: a commitment relied on the
opinion in force on its date), unions' decisions, deliveries, enterprises, receipts of transfers.
Rows of the liaison's decisions name the upstream that recorded them: only the liaison's count,
and the rules check that (a committee writing "opinions" into its own log proves nothing).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from domain.agency import RussianAgency
from domain.consultation import Consultation
from domain.liaison import (
    ConsultationOpinion,
    Enterprise,
    GoodsDelivery,
    TransferReceipt,
    UnionApprovalDecision,
)
from domain.procurement import Procurement
from projections.rows import Add, Change, Put, Table, to_minor
from projections.supervisory import liaison
from projections.supervisory.flows import flow
from projections.supervisory.ops import AddFrom, SvOp, Value, ref

CONSULTATIONS = Table(
    "sv_consultations",
    {
        "country": "TEXT",
        "consultation_id": "TEXT",
        "reference": "TEXT",
        "purpose": "TEXT",
        "category": "TEXT",
        "agency_id": "TEXT",
        "agency_name": "TEXT",
        "currency": "TEXT",
        "ceiling_minor": "BIGINT",
        "requested_on": "TEXT",
        "closed_on": "TEXT",
        "requested_ref": "TEXT",
    },
    ("country", "consultation_id"),
    indexes=(("agency_id", "requested_on"), ("requested_on",)),
)
PROCUREMENTS = Table(
    "sv_procurements",
    {
        "country": "TEXT",
        "procurement_id": "TEXT",
        "reference": "TEXT",
        "consultation_id": "TEXT",
        "category": "TEXT",
        "description": "TEXT",
        "supplier": "TEXT",
        "enterprise": "TEXT",
        "agency_id": "TEXT",
        "currency": "TEXT",
        "amount_minor": "BIGINT",
        "paid_minor": "BIGINT",
        "status": "TEXT",
        "committed_on": "TEXT",
        "committed_by": "TEXT",
        "claimed_verdict": "TEXT",
        "shipped_on": "TEXT",
        "delivered_on": "TEXT",
        "in_production_on": "TEXT",
        "cancelled_on": "TEXT",
        "committed_ref": "TEXT",
    },
    ("country", "procurement_id"),
    indexes=(
        ("consultation_id",),
        ("agency_id", "committed_on"),
        ("category", "committed_on"),
        ("committed_on",),
    ),
)
PROCUREMENT_TOTALS = Table(
    "sv_procurement_totals",
    {
        "country": "TEXT",
        "currency": "TEXT",
        "category": "TEXT",
        "agency_id": "TEXT",
        "procurements": "BIGINT",
        "committed_minor": "BIGINT",
        "paid_minor": "BIGINT",
    },
    ("country", "currency", "category", "agency_id"),
)
TABLES = (CONSULTATIONS, PROCUREMENTS, PROCUREMENT_TOTALS, *liaison.TABLES)

Projector = Callable[[str, Any], list[SvOp]]


def _id(e: Any) -> str:
    return str(e.originator_id)


def consultation_requested(country: str, e: Consultation.Requested) -> list[SvOp]:
    row = {
        "country": country,
        "consultation_id": _id(e),
        "reference": e.reference,
        "purpose": e.purpose,
        "category": str(e.category),
        "agency_id": str(e.agency_id),
        "agency_name": e.agency_name,
        "currency": e.ceiling.currency,
        "ceiling_minor": to_minor(e.ceiling),
        "requested_on": e.requested_on.isoformat(),
        "closed_on": None,
        "requested_ref": ref(e),
    }
    return [Put(CONSULTATIONS, row)]


def consultation_closed(country: str, e: Consultation.Closed) -> list[SvOp]:
    key = {"country": country, "consultation_id": _id(e)}
    return [Change(CONSULTATIONS, key, {"closed_on": e.closed_on.isoformat()})]


def _procurement_key(country: str, e: Any) -> dict[str, str]:
    return {"country": country, "procurement_id": _id(e)}


def committed(country: str, e: Procurement.Committed) -> list[SvOp]:
    row = _procurement_key(country, e) | {
        "reference": e.reference,
        "consultation_id": str(e.consultation_id),
        "category": str(e.category),
        "description": e.description,
        "supplier": e.supplier,
        "enterprise": e.enterprise,
        "agency_id": str(e.agency_id),
        "currency": e.amount.currency,
        "amount_minor": to_minor(e.amount),
        "paid_minor": 0,
        "status": "committed",
        "committed_on": e.committed_on.isoformat(),
        "committed_by": e.actor.person,
        "claimed_verdict": str(e.opinion.verdict),
        "shipped_on": None,
        "delivered_on": None,
        "in_production_on": None,
        "cancelled_on": None,
        "committed_ref": ref(e),
    }
    totals = {k: row[k] for k in ("country", "currency", "category", "agency_id")}
    amounts = {"procurements": 1, "committed_minor": to_minor(e.amount), "paid_minor": 0}
    return [Put(PROCUREMENTS, row), Add(PROCUREMENT_TOTALS, totals, amounts)]


def _totals_from(key: dict[str, str], amounts: dict[str, Any], guard: str = "") -> AddFrom:
    columns = {c: c for c in ("country", "currency", "category", "agency_id")}
    return AddFrom(PROCUREMENT_TOTALS, PROCUREMENTS, key, dict(columns), amounts, guard)


def paid(country: str, e: Procurement.Paid) -> list[SvOp]:
    key, minor = _procurement_key(country, e), to_minor(e.amount)
    return [
        _totals_from(key, {"paid_minor": Value(minor)}),
        Add(PROCUREMENTS, key, {"paid_minor": minor}),
        *flow(country, "spent_procurement", e.amount, e.paid_on),
    ]


def procurement_cancelled(country: str, e: Procurement.Cancelled) -> list[SvOp]:
    key = _procurement_key(country, e)
    undo = {"procurements": "-1", "committed_minor": "-amount_minor"}
    values = {"status": "cancelled", "cancelled_on": e.cancelled_on.isoformat()}
    return [_totals_from(key, undo, "status <> 'cancelled'"), Change(PROCUREMENTS, key, values)]


def shipped(country: str, e: Procurement.GoodsShipped) -> list[SvOp]:
    values = {"status": "shipped", "shipped_on": e.shipped_on.isoformat()}
    return [Change(PROCUREMENTS, _procurement_key(country, e), values)]


def delivery_noted(country: str, e: Procurement.DeliveryNoted) -> list[SvOp]:
    values = {"status": "delivered", "delivered_on": e.confirmation.delivered_on.isoformat()}
    return [Change(PROCUREMENTS, _procurement_key(country, e), values)]


def production_noted(country: str, e: Procurement.ProductionNoted) -> list[SvOp]:
    day = e.report.in_production_on.isoformat()
    values = {"status": "in_production", "in_production_on": day}
    return [Change(PROCUREMENTS, _procurement_key(country, e), values)]


PROJECTORS: dict[type[Any], Projector] = {
    Consultation.Requested: consultation_requested,
    Consultation.Closed: consultation_closed,
    Procurement.Committed: committed,
    Procurement.GoodsShipped: shipped,
    Procurement.DeliveryNoted: delivery_noted,
    Procurement.Paid: paid,
    Procurement.ProductionNoted: production_noted,
    Procurement.Cancelled: procurement_cancelled,
    RussianAgency.Registered: liaison.agency_registered,
    RussianAgency.Deregistered: liaison.agency_deregistered,
    ConsultationOpinion.Recorded: liaison.opinion_recorded,
    ConsultationOpinion.Revised: liaison.opinion_revised,
    ConsultationOpinion.Withdrawn: liaison.opinion_withdrawn,
    UnionApprovalDecision.Granted: liaison.union_decided,
    UnionApprovalDecision.Refused: liaison.union_decided,
    GoodsDelivery.Confirmed: liaison.delivery_confirmed,
    Enterprise.BroughtIntoProduction: liaison.enterprise_in_production,
    TransferReceipt.Confirmed: liaison.transfer_receipt_confirmed,
}
