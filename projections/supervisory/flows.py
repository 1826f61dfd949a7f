"""The money measures of every committee, pre-aggregated, and the boundary that keeps totals honest.

Each money event adds to three aggregates, per country (the committee's node) and currency —
never across currencies:

  sv_totals   all time, per measure and organisation type (the overview, breadth by type)
  sv_flows    per value date and measure (periods, "as of" figures, conversion at the day's rate)
  sv_months   per month, one column per measure (read a month at a time where no rate changes
              within it: the conversion of the whole federation reads a few thousand rows)

The boundary. Money is counted once, where it crosses the federation's edge:
  incoming   cash received and goods received in kind, from contributors, net of reversals;
  internal   transfers between nodes of the federation (a committee to the International):
             they move money inside the boundary and are never added to incoming or outgoing;
  outgoing   procurement payments, funded journeys of specialists, and transfers to the Russian
             agencies or the liaison: money leaving the federation for Soviet Russia.
So money a committee sends to the International, which passes it on to an agency, is internal
once and outgoing once, and the headline (incoming, outgoing) counts it once.
A reversal takes a receipt out on the receipt's own value date (a correction, not a new flow).
Outside the boundary's totals: pledges (promises, never funds), loan subscriptions (a liability
to the subscribers, never income) and their service (coupons, redemptions), and surplus (a
designation of money already counted).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.money import Money
from projections.rows import Table, to_minor
from projections.supervisory.ops import Expr, Flow, FlowFrom, SvOp

TOTALS = Table(
    "sv_totals",
    {
        "country": "TEXT",
        "currency": "TEXT",
        "measure": "TEXT",
        "organisation_type": "TEXT",
        "amount_minor": "BIGINT",
    },
    ("country", "currency", "measure", "organisation_type"),
)
FLOWS = Table(
    "sv_flows",
    {
        "country": "TEXT",
        "currency": "TEXT",
        "value_date": "TEXT",
        "measure": "TEXT",
        "amount_minor": "BIGINT",
    },
    # Keyed by currency and day first: a range of days is read for every currency at once.
    ("currency", "value_date", "country", "measure"),
)
# A contributor per organisation type it gave as (counted where it has a receipt standing).
CONTRIBUTORS = Table(
    "sv_contributors",
    {"country": "TEXT", "contributor": "TEXT", "organisation_type": "TEXT", "receipts": "BIGINT"},
    ("country", "contributor", "organisation_type"),
    # The overview counts contributors per type from this index alone, already grouped.
    indexes=(("organisation_type", "receipts"),),
)

# Every measure, with its place relative to the boundary.
MEASURES: dict[str, str] = {
    "received": "incoming",
    "in_kind": "incoming",
    "pledged": "memo",
    "pledge_settled": "memo",
    "loan_subscribed": "liability",
    "loan_redeemed": "loan_service",
    "loan_coupons": "loan_service",
    "committed": "memo",
    "in_transit_internal": "internal",
    "transferred_internal": "internal",
    "in_transit_outgoing": "outgoing",
    "transferred_outgoing": "outgoing",
    "transfer_difference": "memo",
    "spent_procurement": "outgoing",
    "spent_emigration": "outgoing",
    "surplus_declared": "memo",
    "surplus_allocated": "memo",
}

# One column per measure, in this order: the writer adds a whole month's vector at once.
MONTH_COLUMNS = tuple(f"{m}_minor" for m in MEASURES)
MEASURE_INDEX = {m: n for n, m in enumerate(MEASURES)}
MONTHS = Table(
    "sv_months",
    {
        "country": "TEXT",
        "currency": "TEXT",
        "month": "TEXT",
        **dict.fromkeys(MONTH_COLUMNS, "BIGINT"),
    },
    ("country", "currency", "month"),
)
TABLES = (TOTALS, FLOWS, MONTHS, CONTRIBUTORS)
# Aggregates of only a key and amounts: adding to them commutes, so a writer may merge and
# batch the additions of many events (nothing reads them between two reads of another kind).
PURE = frozenset({*(t.name for t in TABLES), "sv_procurement_totals"})

# Cash on hand, as the committee's books compute it: received plus loan money held, less what
# left (in transit, transferred, spent, paid back). Goods in kind are never cash.
CASH: dict[str, int] = {
    "received": 1,
    "loan_subscribed": 1,
    "loan_redeemed": -1,
    "loan_coupons": -1,
    "in_transit_internal": -1,
    "in_transit_outgoing": -1,
    "transferred_internal": -1,
    "transferred_outgoing": -1,
    "spent_procurement": -1,
    "spent_emigration": -1,
}
AVAILABLE: dict[str, int] = {**CASH, "committed": -1}
IN_TRANSIT: dict[str, int] = {"in_transit_internal": 1, "in_transit_outgoing": 1}
IN_KIND: dict[str, int] = {"in_kind": 1}


def weighted(weights: dict[str, int]) -> str:
    """An SQL expression: the row's amount times its measure's weight (0 for other measures)."""
    cases = " ".join(
        f"WHEN '{m}' THEN {'' if w == 1 else '-'}amount_minor" for m, w in weights.items()
    )
    return f"CASE measure {cases} ELSE 0 END"


def weighted_columns(weights: dict[str, int]) -> str:
    """An SQL expression over a month row: its measure columns times their weights."""
    return " ".join(f"{'+' if w == 1 else '-'} {m}_minor" for m, w in weights.items()).lstrip("+ ")


def balance_sql(weights: dict[str, int]) -> str:
    """A committee's balance in one currency now: params (country, currency)."""
    return (
        f"SELECT COALESCE(SUM({weighted(weights)}), 0) FROM sv_totals "
        "WHERE country = ? AND currency = ?"
    )


def balance_as_of_sql(weights: dict[str, int], end: str = "?") -> str:
    """A committee's balance in one currency at the end of a day, from value dates.

    ``end`` is an SQL expression giving the day (ISO text); whole months come from sv_months and
    the days of the last month from sv_flows. Params: see ``as_of_params``.
    """
    month = f"substr({end}, 1, 7)"
    return (
        f"SELECT COALESCE(SUM(x), 0) FROM ("
        f"SELECT {weighted_columns(weights)} AS x FROM sv_months "
        f"WHERE country = ? AND currency = ? AND month < {month} "
        f"UNION ALL SELECT {weighted(weights)} FROM sv_flows "
        f"WHERE country = ? AND currency = ? AND value_date >= {month} || '-01' "
        f"AND value_date <= {end}) AS q"
    )


def as_of_params(country: str, currency: str, *end: Any) -> tuple[Any, ...]:
    """The parameters of ``balance_as_of_sql``; ``end`` are the parameters of its day."""
    return (country, currency, *end, country, currency, *end, *end)


def flow(
    country: str, measure: str, money: Money, day: date, org: str = "", minor: int | None = None
) -> list[SvOp]:
    """``money`` (``minor`` units, if known) added to ``measure`` of ``country`` on ``day``."""
    amount = to_minor(money) if minor is None else minor
    return [Flow(country, money.currency, measure, org, day.isoformat(), amount)]


def flow_from(
    source: Table,
    where: dict[str, Any],
    *,
    measure: Expr,
    amount: Expr,
    day: Expr,
    org: Expr = "organisation_type",
    guard: str = "",
) -> list[SvOp]:
    """Like ``flow``, with what the event does not say read from the subject's row in ``source``.

    ``day`` is a date column of the source row or a Value holding an ISO date.
    """
    return [FlowFrom(source, where, measure, amount, day, org, guard)]
