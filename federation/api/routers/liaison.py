"""The liaison's commands and queries: the agencies' registry and what they decided.

The liaison officer registers agencies and records opinions and confirmations; a union
representative records a union's decision on a specialist. A decision on something that has not
reached the liaison from its committee yet is refused with 409 and a code naming what is missing.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query

from domain.agency import AgencyKind
from domain.decisions import OpinionVerdict
from federation.api import schemas_liaison as s
from federation.api.deps import ActorDep, IdempotencyKey, context, get_app
from federation.api.errors import ERROR_RESPONSES
from federation.api.routers.committee import Limit, Offset
from federation.api.schemas import CommandResult, Page
from federation.node.liaison import LiaisonApplication

AppDep = Annotated[LiaisonApplication, Depends(get_app)]
router = APIRouter(prefix="/v1", responses=ERROR_RESPONSES)
CREATED: dict[str, Any] = {"status_code": 201, "response_model": CommandResult}
DONE: dict[str, Any] = {"response_model": CommandResult}
Code = Annotated[str | None, Query(description="an agency's code, e.g. NARKOMZEM")]


def _page(items: list[dict[str, Any]], limit: int, offset: int) -> Page:
    return Page(items=items, limit=limit, offset=offset)


# --- the registry of agencies --------------------------------------------------------------


@router.post("/agencies", tags=["agencies"], **CREATED)
def register_agency(
    body: s.AgencyIn, app: AppDep, actor: ActorDep, key: IdempotencyKey = None
) -> Any:
    """Register a state body, trust, trade union, cooperative union or workers' organisation."""
    return app.register_agency(
        context(actor, key, "register_agency", body),
        code=body.code,
        name=body.name,
        kind=body.kind,
        on=body.registered_on,
        parent_code=body.parent_code,
    )


@router.post("/agencies/{code}/deregister", tags=["agencies"], **DONE)
def deregister_agency(
    code: str, body: s.DeregisterIn, app: AppDep, actor: ActorDep, key: IdempotencyKey = None
) -> Any:
    """Deregister an agency; the decisions it made stand."""
    return app.deregister_agency(
        context(actor, key, "deregister_agency", body, code=code),
        code=code,
        reason=body.reason,
        on=body.deregistered_on,
    )


