"""Operations: readiness, Prometheus metrics, request size limits and request timing."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import nullcontext

from fastapi import APIRouter, FastAPI, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from federation.api.access import route_template
from federation.api.errors import error_response
from federation.api.routers import log
from federation.sync.status import status_row

MAX_REQUEST_BYTES = 10_000_000
FEED = log.router.prefix + "/"  # the federation feed
router = APIRouter(tags=["node"])


@router.get("/readyz")
def readyz(request: Request) -> Response:
    """Ready to serve: the database answers and, at an International, the supervisory answers
    of the first warm-up round are computed (see ``federation.node.warm``)."""
    node = request.app.state.node
    try:
        node.db.scalar("SELECT 1")
    except Exception as error:  # any database failure means not ready; say which
        return error_response(
            503, "node.not_ready", f"the database does not answer: {error}", "ops"
        )
    warm = request.app.state.warm
    if warm is not None and not warm.ready.is_set():
        return error_response(
            503,
            "node.warming",
            "the International is computing its supervisory answers after starting; "
            "ask again in a few seconds",
            "ops",
        )
    return Response('{"ready": true}', media_type="application/json")


class BodyLimit:
    """Counts the bytes of every request body as it is read: a chunked body (no Content-Length
    to check up front) is cut off at the limit rather than read whole into memory.

    Past the limit it answers 413 itself and tells the application the client has gone, so the
    route stops reading; whatever the application answers after that is dropped.
    """

    def __init__(self, app: ASGIApp, limit: int = MAX_REQUEST_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        read, started, refused = 0, False, False

        async def counted() -> Message:
            nonlocal read, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            read += len(message.get("body", b""))
            if read > self.limit:
                refused = True
                if not started:
                    await too_large()(scope, receive, send)
                return {"type": "http.disconnect"}
            return message

        async def guarded(message: Message) -> None:
            nonlocal started
            if refused:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        await self.app(scope, counted, guarded)


def too_large() -> Response:
    """The answer to a request over the size limit."""
    return error_response(
        413, "request.too_large", f"requests are limited to {MAX_REQUEST_BYTES} bytes", "input"
    )


class NodeCollector(Collector):
    """Figures read at scrape time: log size, and per upstream the lag and verification state."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        node = getattr(self.app.state, "node", None)
        if node is None:
            return
        entries = GaugeMetricFamily(
            "aidfed_log_entries", "events appended to this node's signed log (its size)"
        )
        entries.add_metric([], node.signed_log.appended())
        lag = GaugeMetricFamily(
            "aidfed_sync_lag", "entries behind the upstream", labels=["upstream"]
        )
        quarantined = GaugeMetricFamily(
            "aidfed_sync_quarantined", "1 if quarantined", labels=["upstream"]
        )
        failing = GaugeMetricFamily(
            "aidfed_sync_failing", "1 if the last sync attempt failed", labels=["upstream"]
        )
        for row in (status_row(s) for s in node.follower_states.all()):
            lag.add_metric([row["upstream"]], row["lag"])
            quarantined.add_metric([row["upstream"]], int(row["status"] == "quarantined"))
            failing.add_metric([row["upstream"]], int(row["last_error"] is not None))
        refused = CounterMetricFamily(
            "aidfed_sync_verification_failures",
            "pages from an upstream that failed verification since the node started",
            labels=["upstream", "kind"],
        )
        for (upstream, why), count in sorted(node.follower_states.verification_failures.items()):
            refused.add_metric([upstream, why], count)
        yield from (entries, lag, quarantined, failing, refused)


def holds_rounds(path: str) -> bool:
    """Whether a request holds back the background rounds while it is answered: any but the
    federation feed's. A follower long-polls the feed for up to 30 s at a time, and there is
    nearly always one: counted, it would keep every round waiting; its pages are cheap reads."""
    return not path.startswith(FEED)


def install(app: FastAPI) -> None:
    """Metrics, readiness, the request size limit and timing on ``app``."""
    registry = CollectorRegistry()
    app.state.metrics_registry = registry  # other parts add their collectors (audit drift)
    registry.register(NodeCollector(app))
    latency = Histogram(
        "aidfed_request_seconds", "HTTP request latency", ["method", "route"], registry=registry
    )

    @app.middleware("http")
    async def limit_and_time(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > MAX_REQUEST_BYTES:
            return too_large()
        start = time.perf_counter()
        # An International's background rounds take their steps between requests (warm.py).
        warm = getattr(request.app.state, "warm", None)
        held = holds_rounds(request.url.path)
        with warm.requests.serving() if warm is not None and held else nullcontext():
            response = await call_next(request)
        route = route_template(request) if request.scope.get("route") else "unmatched"
        latency.labels(request.method, route).observe(time.perf_counter() - start)
        return response

    @app.get("/metrics", tags=["node"], include_in_schema=True)
    def metrics() -> Response:
        """Prometheus metrics: log size, sync lag and state per upstream, request latency."""
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    app.include_router(router)
    app.add_middleware(BodyLimit)
