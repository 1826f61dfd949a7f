"""The node's identity and health."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

router = APIRouter(tags=["node"])


@router.get("/v1/node")
def node(request: Request) -> dict[str, Any]:
    """The node's id, kind, name and protocol version."""
    return {**request.app.state.node.describe(), "protocol": "aidfed/1"}


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process answers."""
    return {"status": "ok"}
