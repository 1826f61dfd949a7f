"""A bundle replayed by several processes, each with a share of the nodes, ends in exactly the
state one process reaches: the same digests, the same entries and positions, the same inputs."""

from __future__ import annotations

import base64
import gzip
from pathlib import Path
from typing import Any

import orjson
import pytest

from federation.audit.bundle import BundleError
from federation.audit.parallel import plan
from federation.audit.readmodel import ReadModel
from federation.audit.replay import replay
from federation.audit.source import BundleRecords, bundle_records
from federation.audit.state import digests
from projections.audit.moment import Moment
from tests.integration.audit.history import CUT_OFF, History


def replayed(bundle: Path, moment: Moment, parts: int) -> dict[str, Any]:
    """Everything a replay in ``parts`` processes ends in, and the progress it reported."""
    _, records = bundle_records(bundle)
    steps: list[int] = []
    with ReadModel("INTL") as model:
        out = replay(records, model, moment, steps.append, parts=parts)
        db = model.app.db
        return {
            "digests": digests(db),
            "covered": out.covered(),
            "inputs": out.inputs_digest(),
            "entries": db.query("SELECT * FROM ingested_entries ORDER BY upstream, position"),
            "positions": db.query(
                "SELECT * FROM projection_positions ORDER BY projection, upstream"
            ),
            "indexes": db.query("SELECT name FROM sqlite_master WHERE type = 'index'"),
            "progress": sum(steps),
            "read": out.read,
        }


def moments(history: History) -> list[Moment]:
    return [
        Moment(),
        Moment(as_of_value_date=CUT_OFF),
        Moment(as_known_at=history.first),
        Moment(at={"US": 5, "INTL": 3}),
    ]


@pytest.mark.parametrize("which", range(4))
def test_a_replay_in_three_processes_ends_as_one_process_does(history: History, which: int) -> None:
    alone = replayed(history.bundle, moments(history)[which], parts=1)
    shared = replayed(history.bundle, moments(history)[which], parts=3)
    assert shared == alone
    assert alone["progress"] == alone["read"] > 0


def test_the_nodes_are_shared_out_whole_and_by_size(history: History) -> None:
    manifest, records = bundle_records(history.bundle)
    sizes = {n["node"]: int(n["size"]) for n in manifest.nodes}
    with ReadModel("INTL") as model:
        shares = plan(records, model, Moment(), 2)
        assert plan(records, model, Moment(), None) == []  # a small bundle: one process
        assert plan(records, model, Moment(), 1) == []
    assert len(shares) == 2
    assert shares[0] | shares[1] == set(sizes)
    assert not shares[0] & shares[1]
    loads = [sum(sizes[n] for n in share) for share in shares]
    assert loads[0] <= loads[1]  # this process takes the smaller share: it merges afterwards
    assert loads[0] - loads[1] <= max(sizes.values())


def test_a_replay_into_postgresql_stays_in_one_process(history: History, pg_url: str) -> None:
    _, records = bundle_records(history.bundle)
    with ReadModel("INTL", pg_url) as model:
        assert plan(records, model, Moment(), 2) == []


def rewrite(source: Path, target: Path, where: tuple[str, int], change: dict[str, Any]) -> Path:
    with gzip.open(source, "rb") as handle:
        lines = [orjson.loads(line) for line in handle]
    for line in lines:
        if line.get("t") == "entry" and (line["node"], line["position"]) == where:
            line.update(change)
    with gzip.open(target, "wb") as handle:
        handle.writelines(orjson.dumps(line) + b"\n" for line in lines)
    return target


def other_share(history: History) -> str:
    """A node that the second process replays when the replay is shared in two."""
    _, records = bundle_records(history.bundle)
    with ReadModel("INTL") as model:
        return sorted(plan(records, model, Moment(), 2)[1])[0]


def test_a_bad_entry_read_by_another_process_is_named(history: History, tmp_path: Path) -> None:
    node = other_share(history)
    garbage = base64.b64encode(b"aidfed-entry/v1\nnot an entry\n\n").decode()
    bad = rewrite(history.bundle, tmp_path / "bad.aidfed.gz", (node, 2), {"entry": garbage})
    _, records = bundle_records(bad)
    with ReadModel("INTL") as model, pytest.raises(BundleError) as raised:
        replay(records, model, Moment(), parts=2)
    assert f"{node} at position 2: not a canonical entry" in str(raised.value)


@pytest.mark.parametrize("parts", [1, 2])
def test_an_entry_filed_under_another_node_is_refused(
    history: History, tmp_path: Path, parts: int
) -> None:
    bad = rewrite(history.bundle, tmp_path / "moved.aidfed.gz", ("US", 3), {"node": "FR"})
    _, records = bundle_records(bad)
    assert isinstance(records, BundleRecords)
    with ReadModel("INTL") as model, pytest.raises(BundleError) as raised:
        replay(records, model, Moment(), parts=parts)
    assert "FR at position 3: the entry is of node US" in str(raised.value)
