"""Structured logs: one JSON line per request and per message of the node's own loggers.

A request's line names the request id (the caller's ``X-Request-ID`` when it is a plain token,
else a new one, echoed in the answer), method, path, status, duration, node and acting person
and role. Never headers, bodies or query strings: that is where tokens and passwords travel.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, Request, Response

from federation.api.deps import SESSION_COOKIE

LOGGER = "federation"  # the node's loggers (sync, signed log) and the request log below it
requests_log = logging.getLogger("federation.requests")
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
FIELDS = ("request_id", "method", "path", "status", "duration_ms", "node", "actor", "role")


class JsonLines(logging.Formatter):
    """A record as one JSON object: time, level, logger, message and the request's fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        line |= {k: getattr(record, k) for k in FIELDS if hasattr(record, k)}
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class StandardError(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is when a line is written (test runners swap it)."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _: Any) -> None:
        pass


def configure(level: str = "info") -> None:
    """JSON lines on standard error for the node's loggers (the handler once per process)."""
    logger = logging.getLogger(LOGGER)
    logger.setLevel(level.upper())
    logger.propagate = False
    if any(isinstance(h, StandardError) for h in logger.handlers):
        return
    handler = StandardError()
    handler.setFormatter(JsonLines())
    logger.addHandler(handler)


def _actor(request: Request) -> tuple[str | None, str | None]:
    actor = getattr(request.state, "actor", None)
    if actor is None:
        sessions = getattr(request.app.state, "sessions", {})
        user = sessions.get(request.cookies.get(SESSION_COOKIE, ""))
        actor = user.actor if user is not None else None
    return (actor.person, actor.role.value) if actor is not None else (None, None)


def install(app: FastAPI, node_id: str, level: str = "info") -> None:
    """Log every request of ``app`` as one line; give every answer its request id."""
    configure(level)

    @app.middleware("http")
    async def log_request(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        given = request.headers.get("x-request-id", "")
        request_id = given if REQUEST_ID.match(given) else uuid.uuid4().hex
        start = time.perf_counter()
        status = 500
        try:
            response = await call_next(request)
            status = response.status_code
            response.headers["X-Request-ID"] = request_id
            return response
        finally:
            person, role = _actor(request)
            fields = {
                "request_id": request_id,
                "method": request.method,
                "path": request.url.path,
                "status": status,
                "duration_ms": round((time.perf_counter() - start) * 1000, 3),
                "node": node_id,
                "actor": person,
                "role": role,
            }
            requests_log.info("request", extra=fields)
