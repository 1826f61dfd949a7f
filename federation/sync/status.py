"""How each upstream stands, as plain data and as an exit code (``aidfed status``, the API)."""

from __future__ import annotations

from typing import Any

from federation.sync.state import QUARANTINED, FollowerState


def status_row(state: FollowerState) -> dict[str, Any]:
    """One upstream's sync status as plain data (for ``aidfed status`` and the API)."""
    return {
        "upstream": state.upstream,
        "cursor": state.size,
        "upstream_head": state.head,
        "lag": max(state.head - state.size, 0),
        "last_success": state.last_success,
        "last_attempt": state.last_attempt,
        "verification": verification(state),
        "status": state.status,
        "reason": state.reason,
        "last_error": state.last_error,
        "cosigned": state.cosigned,
    }


# What a rejected page is called in the status, by the error the follower recorded.
REJECTIONS = {
    "SignatureRejected": "signature rejected",
    "PageRejected": "page rejected",
    "MalformedPage": "page rejected",
}


def verification(state: FollowerState) -> str:
    """How the last answer of the upstream checked out, in a word or two."""
    if state.quarantined:
        return "quarantined"
    kind = (state.last_error or "").partition(":")[0]
    if kind in REJECTIONS:
        return REJECTIONS[kind]
    return "verified" if state.checkpoint else "none yet"


def exit_code(rows: list[dict[str, Any]]) -> int:
    """``aidfed status``'s exit code: 3 if an upstream is quarantined (a fork, a regression, a
    changed key), 4 if an upstream's last page was rejected (damaged or malformed), else 0."""
    if any(r["status"] == QUARANTINED for r in rows):
        return 3
    if any(r["verification"] in REJECTIONS.values() for r in rows):
        return 4
    return 0
