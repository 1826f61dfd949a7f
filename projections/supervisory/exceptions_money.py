"""The compliance rules about money: surplus, transfers, period reports, loans, pledges, admin.

See ``exceptions`` for what a finding is. Every query reads one node's rows (the node is its
first parameter): the rules are judged node by node (``federation.node.supervisory_findings``).
The time-dependent rules take their limits as
arguments (the service reads them from settings) and are evaluated as of a given day.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from domain.ids import derive_id
from projections.supervisory.exceptions import Finding, events_of, money_text
from projections.supervisory.exceptions_transit import transfer_head
from projections.supervisory.exceptions_transit import transit_findings as transit_findings

Row = dict[str, Any]

ALLOCATIONS_SQL = """
SELECT a.country, a.surplus_id, a.version, a.campaign_id, a.currency, a.amount_minor,
  a.allocated_on, a.allocated_ref, c.kind, c.code
FROM sv_surplus_allocations AS a
LEFT JOIN sv_campaigns AS c ON c.country = a.country AND c.campaign_id = a.campaign_id
WHERE a.country = ? AND (c.kind IS NULL OR c.kind <> 'expansion')
"""
TRANSFERS_SQL = (
    "SELECT country, transfer_id, recipient, currency, amount_minor, available_minor, status, "
    "initiated_on, initiated_by, initiated_key, countersigned_by, countersigned_key, sent_by, "
    "sent_key, sent_on, confirmed_on, received_minor, difference_minor, initiated_ref, "
    "countersigned_ref, sent_ref, confirmed_ref FROM sv_transfers"
)
# A node's transfers, read once: the four transfer rules pick their rows in Python (an index on
# status would have SQLite read every node's transfers for each rule).
NODE_TRANSFERS_SQL = TRANSFERS_SQL + " WHERE country = ?"


def over_balance_rows(rows: Iterable[Row]) -> list[Row]:
    """Transfers above the balance available when initiated (an unknown balance is not)."""
    return [
        t
        for t in rows
        if t["available_minor"] is not None and int(t["amount_minor"]) > int(t["available_minor"])
    ]


def sent_rows(rows: Iterable[Row]) -> list[Row]:
    """Transfers sent (confirmed or not)."""
    return [t for t in rows if t["status"] in ("sent", "confirmed")]


def single_signed_rows(rows: Iterable[Row]) -> list[Row]:
    """Sent transfers that lack a second, distinct signatory (SQL's NULL never equals)."""

    def same(a: Any, b: Any) -> bool:
        return a is not None and a == b

    return [
        t
        for t in sent_rows(rows)
        if t["countersigned_key"] is None
        or same(t["countersigned_key"], t["initiated_key"])
        or same(t["sent_key"], t["initiated_key"])
        or same(t["sent_key"], t["countersigned_key"])
    ]


def sent_before_rows(rows: Iterable[Row], cut: str) -> list[Row]:
    """Transfers sent before the day ``cut`` (ISO)."""
    return [t for t in sent_rows(rows) if t["sent_on"] is not None and t["sent_on"] < cut]


def difference_rows(rows: Iterable[Row]) -> list[Row]:
    """Confirmed transfers whose received amount differs from the amount sent."""
    return [
        t
        for t in rows
        if t["status"] == "confirmed"
        and t["received_minor"] is not None
        and int(t["received_minor"]) != int(t["amount_minor"])
    ]


REPORTS_SQL = """
SELECT l.*, r.period_end, r.submitted_ref
FROM sv_report_lines AS l
JOIN sv_period_reports AS r
  ON r.country = l.country AND r.report_id = l.report_id AND r.submission = l.submission
WHERE l.country = ? AND (l.asserted_cash_minor <> l.books_cash_minor
  OR l.asserted_in_transit_minor <> l.books_in_transit_minor
  OR l.asserted_in_kind_minor <> l.books_in_kind_minor)
"""
# CROSS JOIN keeps SQLite's order: the few loan drives first, then their receipts by campaign
# (else it reads every receipt of the node). PostgreSQL plans it as an inner join.
LOAN_INCOME_SQL = """
SELECT r.country, r.receipt_id, r.contributor, r.currency, r.amount_minor, r.value_date,
  r.received_ref, c.code
FROM sv_campaigns AS c
CROSS JOIN sv_receipts AS r
WHERE c.country = ? AND c.kind = 'loan_drive' AND r.country = c.country
  AND r.campaign_id = c.campaign_id AND r.kind = 'cash' AND r.reversed_on IS NULL
"""
# ``country || ''`` keeps SQLite off the node's index of every receipt: the partial index of the
# few receipts that cite a pledge is read instead.
PLEDGE_RECEIPTS_SQL = """
SELECT r.country, r.receipt_id, r.pledge_id, r.contributor, r.currency, r.amount_minor,
  r.value_date, r.received_ref, s.actual_minor, s.pledge_id AS settled_pledge_id
FROM sv_receipts AS r
LEFT JOIN sv_pledge_settlements AS s ON s.country = r.country AND s.receipt_id = r.receipt_id
WHERE r.country || '' = ? AND r.pledge_id IS NOT NULL AND r.reversed_on IS NULL
"""
ADMINISTRATION_SQL = (
    "SELECT country, procurement_id, currency, paid_minor, committed_ref FROM sv_procurements "
    "WHERE country = ? AND category = 'administration' AND paid_minor > 0"
)
RECEIVED_SQL = (
    "SELECT country, currency, SUM(amount_minor) AS amount_minor FROM sv_totals "
    "WHERE country = ? AND measure = 'received' GROUP BY country, currency"
)


def surplus_findings(rows: Iterable[Row]) -> list[Finding]:
    by_surplus: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for a in rows:
        by_surplus[(a["country"], a["surplus_id"])].append(a)
    out = []
    for (country, surplus_id), allocations in sorted(by_surplus.items()):
        parts = [
            f"{money_text(a['amount_minor'], a['currency'])} to "
            + (f"{a['code']} (a {a['kind']} campaign)" if a["kind"] else "an unknown campaign")
            for a in allocations
        ]
        events = events_of(*((country, a["allocated_ref"]) for a in allocations))
        detail = "surplus allocated outside expansion: " + "; ".join(parts)
        on = min(a["allocated_on"] for a in allocations)
        out.append(
            Finding("surplus.not_expansion", country, surplus_id, "surplus", on, detail, events)
        )
    return out


def _transfer(t: Row, rule: str, on: str | None, detail: str, *refs: str) -> Finding:
    head = transfer_head(t)
    events = events_of(*((t["country"], t[r]) for r in refs))
    return Finding(rule, t["country"], t["transfer_id"], "transfer", on, head + detail, events)


def over_balance_findings(rows: Iterable[Row]) -> list[Finding]:
    return [
        _transfer(
            t,
            "transfer.exceeds_available_balance",
            t["initiated_on"],
            f"only {money_text(t['available_minor'], t['currency'])} was available on initiation",
            "initiated_ref",
        )
        for t in rows
    ]


def single_signed_findings(rows: Iterable[Row]) -> list[Finding]:
    out = []
    for t in rows:
        if t["countersigned_key"] is None:
            why = f"sent by {t['sent_by']} without a countersignature"
        elif t["countersigned_key"] == t["initiated_key"]:
            why = f"countersigned by its initiator {t['initiated_by']}"
        elif t["sent_key"] in (t["initiated_key"], t["countersigned_key"]):
            why = f"sent by {t['sent_by']}, who had already signed it"
        else:
            continue
        refs = ("initiated_ref", "countersigned_ref", "sent_ref")
        out.append(_transfer(t, "transfer.single_signed", t["sent_on"], why, *refs))
    return out


def difference_findings(rows: Iterable[Row]) -> list[Finding]:
    out = []
    for t in rows:
        gap = int(t["amount_minor"]) - int(t["received_minor"])
        booked = t["difference_minor"]
        if gap == 0 or (booked is not None and int(booked) == gap):
            continue
        received = money_text(t["received_minor"], t["currency"])
        why = f"{received} arrived and " + (
            "no difference was booked"
            if booked is None
            else f"the difference booked is {money_text(booked, t['currency'])}"
        )
        refs = ("sent_ref", "confirmed_ref")
        out.append(_transfer(t, "transfer.difference_not_booked", t["confirmed_on"], why, *refs))
    return out


def report_findings(rows: Iterable[Row]) -> list[Finding]:
    by_report: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for line in rows:
        by_report[(line["country"], line["report_id"])].append(line)
    out = []
    for (country, report_id), lines in sorted(by_report.items()):
        parts = []
        for line in lines:
            code = line["currency"]
            for what in ("cash", "in_transit", "in_kind"):
                asserted, books = line[f"asserted_{what}_minor"], line[f"books_{what}_minor"]
                if int(asserted) != int(books):
                    parts.append(
                        f"{what.replace('_', ' ')} asserted {money_text(asserted, code)}, "
                        f"books {money_text(books, code)}"
                    )
        end = lines[0]["period_end"]
        detail = f"report on the period ending {end}: " + "; ".join(parts)
        events = events_of((country, lines[0]["submitted_ref"]))
        finding = Finding(
            "period_report.disagrees_with_books", country, report_id, "report", end, detail, events
        )
        out.append(finding)
    return out


def loan_income_findings(rows: Iterable[Row]) -> list[Finding]:
    return [
        Finding(
            "loan.counted_as_income",
            r["country"],
            r["receipt_id"],
            "receipt",
            r["value_date"],
            f"{money_text(r['amount_minor'], r['currency'])} from {r['contributor']} booked as a "
            f"cash receipt of the loan drive {r['code']}: subscriptions are liabilities",
            events_of((r["country"], r["received_ref"])),
        )
        for r in rows
    ]


def pledge_findings(rows: Iterable[Row]) -> list[Finding]:
    out = []
    for r in rows:
        if r["settled_pledge_id"] is None:
            why = "no settlement of the pledge names this receipt"
        elif r["settled_pledge_id"] != r["pledge_id"]:
            why = "the settlement naming this receipt belongs to another pledge"
        elif int(r["actual_minor"]) != int(r["amount_minor"]):
            why = f"the settlement was of {money_text(r['actual_minor'], r['currency'])}"
        else:
            continue
        detail = (
            f"{money_text(r['amount_minor'], r['currency'])} from {r['contributor']} counted as "
            f"funds against a pledge: {why}"
        )
        events = events_of((r["country"], r["received_ref"]))
        out.append(
            Finding(
                "pledge.counted_as_funds",
                r["country"],
                r["receipt_id"],
                "receipt",
                r["value_date"],
                detail,
                events,
            )
        )
    return out


def administration_findings(
    procurements: Iterable[Row], received: dict[tuple[str, str], int], share: Decimal
) -> list[Finding]:
    """Per committee and currency: administration paid above ``share`` of the cash received."""
    paid: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for p in procurements:
        paid[(p["country"], p["currency"])].append(p)
    out = []
    for (country, code), rows in sorted(paid.items()):
        spent, income = sum(int(p["paid_minor"]) for p in rows), received.get((country, code), 0)
        if spent <= share * income:
            continue
        detail = (
            f"administration paid {money_text(spent, code)} against {money_text(income, code)} "
            f"received: above the limit of {(share * 100).normalize():f} % of income"
        )
        subject = str(derive_id("administration-share", country, code))
        events = events_of(*((country, p["committed_ref"]) for p in rows))
        finding = Finding(
            "administration.over_share", country, subject, "committee", None, detail, events
        )
        out.append(finding)
    return out
