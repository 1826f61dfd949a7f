"""Compliance rules the International checks after the fact, over the replayed projection.

A committee running this software cannot break most of these rules: its commands refuse. A node
running modified software can, and the International finds it here. Each rule is a query over
the supervisory tables plus a pure judgement of its rows; each finding names its rule, the node
that broke it, the subject (a procurement, a transfer...) and the events behind it (upstream and
event reference, resolved to log positions by the service).

Findings are a function of the projection's state, so they are as deterministic as the rows: the
same history always gives the same findings, and a finding disappears when later events cure it
(a difference booked, an opinion that arrives late but was recorded in time). Its id is the
``ComplianceException`` id of (rule, node, subject): a supervisor resolves it by recording that
exception (raised and resolved) in the International's log.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from uuid import UUID

from domain.supervision import ComplianceException
from projections.supervisory.amount_text import minor_text
from projections.supervisory.consultations import PRODUCTIVE

Row = dict[str, Any]

RULES: dict[str, str] = {
    "procurement.without_concurring_consultation": (
        "procurement committed without a prior, concurring, valid consultation of the agency"
    ),
    "procurement.category_not_allowed": "procurement outside machines, raw materials and tools",
    "specialist.departure_without_approval": "a specialist left without the union's approval",
    "specialist.group_nomination": "a nomination names more than one person",
    "surplus.not_expansion": "surplus allocated to something other than an expansion campaign",
    "transfer.exceeds_available_balance": "a transfer above the balance available when initiated",
    "transfer.single_signed": "a transfer sent without a second signatory, or by a signatory",
    "transfer.in_transit_too_long": "money in transit longer than the set limit",
    "transfer.difference_not_booked": "received amount differs from the amount sent, unbooked",
    "period_report.disagrees_with_books": "a period report's balances differ from the books",
    "loan.counted_as_income": "loan money booked as a cash receipt (income)",
    "pledge.counted_as_funds": "a receipt cites a pledge that was never settled by it",
    "administration.over_share": "administration spending above the set share of income",
}


@dataclass(frozen=True, slots=True)
class Finding:
    """One broken rule: who broke it, on what, when, and the events that show it."""

    rule: str
    node: str
    subject_id: str
    subject: str
    on: str | None
    detail: str
    events: tuple[tuple[str, str], ...] = field(default=())

    @property
    def exception_id(self) -> UUID:
        """The id a recorded ``ComplianceException`` of this finding has."""
        return exception_id(self.rule, self.node, self.subject_id)


@lru_cache(maxsize=65536)
def exception_id(rule: str, node: str, subject_id: str) -> UUID:
    """``ComplianceException.id_for`` of a finding (a page shows the same findings again)."""
    return ComplianceException.id_for(rule, node, UUID(subject_id))


def events_of(*pairs: tuple[str, str | None]) -> tuple[tuple[str, str], ...]:
    return tuple((upstream, ref) for upstream, ref in pairs if ref)


def money_text(minor: Any, code: str) -> str:
    return f"{minor_text(int(minor), code)} {code}"


# --- procurement --------------------------------------------------------------------------


def procurement_findings(
    rows: Iterable[Row], verdicts: dict[tuple[str, str], str | None], liaison: str
) -> list[Finding]:
    """Procurements lacking cover (see ``consultations.uncovered``)."""
    out = []
    for p in rows:
        reason = verdicts.get((p["country"], p["procurement_id"]))
        if reason is None:
            continue
        events = events_of((p["country"], p["committed_ref"]), (p["country"], p["requested_ref"]))
        detail = f"procurement {p['reference']} of {money_text(p['amount_minor'], p['currency'])}: "
        out.append(
            Finding(
                "procurement.without_concurring_consultation",
                p["country"],
                p["procurement_id"],
                "procurement",
                p["committed_on"],
                detail + reason,
                events,
            )
        )
    return out


CATEGORY_SQL = (
    "SELECT country, procurement_id, reference, category, currency, amount_minor, "
    "committed_on, committed_ref FROM sv_procurements WHERE country = ? AND category IN ({})"
)


def category_sql(categories: Iterable[str]) -> str:
    """Procurements in any of ``categories`` (the non-productive ones)."""
    return CATEGORY_SQL.format(", ".join(f"'{c}'" for c in categories if c not in PRODUCTIVE))


def category_findings(rows: Iterable[Row]) -> list[Finding]:
    return [
        Finding(
            "procurement.category_not_allowed",
            p["country"],
            p["procurement_id"],
            "procurement",
            p["committed_on"],
            f"procurement {p['reference']} buys {p['category']} for "
            f"{money_text(p['amount_minor'], p['currency'])}: funds buy machines, raw materials "
            "and tools only",
            events_of((p["country"], p["committed_ref"])),
        )
        for p in rows
    ]


# --- specialists --------------------------------------------------------------------------

DEPARTURES_SQL = """
SELECT s.country, s.nomination_id, s.reference, s.person, s.union_id, s.union_name,
  s.departed_on, s.departed_ref, s.nominated_ref,
  d.approved, d.union_id AS decided_union_id, d.decided_on, d.decided_ref
FROM sv_specialists AS s
LEFT JOIN sv_union_decisions AS d ON d.nomination_id = s.nomination_id AND d.upstream = ?
WHERE s.status = 'departed'
"""
GROUPS_SQL = (
    "SELECT country, nomination_id, reference, person, persons_named, nominated_on, "
    "nominated_ref FROM sv_specialists WHERE country = ? AND persons_named > 1"
)


def departure_findings(rows: Iterable[Row], liaison: str) -> list[Finding]:
    out = []
    for s in rows:
        if s["approved"] is None:
            why = f"no decision of the {s['union_name']} was recorded by the liaison"
        elif not int(s["approved"]):
            why = f"the {s['union_name']} refused the nomination on {s['decided_on']}"
        elif s["decided_union_id"] != s["union_id"]:
            why = "the approval recorded is another union's"
        elif s["decided_on"] > s["departed_on"]:
            why = f"the approval came on {s['decided_on']}, after the departure"
        else:
            continue
        events = events_of((s["country"], s["departed_ref"]), (liaison, s["decided_ref"]))
        detail = f"{s['person']} ({s['reference']}) departed on {s['departed_on']}: {why}"
        out.append(
            Finding(
                "specialist.departure_without_approval",
                s["country"],
                s["nomination_id"],
                "nomination",
                s["departed_on"],
                detail,
                events,
            )
        )
    return out


def group_findings(rows: Iterable[Row]) -> list[Finding]:
    return [
        Finding(
            "specialist.group_nomination",
            s["country"],
            s["nomination_id"],
            "nomination",
            s["nominated_on"],
            f"nomination {s['reference']} names {s['persons_named']} people ({s['person']}): "
            "one person per nomination",
            events_of((s["country"], s["nominated_ref"])),
        )
        for s in rows
    ]
