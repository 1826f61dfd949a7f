"""The committee's work under the resolution: loan, consultations, procurement, specialists,
transfer confirmations, surplus and period reports."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends

from federation.api import schemas_resolution as r
from federation.api.deps import ActorDep, IdempotencyKey, context, get_app
from federation.api.errors import ERROR_RESPONSES
from federation.api.routers.committee import Limit, Offset
from federation.api.schemas import CommandResult, Page
from federation.node.committee import CommitteeApplication

AppDep = Annotated[CommitteeApplication, Depends(get_app)]
router = APIRouter(prefix="/v1", responses=ERROR_RESPONSES)
CREATED: dict[str, Any] = {"status_code": 201, "response_model": CommandResult}


def _page(app: CommitteeApplication, table: str, order: str, limit: int, offset: int) -> Page:
    return Page(items=app.list_rows(table, order, limit, offset), limit=limit, offset=offset)


@router.post("/loan/subscriptions", tags=["loan"], **CREATED)
def subscribe(
    body: r.LoanSubscriptionIn, app: AppDep, actor: ActorDep, key: IdempotencyKey = None
) -> Any:
    """Record a subscription to the workers' loan: a liability to the subscriber, never income."""
    return app.record_loan_subscription(
        context(actor, key, "subscribe", body),
        reference=body.reference,
        issue_code=body.issue_code,
        subscriber=body.subscriber,
        subscriber_type=body.subscriber_type,
        amount=body.amount.money(),
        on=body.subscribed_on,
    )


@router.post("/loan/subscriptions/{subscription_id}/certificates", tags=["loan"], **CREATED)
def certificates(
    subscription_id: UUID,
    body: r.CertificatesIn,
    app: AppDep,
    actor: ActorDep,
    key: IdempotencyKey = None,
) -> Any:
    """Issue the bond certificates of a subscription, in the issue's denominations."""
    ctx = context(actor, key, "certificates", body, subscription_id=str(subscription_id))
    return app.issue_loan_certificates(
        ctx,
        subscription_id=subscription_id,
        certificates=[c.certificate() for c in body.certificates],
        on=body.issued_on,
    )


@router.post("/loan/subscriptions/{subscription_id}/coupons", tags=["loan"], **CREATED)
def coupon(
    subscription_id: UUID,
    body: r.CouponIn,
    app: AppDep,
    actor: ActorDep,
    key: IdempotencyKey = None,
) -> Any:
    """Pay a year's coupon: principal outstanding × the coupon rate, exactly."""
    ctx = context(actor, key, "coupon", body, subscription_id=str(subscription_id))
    return app.pay_loan_coupon(
        ctx,
        subscription_id=subscription_id,
        year=body.year,
        amount=body.amount.money(),
        on=body.paid_on,
    )


@router.post("/loan/subscriptions/{subscription_id}/redemptions", tags=["loan"], **CREATED)
def redeem(
    subscription_id: UUID,
    body: r.RedemptionIn,
    app: AppDep,
    actor: ActorDep,
    key: IdempotencyKey = None,
) -> Any:
    """Pay principal back to the subscriber."""
    ctx = context(actor, key, "redeem", body, subscription_id=str(subscription_id))
    return app.redeem_loan_principal(
        ctx, subscription_id=subscription_id, amount=body.amount.money(), on=body.redeemed_on
    )


@router.get("/loan/subscriptions", tags=["loan"], response_model=Page)
def subscriptions(app: AppDep, limit: Limit = 100, offset: Offset = 0) -> Any:
    """Loan subscriptions with principal, redemptions, coupons and certificates."""
    return _page(app, "books_loan_subscriptions", "subscribed_on, reference", limit, offset)


@router.post("/consultations", tags=["consultations"], **CREATED)
def consult(
    body: r.ConsultationIn, app: AppDep, actor: ActorDep, key: IdempotencyKey = None
) -> Any:
    """Ask a Russian economic agency's opinion before spending (purpose, category, ceiling)."""
    return app.request_consultation(
        context(actor, key, "consult", body),
        reference=body.reference,
        purpose=body.purpose,
        category=body.category,
        ceiling=body.ceiling.money(),
        agency_id=body.agency_id,
        agency_name=body.agency_name,
        on=body.requested_on,
    )


@router.post(
    "/consultations/{reference}/close", tags=["consultations"], response_model=CommandResult
)
def close_consultation(
    reference: str,
    body: r.CloseConsultationIn,
    app: AppDep,
    actor: ActorDep,
    key: IdempotencyKey = None,
) -> Any:
    """Close a consultation; no further procurement may rely on it."""
    ctx = context(actor, key, "close_consultation", body, reference=reference)
    return app.close_consultation(ctx, reference=reference, reason=body.reason, on=body.closed_on)


@router.get("/consultations", tags=["consultations"], response_model=Page)
def consultations(app: AppDep, limit: Limit = 100, offset: Offset = 0) -> Any:
    """The committee's consultations with the Russian agencies."""
    return _page(app, "books_consultations", "requested_on, reference", limit, offset)


