"""Every movement of a committee's money, one row per event and measure, per currency.

Balances are sums of movements grouped by currency and measure, so a new kind of spending is one
more projector, never a change to a query. Measures:

  cash_received   donations and collections in cash (income), net of reversals
  in_kind         valuation of goods received (never mixed with cash)
  loan_subscribed money subscribed to the workers' loan: a liability to the subscriber, not income
  loan_redeemed   principal paid back to subscribers
  loan_coupons    interest (coupons) paid to subscribers
  committed       transfers initiated and not yet sent or cancelled
  in_transit      transfers sent and not yet confirmed by the receiver
  transferred     transfers whose receipt was confirmed
  spent           procurement payments and funded emigrations
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from domain.loan import LoanSubscription
from domain.money import Money
from domain.procurement import Procurement
from domain.receipt import CashReceipt, InKindReceipt
from domain.specialist import SpecialistNomination
from domain.transfer import Transfer
from projections.rows import Op, Put, Table, to_minor

MOVEMENTS = Table(
    "books_movements",
    {
        "movement_id": "TEXT",
        "subject_id": "TEXT",
        "measure": "TEXT",
        "currency": "TEXT",
        "amount_minor": "BIGINT",
        "value_date": "TEXT",
    },
    ("movement_id",),
    indexes=(("subject_id",), ("currency", "measure")),
)

MEASURES = (
    "cash_received",
    "in_kind",
    "loan_subscribed",
    "loan_redeemed",
    "loan_coupons",
    "committed",
    "in_transit",
    "transferred",
    "spent",
)


def _move(event: Any, measure: str, money: Money, sign: int = 1, day: Any = None) -> Op:
    key = f"{event.originator_id}:{event.originator_version}:{measure}"
    row = {
        "movement_id": key,
        "subject_id": str(event.originator_id),
        "measure": measure,
        "currency": money.currency,
        "amount_minor": sign * to_minor(money),
        "value_date": day.isoformat() if day else None,
    }
    return Put(MOVEMENTS, row)


def cash_received(e: CashReceipt.Received) -> list[Op]:
    return [_move(e, "cash_received", e.amount, day=e.value_date)]


def in_kind_received(e: InKindReceipt.Received) -> list[Op]:
    return [_move(e, "in_kind", e.valuation, day=e.value_date)]


def transfer_initiated(e: Transfer.Initiated) -> list[Op]:
    return [_move(e, "committed", e.amount, day=e.initiated_on)]


def loan_recorded(e: LoanSubscription.Recorded) -> list[Op]:
    return [_move(e, "loan_subscribed", e.amount, day=e.subscribed_on)]


def coupon_paid(e: LoanSubscription.CouponPaid) -> list[Op]:
    return [_move(e, "loan_coupons", e.amount, day=e.paid_on)]


def principal_redeemed(e: LoanSubscription.PrincipalRedeemed) -> list[Op]:
    return [_move(e, "loan_redeemed", e.amount, day=e.redeemed_on)]


def procurement_paid(e: Procurement.Paid) -> list[Op]:
    return [_move(e, "spent", e.amount, day=e.paid_on)]


def emigration_funded(e: SpecialistNomination.EmigrationFunded) -> list[Op]:
    return [_move(e, "spent", e.amount, day=e.funded_on)]


PROJECTORS: dict[type[Any], Callable[[Any], list[Op]]] = {
    CashReceipt.Received: cash_received,
    InKindReceipt.Received: in_kind_received,
    Transfer.Initiated: transfer_initiated,
    LoanSubscription.Recorded: loan_recorded,
    LoanSubscription.CouponPaid: coupon_paid,
    LoanSubscription.PrincipalRedeemed: principal_redeemed,
    Procurement.Paid: procurement_paid,
    SpecialistNomination.EmigrationFunded: emigration_funded,
}


BALANCES_SQL = """
SELECT currency, measure, SUM(amount_minor) AS amount_minor
FROM books_movements GROUP BY currency, measure ORDER BY currency, measure
"""
