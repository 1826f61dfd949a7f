"""The dashboard's audit page: replay the International's own ingested history as of a date
(or as known at a time) into a throw-away read model, and show the report's figures."""

from __future__ import annotations

from datetime import date
from html import escape
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from federation.audit.readmodel import ReadModel
from federation.audit.report import render_html, replay_report
from federation.audit.source import live_positions, live_records
from federation.web.pages import page
from federation.web.session import SupervisorDep
from projections.audit.moment import Moment, MomentError, parse_instant

router = APIRouter(include_in_schema=False)


def _replay(request: Request, moment: Moment) -> dict[str, Any]:
    node = request.app.state.node
    upto = live_positions(node)
    source = {"kind": "live", "node": node.settings.node_id, "bundle_sizes": upto}
    with ReadModel(node.settings.node_id) as model:
        return replay_report(live_records(node, upto), model, moment, source)


def _moment(as_of: date | None, known_at: str | None) -> Moment:
    return Moment(as_of_value_date=as_of, as_known_at=parse_instant(known_at) if known_at else None)


@router.get("/dashboard/audit")
def audit(
    request: Request,
    user: SupervisorDep,
    as_of: Annotated[date | None, Query(description="what had happened by this day")] = None,
    known_at: Annotated[str | None, Query(description="what was recorded by this time")] = None,
) -> HTMLResponse:
    """Replay as of a date: the figures the books gave then, with the digests to compare."""
    report, error = None, None
    if as_of is not None or known_at:
        try:
            report = _replay(request, _moment(as_of, known_at))
        except MomentError as bad:
            error = str(bad)
    response = page(
        request,
        "audit.html",
        "Audit: replay as of a date",
        user,
        report=report,
        error=error,
        as_of=as_of.isoformat() if as_of else "",
        known_at=known_at or "",
    )
    response.status_code = 400 if error else 200
    return response


@router.get("/dashboard/audit/report")
def printable(
    request: Request,
    user: SupervisorDep,
    as_of: Annotated[date | None, Query()] = None,
    known_at: Annotated[str | None, Query()] = None,
) -> HTMLResponse:
    """The printable replay report (the same page ``aidfed audit replay`` writes)."""
    try:
        report = _replay(request, _moment(as_of, known_at))
    except MomentError as bad:
        return HTMLResponse(f"<p>{escape(str(bad))}</p>", status_code=400)
    return HTMLResponse(render_html(report))