@router.post("/procurements", tags=["procurement"], **CREATED)
def procure(body: r.ProcurementIn, app: AppDep, actor: ActorDep, key: IdempotencyKey = None) -> Any:
    """Commit to buy machines, raw materials or tools under a concurring, unexpired consultation."""
    return app.commit_procurement(
        context(actor, key, "procure", body),
        reference=body.reference,
        consultation_reference=body.consultation_reference,
        category=body.category,
        description=body.description,
        supplier=body.supplier,
        enterprise=body.enterprise,
        agency_id=body.agency_id,
        amount=body.amount.money(),
        on=body.committed_on,
    )


@router.post(
    "/procurements/{procurement_id}/shipment", tags=["procurement"], response_model=CommandResult
)
def ship(
    procurement_id: UUID,
    body: r.ShipmentIn,
    app: AppDep,
    actor: ActorDep,
    key: IdempotencyKey = None,
) -> Any:
    """Record that the goods were shipped."""
    ctx = context(actor, key, "ship", body, procurement_id=str(procurement_id))
    return app.ship_procurement(
        ctx, procurement_id=procurement_id, on=body.shipped_on, carrier=body.carrier
    )


@router.post(
    "/procurements/{procurement_id}/delivery", tags=["procurement"], response_model=CommandResult
)
def delivered(
    procurement_id: UUID, app: AppDep, actor: ActorDep, key: IdempotencyKey = None
) -> Any:
    """Note the liaison's confirmation that the goods reached the enterprise."""
    ctx = context(actor, key, "delivered", None, procurement_id=str(procurement_id))
    return app.note_delivery(ctx, procurement_id=procurement_id)


@router.post(
    "/procurements/{procurement_id}/production", tags=["procurement"], response_model=CommandResult
)
def producing(
    procurement_id: UUID, app: AppDep, actor: ActorDep, key: IdempotencyKey = None
) -> Any:
    """Note the liaison's report that the enterprise was brought into production."""
    ctx = context(actor, key, "producing", None, procurement_id=str(procurement_id))
    return app.note_production(ctx, procurement_id=procurement_id)


@router.post("/procurements/{procurement_id}/payments", tags=["procurement"], **CREATED)
def pay(
    procurement_id: UUID,
    body: r.PaymentIn,
    app: AppDep,
    actor: ActorDep,
    key: IdempotencyKey = None,
) -> Any:
    """Pay the supplier (by someone other than the one who committed)."""
    ctx = context(actor, key, "pay", body, procurement_id=str(procurement_id))
    return app.pay_procurement(
        ctx,
        procurement_id=procurement_id,
        amount=body.amount.money(),
        on=body.paid_on,
        reference=body.reference,
    )


@router.post(
    "/procurements/{procurement_id}/cancel", tags=["procurement"], response_model=CommandResult
)
def cancel_procurement(
    procurement_id: UUID, body: r.CancelIn, app: AppDep, actor: ActorDep, key: IdempotencyKey = None
) -> Any:
    """Cancel a procurement that was neither shipped nor paid."""
    ctx = context(actor, key, "cancel_procurement", body, procurement_id=str(procurement_id))
    return app.cancel_procurement(
        ctx, procurement_id=procurement_id, reason=body.reason, on=body.cancelled_on
    )


@router.get("/procurements", tags=["procurement"], response_model=Page)
def procurements(app: AppDep, limit: Limit = 100, offset: Offset = 0) -> Any:
    """Procurements with their consultation, status and payments."""
    return _page(app, "books_procurements", "committed_on, reference", limit, offset)


@router.post("/specialists", tags=["specialists"], **CREATED)
def nominate(body: r.NominationIn, app: AppDep, actor: ActorDep, key: IdempotencyKey = None) -> Any:
    """Nominate one specialist urgently needed in a factory; groups are refused."""
    return app.nominate_specialist(
        context(actor, key, "nominate", body),
        reference=body.reference,
        persons=body.persons,
        trade=body.trade,
        enterprise=body.enterprise,
        urgency=body.urgency,
        union_id=body.union_id,
        union_name=body.union_name,
        on=body.nominated_on,
    )


@router.post(
    "/specialists/{nomination_id}/approval-request",
    tags=["specialists"],
    response_model=CommandResult,
)
def request_approval(
    nomination_id: UUID, body: r.DateIn, app: AppDep, actor: ActorDep, key: IdempotencyKey = None
) -> Any:
    """Ask the Russian trade union to approve the nomination."""
    ctx = context(actor, key, "request_approval", body, nomination_id=str(nomination_id))
    return app.request_union_approval(ctx, nomination_id=nomination_id, on=body.on)


@router.post(
    "/specialists/{nomination_id}/union-decision",
    tags=["specialists"],
    response_model=CommandResult,
)
def union_decision(
    nomination_id: UUID, app: AppDep, actor: ActorDep, key: IdempotencyKey = None
) -> Any:
    """Note the union's decision as it reached this node from the liaison."""
    ctx = context(actor, key, "union_decision", None, nomination_id=str(nomination_id))
    return app.note_union_decision(ctx, nomination_id=nomination_id)


