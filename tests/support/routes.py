"""Every route an app answers, and a request for each that passes its input validation.

The matrix test needs a request that reaches a command's role check, which the domain makes
after the body is parsed: so each body is built from the route's OpenAPI schema, preferring the
schema's own examples, and each path parameter gets a value of the right shape.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from starlette.routing import BaseRoute, Mount

UUID = "2b3a8d6e-8b1f-4c62-9a43-5f1c2a7d9e10"
PATH_VALUES = {
    "country": "DE",
    "currency": "XPM",
    "reporting_currency": "USD",
    "value_date": "1922-05-01",
    "day": "1922-05-01",
    "size": "1",
    "code": "TRACTORS-1922",
    "reference": "FSR-1922-03",
    "path": "dashboard.css",
}


def _expanded(route: BaseRoute) -> Iterator[BaseRoute]:
    # FastAPI keeps included routers as one route each; expand them into their effective routes.
    expand = getattr(route, "effective_route_contexts", None)
    if expand is None:
        yield route
        return
    yield from expand()


def all_routes(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path) of every route, with HEAD left out (it answers as GET) and mounts as ANY."""
    found: set[tuple[str, str]] = set()
    for route in app.routes:
        for effective in _expanded(route):
            path = str(getattr(effective, "path", ""))
            if isinstance(getattr(effective, "original_route", effective), Mount):
                found.add(("ANY", f"{path}/{{path}}"))
                continue
            original = getattr(effective, "original_route", effective)
            methods: set[str] = (
                getattr(effective, "methods", None) or getattr(original, "methods", None) or set()
            )
            found |= {(m, path) for m in methods if m != "HEAD"}
    return sorted(found)


def filled(path: str) -> str:
    """``path`` with each parameter given a value of its shape (ids as a UUID)."""
    out = path
    while "{" in out:
        start, end = out.index("{"), out.index("}")
        name = out[start + 1 : end].split(":")[0]
        out = out[:start] + PATH_VALUES.get(name, UUID) + out[end + 1 :]
    return out


def example_body(openapi: dict[str, Any], method: str, path: str) -> Any:
    """A JSON body valid for the route's schema (None when it takes none)."""
    operation = openapi["paths"].get(path, {}).get(method.lower(), {})
    content = operation.get("requestBody", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema")
    return None if schema is None else example(openapi, schema)


def example(openapi: dict[str, Any], schema: dict[str, Any]) -> Any:
    """A value of ``schema``: its example, its first choice, or a value of its type."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return example(openapi, openapi["components"]["schemas"][name])
    if schema.get("examples"):
        return schema["examples"][0]
    if "default" in schema and schema["default"] is not None:
        return schema["default"]
    if "enum" in schema:
        return schema["enum"][0]
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            choices = [s for s in schema[key] if s.get("type") != "null"]
            return example(openapi, choices[0])
    return _of_type(openapi, schema)


def _of_type(openapi: dict[str, Any], schema: dict[str, Any]) -> Any:
    kind = schema.get("type")
    if kind == "object":
        properties = schema.get("properties", {})
        return {k: example(openapi, properties[k]) for k in schema.get("required", [])}
    if kind == "array":
        return [example(openapi, schema["items"])] * max(1, schema.get("minItems", 1))
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return 1
    if kind == "boolean":
        return False
    return {"date": "1922-05-01", "uuid": UUID, "date-time": "1922-05-01T12:00:00Z"}.get(
        schema.get("format", ""), "Berlin"
    )
