"""The one place where domain errors become HTTP answers."""

from __future__ import annotations

from collections.abc import Callable

from eventsourcing.persistence import InterfaceError, OperationalError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from domain.errors import DecisionMissing, DomainError, InvalidInput, NotFound, NotPermitted
from federation.signedlog.store import LogStateError

STATUS = {InvalidInput: 422, NotFound: 404, NotPermitted: 403, DecisionMissing: 409}


class ErrorBody(BaseModel):
    """What went wrong: a stable code, a sentence for people, and the kind of refusal."""

    code: str
    message: str
    kind: str


class ErrorResponse(BaseModel):
    """Every refusal has this shape."""

    error: ErrorBody


def status_for(error: DomainError) -> int:
    """409 for a broken rule, 422 for bad input, 404 for unknown, 403 for a role refused."""
    for cls, status in STATUS.items():
        if isinstance(error, cls):
            return status
    return 409


# A refusal as a page for a person, or None where JSON is the answer (given by the web pages).
ErrorPage = Callable[[Request, int, str, str], Response | None]


def answer(request: Request, status: int, code: str, message: str, kind: str) -> Response:
    """The refusal as the app's error page would show it to a person, else as JSON."""
    page: ErrorPage | None = getattr(request.app.state, "error_page", None)
    shown = page(request, status, code, message) if page is not None else None
    return shown or error_response(status, code, message, kind)


def error_response(status: int, code: str, message: str, kind: str) -> JSONResponse:
    body = ErrorResponse(error=ErrorBody(code=code, message=message, kind=kind))
    return JSONResponse(status_code=status, content=body.model_dump())


async def _domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    return answer(request, status_for(exc), exc.code, exc.message, exc.kind)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    problems = []
    for err in exc.errors():
        where = ".".join(str(part) for part in err.get("loc", ()) if part != "body")
        problems.append(f"{where}: {err.get('msg', 'invalid')}")
    message = "the request is invalid — " + "; ".join(problems) + "; nothing was recorded"
    return answer(request, 422, "request.invalid", message, "input")


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    status, detail = exc.status_code, str(exc.detail)
    response = answer(request, status, f"http.{status}", detail, "http")
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    return response


async def _log_state_error(_: Request, exc: Exception) -> JSONResponse:
    # The node's events no longer match its own signed tree (edited in the database?). It serves
    # nothing it has not signed; say so plainly instead of a bare 500, so followers can record it.
    message = (
        f"this node's stored events no longer match its signed log ({exc}); it serves nothing "
        "it has not signed until its operator repairs the database"
    )
    return error_response(503, "log.integrity", message, "integrity")


# What a full disk looks like from SQLite ("database or disk is full", SQLITE_FULL) and from
# PostgreSQL (SQLSTATE 53100 disk_full: "could not extend file ... No space left on device").
DISK_FULL = ("disk is full", "no space left on device", "could not extend file")


async def _storage_error(_: Request, exc: Exception) -> JSONResponse:
    """The store refused the write (the transaction rolled back): nothing was recorded, and the
    client is told so plainly instead of having its connection dropped."""
    text = str(exc).lower()
    if any(sign in text for sign in DISK_FULL):
        return error_response(
            507,
            "storage.full",
            "the node's disk is full; nothing was recorded — retry once space is freed",
            "storage",
        )
    response = error_response(
        503,
        "storage.unavailable",
        "the node's database is unavailable just now; nothing was recorded — retry shortly",
        "storage",
    )
    response.headers["Retry-After"] = "1"
    return response


def install(app: FastAPI, page: ErrorPage | None = None) -> None:
    """Register the handlers on ``app``; ``page`` shows a refusal to a person where it can."""
    app.state.error_page = page
    app.add_exception_handler(LogStateError, _log_state_error)
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(OperationalError, _storage_error)
    app.add_exception_handler(InterfaceError, _storage_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)


# Documented on every command route so clients can rely on the shape of refusals.
ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    403: {"model": ErrorResponse, "description": "the acting role may not do this"},
    404: {"model": ErrorResponse, "description": "something named in the request is unknown"},
    409: {"model": ErrorResponse, "description": "a rule of the domain refused the command"},
    422: {"model": ErrorResponse, "description": "the input is malformed"},
}
