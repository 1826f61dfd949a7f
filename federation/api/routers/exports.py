"""Exports for the International: the committees' transactions as IATI XML."""

from __future__ import annotations

from typing import Any

from eventsourcing.persistence import StoredEvent
from fastapi import APIRouter, Request
from fastapi.responses import Response

from federation.api.deps import ActorDep
from federation.exchange.iati import activities

router = APIRouter(prefix="/v1/exports", tags=["exports"])


def committee_events(node: Any) -> dict[str, list[Any]]:
    """Each committee's events, as ingested here, in log order."""
    s = node.settings
    others = {s.node_id, s.international_node, s.liaison_node}
    upstreams = [
        r["upstream"]
        for r in node.db.query("SELECT DISTINCT upstream FROM ingested_entries ORDER BY upstream")
    ]
    out: dict[str, list[Any]] = {}
    for upstream in (u for u in upstreams if u not in others):
        rows = node.db.query(
            "SELECT originator_id, originator_version, topic, state FROM ingested_entries "
            "WHERE upstream = ? ORDER BY position",
            [upstream],
        )
        out[upstream] = [
            node.mapper.to_domain_event(
                StoredEvent(
                    r["originator_id"], r["originator_version"], r["topic"], bytes(r["state"])
                )
            )
            for r in rows
        ]
    return out


@router.get("/iati.xml", response_class=Response)
def iati(request: Request, actor: ActorDep) -> Response:
    """IATI 2.03 activities: one per committee, its transactions with their type codes."""
    node = request.app.state.node
    body = activities(committee_events(node), node.settings.name)
    return Response(
        body,
        media_type="application/xml",
        headers={"Content-Disposition": 'attachment; filename="aidfed-iati.xml"'},
    )
