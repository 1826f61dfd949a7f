"""The replay report's content, as plain data: what it covers, the supervisory view's headline
figures, the consultation records and the exceptions. Rendering lives in ``federation.audit``."""

from __future__ import annotations

from typing import Any

FORMAT = "aidfed-replay-report/1"

# The headline figures per currency, in the order a reader expects them.
HEADLINE = (
    "pledged",
    "received",
    "in_kind",
    "loan_subscribed",
    "transferred",
    "in_transit",
    "spent",
    "cash_on_hand",
)
LABELS = {
    "pledged": "Pledged (memo, not funds)",
    "received": "Received in cash",
    "in_kind": "Received in kind",
    "loan_subscribed": "Loan subscribed (a liability)",
    "transferred": "Transferred",
    "in_transit": "In transit",
    "spent": "Spent",
    "cash_on_hand": "Cash on hand",
}


def headline(currency_rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per currency, the headline figures the overview has (those it lacks are left out)."""
    out = []
    for row in currency_rows:
        figures = [
            {"measure": m, "label": LABELS[m], "amount": row[m]} for m in HEADLINE if m in row
        ]
        out.append({"currency": row["currency"], "figures": figures})
    return out


def compose(
    *,
    code_version: str,
    source: dict[str, Any],
    moment: dict[str, Any],
    as_of: str | None,
    covered: list[dict[str, Any]],
    digests: dict[str, str],
    overview: dict[str, Any],
    consultations: list[dict[str, Any]],
    coverage: list[dict[str, Any]],
    exceptions: list[dict[str, Any]],
) -> dict[str, Any]:
    """The report: its inputs (and their digest), the code version, the state's digest, the
    figures. Nothing in it depends on when or where the replay ran, so two auditors compare."""
    return {
        "format": FORMAT,
        "code_version": code_version,
        "source": source,
        "moment": moment,
        "exceptions_judged_as_of": as_of,
        "covered": covered,
        "events_included": sum(int(c["included"]) for c in covered),
        "digests": digests,
        "headline": headline(overview.get("currencies", [])),
        "converted": overview.get("converted"),
        "aims": overview.get("aims"),
        "countries": [
            {"country": c["country"], "name": c["name"], "currencies": c["currencies"]}
            for c in overview.get("countries", [])
        ],
        "consultations": consultations,
        "coverage": coverage,
        "exceptions": exceptions,
    }
