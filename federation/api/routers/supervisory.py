"""The supervisory view at the International: overview, lists, consultations, exceptions.

Every answer carries its completeness watermark (per node: the log size included and when it was
last synced). Every table is also a CSV download (``?format=csv`` or ``Accept: text/csv``); the
watermark is then in the ``X-Aidfed-Watermark`` header.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Request

from domain.roles import Role, require_role
from federation.api import schemas_supervisory as s
from federation.api.deps import ActorDep, IdempotencyKey, context
from federation.api.errors import ERROR_RESPONSES
from federation.api.routers import supervisory_tables as tables
from federation.api.routers.supervisory_tables import (
    AppDep,
    Country,
    Currency,
    Filters,
    Format,
    Limit,
    Offset,
    Since,
    Until,
    csv_response,
    page,
    wants_csv,
)
from federation.api.schemas import CommandResult
from federation.node.supervisory_overview import check_period
from federation.node.supervisory_rules import today
from projections.supervisory.exceptions import RULES
from projections.supervisory.lists import LISTS
from projections.supervisory.queries import FIGURES

Reporting = Annotated[
    str | None, Query(description="convert to this currency at the rate of each value date")
]
AsOf = Annotated[date | None, Query(description="the day the answer is as of (default: today)")]

router = APIRouter(prefix="/v1/supervisory", tags=["supervisory"], responses=ERROR_RESPONSES)


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
        int | None,
        Query(ge=0, le=36_500, description="oldest rate to use, in days (default: settings)"),
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
    items = app.supervisory.organisation_types(since, until, country, currency)
    watermark = app.supervisory.watermark()
    if wants_csv(request, format):
        columns = ["organisation_type", "currency", "pledged", "received", "in_kind"]
        return csv_response("organisation-types", [*columns, "loan_subscribed"], items, watermark)
    return page("organisation-types", items, len(items), 0, watermark)


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
    items = app.supervisory.in_transit(as_of or today(), country, currency, limit, offset)
    watermark = app.supervisory.watermark()
    if wants_csv(request, format):
        columns = list(items[0]) if items else ["country", "transfer_id", "amount", "age_days"]
        return csv_response("in-transit", columns, items, watermark)
    return page("in-transit", items, limit, offset, watermark)


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
    return page("consultations", items, limit, offset, watermark)


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
    return page("coverage", items, len(items), 0, watermark)


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
    answer = page("exceptions", items, limit, offset, watermark)
    return answer | {"as_of": day}


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
    app.view.catch_up()  # the International's own records, read lazily by the other answers
    return app.supervisory.watermark()


@router.get("/digest", response_model=s.DigestOut)
def state_digest(app: AppDep) -> Any:
    """SHA-256 over the rows of every supervisory table: equal digests, equal views."""
    return app.supervisory.digest()


@router.post("/rebuild", response_model=s.RebuildOut)
def rebuild(request: Request, app: AppDep, actor: ActorDep) -> Any:
    """Rebuild the supervisory view from zero by replaying every ingested entry (a supervisor's
    act); answers the new digest, which equals the live one's when nothing has drifted."""
    require_role(actor, Role.SUPERVISOR, Role.AUDITOR, action="rebuilding the supervisory view")
    rebuilt = app.supervisory.rebuild()
    # The rebuild forgot every kept answer; compute them again before answering, so the
    # requests that follow do not each meet the cold computation (a second or so at scale).
    warm = request.app.state.warm
    if warm is not None:
        warm.warm()
    return rebuilt


router.include_router(tables.router)
