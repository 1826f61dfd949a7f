"""The resolution's story of 1922-23 across separate node processes, arriving whole everywhere.

Two committees (Friends of Soviet Russia in the US, the French committee), the International on
PostgreSQL and the liaison with the Russian agencies, each its own ``aidfed node serve`` process,
in the default topology. Everyone acts over HTTP on their own node; decisions travel only by
federation sync. The American committee's procurement is refused until the liaison's opinion has
reached it, and succeeds once it has; at the end every follower holds every upstream's log.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.e2e.federation.conftest import FederationFactory
from tests.support.actors import READER
from tests.support.story_http import (
    TOIKINO,
    Story,
    allocate_the_surplus,
    buy_the_tractors,
    deliver_and_produce,
    found_the_american_committee,
    send_the_mechanic,
    subscribe_to_the_loan,
)


@pytest.fixture
def story(federation: FederationFactory) -> Iterator[Story]:
    nodes = federation(["US", "FR"], liaison=True)
    clients = {
        node_id: httpx.Client(base_url=node.url, timeout=30, headers=READER)
        for node_id, node in nodes.nodes.items()
    }
    try:
        yield Story(nodes, clients)
    finally:
        for client in clients.values():
            client.close()


def balance(http: httpx.Client) -> dict[str, Any]:
    answer = http.get("/v1/books")
    assert answer.status_code == 200, answer.text
    [only] = answer.json()["balances"]
    return dict(only)


def test_the_story_of_1922_23_across_node_processes(story: Story) -> None:
    s = story
    found_the_american_committee(s)
    tractors = buy_the_tractors(s)
    deliver_and_produce(s, tractors)
    send_the_mechanic(s)
    subscribe_to_the_loan(s)
    allocate_the_surplus(s)
    s.nodes.wait_synced(60)

    us = balance(s.us)  # 50,000 raised, 20,000 paid for tractors, 350 for the journey
    assert (us["cash_received"], us["spent"], us["cash_on_hand"]) == (
        "50000.00",
        "20350.00",
        "29650.00",
    )
    fr = balance(s.fr)  # 175 francs of loan money: a liability, not income
    assert (fr["currency"], fr["cash_received"], fr["loan_subscribed"]) == ("FRF", "0.00", "175.00")
    [farm] = s.liaison.get("/v1/enterprises").json()["items"]
    assert farm["name"] == TOIKINO

    # Every follower holds every upstream's log exactly: the story arrived whole everywhere.
    for follower, upstream in s.nodes.pairs():
        held = s.nodes[follower].db.compare(upstream, s.nodes[upstream].db)
        assert held.exact, (follower, upstream, held)
        assert held.upstream_size > 0
    for node in s.nodes.nodes.values():
        statuses = node.status()
        assert set(statuses) == set(s.nodes.follows[node.node_id])
        for row in statuses.values():
            assert (row["lag"], row["verification"]) == (0, "verified"), row