@router.post("/specialists/{nomination_id}/funding", tags=["specialists"], **CREATED)
def fund(
    nomination_id: UUID, body: r.FundingIn, app: AppDep, actor: ActorDep, key: IdempotencyKey = None
) -> Any:
    """Fund the journey of an approved specialist."""
    ctx = context(actor, key, "fund", body, nomination_id=str(nomination_id))
    return app.fund_emigration(
        ctx, nomination_id=nomination_id, amount=body.amount.money(), on=body.funded_on
    )


@router.post(
    "/specialists/{nomination_id}/departure", tags=["specialists"], response_model=CommandResult
)
def depart(
    nomination_id: UUID, body: r.DateIn, app: AppDep, actor: ActorDep, key: IdempotencyKey = None
) -> Any:
    """Record the departure of an approved, funded specialist."""
    ctx = context(actor, key, "depart", body, nomination_id=str(nomination_id))
    return app.record_departure(ctx, nomination_id=nomination_id, on=body.on)


@router.get("/specialists", tags=["specialists"], response_model=Page)
def specialists(app: AppDep, limit: Limit = 100, offset: Offset = 0) -> Any:
    """Specialist nominations and where each stands."""
    return _page(app, "books_specialists", "nominated_on, reference", limit, offset)


@router.post("/transfers/{transfer_id}/receipt", tags=["transfers"], response_model=CommandResult)
def transfer_received(
    transfer_id: UUID, body: r.ReceiverIn, app: AppDep, actor: ActorDep, key: IdempotencyKey = None
) -> Any:
    """Note the receiver's confirmation of a transfer (it leaves transit)."""
    ctx = context(actor, key, "transfer_received", body, transfer_id=str(transfer_id))
    return app.note_transfer_receipt(ctx, transfer_id=transfer_id, receiver=body.receiver)


@router.post(
    "/transfers/{transfer_id}/difference", tags=["transfers"], response_model=CommandResult
)
def difference(
    transfer_id: UUID,
    body: r.DifferenceIn,
    app: AppDep,
    actor: ActorDep,
    key: IdempotencyKey = None,
) -> Any:
    """Book the difference between what was sent and what arrived."""
    ctx = context(actor, key, "difference", body, transfer_id=str(transfer_id))
    return app.book_transfer_difference(ctx, transfer_id=transfer_id, reason=body.reason)


@router.post("/surpluses", tags=["surplus"], **CREATED)
def declare(body: r.SurplusIn, app: AppDep, actor: ActorDep, key: IdempotencyKey = None) -> Any:
    """Declare a period's surplus; it may be used only to expand the campaign."""
    return app.declare_surplus(
        context(actor, key, "declare", body),
        period_end=body.period_end,
        amount=body.amount.money(),
        on=body.declared_on,
    )


@router.post("/surpluses/{surplus_id}/allocations", tags=["surplus"], **CREATED)
def allocate(
    surplus_id: UUID, body: r.AllocationIn, app: AppDep, actor: ActorDep, key: IdempotencyKey = None
) -> Any:
    """Allocate surplus to an expansion campaign (and to nothing else)."""
    ctx = context(actor, key, "allocate", body, surplus_id=str(surplus_id))
    return app.allocate_surplus(
        ctx,
        surplus_id=surplus_id,
        campaign_code=body.campaign_code,
        amount=body.amount.money(),
        on=body.allocated_on,
    )


@router.get("/surpluses", tags=["surplus"], response_model=Page)
def surpluses(app: AppDep, limit: Limit = 100, offset: Offset = 0) -> Any:
    """Surpluses declared and allocated."""
    return _page(app, "books_surpluses", "period_end, surplus_id", limit, offset)


@router.post("/period-reports", tags=["period reports"], **CREATED)
def report(body: r.PeriodReportIn, app: AppDep, actor: ActorDep, key: IdempotencyKey = None) -> Any:
    """Submit a period report with balance assertions per currency."""
    return app.submit_period_report(
        context(actor, key, "report", body),
        period_start=body.period_start,
        period_end=body.period_end,
        assertions=[a.assertion() for a in body.assertions],
        on=body.submitted_on,
    )


@router.post(
    "/period-reports/{report_id}/approval", tags=["period reports"], response_model=CommandResult
)
def approve(
    report_id: UUID, body: r.DateIn, app: AppDep, actor: ActorDep, key: IdempotencyKey = None
) -> Any:
    """Approve a period report (the secretary; not its submitter)."""
    ctx = context(actor, key, "approve", body, report_id=str(report_id))
    return app.approve_period_report(ctx, report_id=report_id, on=body.on)


@router.get("/period-reports", tags=["period reports"], response_model=Page)
def reports(app: AppDep, limit: Limit = 100, offset: Offset = 0) -> Any:
    """Period reports and their status."""
    return _page(app, "books_period_reports", "period_end, report_id", limit, offset)
