"""The supervisory view at the International: overview, lists, consultations, exceptions.

Every answer carries its completeness watermark (per node: the log size included and when it was
last synced). Every table is also a CSV download (``?format=csv`` or ``Accept: text/csv``); the
watermark is then in the ``X-Aidfed-Watermark`` header.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from domain.roles import Role, require_role
from federation.api import schemas_supervisory as s
from federation.api.deps import ActorDep, IdempotencyKey, context, get_app
from federation.api.errors import ERROR_RESPONSES
from federation.api.schemas import CommandResult
from federation.node.international import InternationalApplication
from federation.node.supervisory_overview import check_period
from federation.node.supervisory_rules import today
from projections.supervisory.exceptions import RULES
from projections.supervisory.lists import LISTS
from projections.supervisory.queries import FIGURES

AppDep = Annotated[InternationalApplication, Depends(get_app)]
Limit = Annotated[int, Query(ge=1, le=500, description="page size, at most 500")]
Offset = Annotated[int, Query(ge=0, description="rows to skip")]
Format = Annotated[
    Literal["json", "csv"] | None,
    Query(description="csv for a CSV download (as does the header Accept: text/csv)"),
]
Since = Annotated[date | None, Query(alias="from", description="first day of the period")]
Until = Annotated[date | None, Query(alias="to", description="last day of the period")]
Country = Annotated[str | None, Query(description="a committee's country (node id), e.g. DE")]
Currency = Annotated[str | None, Query(description="a currency code, e.g. XPM")]
Reporting = Annotated[
    str | None, Query(description="convert to this currency at the rate of each value date")
]
AsOf = Annotated[date | None, Query(description="the day the answer is as of (default: today)")]

router = APIRouter(prefix="/v1/supervisory", tags=["supervisory"], responses=ERROR_RESPONSES)


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


def _page(name: str, items: list[dict[str, Any]], limit: int, offset: int, wm: Any) -> Any:
    return {"items": items, "limit": limit, "offset": offset, "watermark": wm}


# --- the overview --------------------------------------------------------------------------


@router.get("/overview", response_model=s.Overview)
def overview(
    app: AppDep,
    request: Request,
    reporting_currency: Reporting = None,
    since: Since = None,
    until: Until = None,
    country: Country = None,
    currency: Currency = None,
    rate_max_age_days: Annotated[
        int | None, Query(ge=0, description="oldest rate to use, in days (default: settings)")
    ] = None,
    format: Format = None,
) -> Any:
    """Per country and currency: pledged, received, transferred, spent, in transit, loans,
    surplus; the federation per currency and converted; the two aims; the watermark."""
    check_period(since, until)
    data = app.supervisory.overview.overview(
        reporting_currency=reporting_currency,
        since=since,
        until=until,
        country=country,
        currency=currency,
        rate_max_age_days=rate_max_age_days,
    )
    if wants_csv(request, format):
        rows = _country_rows(data)
        columns = ["country", "name", "basis", "currency", *FIGURES]
        return csv_response("overview", columns, rows, data["watermark"])
    return data


def _country_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for c in data["countries"]:
        head = {"country": c["country"], "name": c["name"]}
        rows += [head | {"basis": "native"} | line for line in c["currencies"]]
        if c["converted"]:
            rows.append(head | {"basis": "converted"} | c["converted"])
    return rows


@router.get("/organisation-types", response_model=s.Rows)
def organisation_types(
    app: AppDep,
    request: Request,
    since: Since = None,
    until: Until = None,
    country: Country = None,
    currency: Currency = None,
    format: Format = None,
) -> Any:
    """Per organisation type and currency: pledged, received in cash and in kind, loan money."""
    check_period(since, until)
    items = app.supervisory.overview.organisation_types(since, until, country, currency)
    watermark = app.supervisory.watermark()
    if wants_csv(request, format):
        columns = ["organisation_type", "currency", "pledged", "received", "in_kind"]
        return csv_response("organisation-types", [*columns, "loan_subscribed"], items, watermark)
    return _page("organisation-types", items, len(items), 0, watermark)


@router.get("/in-transit", response_model=s.Rows)
def in_transit(
    app: AppDep,
    request: Request,
    as_of: AsOf = None,
    country: Country = None,
    currency: Currency = None,
    limit: Limit = 100,
    offset: Offset = 0,
    format: Format = None,
) -> Any:
    """Transfers in transit at the end of a day, oldest first, with their age in days."""
    rows = app.supervisory.overview.in_transit(as_of or today(), country, currency)
    items = rows[offset : offset + limit]
    watermark = app.supervisory.watermark()
    if wants_csv(request, format):
        columns = list(items[0]) if items else ["country", "transfer_id", "amount", "age_days"]
        return csv_response("in-transit", columns, items, watermark)
    return _page("in-transit", items, limit, offset, watermark)


# --- consultations with the Russian agencies -----------------------------------------------


@router.get("/consultations", response_model=s.Rows)
def consultations(
    app: AppDep,
    request: Request,
    given: Filters,
    limit: Limit = 100,
    offset: Offset = 0,
    format: Format = None,
) -> Any:
    """Per Russian agency, every consultation: the request, the agency's opinion (conditions,
    validity, revisions, withdrawal) and the procurement it covered, each marked covered or not."""
    items = app.supervisory.rules.consultations(given, limit, offset)
    watermark = app.supervisory.watermark()
    if wants_csv(request, format):
        rows = [_flat_consultation(c) for c in items]
        columns = list(rows[0]) if rows else list(LISTS["consultations"].columns)
        return csv_response("consultations", columns, rows, watermark)
    return _page("consultations", items, limit, offset, watermark)


def _flat_consultation(c: dict[str, Any]) -> dict[str, Any]:
    row = {k: v for k, v in c.items() if k not in ("opinion", "procurements")}
    for key in (
        "verdict", "conditions", "valid_until", "recorded_on", "ceiling", "revisions",
        "withdrawn_on",
    ):  # fmt: skip
        row[f"opinion_{key}"] = (c["opinion"] or {}).get(key)
    row["procurements"] = ";".join(p["reference"] for p in c["procurements"])
    row["procurements_not_covered"] = ";".join(
        p["reference"] for p in c["procurements"] if not p["covered"]
    )
    return row


@router.get("/coverage", response_model=s.Rows)
def coverage(
    app: AppDep,
    request: Request,
    agency: Annotated[str | None, Query(description="a Russian agency's code or id")] = None,
    format: Format = None,
) -> Any:
    """Per agency and currency: procurement paid, the part paid under a prior concurring
    consultation, and that share (exact, to four places)."""
    items = app.supervisory.rules.coverage(agency)
    watermark = app.supervisory.watermark()
    if wants_csv(request, format):
        columns = ["agency_id", "agency_code", "agency_name", "currency", "procurements", "paid"]
        return csv_response("coverage", [*columns, "covered", "covered_share"], items, watermark)
    return _page("coverage", items, len(items), 0, watermark)


# --- compliance exceptions -----------------------------------------------------------------

Rule = Annotated[str | None, Query(description="a rule's code: " + ", ".join(sorted(RULES)))]
Status = Annotated[Literal["open", "resolved"] | None, Query(description="open or resolved")]


@router.get("/exceptions", response_model=s.ExceptionsPage)
def exceptions(
    app: AppDep,
    request: Request,
    as_of: AsOf = None,
    rule: Rule = None,
    country: Country = None,
    status: Status = None,
    since: Since = None,
    until: Until = None,
    limit: Limit = 100,
    offset: Offset = 0,
    format: Format = None,
) -> Any:
    """Compliance exceptions found in the replayed events, each with its rule, the node, the
    subject, the events behind it (node and log position) and whether a supervisor resolved it."""
    check_period(since, until)
    day = as_of or today()
    items = app.supervisory.rules.exceptions(
        as_of=day,
        rule=rule,
        country=country,
        status=status,
        since=since,
        until=until,
        limit=limit,
        offset=offset,
    )
    watermark = app.supervisory.watermark()
    if wants_csv(request, format):
        rows = [
            i | {"events": ";".join(f"{e['upstream']}:{e['position']}" for e in i["events"])}
            for i in items
        ]
        return csv_response("exceptions", list(s.ExceptionOut.model_fields), rows, watermark)
    page = _page("exceptions", items, limit, offset, watermark)
    return page | {"as_of": day}


@router.post(
    "/exceptions/{exception_id}/resolve", response_model=CommandResult, tags=["exceptions"]
)
def resolve_exception(
    exception_id: UUID,
    body: s.ResolveIn,
    app: AppDep,
    actor: ActorDep,
    key: IdempotencyKey = None,
) -> Any:
    """Resolve a compliance exception found here, saying how: the International records it,
    raised and resolved, in its own log (a supervisor's act)."""
    return app.supervisory.rules.resolve(
        context(actor, key, "resolve_found_exception", body, exception_id=str(exception_id)),
        exception_id=exception_id,
        resolution=body.resolution,
        on=body.resolved_on,
        as_of=body.as_of,
    )


# --- completeness, digest and rebuild ------------------------------------------------------


@router.get("/watermark", response_model=s.Watermark)
def watermark(app: AppDep) -> Any:
    """Per node: the log size the supervisory view includes and when the node was last synced."""
    return app.supervisory.watermark()


@router.get("/digest", response_model=s.DigestOut)
def state_digest(app: AppDep) -> Any:
    """SHA-256 over the rows of every supervisory table: equal digests, equal views."""
    return app.supervisory.digest()


@router.post("/rebuild", response_model=s.RebuildOut)
def rebuild(app: AppDep, actor: ActorDep) -> Any:
    """Rebuild the supervisory view from zero by replaying every ingested entry (a supervisor's
    act); answers the new digest, which equals the live one's when nothing has drifted."""
    require_role(actor, Role.SUPERVISOR, Role.AUDITOR, action="rebuilding the supervisory view")
    return app.supervisory.rebuild()


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
        return _page(name, answer.items, limit, offset, answer.watermark)

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
