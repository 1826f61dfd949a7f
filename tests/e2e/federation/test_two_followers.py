"""Two follower processes for one upstream at once take turns: no interleaving, no duplicates."""

from __future__ import annotations

import re

import pytest

from tests.e2e.federation.conftest import FederationFactory
from tests.support.backlog import record_receipts

BACKLOG = 10_000
INGESTED = re.compile(r"DE: \+(\d+) → (\d+)/(\d+) following")


@pytest.mark.parametrize("international", ["postgres", "sqlite"])
def test_two_follower_processes_for_one_upstream_take_turns(
    federation: FederationFactory, international: str
) -> None:
    # The lock is an advisory lock on PostgreSQL and a file lock beside a SQLite database.
    nodes = federation(["DE"], international=international, follows={"INTL": ["DE"]}, start=False)
    de, intl = nodes["DE"], nodes["INTL"]
    size = record_receipts(de.data_dir, BACKLOG, found=True)
    de.start()
    both = [intl.spawn("sync", "--peer", "DE") for _ in range(2)]
    outputs = [process.communicate(timeout=120)[0] for process in both]
    assert [process.returncode for process in both] == [0, 0], outputs
    results = [INGESTED.search(output) for output in outputs]
    assert all(results), outputs
    added = sorted(int(m.group(1)) for m in results if m)
    # One of them held the lock for the whole backlog; the other found nothing left to do.
    assert added == [0, size], outputs
    comparison = intl.db.compare("DE", de.db)
    assert comparison.exact, comparison
    assert intl.db.follower_state("DE")["size"] == size
