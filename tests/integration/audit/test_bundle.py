"""An audit bundle taken from the International verifies offline, and every tampering fails."""

from __future__ import annotations

import base64
import gzip
import json
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from domain.committee import OrganisationType
from domain.money import Money
from federation.api.app import create_app
from federation.audit.export import export_bundle
from federation.audit.verify import verify_bundle
from federation.node.committee import CashReceiptLine, CommitteeApplication
from federation.node.international import InternationalApplication
from federation.settings import NodeKind, Settings
from federation.signedlog.note import Checkpoint, NoteSigner, generate_key
from federation.sync.client import FeedClient
from federation.sync.follower import Follower
from federation.sync.peers import Peer, PeerBook
from tests.support import liaison_story as story
from tests.support.peers import grant_feed
from tests.support.servers import serving
from tests.support.story import CAMPAIGN, TREASURER

Records = list[dict[str, Any]]


def receipts(app: CommitteeApplication, n: int) -> None:
    app.record_cash_receipts(
        TREASURER,
        [
            CashReceiptLine(
                CAMPAIGN,
                f"Contributor {i}",
                OrganisationType.TRADE_UNION,
                Money.of("1.00", "USD"),
                date(1922, 2, 1),
            )
            for i in range(n)
        ],
    )


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bundle of the International's view of an American committee, two checkpoints deep."""
    root = tmp_path_factory.mktemp("audit")
    api = create_app(Settings(node_id="US", data_dir=root / "US", mode="test"))
    intl = InternationalApplication(
        Settings(node_id="INTL", kind=NodeKind.INTERNATIONAL, data_dir=root / "INTL", mode="test")
    )
    with serving(api) as base:
        committee: CommitteeApplication = api.state.node
        story.found_committee(committee)
        peer = Peer(
            "US",
            base,
            committee.signed_log.signer.verifier.vkey,
            token=grant_feed(committee.settings.data_dir, "INTL"),
        )
        PeerBook(intl.settings.data_dir).add(peer)
        follower = Follower(intl, peer, FeedClient(peer))
        follower.sync_once()
        receipts(committee, 12)
        follower.sync_once()
        follower.close()
        path = root / "intl.aidfed.gz"
        export_bundle(intl, path)
    intl.close()
    return path


def rewrite(source: Path, target: Path, change: Callable[[Records], Records]) -> Path:
    with gzip.open(source, "rt", encoding="utf-8") as handle:
        lines = [json.loads(line) for line in handle]
    with gzip.open(target, "wt", encoding="utf-8") as handle:
        for record in [lines[0], *change(lines[1:])]:
            handle.write(json.dumps(record) + "\n")
    return target


def us_entry(records: Records, position: int) -> dict[str, Any]:
    return next(
        r
        for r in records
        if r.get("t") == "entry" and r["node"] == "US" and r["position"] == position
    )


def flip_byte(records: Records) -> Records:
    record = us_entry(records, 5)
    data = bytearray(base64.b64decode(record["entry"]))
    data[-3] ^= 0x01
    record["entry"] = base64.b64encode(bytes(data)).decode()
    return records


def delete_entry(records: Records) -> Records:
    return [r for r in records if r is not us_entry(records, 7)]


def swap_entries(records: Records) -> Records:
    i, j = records.index(us_entry(records, 3)), records.index(us_entry(records, 4))
    records[i], records[j] = records[j], records[i]
    return records


def truncate(records: Records) -> Records:
    return [
        r
        for r in records
        if not (r.get("t") == "entry" and r["node"] == "US" and r["position"] > 10)
    ]


def replace_checkpoint(records: Records) -> Records:
    record = next(r for r in records if r.get("t") == "checkpoint" and r["node"] == "US")
    text = record["note"].split("\n\n")[0] + "\n"
    forged = Checkpoint.parse(text)
    signer = NoteSigner(forged.origin, generate_key())
    record["note"] = signer.sign(text)
    return records


def test_an_untouched_bundle_verifies(bundle: Path) -> None:
    report = verify_bundle(bundle)
    assert report.ok, report.faults
    assert report.nodes["US"]["size"] >= 14
    assert report.nodes["US"]["checkpoints"] >= 2


@pytest.mark.parametrize(
    ("change", "position", "words"),
    [
        (flip_byte, 5, "altered"),
        (delete_entry, 7, "missing"),
        (swap_entries, 3, "missing"),
        (truncate, 11, "truncated"),
        (replace_checkpoint, None, "not signed by the node's key"),
    ],
)
def test_every_tampering_is_named_with_node_and_position(
    bundle: Path,
    tmp_path: Path,
    change: Callable[[Records], Records],
    position: int | None,
    words: str,
) -> None:
    tampered = rewrite(bundle, tmp_path / "tampered.aidfed.gz", change)
    report = verify_bundle(tampered)
    assert not report.ok
    [fault] = [f for f in report.faults if f.node == "US"]
    assert words in fault.fault
    if position is not None:
        assert fault.position == position
    if change is not flip_byte:
        return  # the command line is the same function: one run of it is enough
    run = subprocess.run(
        [sys.executable, "-m", "federation", "audit", "verify", str(tampered)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 1
    assert "US at position" in run.stdout


def test_a_key_pinned_by_the_auditor_overrides_the_bundles(bundle: Path) -> None:
    other = NoteSigner("aidfed.example/US", generate_key()).vkey
    report = verify_bundle(bundle, {"US": other})
    assert not report.ok
    assert any("pinned" in f.fault for f in report.faults)
