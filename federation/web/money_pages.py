"""The dashboard's money pages: countries, the flow diagram, consultations with the agencies.

Every figure is the supervisory view's own answer (the same calls the /v1/supervisory API
makes); the pages only arrange it. Each amount is shown with its currency.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from federation.web.money_flows import flows as flow_diagram
from federation.web.pages import page
from federation.web.session import SupervisorDep

router = APIRouter(include_in_schema=False)

# The figures of the countries table, in the order a treasurer reads a statement.
COUNTRY_FIGURES = [
    ("incoming", "incoming"),
    ("received", "cash received"),
    ("in_kind", "in kind"),
    ("internal", "to the International"),
    ("in_transit", "in transit"),
    ("spent_procurement", "procurement paid"),
    ("spent_emigration", "journeys"),
    ("outgoing", "outgoing"),
    ("available", "available"),
    ("pledges_outstanding", "pledges outstanding"),
    ("loan_outstanding", "loans outstanding"),
    ("surplus_declared", "surplus declared"),
]


def reporting_currencies(request: Request) -> list[str]:
    """The currencies the International observes rates in: those a report can be converted to."""
    rates = request.app.state.node.rates(limit=500)
    return sorted({r["reporting_currency"] for r in rates})


@router.get("/dashboard/countries")
def countries(
    request: Request,
    user: SupervisorDep,
    reporting_currency: Annotated[str | None, Query()] = None,
    rate_max_age_days: Annotated[int | None, Query(ge=0)] = None,
) -> HTMLResponse:
    """Per country and committee: the boundary's figures per currency, and converted."""
    choices = reporting_currencies(request)
    reporting = reporting_currency or None
    view = request.app.state.node.supervisory.overview.overview(
        reporting_currency=reporting, rate_max_age_days=rate_max_age_days
    )
    lines = [
        {"country": c["country"], "name": c["name"] or "", **line}
        for c in view["countries"]
        for line in c["currencies"]
    ]
    converted = [
        {"country": c["country"], "name": c["name"] or "", **c["converted"]}
        for c in view["countries"]
        if c["converted"]
    ]
    return page(
        request,
        "countries.html",
        "Countries",
        user,
        lines=lines,
        converted=converted,
        total=view["converted"],
        federation=view["currencies"],
        figures=COUNTRY_FIGURES,
        boundary=view["boundary"],
        choices=choices,
        reporting=view["reporting_currency"],
        max_age=rate_max_age_days,
    )


@router.get("/dashboard/flows")
def money_flows(request: Request, user: SupervisorDep) -> HTMLResponse:
    """Money from the committees through the International to the agencies and procurement."""
    diagram = flow_diagram(request.app.state.node)
    view = request.app.state.node.supervisory.overview.overview()
    return page(
        request,
        "flows.html",
        "Money flows",
        user,
        diagrams=diagram["currencies"],
        truncated=diagram["truncated"],
        boundary=view["boundary"],
        federation=view["currencies"],
    )


@router.get("/dashboard/consultations")
def consultations(
    request: Request,
    user: SupervisorDep,
    agency: Annotated[str | None, Query()] = None,
) -> HTMLResponse:
    """Per Russian agency: each consultation, the opinion, and the procurement it covered."""
    rules = request.app.state.node.supervisory.rules
    given = {"agency": agency} if agency else {}
    items = rules.consultations(given, 500, 0)
    per_agency: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for c in items:
        per_agency[c["agency_name"]].append(c)
    coverage = rules.coverage(agency)
    agencies = request.app.state.node.supervisory.rows("agencies", {}, 500).items
    return page(
        request,
        "consultations.html",
        "Consultations with the Russian agencies",
        user,
        per_agency=dict(sorted(per_agency.items())),
        coverage=coverage,
        agencies=agencies,
        agency=agency,
    )
