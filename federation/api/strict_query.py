"""Unknown query parameters of the API refused, naming the ones the endpoint takes.

FastAPI ignores a query parameter a route does not declare. A mistyped filter then answers for
everything: ``/v1/supervisory/overview?since=1923-01-01`` gives the totals of all time, as if
no period had been asked for, and nothing tells the supervisor. The parameters an endpoint
takes are those its OpenAPI document lists, the same document clients are built from.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request

from domain.errors import InvalidInput
from federation.api.access import route_template


def refuse_unknown_query(request: Request) -> None:
    """Refuse (422) a request to ``/v1/...`` that names a query parameter the route lacks."""
    if not request.query_params or not request.url.path.startswith("/v1/"):
        return
    known = _query_parameters(request.app, request.method.lower(), route_template(request))
    if known is None:  # a route outside the OpenAPI document takes what it reads itself
        return
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        takes = ", ".join(sorted(known)) or "no query parameters"
        raise InvalidInput(
            "request.unknown_parameter",
            f"unknown query parameter{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(repr(u) for u in unknown)}: this endpoint takes {takes}; "
            "nothing was recorded",
        )


def _query_parameters(app: FastAPI, method: str, template: str) -> frozenset[str] | None:
    """The query parameters of one documented operation (None: not documented)."""
    table: dict[tuple[str, str], frozenset[str]] | None = getattr(app.state, "query_table", None)
    if table is None:
        table = app.state.query_table = _table(app.openapi())
    return table.get((method, template))


def _table(document: dict[str, Any]) -> dict[tuple[str, str], frozenset[str]]:
    return {
        (method, path): frozenset(
            p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"
        )
        for path, operations in document.get("paths", {}).items()
        for method, operation in operations.items()
        if isinstance(operation, dict)
    }
