"""Drift: the live projections compared with their rebuild, on demand and on a schedule.

Drift is played by changing a live projection row behind the projection's back (as a bug, a
bad migration or a hand-edit would); the check must name that row, raise the metric and record
a compliance exception, and find nothing while the live view is as its events say.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from federation.api.app import create_app
from federation.audit.drift import RULE, DriftWatch
from federation.node.international import InternationalApplication
from federation.node.setup import init_node
from federation.settings import NodeKind, Settings
from tests.integration.audit.history import fill
from tests.support.nodes import lone_international
from tests.support.servers import serving

SUPERVISOR = {"X-Actor": "Willi%20M%C3%BCnzenberg", "X-Role": "supervisor"}
TREASURER = {"X-Actor": "Hugo%20Eberlein", "X-Role": "treasurer"}


def tamper(intl: InternationalApplication) -> str:
    """Add a mark to one German receipt's amount in the live view; returns its receipt id."""
    receipt = str(intl.db.scalar("SELECT MIN(receipt_id) FROM sv_receipts WHERE country = 'DE'"))
    with intl.db.transaction() as cursor:
        cursor.execute(
            intl.db.sql(
                "UPDATE sv_receipts SET amount_minor = amount_minor + 1 WHERE receipt_id = ?"
            ),
            (receipt,),
        )
    return receipt


@pytest.fixture
def intl(tmp_path: Path) -> Iterator[InternationalApplication]:
    settings = Settings(
        node_id="INTL", kind=NodeKind.INTERNATIONAL, data_dir=tmp_path / "INTL", mode="test"
    )
    init_node(settings)
    app = InternationalApplication(settings)
    fill(app, tmp_path)
    yield app
    app.close()


def test_an_untouched_view_has_no_drift(intl: InternationalApplication) -> None:
    result = DriftWatch(intl).check()
    assert result.status == "consistent"
    assert result.live == result.rebuilt
    assert result.positions["DE"] == intl.ingestor.cursor("DE")


def test_a_changed_row_is_drift_named_by_its_key_and_recorded_once(
    intl: InternationalApplication,
) -> None:
    receipt = tamper(intl)
    watch = DriftWatch(intl)
    result = watch.check()
    assert result.status == "drift"
    assert result.difference is not None
    assert result.difference.table == "sv_receipts"
    assert result.difference.key == {"country": "DE", "receipt_id": receipt}
    assert "amount_minor" in str(result.difference)
    assert result.live["supervisory"] != result.rebuilt["supervisory"]
    watch.check()  # the same drift again: still one exception on record
    recorded = intl.exceptions(rule=RULE, status=None, node=None, limit=10, offset=0)
    assert [e["exception_id"] for e in recorded] == [result.exception_id]
    assert receipt in recorded[0]["detail"]


def test_the_cli_exits_non_zero_on_drift_naming_the_row(intl: InternationalApplication) -> None:
    folder = intl.settings.data_dir
    intl.close()  # the CLI opens the node itself
    reopened = InternationalApplication(intl.settings)
    receipt = tamper(reopened)
    reopened.close()
    run = subprocess.run(
        [sys.executable, "-m", "federation", "audit", "drift", "--data-dir", str(folder), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 1, run.stdout + run.stderr
    outcome = json.loads(run.stdout)
    assert outcome["first_difference"]["key"]["receipt_id"] == receipt


def drift_metric(base: str) -> float | None:
    for line in httpx.get(f"{base}/metrics", timeout=10).text.splitlines():
        if line.startswith("aidfed_audit_drift "):
            return float(line.split()[1])
    return None


def test_a_served_international_finds_drift_on_its_schedule(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIDFED_AUDIT_DRIFT_INTERVAL_SECONDS", "0.3")
    api = create_app(lone_international(tmp_path))
    with serving(api) as base:
        node: InternationalApplication = api.state.node
        fill(node, tmp_path)
        deadline = time.monotonic() + 60
        while drift_metric(base) is None or api.state.drift.last is None:
            assert time.monotonic() < deadline, "no scheduled drift check ran"
            time.sleep(0.1)
        assert drift_metric(base) == 0
        receipt = tamper(node)
        while drift_metric(base) != 1:
            assert time.monotonic() < deadline, "the scheduled check did not find the drift"
            time.sleep(0.1)
        last = httpx.get(f"{base}/v1/audit/drift", headers=SUPERVISOR, timeout=10).json()
        assert last["first_difference"]["key"]["receipt_id"] == receipt
        asked = httpx.post(f"{base}/v1/audit/drift", headers=SUPERVISOR, timeout=60)
        assert asked.json()["status"] == "drift"
        refused = httpx.post(f"{base}/v1/audit/drift", headers=TREASURER, timeout=60)
        assert refused.status_code == 403
        exceptions = httpx.get(
            f"{base}/v1/exceptions", params={"rule": RULE}, headers=SUPERVISOR, timeout=10
        )
        [exception] = exceptions.json()["items"]
        assert receipt in exception["detail"]


def test_a_live_view_on_postgresql_rebuilt_into_sqlite_has_no_drift(
    tmp_path: Path, pg_url: str
) -> None:
    settings = Settings(
        node_id="INTL",
        kind=NodeKind.INTERNATIONAL,
        data_dir=tmp_path / "INTL",
        database=pg_url,
        mode="test",
    )
    node = InternationalApplication(settings)
    try:
        fill(node, tmp_path)
        result = DriftWatch(node).check()
        assert result.status == "consistent", result.difference
        receipt = tamper(node)
        drifted = DriftWatch(node).check()
        assert drifted.difference is not None
        assert drifted.difference.key == {"country": "DE", "receipt_id": receipt}
    finally:
        node.close()
