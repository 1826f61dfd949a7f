"""The questions the supervisors ask, as SQL over the supervisory tables, and what follows from
the measures (cash on hand, the boundary's totals) — written once for SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from projections.supervisory.flows import CASH, MONTH_COLUMNS

# --- figures from measures -------------------------------------------------------------------

FIGURES = (
    "pledged",
    "pledges_settled",
    "pledges_outstanding",
    "received",
    "in_kind",
    "incoming",
    "loan_subscribed",
    "loan_redeemed",
    "loan_coupons",
    "loan_outstanding",
    "committed",
    "in_transit",
    "transferred",
    "internal",
    "transfer_difference",
    "spent_procurement",
    "spent_emigration",
    "spent",
    "outgoing",
    "surplus_declared",
    "surplus_allocated",
    "cash_on_hand",
    "available",
)


def figures(m: Mapping[str, Any]) -> dict[str, Any]:
    """The figures of one committee (or all) in one currency, from its measures.

    Values are minor units (int) or converted amounts (Decimal); a None measure (no rate) makes
    every figure built from it None.
    """
    g = m.get
    if any(v is None for v in m.values()):
        return _partial(m)
    it_in, it_out = g("in_transit_internal", 0), g("in_transit_outgoing", 0)
    tr_in, tr_out = g("transferred_internal", 0), g("transferred_outgoing", 0)
    procured, journeys = g("spent_procurement", 0), g("spent_emigration", 0)
    received, subscribed, redeemed = (
        g("received", 0),
        g("loan_subscribed", 0),
        g("loan_redeemed", 0),
    )
    cash = received + subscribed - redeemed - g("loan_coupons", 0)
    cash -= it_in + it_out + tr_in + tr_out + procured + journeys
    return {
        "pledged": g("pledged", 0),
        "pledges_settled": g("pledge_settled", 0),
        "pledges_outstanding": max(g("pledged", 0) - g("pledge_settled", 0), 0),
        "received": received,
        "in_kind": g("in_kind", 0),
        "incoming": received + g("in_kind", 0),
        "loan_subscribed": subscribed,
        "loan_redeemed": redeemed,
        "loan_coupons": g("loan_coupons", 0),
        "loan_outstanding": subscribed - redeemed,
        "committed": g("committed", 0),
        "in_transit": it_in + it_out,
        "transferred": tr_in + tr_out,
        "internal": it_in + tr_in,
        "transfer_difference": g("transfer_difference", 0),
        "spent_procurement": procured,
        "spent_emigration": journeys,
        "spent": procured + journeys,
        "outgoing": it_out + tr_out + procured + journeys,
        "surplus_declared": g("surplus_declared", 0),
        "surplus_allocated": g("surplus_allocated", 0),
        "cash_on_hand": cash,
        "available": cash - g("committed", 0),
    }


def _partial(m: Mapping[str, Any]) -> dict[str, Any]:
    """``figures`` where some measures have no value: each figure built from one is None."""

    def total(*parts: tuple[str, int]) -> Any:
        values = [m.get(k, 0) for k, _ in parts]
        if any(v is None for v in values):
            return None
        return sum((v * sign for v, (_, sign) in zip(values, parts, strict=True)), 0)

    def plus(*keys: str) -> Any:
        return total(*((k, 1) for k in keys))

    outstanding = total(("pledged", 1), ("pledge_settled", -1))
    cash = total(*CASH.items())
    return {
        "pledged": plus("pledged"),
        "pledges_settled": plus("pledge_settled"),
        "pledges_outstanding": None if outstanding is None else max(outstanding, 0),
        "received": plus("received"),
        "in_kind": plus("in_kind"),
        "incoming": plus("received", "in_kind"),
        "loan_subscribed": plus("loan_subscribed"),
        "loan_redeemed": plus("loan_redeemed"),
        "loan_coupons": plus("loan_coupons"),
        "loan_outstanding": total(("loan_subscribed", 1), ("loan_redeemed", -1)),
        "committed": plus("committed"),
        "in_transit": plus("in_transit_internal", "in_transit_outgoing"),
        "transferred": plus("transferred_internal", "transferred_outgoing"),
        "internal": plus("in_transit_internal", "transferred_internal"),
        "transfer_difference": plus("transfer_difference"),
        "spent_procurement": plus("spent_procurement"),
        "spent_emigration": plus("spent_emigration"),
        "spent": plus("spent_procurement", "spent_emigration"),
        "outgoing": plus(
            "in_transit_outgoing", "transferred_outgoing", "spent_procurement", "spent_emigration"
        ),
        "surplus_declared": plus("surplus_declared"),
        "surplus_allocated": plus("surplus_allocated"),
        "cash_on_hand": cash,
        "available": None if cash is None else total(*CASH.items(), ("committed", -1)),
    }


BOUNDARY = {
    "incoming": "cash and goods in kind received from contributors, net of reversals",
    "internal": "transfers to the International (inside the federation): in transit or arrived",
    "outgoing": (
        "money leaving the federation for Soviet Russia: procurement payments, funded journeys "
        "of specialists, transfers to the liaison or an agency (in transit or arrived)"
    ),
    "outside": (
        "pledges (promises, never funds), loan subscriptions (liabilities) and their service, "
        "surplus (a designation of money already counted): shown apart, never in the totals"
    ),
}

# --- totals ----------------------------------------------------------------------------------

TOTALS_SQL = (
    "SELECT country, currency, measure, SUM(amount_minor) AS amount_minor FROM sv_totals"
    "{where} GROUP BY country, currency, measure"
)
MONTHS_SQL = (
    f"SELECT country, currency, month, {', '.join(MONTH_COLUMNS)} FROM sv_months "
    "WHERE month >= ? AND month <= ?{filters}"
)
# The same months summed per country and currency (the figures in their own currencies).
MONTH_SUMS_SQL = (
    f"SELECT country, currency, {', '.join(f'SUM({c}) AS {c}' for c in MONTH_COLUMNS)} "
    "FROM sv_months "
    "WHERE month >= ? AND month <= ?{filters} GROUP BY country, currency"
)
COMMITTEES_SQL = "SELECT country, name, national_section, constituted_on FROM sv_committees"
CONTRIBUTORS_SQL = (
    "SELECT organisation_type, COUNT(*) AS contributors FROM sv_contributors "
    "WHERE receipts > 0{filters} GROUP BY organisation_type"
)
DELEGATES_SQL = (
    "SELECT organisation_type, COUNT(*) AS delegates FROM sv_delegates{where} "
    "GROUP BY organisation_type"
)
PROCUREMENT_BY_CATEGORY_SQL = (
    "SELECT category, currency, SUM(procurements) AS procurements, "
    "SUM(committed_minor) AS committed_minor, SUM(paid_minor) AS paid_minor "
    "FROM sv_procurement_totals{where} GROUP BY category, currency"
)
ENTERPRISES_SQL = "SELECT COUNT(*) AS enterprises FROM sv_enterprises WHERE upstream = ?"
SPECIALISTS_SQL = (
    "SELECT COUNT(*) AS nominated, "
    "SUM(CASE WHEN noted_approved = 1 THEN 1 ELSE 0 END) AS approved, "
    "SUM(CASE WHEN noted_approved = 0 THEN 1 ELSE 0 END) AS refused, "
    "SUM(CASE WHEN status = 'departed' THEN 1 ELSE 0 END) AS departed "
    "FROM sv_specialists{where}"
)
ORGANISATION_TYPES_SQL = (
    "SELECT organisation_type, currency, measure, SUM(amount_minor) AS amount_minor "
    "FROM sv_totals WHERE organisation_type <> ''{filters} "
    "GROUP BY organisation_type, currency, measure"
)
# Contributions by organisation type within a period, from the subjects' own rows.
ORGANISATION_TYPES_IN_PERIOD_SQL = """
SELECT organisation_type, currency, measure, SUM(amount_minor) AS amount_minor FROM (
  SELECT country, organisation_type, currency,
    CASE kind WHEN 'cash' THEN 'received' ELSE 'in_kind' END AS measure, amount_minor
  FROM sv_receipts WHERE value_date >= ? AND value_date <= ? AND reversed_on IS NULL
  UNION ALL
  SELECT country, organisation_type, currency, 'pledged',
    CASE status WHEN 'cancelled' THEN settled_minor ELSE total_minor END
  FROM sv_pledges WHERE pledged_on >= ? AND pledged_on <= ?
  UNION ALL
  SELECT country, organisation_type, currency, 'loan_subscribed', principal_minor
  FROM sv_loans WHERE subscribed_on >= ? AND subscribed_on <= ?
) AS q WHERE 1 = 1{filters}
GROUP BY organisation_type, currency, measure
"""
IN_TRANSIT_SQL = """
SELECT country, transfer_id, recipient, flow, purpose, currency, amount_minor, status,
  initiated_on, sent_on, confirmed_on, sent_by
FROM sv_transfers
WHERE ((status = 'sent' AND sent_on <= ?)
   OR (status = 'confirmed' AND sent_on <= ? AND confirmed_on > ?))
"""
WATERMARK_SQL = """
SELECT e.upstream, e.position AS ingested, p.position AS included, s.last_ingest
FROM projection_positions AS e
LEFT JOIN projection_positions AS p ON p.upstream = e.upstream AND p.projection = ?
LEFT JOIN supervisory_syncs AS s ON s.upstream = e.upstream
WHERE e.projection = 'ingested'
ORDER BY e.upstream
"""
EVENTS_SQL = (
    "SELECT upstream, originator_id, originator_version, position, topic FROM ingested_entries "
    "WHERE originator_id IN ({marks})"
)
