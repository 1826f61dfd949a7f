"""The node's identity and health."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from federation.sync.status import status_row

router = APIRouter(tags=["node"])


@router.get("/v1/node")
def node(request: Request) -> dict[str, Any]:
    """The node's id, kind, name, pinned key, log origin and size, and protocol version."""
    app = request.app.state.node
    return {**app.describe(), "log_size": app.signed_log.appended(), "protocol": "aidfed/1"}


@router.get("/v1/federation/status")
def federation_status(request: Request) -> list[dict[str, Any]]:
    """Per upstream this node follows: cursor, upstream head, lag, last success, verification."""
    states = request.app.state.node.follower_states
    return [status_row(state) for state in states.all()]


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process answers."""
    return {"status": "ok"}
