"""The committee's records of the resolution's work: consultations, procurement, specialists,
the workers' loan, surpluses and period reports — one row each, with its status."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from domain.consultation import Consultation
from domain.loan import LoanSubscription
from domain.period_report import PeriodReport
from domain.procurement import Procurement
from domain.specialist import SpecialistNomination
from domain.surplus import Surplus
from projections.rows import Add, Change, Op, Put, Table, to_minor

CONSULTATIONS = Table(
    "books_consultations",
    {
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
    },
    ("consultation_id",),
)
PROCUREMENTS = Table(
    "books_procurements",
    {
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
    },
    ("procurement_id",),
    indexes=(("consultation_id",),),
)
SPECIALISTS = Table(
    "books_specialists",
    {
        "nomination_id": "TEXT",
        "reference": "TEXT",
        "person": "TEXT",
        "trade": "TEXT",
        "enterprise": "TEXT",
        "urgency": "TEXT",
        "union_name": "TEXT",
        "status": "TEXT",
        "nominated_on": "TEXT",
    },
    ("nomination_id",),
)
LOANS = Table(
    "books_loan_subscriptions",
    {
        "subscription_id": "TEXT",
        "reference": "TEXT",
        "issue": "TEXT",
        "subscriber": "TEXT",
        "subscriber_type": "TEXT",
        "currency": "TEXT",
        "principal_minor": "BIGINT",
        "redeemed_minor": "BIGINT",
        "coupons_minor": "BIGINT",
        "certificates": "BIGINT",
        "subscribed_on": "TEXT",
    },
    ("subscription_id",),
)
SURPLUSES = Table(
    "books_surpluses",
    {
        "surplus_id": "TEXT",
        "period_end": "TEXT",
        "currency": "TEXT",
        "declared_minor": "BIGINT",
        "allocated_minor": "BIGINT",
    },
    ("surplus_id",),
)
REPORTS = Table(
    "books_period_reports",
    {"report_id": "TEXT", "period_start": "TEXT", "period_end": "TEXT", "status": "TEXT"},
    ("report_id",),
)
TABLES = (CONSULTATIONS, PROCUREMENTS, SPECIALISTS, LOANS, SURPLUSES, REPORTS)


def _id(e: Any) -> str:
    return str(e.originator_id)


def _consultation(e: Consultation.Requested) -> list[Op]:
    return [
        Put(
            CONSULTATIONS,
            {
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
            },
        )
    ]


def _consultation_closed(e: Consultation.Closed) -> list[Op]:
    key = {"consultation_id": _id(e)}
    return [Change(CONSULTATIONS, key, {"closed_on": e.closed_on.isoformat()})]


def _procurement(e: Procurement.Committed) -> list[Op]:
    return [
        Put(
            PROCUREMENTS,
            {
                "procurement_id": _id(e),
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
            },
        )
    ]


def _procurement_status(status: str) -> Callable[[Any], list[Op]]:
    def project(e: Any) -> list[Op]:
        return [Change(PROCUREMENTS, {"procurement_id": _id(e)}, {"status": status})]

    return project


def _procurement_paid(e: Procurement.Paid) -> list[Op]:
    return [Add(PROCUREMENTS, {"procurement_id": _id(e)}, {"paid_minor": to_minor(e.amount)})]


def _nominated(e: SpecialistNomination.Nominated) -> list[Op]:
    return [
        Put(
            SPECIALISTS,
            {
                "nomination_id": _id(e),
                "reference": e.reference,
                "person": e.person,
                "trade": e.trade,
                "enterprise": e.enterprise,
                "urgency": str(e.urgency),
                "union_name": e.union_name,
                "status": "nominated",
                "nominated_on": e.nominated_on.isoformat(),
            },
        )
    ]


def _specialist_status(status: str) -> Callable[[Any], list[Op]]:
    def project(e: Any) -> list[Op]:
        return [Change(SPECIALISTS, {"nomination_id": _id(e)}, {"status": status})]

    return project


def _union_decision(e: SpecialistNomination.UnionDecisionNoted) -> list[Op]:
    status = "approved" if e.decision.approved else "refused"
    return _specialist_status(status)(e)


def _loan(e: LoanSubscription.Recorded) -> list[Op]:
    return [
        Put(
            LOANS,
            {
                "subscription_id": _id(e),
                "reference": e.reference,
                "issue": e.terms.name,
                "subscriber": e.subscriber,
                "subscriber_type": str(e.subscriber_type),
                "currency": e.amount.currency,
                "principal_minor": to_minor(e.amount),
                "redeemed_minor": 0,
                "coupons_minor": 0,
                "certificates": 0,
                "subscribed_on": e.subscribed_on.isoformat(),
            },
        )
    ]


def _loan_add(column: str) -> Callable[[Any], list[Op]]:
    def project(e: Any) -> list[Op]:
        amount = len(e.certificates) if column == "certificates" else to_minor(e.amount)
        return [Add(LOANS, {"subscription_id": _id(e)}, {column: amount})]

    return project


def _surplus(e: Surplus.Declared) -> list[Op]:
    return [
        Put(
            SURPLUSES,
            {
                "surplus_id": _id(e),
                "period_end": e.period_end.isoformat(),
                "currency": e.amount.currency,
                "declared_minor": to_minor(e.amount),
                "allocated_minor": 0,
            },
        )
    ]


def _allocated(e: Surplus.Allocated) -> list[Op]:
    return [Add(SURPLUSES, {"surplus_id": _id(e)}, {"allocated_minor": to_minor(e.amount)})]


def _report(e: PeriodReport.Submitted) -> list[Op]:
    return [
        Put(
            REPORTS,
            {
                "report_id": _id(e),
                "period_start": e.period_start.isoformat(),
                "period_end": e.period_end.isoformat(),
                "status": "submitted",
            },
        )
    ]


def _report_status(status: str) -> Callable[[Any], list[Op]]:
    def project(e: Any) -> list[Op]:
        return [Change(REPORTS, {"report_id": _id(e)}, {"status": status})]

    return project


PROJECTORS: dict[type[Any], Callable[[Any], list[Op]]] = {
    Consultation.Requested: _consultation,
    Consultation.Closed: _consultation_closed,
    Procurement.Committed: _procurement,
    Procurement.GoodsShipped: _procurement_status("shipped"),
    Procurement.DeliveryNoted: _procurement_status("delivered"),
    Procurement.ProductionNoted: _procurement_status("in_production"),
    Procurement.Paid: _procurement_paid,
    Procurement.Cancelled: _procurement_status("cancelled"),
    SpecialistNomination.Nominated: _nominated,
    SpecialistNomination.ApprovalRequested: _specialist_status("approval_requested"),
    SpecialistNomination.UnionDecisionNoted: _union_decision,
    SpecialistNomination.EmigrationFunded: _specialist_status("funded"),
    SpecialistNomination.Departed: _specialist_status("departed"),
    LoanSubscription.Recorded: _loan,
    LoanSubscription.CertificatesIssued: _loan_add("certificates"),
    LoanSubscription.CouponPaid: _loan_add("coupons_minor"),
    LoanSubscription.PrincipalRedeemed: _loan_add("redeemed_minor"),
    Surplus.Declared: _surplus,
    Surplus.Allocated: _allocated,
    PeriodReport.Submitted: _report,
    PeriodReport.Returned: _report_status("returned"),
    PeriodReport.Resubmitted: _report_status("submitted"),
    PeriodReport.Approved: _report_status("approved"),
}

COMMITTED_UNDER_SQL = """
SELECT currency, COALESCE(SUM(amount_minor), 0) AS committed_minor FROM books_procurements
WHERE consultation_id = ? AND status <> 'cancelled' GROUP BY currency
"""
