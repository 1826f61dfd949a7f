"""The International's /metrics over HTTP: its log, the lag behind each committee it follows,
pages that failed verification, and request latency per route."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from federation.api.app import create_app
from federation.node.committee import CommitteeApplication
from federation.node.international import InternationalApplication
from federation.settings import NodeKind, Settings
from federation.signedlog.note import NoteSigner, generate_key
from federation.sync.client import FeedClient
from federation.sync.follower import Follower
from federation.sync.peers import Peer
from tests.integration.sync.test_follower import receipts
from tests.support import liaison_story as story
from tests.support.actors import who
from tests.support.peers import grant_feed
from tests.support.servers import serving

SUPERVISOR = who("Willi Münzenberg", "supervisor")


@dataclass
class Nodes:
    us: str
    committee: CommitteeApplication
    intl: str
    international: InternationalApplication


@pytest.fixture
def nodes(tmp_path: Path) -> Iterator[Nodes]:
    def settings(node: str, kind: NodeKind) -> Settings:
        return Settings(node_id=node, kind=kind, data_dir=tmp_path / node, mode="test")

    us = create_app(settings("US", NodeKind.COMMITTEE))
    intl = create_app(settings("INTL", NodeKind.INTERNATIONAL).model_copy(update={"follow": False}))
    with serving(us) as us_base, serving(intl) as intl_base:
        story.found_committee(us.state.node)
        yield Nodes(us_base, us.state.node, intl_base, intl.state.node)


def follower(nodes: Nodes, vkey: str, page_size: int, max_bytes: int = 16_000_000) -> Follower:
    token = grant_feed(nodes.committee.settings.data_dir, "INTL")
    peer = Peer("US", nodes.us, vkey, token=token)
    client = FeedClient(peer, max_page_bytes=max_bytes)
    return Follower(nodes.international, peer, client, page_size=page_size)


def metric(text: str, name: str) -> float:
    [line] = [line for line in text.splitlines() if line.startswith(name + " ")]
    return float(line.rsplit(" ", 1)[1])


def test_lag_verification_failures_log_size_and_latency(nodes: Nodes) -> None:
    receipts(nodes.committee, 30)
    honest = follower(nodes, nodes.committee.signed_log.signer.verifier.vkey, page_size=10)
    honest.sync_once(max_pages=1)  # one page of ten: the rest of the log is still to come
    honest.close()
    # A page too big for the follower's cap is rejected (retried later) and counted.
    capped = follower(nodes, nodes.committee.signed_log.signer.verifier.vkey, 10, max_bytes=100)
    assert capped.sync_once(max_pages=1).status == "following"
    capped.close()
    # Pinned with another key than the one US signs with: a key change, counted; quarantined.
    impostor_key = NoteSigner("aidfed.example/US", generate_key()).vkey
    impostor = follower(nodes, impostor_key, page_size=10)
    assert impostor.sync_once(max_pages=1).status == "quarantined"
    impostor.close()

    with httpx.Client(base_url=nodes.intl, timeout=30, headers=SUPERVISOR) as http:
        assert http.get("/v1/supervisory/overview").status_code == 200
        assert http.get("/v1/supervisory/committees").status_code == 200
        text = http.get("/metrics").text
    us_text = httpx.get(f"{nodes.us}/metrics", timeout=30).text
    us_size = httpx.get(f"{nodes.us}/v1/node", timeout=30).json()["log_size"]

    assert metric(text, 'aidfed_sync_lag{upstream="US"}') == us_size - 10 > 0
    failures = 'aidfed_sync_verification_failures_total{kind="rejected",upstream="US"}'
    assert metric(text, failures) == 1
    key_changed = 'aidfed_sync_verification_failures_total{kind="key_changed",upstream="US"}'
    assert metric(text, key_changed) == 1
    assert metric(text, 'aidfed_sync_quarantined{upstream="US"}') == 1
    assert metric(us_text, "aidfed_log_entries") == us_size > 30
    for route in ("/v1/supervisory/overview", "/v1/supervisory/committees"):
        assert metric(text, f'aidfed_request_seconds_count{{method="GET",route="{route}"}}') == 1