@router.get("/agencies", tags=["agencies"], response_model=Page)
def agencies(
    app: AppDep,
    kind: AgencyKind | None = None,
    active: Annotated[bool | None, Query(description="false lists deregistered ones")] = None,
    parent_code: Code = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Any:
    """The agencies registered, each with its parent's code (a union under VTsSPS)."""
    kind_value = kind.value if kind else None
    items = app.agencies(
        kind=kind_value, active=active, parent_code=parent_code, limit=limit, offset=offset
    )
    return _page(items, limit, offset)


# --- consultations and opinions ------------------------------------------------------------


@router.get("/consultations", tags=["opinions"], response_model=Page)
def consultations(
    app: AppDep,
    country: Annotated[str | None, Query(description="the committee's country")] = None,
    agency_code: Code = None,
    opinion_status: s.OpinionStatus | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Any:
    """Consultations the committees asked that reached the liaison, with the opinion on each."""
    items = app.consultations(
        country=country,
        agency_code=agency_code,
        opinion_status=opinion_status,
        limit=limit,
        offset=offset,
    )
    return _page(items, limit, offset)


@router.post("/consultations/{consultation_id}/opinion", tags=["opinions"], **CREATED)
def record_opinion(
    consultation_id: UUID,
    body: s.OpinionIn,
    app: AppDep,
    actor: ActorDep,
    key: IdempotencyKey = None,
) -> Any:
    """Record the consulted agency's opinion: concur, concur with conditions, or object."""
    return app.record_opinion(
        context(actor, key, "record_opinion", body, consultation_id=str(consultation_id)),
        consultation_id=consultation_id,
        agency_code=body.agency_code,
        verdict=body.verdict,
        valid_until=body.valid_until,
        on=body.recorded_on,
        conditions=body.conditions,
        ceiling=body.agency_ceiling(),
        notes=body.notes,
    )


@router.post("/consultations/{consultation_id}/opinion/revise", tags=["opinions"], **DONE)
def revise_opinion(
    consultation_id: UUID,
    body: s.RevisionIn,
    app: AppDep,
    actor: ActorDep,
    key: IdempotencyKey = None,
) -> Any:
    """Supersede the opinion from a day on: tighten, relax or extend it."""
    return app.revise_opinion(
        context(actor, key, "revise_opinion", body, consultation_id=str(consultation_id)),
        consultation_id=consultation_id,
        verdict=body.verdict,
        valid_until=body.valid_until,
        on=body.revised_on,
        conditions=body.conditions,
        ceiling=body.agency_ceiling(),
        notes=body.notes,
    )


@router.post("/consultations/{consultation_id}/opinion/withdraw", tags=["opinions"], **DONE)
def withdraw_opinion(
    consultation_id: UUID,
    body: s.WithdrawalIn,
    app: AppDep,
    actor: ActorDep,
    key: IdempotencyKey = None,
) -> Any:
    """Withdraw the opinion; no procurement may rely on it from then on."""
    return app.withdraw_opinion(
        context(actor, key, "withdraw_opinion", body, consultation_id=str(consultation_id)),
        consultation_id=consultation_id,
        reason=body.reason,
        on=body.withdrawn_on,
    )


@router.get("/opinions", tags=["opinions"], response_model=Page)
def opinions(
    app: AppDep,
    agency_code: Code = None,
    verdict: OpinionVerdict | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Any:
    """The agencies' opinions, with their conditions, validity, ceiling and revisions."""
    verdict_value = verdict.value if verdict else None
    items = app.opinions(agency_code=agency_code, verdict=verdict_value, limit=limit, offset=offset)
    return _page(items, limit, offset)


# --- unions' decisions on specialists ------------------------------------------------------


@router.get("/nominations", tags=["specialists"], response_model=Page)
def nominations(
    app: AppDep, status: s.NominationStatus | None = None, limit: Limit = 100, offset: Offset = 0
) -> Any:
    """Specialists nominated by the committees, with the union's decision on each."""
    return _page(app.nominations(status=status, limit=limit, offset=offset), limit, offset)


@router.post("/nominations/{nomination_id}/approve", tags=["specialists"], **CREATED)
def grant_approval(
    nomination_id: UUID,
    body: s.ApprovalIn,
    app: AppDep,
    actor: ActorDep,
    key: IdempotencyKey = None,
) -> Any:
    """The union named in the nomination approves the specialist (a union representative)."""
    return app.grant_union_approval(
        context(actor, key, "grant_approval", body, nomination_id=str(nomination_id)),
        nomination_id=nomination_id,
        union_code=body.union_code,
        on=body.decided_on,
        reason=body.reason,
    )


@router.post("/nominations/{nomination_id}/refuse", tags=["specialists"], **CREATED)
def refuse_approval(
    nomination_id: UUID,
    body: s.RefusalIn,
    app: AppDep,
    actor: ActorDep,
    key: IdempotencyKey = None,
) -> Any:
    """The union named in the nomination refuses it, giving the reason (a union representative)."""
    return app.refuse_union_approval(
        context(actor, key, "refuse_approval", body, nomination_id=str(nomination_id)),
        nomination_id=nomination_id,
        union_code=body.union_code,
        reason=body.reason,
        on=body.decided_on,
    )


@router.get("/union-decisions", tags=["specialists"], response_model=Page)
def union_decisions(
    app: AppDep,
    union_code: Code = None,
    decision: s.Decision | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Any:
    """The unions' approvals and refusals, with the person and trade decided on."""
    items = app.union_decisions(
        union_code=union_code, decision=decision, limit=limit, offset=offset
    )
    return _page(items, limit, offset)


# --- goods, money and enterprises ----------------------------------------------------------


@router.get("/procurements", tags=["deliveries"], response_model=Page)
def procurements(
    app: AppDep, status: s.ProcurementStatus | None = None, limit: Limit = 100, offset: Offset = 0
) -> Any:
    """Goods the committees bought for Russian enterprises, from commitment to production."""
    return _page(app.procurements(status=status, limit=limit, offset=offset), limit, offset)


@router.post("/procurements/{procurement_id}/delivery", tags=["deliveries"], **CREATED)
def confirm_delivery(
    procurement_id: UUID,
    body: s.DeliveryIn,
    app: AppDep,
    actor: ActorDep,
    key: IdempotencyKey = None,
) -> Any:
    """Confirm that shipped goods reached the enterprise they were bought for."""
    return app.confirm_delivery(
        context(actor, key, "confirm_delivery", body, procurement_id=str(procurement_id)),
        procurement_id=procurement_id,
        delivered_on=body.delivered_on,
        on=body.confirmed_on,
        notes=body.notes,
    )


@router.get("/deliveries", tags=["deliveries"], response_model=Page)
def deliveries(app: AppDep, limit: Limit = 100, offset: Offset = 0) -> Any:
    """The deliveries the liaison confirmed."""
    return _page(app.deliveries(limit=limit, offset=offset), limit, offset)


@router.get("/transfers", tags=["transfers"], response_model=Page)
def transfers(
    app: AppDep, status: s.TransferStatus | None = None, limit: Limit = 100, offset: Offset = 0
) -> Any:
    """Transfers from the committees that reached the liaison: in transit, confirmed, ..."""
    return _page(app.transfers(status=status, limit=limit, offset=offset), limit, offset)


@router.post("/transfers/{transfer_id}/receipt", tags=["transfers"], **CREATED)
def confirm_transfer_receipt(
    transfer_id: UUID,
    body: s.TransferReceiptIn,
    app: AppDep,
    actor: ActorDep,
    key: IdempotencyKey = None,
) -> Any:
    """Confirm what a Russian agency actually received of a transfer sent to it."""
    return app.confirm_transfer_receipt(
        context(actor, key, "confirm_transfer_receipt", body, transfer_id=str(transfer_id)),
        transfer_id=transfer_id,
        received=body.received.money(),
        on=body.confirmed_on,
    )


@router.get("/transfer-receipts", tags=["transfers"], response_model=Page)
def transfer_receipts(app: AppDep, limit: Limit = 100, offset: Offset = 0) -> Any:
    """The receipts the liaison confirmed, beside the amounts sent."""
    return _page(app.transfer_receipts(limit=limit, offset=offset), limit, offset)


@router.post("/enterprises", tags=["enterprises"], **CREATED)
def bring_into_production(
    body: s.EnterpriseIn, app: AppDep, actor: ActorDep, key: IdempotencyKey = None
) -> Any:
    """Report that an enterprise equipped by delivered procurements is producing."""
    return app.bring_enterprise_into_production(
        context(actor, key, "bring_into_production", body),
        name=body.name,
        procurement_ids=body.procurement_ids,
        on=body.in_production_on,
    )


@router.get("/enterprises", tags=["enterprises"], response_model=Page)
def enterprises(app: AppDep, limit: Limit = 100, offset: Offset = 0) -> Any:
    """Enterprises brought into production, with the procurements that equipped them."""
    return _page(app.enterprises(limit=limit, offset=offset), limit, offset)
