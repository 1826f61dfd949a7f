"""The workers' loan as the International sees it: subscriptions, coupons, redemptions.

Loan money is a liability to the subscriber, never income: it moves ``loan_subscribed`` (and
its service, ``loan_coupons`` and ``loan_redeemed``), never ``received``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from domain.loan import LoanSubscription
from projections.rows import Add, Table, to_minor
from projections.supervisory.flows import flow, flow_from
from projections.supervisory.ops import Row, SvOp, Value, id_text

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
    subscription_id, org, day = str(e.originator_id), str(e.subscriber_type), e.subscribed_on
    minor, terms = to_minor(e.amount), e.terms
    row = (
        country,
        subscription_id,
        e.reference,
        id_text(terms.issue_id),
        terms.name,
        e.subscriber,
        org,
        e.amount.currency,
        minor,
        0,  # redeemed_minor
        0,  # coupons_minor
        0,  # certificates
        day.isoformat(),
        f"{subscription_id}/{e.originator_version}",  # ref(e), one str(id)
    )
    return [Row(LOANS, row), *flow(country, "loan_subscribed", e.amount, day, org, minor)]


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
