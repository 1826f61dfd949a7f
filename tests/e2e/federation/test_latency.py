"""An idle follower hears of a new event at once: it long-polls its upstream."""

from __future__ import annotations

import time
from functools import partial

import httpx

from tests.e2e.federation.conftest import FederationFactory
from tests.support.actors import receipt
from tests.support.backlog import record_receipts
from tests.support.nodedb import NodeDatabase
from tests.support.processes import wait_until


def ahead(db: NodeDatabase, held: int) -> bool:
    return db.cursor("DE") > held


def test_a_new_event_reaches_an_idle_follower_within_two_seconds(
    federation: FederationFactory,
) -> None:
    # The bound is the acceptance (2 s on loopback), not a benchmark: it takes ~0.2 s.
    nodes = federation(["DE"], follows={"INTL": ["DE"]}, start=False)
    de, intl = nodes["DE"], nodes["INTL"]
    record_receipts(de.data_dir, 5, found=True)
    nodes.start()
    nodes.wait_synced(30)
    latencies = []
    with httpx.Client(base_url=de.url, timeout=10) as http:
        for n in range(3):
            time.sleep(1.0)  # idle: the follower sits in its long-poll
            held = intl.db.cursor("DE")
            began = time.monotonic()
            receipt(http, n)
            wait_until(partial(ahead, intl.db, held), 10, "the receipt at INTL", every=0.01)
            latencies.append(time.monotonic() - began)
    assert max(latencies) < 2.0, latencies
    assert intl.db.compare("DE", de.db).exact
