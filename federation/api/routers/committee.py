"""The committee's commands and books: committee, campaigns, pledges, receipts, transfers."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query

from federation.api import schemas as s
from federation.api.deps import ActorDep, IdempotencyKey, context, get_app
from federation.api.errors import ERROR_RESPONSES
from federation.node.committee import CashReceiptLine, CommitteeApplication

AppDep = Annotated[CommitteeApplication, Depends(get_app)]
Limit = Annotated[int, Query(ge=1, le=500, description="page size, at most 500")]
Offset = Annotated[int, Query(ge=0, le=s.MAX_OFFSET, description="rows to skip")]

router = APIRouter(prefix="/v1", responses=ERROR_RESPONSES)


@router.post("/committee", tags=["committee"], status_code=201, response_model=s.CommandResult)
def constitute(
    body: s.ConstituteCommittee, app: AppDep, actor: ActorDep, key: IdempotencyKey = None
) -> Any:
    """Constitute this node's national committee (the secretary, once)."""
    ctx = context(actor, key, "constitute", body)
    return app.constitute(
        ctx, name=body.name, national_section=body.national_section, on=body.constituted_on
    )


@router.post(
    "/committee/delegates", tags=["committee"], status_code=201, response_model=s.CommandResult
)
def admit_delegate(
    body: s.AdmitDelegate, app: AppDep, actor: ActorDep, key: IdempotencyKey = None
) -> Any:
    """Admit a delegate of a party branch, trade union, cooperative or workers' circle."""
    ctx = context(actor, key, "admit_delegate", body)
    return app.admit_delegate(
        ctx,
        delegate=body.delegate,
        organisation=body.organisation,
        organisation_type=body.organisation_type,
    )


@router.post("/committee/officers", tags=["committee"], response_model=s.CommandResult)
def appoint_officer(
    body: s.AppointOfficer, app: AppDep, actor: ActorDep, key: IdempotencyKey = None
) -> Any:
    """Appoint the treasurer or the secretary (never the same person)."""
    ctx = context(actor, key, "appoint_officer", body)
    return app.appoint_officer(ctx, person=body.person, office=body.office)


@router.post("/campaigns", tags=["campaigns"], status_code=201, response_model=s.CommandResult)
def open_campaign(
    body: s.OpenCampaign, app: AppDep, actor: ActorDep, key: IdempotencyKey = None
) -> Any:
    """Open a campaign: collection, special event, donation or loan drive, expansion, agitation."""
    ctx = context(actor, key, "open_campaign", body)
    return app.open_campaign(
        ctx,
        code=body.code,
        title=body.title,
        kind=body.kind,
        national_section=body.national_section,
        on=body.opened_on,
    )


@router.post("/campaigns/{code}/close", tags=["campaigns"], response_model=s.CommandResult)
def close_campaign(
    code: str, body: s.CloseCampaign, app: AppDep, actor: ActorDep, key: IdempotencyKey = None
) -> Any:
    """Close a campaign; later receipts must cite another one."""
    ctx = context(actor, key, "close_campaign", body, code=code)
    return app.close_campaign(ctx, code=code, on=body.closed_on)


@router.get("/campaigns", tags=["campaigns"], response_model=s.Page)
def list_campaigns(app: AppDep, limit: Limit = 100, offset: Offset = 0) -> Any:
    """The committee's campaigns."""
    items = app.list_rows("books_campaigns", "opened_on, code", limit, offset)
    return s.Page(items=items, limit=limit, offset=offset)


@router.post("/pledges", tags=["pledges"], status_code=201, response_model=s.CommandResult)
def record_pledge(
    body: s.RecordPledge, app: AppDep, actor: ActorDep, key: IdempotencyKey = None
) -> Any:
    """Record a pledge; its instalments must sum exactly to its total. Pledges are not funds."""
    ctx = context(actor, key, "record_pledge", body)
    return app.record_pledge(
        ctx,
        campaign_code=body.campaign_code,
        pledger=body.pledger,
        organisation_type=body.organisation_type,
        total=body.total.money(),
        schedule=[i.instalment() for i in body.schedule],
        on=body.pledged_on,
    )


@router.post("/pledges/{pledge_id}/reschedule", tags=["pledges"], response_model=s.CommandResult)
def reschedule_pledge(
    pledge_id: UUID, body: s.Reschedule, app: AppDep, actor: ActorDep, key: IdempotencyKey = None
) -> Any:
    """Replace the open instalments with a schedule summing to what is outstanding."""
    ctx = context(actor, key, "reschedule_pledge", body, pledge_id=str(pledge_id))
    schedule = [i.instalment() for i in body.schedule]
    return app.reschedule_pledge(ctx, pledge_id=pledge_id, schedule=schedule, reason=body.reason)


@router.post(
    "/pledges/{pledge_id}/settlements",
    tags=["pledges"],
    status_code=201,
    response_model=s.CommandResult,
)
def settle_instalment(
    pledge_id: UUID,
    body: s.SettleInstalment,
    app: AppDep,
    actor: ActorDep,
    key: IdempotencyKey = None,
) -> Any:
    """Settle an instalment with the amount actually paid; the money is booked as a receipt."""
    ctx = context(actor, key, "settle_instalment", body, pledge_id=str(pledge_id))
    return app.settle_pledge_instalment(
        ctx,
        pledge_id=pledge_id,
        due_on=body.due_on,
        actual=body.actual.money(),
        value_date=body.value_date,
    )


