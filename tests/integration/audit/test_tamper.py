"""Every kind of tampering with a bundle fails ``verify`` naming the node, the position and the
fault; the untouched bundle verifies. The bundle is the International's: five nodes' logs, their
checkpoints, and the United States' cosignature of the International's own log."""

from __future__ import annotations

import base64
import gzip
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from federation.audit.bundle import code_version, read_bundle
from federation.audit.verify import verify_bundle
from federation.signedlog.keys import load_or_create_key
from federation.signedlog.note import Checkpoint, NoteSigner, generate_key
from federation.sync.peers import PeerBook
from tests.integration.audit.history import History

Records = list[dict[str, Any]]
Change = Callable[[Records, History], Records]


def rewrite(source: Path, target: Path, change: Callable[[Records], Records]) -> Path:
    with gzip.open(source, "rt", encoding="utf-8") as handle:
        lines = [json.loads(line) for line in handle]
    with gzip.open(target, "wt", encoding="utf-8") as handle:
        for record in [lines[0], *change(lines[1:])]:
            handle.write(json.dumps(record) + "\n")
    return target


def entry(records: Records, node: str, position: int) -> dict[str, Any]:
    return next(
        r
        for r in records
        if r.get("t") == "entry" and r["node"] == node and r["position"] == position
    )


def checkpoints(records: Records, node: str) -> list[dict[str, Any]]:
    return [r for r in records if r.get("t") == "checkpoint" and r["node"] == node]


def changed_byte(records: Records, _: History) -> Records:
    record = entry(records, "DE", 6)
    data = bytearray(base64.b64decode(record["entry"]))
    data[-2] ^= 0x01
    record["entry"] = base64.b64encode(bytes(data)).decode()
    return records


def deleted(records: Records, _: History) -> Records:
    return [r for r in records if r is not entry(records, "FR", 4)]


def swapped(records: Records, _: History) -> Records:
    i, j = records.index(entry(records, "US", 8)), records.index(entry(records, "US", 9))
    records[i], records[j] = records[j], records[i]
    return records


def inserted(records: Records, _: History) -> Records:
    copy = dict(entry(records, "RU-LIAISON", 3))
    records.insert(records.index(entry(records, "RU-LIAISON", 3)) + 1, copy)
    return records


def appended(records: Records, history: History) -> Records:
    last = entry(records, "US", history.sizes["US"])
    forged = dict(last, position=history.sizes["US"] + 1)
    data = base64.b64decode(last["entry"]).replace(
        f"position {history.sizes['US']}\n".encode(),
        f"position {history.sizes['US'] + 1}\n".encode(),
    )
    forged["entry"] = base64.b64encode(data).decode()
    forged.pop("leaf", None)
    records.insert(records.index(last) + 1, forged)
    return records


def truncated(records: Records, history: History) -> Records:
    keep = history.sizes["DE"] - 3
    return [
        r
        for r in records
        if not (r.get("t") == "entry" and r["node"] == "DE" and r["position"] > keep)
    ]


def replaced_checkpoint(records: Records, _: History) -> Records:
    record = checkpoints(records, "FR")[-1]
    text = record["note"].split("\n\n")[0] + "\n"
    record["note"] = NoteSigner(Checkpoint.parse(text).origin, generate_key()).sign(text)
    return records


def bad_signature(records: Records, _: History) -> Records:
    record = checkpoints(records, "INTL")[0]
    body, signatures = record["note"].split("\n\n")
    name, key = signatures.removeprefix("— ").split(" ", 1)
    raw = bytearray(base64.b64decode(key))
    raw[-1] ^= 0x01
    record["note"] = f"{body}\n\n— {name} {base64.b64encode(bytes(raw)).decode()}\n"
    return records


def bad_cosignature(records: Records, _: History) -> Records:
    record = next(r for r in records if r.get("t") == "cosignature")
    name, key = record["line"].removeprefix("— ").split(" ", 1)
    raw = bytearray(base64.b64decode(key))
    raw[-1] ^= 0x01
    record["line"] = f"— {name} {base64.b64encode(bytes(raw)).decode()}"
    return records


