"""Every table of the supervisory view as a paged list and a CSV download, with the filters each
takes; and what the supervisory routers share (filters, CSV answers, the watermark header)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from federation.api import schemas_supervisory as s
from federation.api.deps import get_app
from federation.api.errors import ERROR_RESPONSES
from federation.api.schemas import MAX_OFFSET
from federation.node.international import InternationalApplication
from federation.node.supervisory_overview import check_period
from projections.supervisory.lists import LISTS

AppDep = Annotated[InternationalApplication, Depends(get_app)]
Limit = Annotated[int, Query(ge=1, le=500, description="page size, at most 500")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="rows to skip")]
Format = Annotated[
    Literal["json", "csv"] | None,
    Query(description="csv for a CSV download (as does the header Accept: text/csv)"),
]
Since = Annotated[date | None, Query(alias="from", description="first day of the period")]
Until = Annotated[date | None, Query(alias="to", description="last day of the period")]
Country = Annotated[str | None, Query(description="a committee's country (node id), e.g. DE")]
Currency = Annotated[str | None, Query(description="a currency code, e.g. XPM")]

router = APIRouter(tags=["supervisory"], responses=ERROR_RESPONSES)


def filters(
    country: Country = None,
    currency: Currency = None,
    organisation_type: Annotated[
        str | None, Query(description="party_branch, trade_union, cooperative, ...")
    ] = None,
    category: Annotated[str | None, Query(description="machines, raw_materials, tools...")] = None,
    agency: Annotated[str | None, Query(description="a Russian agency's code or id")] = None,
    status: Annotated[str | None, Query(description="the row's status, e.g. sent")] = None,
    kind: Annotated[str | None, Query(description="cash or in_kind (receipts)")] = None,
    flow: Annotated[str | None, Query(description="internal or outgoing (transfers)")] = None,
    since: Since = None,
    until: Until = None,
) -> dict[str, Any]:
    """The filters a list may take; one it does not take is refused (422), never ignored."""
    check_period(since, until)
    given = {
        "country": country,
        "currency": currency,
        "organisation_type": organisation_type,
        "category": category,
        "agency": agency,
        "status": status,
        "kind": kind,
        "flow": flow,
        "since": since,
        "until": until,
    }
    return {k: v for k, v in given.items() if v is not None}


Filters = Annotated[dict[str, Any], Depends(filters)]


def wants_csv(request: Request, format: str | None) -> bool:
    """CSV when asked for by ``?format=csv`` or by an Accept header preferring text/csv."""
    if format is not None:
        return format == "csv"
    return "text/csv" in request.headers.get("accept", "")


def watermark_header(watermark: dict[str, Any]) -> str:
    """The watermark in one header line: ``node=included@last_synced`` per node."""
    return ", ".join(f"{n['node']}={n['included']}@{n['last_synced']}" for n in watermark["nodes"])


def csv_response(
    name: str, columns: list[str] | tuple[str, ...], rows: list[dict[str, Any]], watermark: Any
) -> Response:
    """Rows as a CSV file, the watermark in the ``X-Aidfed-Watermark`` header."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    headers = {
        "X-Aidfed-Watermark": watermark_header(watermark),
        "Content-Disposition": f'attachment; filename="{name}.csv"',
    }
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)


def page(name: str, items: list[dict[str, Any]], limit: int, offset: int, wm: Any) -> Any:
    return {"items": items, "limit": limit, "offset": offset, "watermark": wm}


# --- every table of the view ---------------------------------------------------------------

LIST_DOCS = {
    "committees": "The committees: country, name, national section, constituted on.",
    "delegates": "The delegates of each committee and the organisations (by type) they stand for.",
    "campaigns": "Each committee's campaigns, by kind (collection, loan drive, expansion...).",
    "receipts": "Cash and goods received, per contributor and organisation type; reversals kept.",
    "pledges": "Pledges (promises, never funds): total, settled, outstanding, status.",
    "loans": "Workers' loan subscriptions: principal, redeemed, coupons, outstanding principal.",
    "surpluses": "Surpluses declared per period and currency, allocated and unallocated.",
    "surplus-allocations": "Each allocation of a surplus and the campaign it went to.",
    "transfers": "Transfers: amount, available when initiated, signatories, transit, receipt.",
    "period-reports": "Period reports and their status.",
    "report-lines": "Each period report's assertions per currency beside the replayed books.",
    "procurements": "Procurement: category, agency, enterprise, committed, paid, status.",
    "procurement-totals": "Procurement per country, currency, category and agency.",
    "specialists": "Specialists nominated, approved, refused, funded, departed.",
    "agencies": "The Russian agencies registered by the liaison.",
    "enterprises": "Enterprises brought into production, as the liaison reported them.",
    "deliveries": "Deliveries of procured goods confirmed by the liaison.",
    "union-decisions": "Unions' approvals and refusals of specialists, recorded by the liaison.",
}


def _list_endpoint(name: str) -> Callable[..., Any]:
    def endpoint(
        app: AppDep,
        request: Request,
        given: Filters,
        limit: Limit = 100,
        offset: Offset = 0,
        format: Format = None,
    ) -> Any:
        answer = app.supervisory.rows(name, given, limit, offset)
        if wants_csv(request, format):
            return csv_response(name, answer.columns, answer.items, answer.watermark)
        return page(name, answer.items, limit, offset, answer.watermark)

    return endpoint


for _name, _doc in LIST_DOCS.items():
    _spec = LISTS[_name]
    _takes = ", ".join(sorted(_spec.filters)) or "none"
    router.add_api_route(
        f"/{_name}",
        _list_endpoint(_name),
        methods=["GET"],
        name=f"list_{_name.replace('-', '_')}",
        summary=_doc.split(":")[0].rstrip("."),
        description=f"{_doc} Filters: {_takes}"
        + ("; a period (from, to) on " + _spec.dated if _spec.dated else "")
        + ". Amounts are decimal text in the row's currency; CSV with ?format=csv.",
        response_model=s.page_model(_name.title().replace("-", ""), _spec.columns, _doc),
    )
