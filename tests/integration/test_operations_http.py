"""Operating a node: health, readiness, Prometheus metrics, request size limits."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from federation.api.app import create_app
from federation.settings import Settings
from tests.support import liaison_story as story
from tests.support.servers import serving


@pytest.fixture
def client(tmp_path: Path) -> Iterator[httpx.Client]:
    api = create_app(Settings(node_id="US", data_dir=tmp_path / "US", mode="test"))
    with serving(api) as base, httpx.Client(base_url=base, timeout=30) as c:
        story.found_committee(api.state.node)
        yield c


def test_health_and_readiness(client: httpx.Client) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"ready": True}


def test_metrics_show_the_log_and_request_latency(client: httpx.Client) -> None:
    client.get("/v1/books")
    text = client.get("/metrics").text
    [entries] = [line for line in text.splitlines() if line.startswith("aidfed_log_entries ")]
    assert float(entries.split()[1]) >= 4
    assert 'aidfed_request_seconds_count{method="GET",route="/v1/books"} 1.0' in text


def test_oversized_requests_are_refused_before_they_are_read(client: httpx.Client) -> None:
    response = client.post(
        "/v1/receipts/cash", content=b"x" * 10_000_001, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request.too_large"
