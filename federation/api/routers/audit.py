"""For supervisors and auditors: the audit bundle, drift checks (run one now, read the last
one), and the drift metric."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.background import BackgroundTask

from domain.roles import Role, require_role
from federation.api.deps import ActorDep
from federation.api.errors import ERROR_RESPONSES
from federation.audit.drift import DriftWatch
from federation.audit.export import export_bundle

router = APIRouter(prefix="/v1/audit", tags=["audit"], responses=ERROR_RESPONSES)


def _watch(request: Request) -> DriftWatch:
    watch: DriftWatch = request.app.state.drift
    return watch


@router.post("/drift")
def check_drift(request: Request, actor: ActorDep) -> dict[str, Any]:
    """Rebuild the projections now and compare them with the live ones (drift is recorded)."""
    require_role(actor, Role.SUPERVISOR, Role.AUDITOR, action="checking for drift")
    return _watch(request).check().line()


@router.get("/drift")
def last_drift(request: Request, actor: ActorDep) -> dict[str, Any]:
    """The last drift check's outcome (scheduled or asked for), or that none ran yet."""
    require_role(actor, Role.SUPERVISOR, Role.AUDITOR, action="reading the drift check")
    last = _watch(request).last
    return last.line() if last else {"status": "not checked yet"}


@router.get("/bundle", response_class=FileResponse)
def bundle(request: Request, actor: ActorDep) -> FileResponse:
    """The audit bundle (aidfed-bundle/1, gzip JSON lines) of everything this node holds."""
    require_role(actor, Role.SUPERVISOR, Role.AUDITOR, action="exporting an audit bundle")
    folder = Path(tempfile.mkdtemp(prefix="aidfed-bundle-"))
    path = folder / "bundle.aidfed.gz"
    node = request.app.state.node
    export_bundle(node, path)
    return FileResponse(
        path,
        media_type="application/gzip",
        filename=f"{node.settings.node_id.lower()}.aidfed.gz",
        background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True),
    )


class DriftCollector(Collector):
    """``aidfed_audit_drift`` (1 while the last check found drift) and checks by outcome."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        watch: DriftWatch | None = getattr(self.app.state, "drift", None)
        if watch is None:
            return
        drift = GaugeMetricFamily(
            "aidfed_audit_drift", "1 if the last rebuild differed from the live projections"
        )
        drift.add_metric([], int(watch.last is not None and watch.last.status == "drift"))
        checks = CounterMetricFamily(
            "aidfed_audit_drift_checks", "drift checks by outcome", labels=["outcome"]
        )
        for outcome in ("consistent", "drift", "busy"):
            checks.add_metric([outcome], watch.counts[outcome])
        yield from (drift, checks)


def install(app: FastAPI) -> None:
    """The drift routes and metrics on an International's app."""
    app.state.metrics_registry.register(DriftCollector(app))
    app.include_router(router)
