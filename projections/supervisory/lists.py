"""The tables the supervisors page through, filter and download, and how each is asked for.

Each list is a view of one supervisory table (references and comparison keys left out) with the
filters it accepts and the date its period applies to. Amounts are read as ``<name>_minor`` and
answered as decimal text named ``<name>``, in the row's currency.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from projections.rows import Table
from projections.supervisory import (
    committees,
    liaison,
    loans,
    money,
    resolution,
    specialists,
    surplus,
    transfers,
)


@dataclass(frozen=True, slots=True)
class ListSpec:
    """A list: its query, the columns it answers with, its order, period column and filters.

    ``filters`` maps a filter's name to the column it compares with.
    """

    sql: str
    columns: tuple[str, ...]
    order: str
    dated: str | None = None
    filters: dict[str, str] = field(default_factory=dict)


def _shown(table: Table) -> list[str]:
    return [c for c in table.columns if not c.endswith(("_ref", "_key"))]


def view(
    table: Table,
    order: str,
    dated: str | None = None,
    filters: tuple[str, ...] = (),
    extra: dict[str, str] | None = None,
    where: str = "",
) -> ListSpec:
    """A list of ``table``'s rows with ``extra`` computed columns (name -> SQL expression)."""
    extra = extra or {}
    selected = [*_shown(table), *(f"{sql} AS {name}" for name, sql in extra.items())]
    sql = f"SELECT {', '.join(selected)} FROM {table.name}{where}"
    names = [c.removesuffix("_minor") for c in [*_shown(table), *extra]]
    known = {f: f for f in filters}
    return ListSpec(sql, tuple(names), order, dated, known)


_REVERSED = "CASE WHEN reversed_on IS NULL THEN 'active' ELSE 'reversed' END"
_PLEDGE_OUTSTANDING = "CASE status WHEN 'open' THEN total_minor - settled_minor ELSE 0 END"
_CONSULTATION = "CASE WHEN closed_on IS NULL THEN 'open' ELSE 'closed' END"

LISTS: dict[str, ListSpec] = {
    "committees": view(committees.COMMITTEES, "country", "constituted_on", ("country",)),
    "delegates": view(
        committees.DELEGATES, "country, delegate", None, ("country", "organisation_type")
    ),
    "campaigns": view(committees.CAMPAIGNS, "country, opened_on, code", "opened_on", ("country",)),
    "receipts": view(
        money.RECEIPTS,
        "value_date, country, receipt_id",
        "value_date",
        ("country", "currency", "organisation_type", "status", "kind"),
        {"status": _REVERSED},
    ),
    "pledges": view(
        money.PLEDGES,
        "pledged_on, country, pledge_id",
        "pledged_on",
        ("country", "currency", "organisation_type", "status"),
        {"outstanding_minor": _PLEDGE_OUTSTANDING},
    ),
    "loans": view(
        loans.LOANS,
        "subscribed_on, country, subscription_id",
        "subscribed_on",
        ("country", "currency", "organisation_type"),
        {"outstanding_minor": "principal_minor - redeemed_minor"},
    ),
    "surpluses": view(
        surplus.SURPLUSES,
        "period_end, country, surplus_id",
        "period_end",
        ("country", "currency"),
        {"unallocated_minor": "declared_minor - allocated_minor"},
    ),
    "surplus-allocations": view(
        surplus.ALLOCATIONS,
        "allocated_on, country, surplus_id, version",
        "allocated_on",
        ("country", "currency"),
    ),
    "transfers": view(
        transfers.TRANSFERS,
        "initiated_on, country, transfer_id",
        "initiated_on",
        ("country", "currency", "status", "flow"),
    ),
    "period-reports": view(
        committees.REPORTS, "period_end, country, report_id", "period_end", ("country", "status")
    ),
    "report-lines": view(
        committees.REPORT_LINES, "country, report_id, currency", None, ("country", "currency")
    ),
    "procurements": view(
        resolution.PROCUREMENTS,
        "committed_on, country, procurement_id",
        "committed_on",
        ("country", "currency", "category", "agency_id", "status"),
        {"outstanding_minor": "amount_minor - paid_minor"},
    ),
    "procurement-totals": view(
        resolution.PROCUREMENT_TOTALS,
        "category, agency_id, country, currency",
        None,
        ("country", "currency", "category", "agency_id"),
    ),
    "specialists": view(
        specialists.SPECIALISTS,
        "nominated_on, country, nomination_id",
        "nominated_on",
        ("country", "status"),
    ),
    "agencies": view(liaison.AGENCIES, "code", "registered_on", ("agency_id",)),
    "enterprises": view(liaison.ENTERPRISES, "in_production_on, name", "in_production_on"),
    "deliveries": view(liaison.DELIVERIES, "delivered_on, procurement_id", "delivered_on"),
    "union-decisions": view(liaison.UNION_DECISIONS, "decided_on, decision_id", "decided_on"),
    "consultations": view(
        resolution.CONSULTATIONS,
        "requested_on, country, consultation_id",
        "requested_on",
        ("country", "currency", "category", "agency_id", "status"),
        {"status": _CONSULTATION},
    ),
}
