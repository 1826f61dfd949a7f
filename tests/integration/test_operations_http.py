"""Operating a node: health, readiness, Prometheus metrics, request size limits."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from federation.api.app import create_app
from federation.api.ops import holds_rounds
from federation.node.warm import KeepWarm
from federation.settings import Settings
from tests.support import liaison_story as story
from tests.support.nodes import lone_international
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


def test_an_international_is_ready_only_once_its_answers_are_warm(tmp_path: Path) -> None:
    api = create_app(lone_international(tmp_path))
    with serving(api) as base, httpx.Client(base_url=base, timeout=30) as c:
        assert api.state.warm is not None  # the lifespan's, already running
        assert api.state.warm.ready.wait(30)
        assert c.get("/readyz").json() == {"ready": True}

        # A warm-up whose first round has not ended: not ready, saying why.
        api.state.warm = KeepWarm(api.state.node)
        answer = c.get("/readyz")
        assert answer.status_code == 503
        assert answer.json()["error"]["code"] == "node.warming"
        api.state.warm.start(60)
        try:
            assert api.state.warm.ready.wait(30)
            assert c.get("/readyz").status_code == 200
        finally:
            api.state.warm.stop()


def test_the_rounds_wait_for_questions_not_for_the_feed() -> None:
    assert holds_rounds("/v1/supervisory/overview")
    assert holds_rounds("/dashboard")
    assert not holds_rounds("/v1/log/entries")
    assert not holds_rounds("/v1/log/checkpoint")


def test_a_follower_long_polling_the_feed_does_not_hold_the_rounds(tmp_path: Path) -> None:
    api = create_app(lone_international(tmp_path, feed_open=True))
    with serving(api) as base, httpx.Client(base_url=base, timeout=30) as c:
        warm = api.state.warm
        assert warm is not None
        assert warm.ready.wait(30)
        answers: list[httpx.Response] = []
        poll = threading.Thread(
            target=lambda: answers.append(c.get("/v1/log/entries", params={"wait": 3}))
        )
        started = time.monotonic()
        poll.start()
        poll.join(1.0)
        assert poll.is_alive()  # the follower waits for news
        assert warm.requests.wait_idle(0.01)  # and the rounds do not wait for it
        poll.join(30)
        assert answers[0].status_code == 200
        assert answers[0].json()["entries"] == []
        assert time.monotonic() - started >= 2.5  # it did long-poll