@router.post("/pledges/{pledge_id}/cancel", tags=["pledges"], response_model=s.CommandResult)
def cancel_pledge(
    pledge_id: UUID, body: s.WithReason, app: AppDep, actor: ActorDep, key: IdempotencyKey = None
) -> Any:
    """Cancel what is outstanding on a pledge."""
    ctx = context(actor, key, "cancel_pledge", body, pledge_id=str(pledge_id))
    return app.cancel_pledge(ctx, pledge_id=pledge_id, reason=body.reason)


@router.get("/pledges", tags=["pledges"], response_model=s.Page)
def list_pledges(app: AppDep, limit: Limit = 100, offset: Offset = 0) -> Any:
    """The committee's pledges with what was actually paid."""
    items = app.list_rows("books_pledges", "pledged_on, pledge_id", limit, offset)
    return s.Page(items=items, limit=limit, offset=offset)


@router.post("/receipts/cash", tags=["receipts"], status_code=201, response_model=s.CommandResult)
def record_cash(
    body: s.CashReceiptIn, app: AppDep, actor: ActorDep, key: IdempotencyKey = None
) -> Any:
    """Record money received for a campaign."""
    ctx = context(actor, key, "record_cash", body)
    line = CashReceiptLine(
        campaign_code=body.campaign_code,
        contributor=body.contributor,
        organisation_type=body.organisation_type,
        amount=body.amount.money(),
        value_date=body.value_date,
        reference=body.reference,
    )
    return app.record_cash_receipt(ctx, line)


@router.post(
    "/receipts/in-kind", tags=["receipts"], status_code=201, response_model=s.CommandResult
)
def record_in_kind(
    body: s.InKindReceiptIn, app: AppDep, actor: ActorDep, key: IdempotencyKey = None
) -> Any:
    """Record goods received in kind, with their valuation (kept apart from cash)."""
    ctx = context(actor, key, "record_in_kind", body)
    return app.record_in_kind_receipt(
        ctx,
        campaign_code=body.campaign_code,
        contributor=body.contributor,
        organisation_type=body.organisation_type,
        description=body.description,
        valuation=body.valuation.money(),
        value_date=body.value_date,
        reference=body.reference,
    )


@router.post("/receipts/{receipt_id}/reverse", tags=["receipts"], response_model=s.CommandResult)
def reverse_receipt(
    receipt_id: UUID,
    body: s.ReverseReceipt,
    app: AppDep,
    actor: ActorDep,
    key: IdempotencyKey = None,
) -> Any:
    """Reverse a receipt recorded in error; receipts are never edited."""
    ctx = context(actor, key, "reverse_receipt", body, receipt_id=str(receipt_id))
    return app.reverse_receipt(ctx, receipt_id=receipt_id, reason=body.reason, on=body.reversed_on)


@router.get("/receipts", tags=["receipts"], response_model=s.Page)
def list_receipts(app: AppDep, limit: Limit = 100, offset: Offset = 0) -> Any:
    """Receipts, cash and in kind, with reversals shown."""
    items = app.list_rows("books_receipts", "value_date, receipt_id", limit, offset)
    return s.Page(items=items, limit=limit, offset=offset)


@router.post("/transfers", tags=["transfers"], status_code=201, response_model=s.CommandResult)
def initiate_transfer(
    body: s.InitiateTransfer, app: AppDep, actor: ActorDep, key: IdempotencyKey = None
) -> Any:
    """Initiate a transfer of at most the available balance in its currency."""
    ctx = context(actor, key, "initiate_transfer", body)
    return app.initiate_transfer(
        ctx,
        recipient=body.recipient,
        amount=body.amount.money(),
        purpose=body.purpose,
        on=body.initiated_on,
    )


@router.post(
    "/transfers/{transfer_id}/countersign", tags=["transfers"], response_model=s.CommandResult
)
def countersign(transfer_id: UUID, app: AppDep, actor: ActorDep, key: IdempotencyKey = None) -> Any:
    """Countersign a transfer; the initiator may not."""
    ctx = context(actor, key, "countersign", None, transfer_id=str(transfer_id))
    return app.countersign_transfer(ctx, transfer_id=transfer_id)


@router.post("/transfers/{transfer_id}/send", tags=["transfers"], response_model=s.CommandResult)
def send(
    transfer_id: UUID,
    body: s.SendTransfer,
    app: AppDep,
    actor: ActorDep,
    key: IdempotencyKey = None,
) -> Any:
    """Send (pay) a countersigned transfer; a third person does it. In transit until confirmed."""
    ctx = context(actor, key, "send", body, transfer_id=str(transfer_id))
    return app.send_transfer(
        ctx, transfer_id=transfer_id, on=body.sent_on, reference=body.reference
    )


@router.post("/transfers/{transfer_id}/cancel", tags=["transfers"], response_model=s.CommandResult)
def cancel_transfer(
    transfer_id: UUID, body: s.WithReason, app: AppDep, actor: ActorDep, key: IdempotencyKey = None
) -> Any:
    """Cancel a transfer that has not been sent."""
    ctx = context(actor, key, "cancel_transfer", body, transfer_id=str(transfer_id))
    return app.cancel_transfer(ctx, transfer_id=transfer_id, reason=body.reason)


@router.get("/transfers", tags=["transfers"], response_model=s.Page)
def list_transfers(app: AppDep, limit: Limit = 100, offset: Offset = 0) -> Any:
    """Transfers with their status and signatories."""
    items = app.list_rows("books_transfers", "initiated_on, transfer_id", limit, offset)
    return s.Page(items=items, limit=limit, offset=offset)


@router.get("/books", tags=["books"], response_model=s.Books)
def books(app: AppDep) -> Any:
    """Balances per currency (never summed across currencies) and pledged vs received."""
    return s.Books(
        balances=[s.Balance(**row) for row in app.balances()],
        by_campaign=app.by_campaign(),
        by_organisation_type=app.by_organisation_type(),
    )
