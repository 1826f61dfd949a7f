"""Seeded fault schedules over a federation of real processes, each judged by the checker.

Short mode (the normal suite) runs a couple of schedules; ``AIDFED_FAULT_SCHEDULES=50`` runs
fifty; ``AIDFED_FAULT_SEED=<seed>`` replays one. Each schedule kills every kind of node, pauses
one, restarts the International's PostgreSQL, fills a committee's disk and troubles every kind
of network fault on the International's links, while treasurers keep recording receipts.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.faults.cluster import FaultCluster
from tests.support.faults.run import run_schedule, schedule_count, seeds
from tests.support.faults.schedule import Kind
from tests.support.faults.writers import Answer
from tests.support.postgres import PostgresServer, postgres_server

_databases = itertools.count(1)


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[FaultCluster]:
    """A federation on a PostgreSQL server of its own: the schedules restart it."""
    with postgres_server() as server:
        database = _database(server)
        with FaultCluster(tmp_path, server, database) as made:
            yield made


def _database(server: PostgresServer) -> str:
    return server.create_database(f"aidfed_faults_{next(_databases)}")


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.timeout(120 + 180 * schedule_count())  # long mode runs for many minutes
def test_seeded_fault_schedules_lose_nothing_and_double_nothing(cluster: FaultCluster) -> None:
    outcomes = [run_schedule(cluster, seed) for seed in seeds()]

    failed = [o for o in outcomes if o.problems]
    print(f"{len(outcomes) - len(failed)} of {len(outcomes)} fault schedules passed")
    assert not failed, "\n".join(f"{o.summary()}\n  " + "\n  ".join(o.problems) for o in failed)
    injected = {step.kind for o in outcomes for step in o.steps}
    expected = set(Kind) if cluster.small_disk else set(Kind) - {Kind.DISK_FULL}
    assert injected == expected
    acknowledged = [i for o in outcomes for i in o.issued if i.answer is Answer.ACKNOWLEDGED]
    assert len(acknowledged) >= 10 * len(outcomes), "the writers hardly wrote"
