"""The dashboard's pages: log in, overview, federation status, exceptions to resolve."""

from __future__ import annotations

from datetime import date
from importlib import resources
from pathlib import Path
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from federation.api.deps import SESSION_COOKIE
from federation.api.users import UserBook
from federation.node.base import Context
from federation.sync.status import status_row
from federation.web.session import SupervisorDep, close_session, open_session

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
router = APIRouter(include_in_schema=False)

PAGES = [
    ("/dashboard", "Overview"),
    ("/dashboard/countries", "Countries"),
    ("/dashboard/flows", "Money flows"),
    ("/dashboard/consultations", "Consultations"),
    ("/dashboard/status", "Federation"),
    ("/dashboard/exceptions", "Exceptions"),
    ("/dashboard/audit", "Audit"),
]


def page(request: Request, name: str, title: str, user: Any, **context: Any) -> HTMLResponse:
    """Render a dashboard page with the common frame and the completeness watermark."""
    # The supervisory view's own watermark: what its figures include, per node.
    watermark = [
        {"node": n["node"], "size": n["included"], "synced": n["last_synced"]}
        for n in request.app.state.node.supervisory.watermark()["nodes"]
    ]
    return templates.TemplateResponse(
        request,
        name,
        {
            "title": title,
            "user": user,
            "pages": PAGES,
            "here": request.url.path,
            "watermark": watermark,
            **context,
        },
    )


HOMES = ("/dashboard", "/desk")  # the International's dashboard, a committee's desk


def home(request: Request) -> str:
    """Where a person logging in to this kind of node goes by default."""
    return "/desk" if request.app.state.node.settings.kind == "committee" else "/dashboard"


# What a person is told a refused page is, by its status.
HEADINGS = {
    401: "Please log in",
    403: "Not for your role",
    404: "No such page",
    422: "This cannot be shown as asked",
}


def error_page(request: Request, status: int, code: str, message: str) -> Response | None:
    """A refusal of a dashboard or desk page as a page a person reads; None (JSON) for anything
    else, or for a client that does not ask for HTML."""
    wants_page = "text/html" in request.headers.get("accept", "")
    if not wants_page or not request.url.path.startswith(HOMES):
        return None
    context = {
        "heading": HEADINGS.get(status, "This cannot be shown"),
        "message": message,
        "code": code,
        "status": status,
        "home": home(request),
    }
    return templates.TemplateResponse(request, "error.html", context, status_code=status)


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> HTMLResponse:
    """The login form."""
    context = {"next": next or home(request), "error": None}
    return templates.TemplateResponse(request, "login.html", context)


@router.post("/login", response_model=None)
def login(
    request: Request,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "",
) -> Response:
    """Check the password; open a session."""
    user = UserBook(request.app.state.node.settings.data_dir).by_password(username, password)
    if user is None:
        return templates.TemplateResponse(
            request,
            "login.html",
            {"next": next, "error": "unknown user or wrong password"},
            status_code=401,
        )
    target = next if next.startswith(HOMES) else home(request)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE, open_session(request, user), httponly=True, samesite="strict"
    )
    return response


@router.get("/logout")
def logout(request: Request) -> RedirectResponse:
    """Close the session."""
    close_session(request)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/dashboard")
def overview(request: Request, user: SupervisorDep) -> HTMLResponse:
    """The overview: the federation at a glance."""
    node = request.app.state.node
    states = [status_row(s) for s in node.follower_states.all()]
    figures = {
        "committees recognised": len(node.recognitions(standing="recognised", limit=500)),
        "nodes followed": len(states),
        "entries held": sum(r["cursor"] for r in states),
        "open exceptions": sum(r["resolved_on"] is None for r in exception_rows(node)),
    }
    view = node.supervisory.overview.overview()
    return page(
        request,
        "overview.html",
        "Overview",
        user,
        figures=figures,
        states=states,
        aims=view["aims"],
        countries=view["countries"],
        boundary=view["boundary"],
    )


@router.get("/dashboard/status")
def status(request: Request, user: SupervisorDep) -> HTMLResponse:
    """Federation status: per upstream, what is held, the lag, verification and quarantine."""
    rows = [status_row(s) for s in request.app.state.node.follower_states.all()]
    return page(request, "status.html", "Federation status", user, rows=rows)


def exception_rows(node: Any) -> list[dict[str, Any]]:
    """The exceptions the rules find (with their recorded status) and those raised by hand."""
    found = [{**f, "raised_on": f["on"]} for f in node.supervisory.rules.exceptions(limit=500)]
    known = {str(f["exception_id"]) for f in found}
    raised = [r for r in node.exceptions(limit=500) if str(r["exception_id"]) not in known]
    return found + raised


@router.get("/dashboard/exceptions")
def exceptions(request: Request, user: SupervisorDep) -> HTMLResponse:
    """Compliance exceptions, open first: those the rules find in the replayed events, and those
    a supervisor or auditor raised by hand."""
    rows = exception_rows(request.app.state.node)
    rows.sort(key=lambda r: (r["resolved_on"] is not None, str(r["raised_on"] or "")))
    return page(request, "exceptions.html", "Compliance exceptions", user, rows=rows)


@router.post("/dashboard/exceptions/{exception_id}/resolve")
def resolve(
    request: Request,
    exception_id: UUID,
    user: SupervisorDep,
    resolution: Annotated[str, Form()],
) -> RedirectResponse:
    """Resolve an exception (supervisors only; recorded as the International's event)."""
    # The supervisory rules resolve both kinds: a finding is recorded, raised and resolved, in
    # the International's log; a raised exception is resolved where it stands.
    request.app.state.node.supervisory.rules.resolve(
        Context(user.actor),
        exception_id=exception_id,
        resolution=resolution,
        on=date.today(),
        as_of=None,
    )
    return RedirectResponse("/dashboard/exceptions", status_code=303)


@router.get("/assets/plotly.min.js")
def plotly_js() -> FileResponse:
    """Plotly's JavaScript, from the installed package: the dashboard needs no internet."""
    bundle = resources.files("plotly") / "package_data" / "plotly.min.js"
    return FileResponse(str(bundle), media_type="application/javascript")
