"""Crashes and outages: a follower killed while it ingests, an upstream away for a while."""

from __future__ import annotations

from functools import partial

import httpx

from tests.e2e.federation.conftest import FederationFactory
from tests.support.actors import receipt
from tests.support.backlog import record_receipts
from tests.support.nodedb import NodeDatabase
from tests.support.processes import NodeProcess, wait_until

BACKLOG = 20_000


def ingesting(db: NodeDatabase, low: int, size: int) -> int | None:
    """The follower's cursor, once it is past ``low`` but not yet at ``size``."""
    cursor = db.cursor("DE")
    return cursor if low < cursor < size else None


def assert_level_and_verified(intl: NodeProcess, de: NodeProcess) -> None:
    comparison = intl.db.compare("DE", de.db)
    assert comparison.exact, comparison
    row = intl.status()["DE"]
    assert (row["lag"], row["verification"], row["status"]) == (0, "verified", "following")
    assert row["cursor"] == de.db.log_size()


def test_a_follower_killed_while_ingesting_loses_nothing_and_applies_nothing_twice(
    federation: FederationFactory,
) -> None:
    nodes = federation(["DE"], follows={"INTL": ["DE"]}, start=False)
    de, intl = nodes["DE"], nodes["INTL"]
    size = record_receipts(de.data_dir, BACKLOG, found=True)
    de.start()
    kills = []
    for low in (size // 5, size // 2):  # twice, each time in the middle of the backlog
        intl.start()
        wait_until(partial(ingesting, intl.db, low, size), 60, "ingestion", every=0.01)
        intl.kill()
        kills.append(intl.db.cursor("DE"))
    assert all(0 < k < size for k in kills), (kills, size)
    intl.start()
    nodes.wait_synced(60)
    assert_level_and_verified(intl, de)
    positions = intl.db.query(
        "SELECT projection, position FROM projection_positions WHERE upstream = 'DE'"
    )
    assert {position for _, position in positions} == {size}, positions


def test_an_upstream_down_for_a_while_is_caught_up_when_it_is_back(
    federation: FederationFactory,
) -> None:
    nodes = federation(["DE"], follows={"INTL": ["DE"]}, start=False)
    de, intl = nodes["DE"], nodes["INTL"]
    record_receipts(de.data_dir, 500, found=True)
    nodes.start()
    nodes.wait_synced(30)

    took = de.stop()  # SIGTERM, with INTL's long-poll open on it
    assert took < 5, f"DE took {took:.1f} s to stop"
    record_receipts(de.data_dir, 3000)  # the committee keeps working while its server is down
    wait_until(lambda: intl.status()["DE"]["last_error"], 30, "INTL to notice DE is gone")
    assert intl.status()["DE"]["status"] == "following"

    de.start()
    with httpx.Client(base_url=de.url, timeout=10) as http:
        for n in range(5):
            receipt(http, n)
    nodes.wait_synced(60)
    assert_level_and_verified(intl, de)
    assert intl.status()["DE"]["last_error"] is None
