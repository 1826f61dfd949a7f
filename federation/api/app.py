"""The composition root: ``create_app(settings)`` builds a node's application and HTTP API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from federation.api import access, errors, logs, ops
from federation.api.auth import feed_reader
from federation.api.routers import (
    audit,
    committee,
    committee_exchange,
    committee_resolution,
    exports,
    international,
    liaison,
    log,
    node,
    supervisory,
)
from federation.api.strict_query import refuse_unknown_query
from federation.audit.drift import AuditSettings, DriftWatch
from federation.node.base import NodeApplication
from federation.node.committee import CommitteeApplication
from federation.node.international import InternationalApplication
from federation.node.liaison import LiaisonApplication
from federation.node.warm import KeepWarm
from federation.settings import NodeKind, Settings
from federation.sync.runner import FollowerPool
from federation.web import audit_page, desk, money_pages, pages
from federation.web.session import LoginRequired

DESCRIPTION = """
A node of the Aid Federation. A national committee records what it raises and spends as
immutable events: campaigns, pledges, receipts (cash and in kind, corrected only by reversal)
and transfers (initiated, countersigned and sent by three different people).

Amounts are decimal strings with a currency code, never JSON numbers; they are never rounded.
Every command takes an `Idempotency-Key` header: repeating a command with the same key and body
gives the same answer and records nothing twice. Refusals carry a stable `code` naming the rule.
"""


# Each kind of node: its application and the routers of its commands and queries.
KINDS: dict[NodeKind, tuple[type[NodeApplication], list[APIRouter]]] = {
    NodeKind.COMMITTEE: (
        CommitteeApplication,
        [committee.router, committee_resolution.router, committee_exchange.router, desk.router],
    ),
    NodeKind.INTERNATIONAL: (
        InternationalApplication,
        [
            international.router,
            supervisory.router,
            exports.router,
            pages.router,
            money_pages.router,
            audit_page.router,
        ],
    ),
    NodeKind.LIAISON: (LiaisonApplication, [liaison.router]),
}


async def _to_login(request: Request, _: Exception) -> RedirectResponse:
    return RedirectResponse(f"/login?next={request.url.path}", status_code=303)


def create_app(settings: Settings) -> FastAPI:
    """Build the node described by ``settings``; nothing is opened until the app starts."""

    application_class, routers = KINDS[settings.kind]

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        application = application_class(settings)
        app.state.node = application
        app.state.sessions = {}
        application.signed_log.start()
        followers = FollowerPool(application) if settings.follow else None
        if followers:
            followers.start()
        drift = (
            DriftWatch(application) if isinstance(application, InternationalApplication) else None
        )
        app.state.drift = drift
        if drift:
            drift.start(AuditSettings().drift_interval_seconds)
        warm = None
        if isinstance(application, InternationalApplication):
            # Set by 'aidfed node serve', whose process is this node's alone (see warm.py).
            warm = KeepWarm(application, freeze=getattr(app.state, "freeze_heap", False))
            warm.start(application.supervisory.settings.warm_interval_seconds)
        app.state.warm = warm
        try:
            yield
        finally:
            if warm:
                warm.stop()
            if drift:
                drift.stop()
            if followers:
                followers.stop()
            application.signed_log.stop()
            application.close()

    app = FastAPI(
        title=f"Aid Federation node {settings.node_id}",
        description=DESCRIPTION,
        version="0.1.0",
        lifespan=lifespan,
        dependencies=[Depends(access.authorise), Depends(refuse_unknown_query)],
    )
    errors.install(app, page=pages.error_page)  # the dashboard's and desk's refusals, as pages
    ops.install(app)
    logs.install(app, settings.node_id, settings.log_level)
    app.mount("/static", StaticFiles(directory=pages.HERE / "static"), name="static")
    app.add_exception_handler(LoginRequired, _to_login)
    app.include_router(node.router)
    for router in routers:
        app.include_router(router)
    app.include_router(log.router, dependencies=[Depends(feed_reader)])
    if settings.kind is NodeKind.INTERNATIONAL:
        audit.install(app)
    # Level 1: a feed page is ~1 MB of JSON, and the default level 9 took longer than reading it.
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=1)
    return app
