"""The node's own storage failing under it: PostgreSQL restarted mid-sync, a full disk.

Found by the fault schedules: a follower thread died for good on the first database error (the
International stopped following after a PostgreSQL restart), and a full disk dropped the
client's connection instead of answering. Now the follower waits for its database to return,
and a command the store refused is answered 507 (disk full) or 503 (database away), with
nothing recorded.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from pathlib import Path

import httpx
import pytest

from tests.support.actors import TREASURER, who
from tests.support.backlog import record_receipts
from tests.support.faults import disk
from tests.support.faults.writers import body
from tests.support.postgres import PostgresServer, postgres_server
from tests.support.processes import COMMITTEE, INTERNATIONAL, NodeProcess, wait_until
from tests.support.topology import Federation

SUPERVISOR = who("Willi Münzenberg", "supervisor")
RATE = {
    "currency": "XPM",
    "reporting_currency": "USD",
    "rate": "0.0022",
    "value_date": "1922-02-01",
    "source": "Berlin exchange, noon fixing",
}


@pytest.fixture
def server() -> Iterator[PostgresServer]:
    """A PostgreSQL server of this test's own: it is stopped and started."""
    with postgres_server() as made:
        yield made


def federation(root: Path, intl_database: str, disk_for_de: bool = False) -> Federation:
    if disk_for_de and not disk.mount_small_disk(root / "DE"):
        pytest.skip("mounting a small tmpfs is not permitted here (needs root)")
    nodes = Federation(
        [
            NodeProcess("DE", COMMITTEE, root),
            NodeProcess("INTL", INTERNATIONAL, root, database=intl_database),
        ]
    )
    nodes.init()
    nodes.wire({"INTL": ["DE"]})
    return nodes


def ingesting(nodes: Federation, size: int) -> bool:
    return 0 < nodes["INTL"].db.cursor("DE") < size


@pytest.mark.postgres
def test_the_international_keeps_following_across_a_postgresql_restart(
    tmp_path: Path, server: PostgresServer
) -> None:
    with federation(tmp_path, server.create_database("aidfed_restart")) as nodes:
        # More than one ingest transaction (5,000 entries each), so a restart can cut in between.
        size = record_receipts(nodes["DE"].data_dir, 12_000, found=True)
        nodes.start()
        wait_until(partial(ingesting, nodes, size), 60, "INTL to be ingesting", every=0.01)
        server.stop()  # mid-sync: the ingest transaction in flight is cut off
        with httpx.Client(base_url=nodes["INTL"].url, timeout=60) as http:
            refused = http.post("/v1/rates", json=RATE, headers=SUPERVISOR)
            assert refused.status_code == 503, refused.text
            assert refused.json()["error"]["code"] == "storage.unavailable"
            assert refused.headers["Retry-After"] == "1"
            server.start()
            nodes.wait_synced(90)
            assert http.post("/v1/rates", json=RATE, headers=SUPERVISOR).status_code == 201
        held = nodes["INTL"].db.compare("DE", nodes["DE"].db)
        assert held.exact, held
        assert nodes["INTL"].db.follower_state("DE")["status"] == "following"


def test_a_full_disk_refuses_commands_plainly_and_records_nothing(tmp_path: Path) -> None:
    try:
        with federation(tmp_path, "sqlite", disk_for_de=True) as nodes:
            de = nodes["DE"]
            record_receipts(de.data_dir, 10, found=True)
            nodes.start()
            nodes.wait_synced(30)
            before = de.db.log_size()
            with httpx.Client(base_url=de.url, timeout=30) as http:
                headers = {**TREASURER, "Idempotency-Key": "s1-w0-c1"}
                disk.fill(de.data_dir)
                refused = http.post("/v1/receipts/cash", json=body("s1-w0-c1"), headers=headers)
                assert refused.status_code == 507, refused.text
                assert refused.json()["error"]["code"] == "storage.full"
                disk.free(de.data_dir)
                assert de.db.log_size() == before  # nothing was recorded
                again = http.post("/v1/receipts/cash", json=body("s1-w0-c1"), headers=headers)
                assert again.status_code == 201, again.text
            assert de.db.log_size() == before + 1
            nodes.wait_synced(30)
            held = nodes["INTL"].db.compare("DE", de.db)
            assert held.exact, held
    finally:
        disk.unmount(tmp_path / "DE")
