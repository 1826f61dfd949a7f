"""The workers' loan as the International sees it: subscriptions, coupons, redemptions.

Loan money is a liability to the subscriber, never income: it moves ``loan_subscribed`` (and
its service, ``loan_coupons`` and ``loan_redeemed``), never ``received``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from domain.loan import LoanSubscription
from projections.rows import Add, Put, Table, to_minor
from projections.supervisory.flows import flow, flow_from
from projections.supervisory.ops import SvOp, Value, id_text

LOANS = Table(
    "sv_loans",
    {
        "country": "TEXT",
        "subscription_id": "TEXT",
        "reference": "TEXT",
        "issue_id": "TEXT",
        "issue": "TEXT",
        "subscriber": "TEXT",
        "organisation_type": "TEXT",
        "currency": "TEXT",
        "principal_minor": "BIGINT",
        "redeemed_minor": "BIGINT",
        "coupons_minor": "BIGINT",
        "certificates": "BIGINT",
        "subscribed_on": "TEXT",
        "recorded_ref": "TEXT",
    },
    ("country", "subscription_id"),
    indexes=(("country", "subscribed_on"),),
)
TABLES = (LOANS,)

Projector = Callable[[str, Any], list[SvOp]]


def _key(country: str, e: Any) -> dict[str, str]:
    return {"country": country, "subscription_id": str(e.originator_id)}


def loan_recorded(country: str, e: LoanSubscription.Recorded) -> list[SvOp]:
    key = _key(country, e)
    row = key | {
        "reference": e.reference,
        "issue_id": id_text(e.terms.issue_id),
        "issue": e.terms.name,
        "subscriber": e.subscriber,
        "organisation_type": str(e.subscriber_type),
        "currency": e.amount.currency,
        "principal_minor": to_minor(e.amount),
        "redeemed_minor": 0,
        "coupons_minor": 0,
        "certificates": 0,
        "subscribed_on": e.subscribed_on.isoformat(),
        "recorded_ref": f"{key['subscription_id']}/{e.originator_version}",  # ref(e), one str(id)
    }
    org = str(e.subscriber_type)
    return [Put(LOANS, row), *flow(country, "loan_subscribed", e.amount, e.subscribed_on, org)]


def _loan_paid(measure: str, column: str) -> Projector:
    def project(country: str, e: Any) -> list[SvOp]:
        key = _key(country, e)
        minor = to_minor(e.amount)
        day = e.paid_on if measure == "loan_coupons" else e.redeemed_on
        moved = flow_from(
            LOANS, key, measure=Value(measure), amount=Value(minor), day=Value(day.isoformat())
        )
        return [*moved, Add(LOANS, key, {column: minor})]

    return project


def certificates_issued(country: str, e: LoanSubscription.CertificatesIssued) -> list[SvOp]:
    key = _key(country, e)
    return [Add(LOANS, key, {"certificates": len(e.certificates)})]


PROJECTORS: dict[type[Any], Projector] = {
    LoanSubscription.Recorded: loan_recorded,
    LoanSubscription.CertificatesIssued: certificates_issued,
    LoanSubscription.CouponPaid: _loan_paid("loan_coupons", "coupons_minor"),
    LoanSubscription.PrincipalRedeemed: _loan_paid("loan_redeemed", "redeemed_minor"),
}
