"""Network faults between a follower and its upstream change nothing in what the follower holds.

A proxy sits between the International and a committee: it rewinds and repeats the pages asked
for (overlapping and repeated pages), cuts answers short, flips bits, resets connections, slows
answers down and falls silent. The follower retries, never quarantines, and ends up holding the
committee's log exactly.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from functools import partial

import pytest

from federation.node.international import InternationalApplication
from federation.settings import Settings
from federation.sync.client import FeedClient
from federation.sync.follower import Follower
from federation.sync.peers import PeerBook
from tests.e2e.federation.conftest import FederationFactory
from tests.support.backlog import record_receipts
from tests.support.processes import wait_until
from tests.support.proxy import Fault, Proxy
from tests.support.topology import Federation


@pytest.fixture
def behind_proxy(federation: FederationFactory) -> Iterator[tuple[Federation, Proxy]]:
    """DE serving a backlog, and INTL pointed at DE through a proxy (INTL not started)."""
    nodes = federation(["DE"], follows={"INTL": ["DE"]}, start=False)
    de, intl = nodes["DE"], nodes["INTL"]
    record_receipts(de.data_dir, 2000, found=True)
    de.start()
    with Proxy(de.port) as proxy:
        book = PeerBook(intl.data_dir)
        book.add(replace(book.get("DE"), url=proxy.url))
        yield nodes, proxy


def injected(proxy: Proxy, fault: Fault, count: int) -> bool:
    return proxy.injected[fault] >= count


def inject(nodes: Federation, proxy: Proxy, fault: Fault, times: int, **params: float) -> None:
    """Aim ``times`` faults at the follower while DE records more; wait until they all hit and
    the follower has recovered (so that no two faults hit one fetch and its retry)."""
    de = nodes["DE"]
    hit = proxy.injected[fault] + times
    proxy.set(fault, times=times, **params)
    for _ in range(20):  # a fault armed on an idle long-poll waits for news: give it some
        record_receipts(de.data_dir, 300, first=de.db.log_size())
        try:
            wait_until(partial(injected, proxy, fault, hit), 3, f"{times} × {fault}")
            break
        except AssertionError:
            continue
    assert proxy.injected[fault] >= hit, (fault, proxy.injected)
    nodes.wait_synced(60)


def test_faulty_network_between_follower_and_upstream_changes_nothing(
    behind_proxy: tuple[Federation, Proxy],
) -> None:
    nodes, proxy = behind_proxy
    de, intl = nodes["DE"], nodes["INTL"]
    proxy.set(Fault.REWIND, times=4, rewind=300)  # pages overlapping the ones before
    intl.start()
    wait_until(partial(injected, proxy, Fault.REWIND, 4), 30, "overlapping pages")
    nodes.wait_synced(60)
    inject(nodes, proxy, Fault.REPEAT, 4)  # pages asked for again
    inject(nodes, proxy, Fault.TRUNCATE, 2, cut=3000)  # answers cut off mid-body
    inject(nodes, proxy, Fault.RESET, 2)  # connections reset by the peer
    proxy.identity = True  # uncompressed answers: the flipped bits land in the JSON
    inject(nodes, proxy, Fault.FLIP, 1, flip_at=60)  # in the signed checkpoint
    inject(nodes, proxy, Fault.FLIP, 1, flip_at=2000)  # in an entry
    proxy.identity = False
    inject(nodes, proxy, Fault.FLIP, 1, flip_at=500)  # in the gzip stream
    proxy.set(Fault.DELAY, delay=0.05)  # a slow peer
    record_receipts(de.data_dir, 1500, first=de.db.log_size())
    nodes.wait_synced(60)
    proxy.set(Fault.PASS)

    assert set(proxy.injected) >= set(Fault) - {Fault.PASS, Fault.BLACKHOLE}, proxy.injected
    comparison = intl.db.compare("DE", de.db)
    assert comparison.exact, comparison
    row = intl.status()["DE"]
    assert (row["status"], row["verification"], row["lag"]) == ("following", "verified", 0)


def test_a_silent_or_slow_peer_times_out_and_is_caught_up_with_later(
    behind_proxy: tuple[Federation, Proxy],
) -> None:
    nodes, proxy = behind_proxy
    de, intl = nodes["DE"], nodes["INTL"]
    # The follower in this process, with a read time-out of a second instead of ten.
    app = InternationalApplication(Settings(_env_file=intl.data_dir / "node.env"))
    peer = PeerBook(intl.data_dir).get("DE")
    follower = Follower(app, peer, FeedClient(peer, timeout=1.0), page_size=500)
    try:
        assert follower.sync_once(max_pages=2).error is None
        for fault, delay in ((Fault.BLACKHOLE, 0.0), (Fault.DELAY, 3.0)):
            proxy.set(fault, delay=delay)
            for _ in range(2):  # on the open connection, then on a new one
                began = time.monotonic()
                outcome = follower.sync_once()
                assert "ReadTimeout" in str(outcome.error), outcome
                assert time.monotonic() - began < 5
                assert (outcome.status, outcome.size) == ("following", 1000)
        proxy.set(Fault.DELAY, delay=0.02)  # slow, but within the time-out
        outcome = follower.sync_once()
        assert (outcome.error, outcome.size) == (None, de.db.log_size())
    finally:
        proxy.set(Fault.PASS)
        follower.close()
        app.close()
    comparison = intl.db.compare("DE", de.db)
    assert comparison.exact, comparison
