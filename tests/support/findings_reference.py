"""The compliance rules judged over the whole history at once, as the service did before the
findings were kept per node: one query per rule across every node. The tests compare the kept
findings with these, state after state."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from domain.consultation import ProcurementCategory
from federation.node.supervisory import SupervisoryService
from projections.supervisory import consultations as cons
from projections.supervisory import exceptions as ex
from projections.supervisory import exceptions_money as mx

TRANSFERS = mx.TRANSFERS_SQL
SENT = TRANSFERS + " WHERE status IN ('sent', 'confirmed')"
SQL = {
    "category": ex.CATEGORY_SQL.replace("country = ? AND ", "").format(
        ", ".join(f"'{c}'" for c in ProcurementCategory if c not in cons.PRODUCTIVE)
    ),
    "groups": ex.GROUPS_SQL.replace("country = ? AND ", ""),
    "allocations": """
SELECT a.country, a.surplus_id, a.version, a.campaign_id, a.currency, a.amount_minor,
  a.allocated_on, a.allocated_ref, c.kind, c.code
FROM sv_surplus_allocations AS a
LEFT JOIN sv_campaigns AS c ON c.country = a.country AND c.campaign_id = a.campaign_id
WHERE c.kind IS NULL OR c.kind <> 'expansion'
""",
    "over_balance": TRANSFERS + " WHERE amount_minor > available_minor",
    "single_signed": SENT
    + (
        " AND (countersigned_key IS NULL OR countersigned_key = initiated_key"
        " OR sent_key = initiated_key OR sent_key = countersigned_key)"
    ),
    "sent_before": SENT + " AND sent_on < ?",
    "difference": TRANSFERS + " WHERE status = 'confirmed' AND received_minor <> amount_minor",
    "reports": """
SELECT l.*, r.period_end, r.submitted_ref
FROM sv_report_lines AS l
JOIN sv_period_reports AS r
  ON r.country = l.country AND r.report_id = l.report_id AND r.submission = l.submission
WHERE l.asserted_cash_minor <> l.books_cash_minor
  OR l.asserted_in_transit_minor <> l.books_in_transit_minor
  OR l.asserted_in_kind_minor <> l.books_in_kind_minor
""",
    "loan_income": """
SELECT r.country, r.receipt_id, r.contributor, r.currency, r.amount_minor, r.value_date,
  r.received_ref, c.code
FROM sv_campaigns AS c
JOIN sv_receipts AS r ON r.country = c.country AND r.campaign_id = c.campaign_id
WHERE c.kind = 'loan_drive' AND r.kind = 'cash' AND r.reversed_on IS NULL
""",
    "pledges": """
SELECT r.country, r.receipt_id, r.pledge_id, r.contributor, r.currency, r.amount_minor,
  r.value_date, r.received_ref, s.actual_minor, s.pledge_id AS settled_pledge_id
FROM sv_receipts AS r
LEFT JOIN sv_pledge_settlements AS s ON s.country = r.country AND s.receipt_id = r.receipt_id
WHERE r.pledge_id IS NOT NULL AND r.reversed_on IS NULL
""",
    "administration": (
        "SELECT country, procurement_id, currency, paid_minor, committed_ref FROM sv_procurements "
        "WHERE category = 'administration' AND paid_minor > 0"
    ),
    "received": (
        "SELECT country, currency, SUM(amount_minor) AS amount_minor FROM sv_totals "
        "WHERE measure = 'received' GROUP BY country, currency"
    ),
}


def transit_findings(rows: list[Any], as_of: date, limit_days: int) -> list[ex.Finding]:
    """The transit rule as it was written before its findings were judged day by day from the
    transfers kept read (``exceptions_transit.SentTransfer``): the words must stay the same."""
    out = []
    for t in rows:
        sent = date.fromisoformat(t["sent_on"])
        confirmed = date.fromisoformat(t["confirmed_on"]) if t["confirmed_on"] else None
        end = confirmed if confirmed is not None and confirmed <= as_of else as_of
        days = (end - sent).days
        if sent > as_of or days <= limit_days:
            continue
        state = f"confirmed after {days} days" if end is confirmed else f"{days} days in transit"
        why = f"sent on {t['sent_on']}, {state} (limit {limit_days} days, as of {as_of})"
        head = (
            f"transfer of {ex.money_text(t['amount_minor'], t['currency'])} to {t['recipient']}: "
        )
        events = ex.events_of((t["country"], t["sent_ref"]), (t["country"], t["confirmed_ref"]))
        rule, node = "transfer.in_transit_too_long", t["country"]
        out.append(
            ex.Finding(rule, node, t["transfer_id"], "transfer", t["sent_on"], head + why, events)
        )
    return out


def whole_history(service: SupervisoryService, as_of: date) -> list[ex.Finding]:
    """Every finding of the projection's state, judged across all nodes at once, in order."""
    settings, liaison = service.settings, service.liaison
    limit = settings.transit_limit_days
    cut = (as_of - timedelta(days=min(limit, as_of.toordinal() - 1))).isoformat()

    def read(name: str, params: list[Any] | None = None) -> list[Any]:
        return service.records(SQL[name], params or [])

    rows, verdicts = service.rules.procurement_cover()
    received = {(r["country"], r["currency"]): int(r["amount_minor"]) for r in read("received")}
    share: Decimal = settings.administration_share
    found = [
        *ex.procurement_findings(rows, verdicts, liaison),
        *ex.category_findings(read("category")),
        *ex.departure_findings(service.records(ex.DEPARTURES_SQL, [liaison]), liaison),
        *ex.group_findings(read("groups")),
        *mx.surplus_findings(read("allocations")),
        *mx.over_balance_findings(read("over_balance")),
        *mx.single_signed_findings(read("single_signed")),
        *transit_findings(read("sent_before", [cut]), as_of, limit),
        *mx.difference_findings(read("difference")),
        *mx.report_findings(read("reports")),
        *mx.loan_income_findings(read("loan_income")),
        *mx.pledge_findings(read("pledges")),
        *mx.administration_findings(read("administration"), received, share),
    ]
    found.sort(key=lambda f: (f.on or "", f.rule, f.node, f.subject_id))
    return found