def forked_checkpoint(records: Records, history: History) -> Records:
    # The United States signs a second, different root for a size it already signed: a fork.
    first = checkpoints(records, "US")[0]
    signed = Checkpoint.parse(first["note"].split("\n\n")[0] + "\n")
    other = Checkpoint(signed.origin, signed.size, bytes(32))
    key = load_or_create_key(history.folder.parent / "US")
    fork = {
        "t": "checkpoint",
        "node": "US",
        "note": NoteSigner(signed.origin, key).sign(other.to_text()),
    }
    records.insert(records.index(first) + 1, fork)
    return records


def cosigned_size(records: Records, _: History) -> int:
    return int(next(r for r in records if r.get("t") == "cosignature")["size"])


CASES: list[tuple[Change, str, Callable[[History, Records], int], str]] = [
    (changed_byte, "DE", lambda h, r: 6, "altered"),
    (deleted, "FR", lambda h, r: 4, "missing"),
    (swapped, "US", lambda h, r: 8, "missing"),
    (inserted, "RU-LIAISON", lambda h, r: 3, "inserted"),
    (appended, "US", lambda h, r: h.sizes["US"] + 1, "no signed checkpoint"),
    (truncated, "DE", lambda h, r: h.sizes["DE"] - 2, "truncated"),
    (replaced_checkpoint, "FR", lambda h, r: h.sizes["FR"], "not signed by the node's key"),
    (bad_signature, "INTL", lambda h, r: _size(checkpoints(r, "INTL")[0]), "not signed"),
    (bad_cosignature, "INTL", lambda h, r: cosigned_size(r, h), "cosignature"),
    (forked_checkpoint, "US", lambda h, r: _size(checkpoints(r, "US")[0]), "disagree"),
]


def _size(record: dict[str, Any]) -> int:
    return Checkpoint.parse(record["note"].split("\n\n")[0] + "\n").size


def test_the_untouched_bundle_verifies(history: History) -> None:
    report = verify_bundle(history.bundle)
    assert report.ok, report.faults
    assert {n: f["size"] for n, f in report.nodes.items()} == history.sizes
    assert report.nodes["INTL"]["cosignatures"] >= 1
    assert all(f["checkpoints"] >= 1 for f in report.nodes.values())


def test_the_bundle_carries_the_pinned_keys_and_the_code_version(history: History) -> None:
    manifest, _ = read_bundle(history.bundle)
    pinned = {p.node_id: p.vkey for p in PeerBook(history.folder).all()}
    keys = {n["node"]: n["vkey"] for n in manifest.nodes}
    assert {node: keys[node] for node in pinned} == pinned
    assert (
        keys["INTL"] == NoteSigner("aidfed.example/INTL", load_or_create_key(history.folder)).vkey
    )
    assert {c["vkey"] for c in manifest.cosigners} == set(pinned.values())
    assert manifest.code_version == code_version()


@pytest.mark.parametrize(
    ("change", "node", "position", "words"), CASES, ids=lambda c: getattr(c, "__name__", None)
)
def test_each_tampering_fails_naming_node_position_and_fault(
    history: History,
    tmp_path: Path,
    change: Change,
    node: str,
    position: Callable[[History, Records], int],
    words: str,
) -> None:
    with gzip.open(history.bundle, "rt", encoding="utf-8") as handle:
        original = [json.loads(line) for line in handle][1:]
    tampered = rewrite(
        history.bundle, tmp_path / "tampered.aidfed.gz", lambda r: change(r, history)
    )
    report = verify_bundle(tampered)
    assert not report.ok
    [fault] = report.faults
    assert (fault.node, fault.position) == (node, position(history, original))
    assert words in fault.fault
    if change is not changed_byte:
        return  # the command line is the same function: one run of it is enough
    run = subprocess.run(
        [sys.executable, "-m", "federation", "audit", "verify", str(tampered)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 1
    assert f"{node} at position {fault.position}" in run.stdout
