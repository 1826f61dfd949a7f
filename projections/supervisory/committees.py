"""The committees themselves: who they are, their delegates' organisations, campaigns, reports.

A period report's lines keep, beside what the treasurer asserted, what the committee's own
replayed books said at the end of the period when the report was (re)submitted — the events of
that committee before the report in its log, with value dates up to the period's end.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from domain.campaign import Campaign
from domain.committee import NationalCommittee
from domain.period_report import PeriodReport
from projections.rows import Change, Put, Table, to_minor
from projections.supervisory.flows import CASH, IN_KIND, IN_TRANSIT, as_of_params, balance_as_of_sql
from projections.supervisory.ops import SetFrom, SvOp, ref

COMMITTEES = Table(
    "sv_committees",
    {
        "country": "TEXT",
        "committee_id": "TEXT",
        "claimed_country": "TEXT",
        "name": "TEXT",
        "national_section": "TEXT",
        "constituted_on": "TEXT",
        "constituted_ref": "TEXT",
    },
    ("country",),
)
DELEGATES = Table(
    "sv_delegates",
    {"country": "TEXT", "delegate": "TEXT", "organisation": "TEXT", "organisation_type": "TEXT"},
    ("country", "delegate"),
)
CAMPAIGNS = Table(
    "sv_campaigns",
    {
        "country": "TEXT",
        "campaign_id": "TEXT",
        "code": "TEXT",
        "title": "TEXT",
        "kind": "TEXT",
        "opened_on": "TEXT",
        "closed_on": "TEXT",
        "opened_ref": "TEXT",
    },
    ("country", "campaign_id"),
    indexes=(("kind",),),
)
REPORTS = Table(
    "sv_period_reports",
    {
        "country": "TEXT",
        "report_id": "TEXT",
        "period_start": "TEXT",
        "period_end": "TEXT",
        "status": "TEXT",
        "submission": "BIGINT",
        "submitted_on": "TEXT",
        "submitted_by": "TEXT",
        "submitted_ref": "TEXT",
    },
    ("country", "report_id"),
)
REPORT_LINES = Table(
    "sv_report_lines",
    {
        "country": "TEXT",
        "report_id": "TEXT",
        "currency": "TEXT",
        "submission": "BIGINT",
        "asserted_cash_minor": "BIGINT",
        "asserted_in_transit_minor": "BIGINT",
        "asserted_in_kind_minor": "BIGINT",
        "books_cash_minor": "BIGINT",
        "books_in_transit_minor": "BIGINT",
        "books_in_kind_minor": "BIGINT",
    },
    ("country", "report_id", "currency"),
)
TABLES = (COMMITTEES, DELEGATES, CAMPAIGNS, REPORTS, REPORT_LINES)

Projector = Callable[[str, Any], list[SvOp]]
BOOKS = (("cash", CASH), ("in_transit", IN_TRANSIT), ("in_kind", IN_KIND))


def constituted(country: str, e: NationalCommittee.Constituted) -> list[SvOp]:
    row = {
        "country": country,
        "committee_id": str(e.originator_id),
        "claimed_country": e.country,
        "name": e.name,
        "national_section": e.national_section,
        "constituted_on": e.constituted_on.isoformat(),
        "constituted_ref": ref(e),
    }
    return [Put(COMMITTEES, row)]


def delegate_admitted(country: str, e: NationalCommittee.DelegateAdmitted) -> list[SvOp]:
    row = {
        "country": country,
        "delegate": e.delegate,
        "organisation": e.organisation,
        "organisation_type": str(e.organisation_type),
    }
    return [Put(DELEGATES, row)]


def campaign_opened(country: str, e: Campaign.Opened) -> list[SvOp]:
    row = {
        "country": country,
        "campaign_id": str(e.originator_id),
        "code": e.code,
        "title": e.title,
        "kind": str(e.kind),
        "opened_on": e.opened_on.isoformat(),
        "closed_on": None,
        "opened_ref": ref(e),
    }
    return [Put(CAMPAIGNS, row)]


def campaign_closed(country: str, e: Campaign.Closed) -> list[SvOp]:
    key = {"country": country, "campaign_id": str(e.originator_id)}
    return [Change(CAMPAIGNS, key, {"closed_on": e.closed_on.isoformat()})]


def _lines(country: str, e: Any, end: str, end_params: tuple[Any, ...]) -> list[SvOp]:
    ops: list[SvOp] = []
    for a in e.assertions:
        key = {"country": country, "report_id": str(e.originator_id), "currency": a.currency}
        row = key | {
            "submission": e.originator_version,
            "asserted_cash_minor": to_minor(a.cash_on_hand),
            "asserted_in_transit_minor": to_minor(a.in_transit),
            "asserted_in_kind_minor": to_minor(a.in_kind),
            "books_cash_minor": None,
            "books_in_transit_minor": None,
            "books_in_kind_minor": None,
        }
        params = as_of_params(country, a.currency, *end_params)
        ops.append(Put(REPORT_LINES, row))
        for column, weights in BOOKS:
            query = balance_as_of_sql(weights, end)
            ops.append(SetFrom(REPORT_LINES, key, f"books_{column}_minor", query, params))
    return ops


def report_submitted(country: str, e: PeriodReport.Submitted) -> list[SvOp]:
    row = {
        "country": country,
        "report_id": str(e.originator_id),
        "period_start": e.period_start.isoformat(),
        "period_end": e.period_end.isoformat(),
        "status": "submitted",
        "submission": e.originator_version,
        "submitted_on": e.submitted_on.isoformat(),
        "submitted_by": e.actor.person,
        "submitted_ref": ref(e),
    }
    return [Put(REPORTS, row), *_lines(country, e, "?", (row["period_end"],))]


def report_resubmitted(country: str, e: PeriodReport.Resubmitted) -> list[SvOp]:
    # A resubmission does not repeat the period: its end is read from the report's row.
    key = {"country": country, "report_id": str(e.originator_id)}
    values = {
        "status": "submitted",
        "submission": e.originator_version,
        "submitted_on": e.submitted_on.isoformat(),
        "submitted_by": e.actor.person,
        "submitted_ref": ref(e),
    }
    end = "(SELECT period_end FROM sv_period_reports WHERE country = ? AND report_id = ?)"
    return [Change(REPORTS, key, values), *_lines(country, e, end, tuple(key.values()))]


def report_status(status: str) -> Projector:
    def project(country: str, e: Any) -> list[SvOp]:
        key = {"country": country, "report_id": str(e.originator_id)}
        return [Change(REPORTS, key, {"status": status})]

    return project


PROJECTORS: dict[type[Any], Projector] = {
    NationalCommittee.Constituted: constituted,
    NationalCommittee.DelegateAdmitted: delegate_admitted,
    Campaign.Opened: campaign_opened,
    Campaign.Closed: campaign_closed,
    PeriodReport.Submitted: report_submitted,
    PeriodReport.Resubmitted: report_resubmitted,
    PeriodReport.Returned: report_status("returned"),
    PeriodReport.Approved: report_status("approved"),
}
