"""Verifying an audit bundle offline: no server is trusted, only the keys in the manifest
(or the keys the auditor pins instead).

For every node the entries are read in order, their leaf hashes recomputed and folded into a
compact range; at the size of each checkpoint the root must equal the signed root, and the
signature must be by the node's key. Checkpoints are then consistent with each other by
construction (they are roots of one sequence of leaves), and two signed checkpoints of one size
must agree (otherwise the node signed two histories). Cosignatures are checked against the
cosigners' keys. The first fault of each node is reported with its position.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from federation.audit.bundle import BundleError, entry_bytes, read_bundle
from federation.signedlog import merkle
from federation.signedlog.entries import EntryError, decode
from federation.signedlog.note import (
    Checkpoint,
    CosignatureVerifier,
    NoteError,
    NoteVerifier,
    open_checkpoint,
    parse_vkey,
    split_note,
)


@dataclass(frozen=True, slots=True)
class Fault:
    """What is wrong, where."""

    node: str
    position: int
    fault: str

    def __str__(self) -> str:
        return f"{self.node} at position {self.position}: {self.fault}"


@dataclass(slots=True)
class NodeCheck:
    """The running verification of one node's part of the bundle."""

    node: str
    verifier: NoteVerifier
    declared: int
    compact: merkle.CompactRange = field(default_factory=merkle.CompactRange)
    carried: merkle.CompactRange = field(default_factory=merkle.CompactRange)
    first_mismatch: int | None = None  # the first entry whose bytes do not give its carried leaf
    last_signed: int = 0
    checkpoints: dict[int, Checkpoint] = field(default_factory=dict)
    pending: int = 0
    fault: Fault | None = None
    cosignatures: int = 0

    def fail(self, position: int, fault: str) -> None:
        if self.fault is None:
            self.fault = Fault(self.node, position, fault)


@dataclass(slots=True)
class Report:
    """The outcome: per node, its size and checkpoints verified, and every fault found."""

    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.faults


def verify_bundle(path: Path, pinned: dict[str, str] | None = None) -> Report:
    """Verify the bundle at ``path``; ``pinned`` (node -> vkey) overrides the manifest's keys."""
    report = Report()
    try:
        manifest, records = read_bundle(path)
        checks = _checks(manifest.nodes, pinned or {}, report)
        cosigners = _cosigners(manifest.cosigners)
        _walk(records, checks, cosigners, report)
    except BundleError as error:
        report.faults.append(Fault("bundle", 0, str(error)))
        return report
    for check in checks.values():
        _finish(check)
        if check.fault:
            report.faults.append(check.fault)
        report.nodes[check.node] = {
            "size": check.compact.size,
            "checkpoints": len(check.checkpoints),
            "cosignatures": check.cosignatures,
            "root": check.compact.root().hex(),
            "verified": check.fault is None,
        }
    return report


def _checks(
    nodes: list[dict[str, Any]], pinned: dict[str, str], report: Report
) -> dict[str, NodeCheck]:
    checks = {}
    for node in nodes:
        name = node["node"]
        vkey = pinned.get(name, node["vkey"])
        if name in pinned and pinned[name] != node["vkey"]:
            report.faults.append(
                Fault(name, 0, "the bundle's key is not the key the auditor pinned")
            )
        checks[name] = NodeCheck(name, parse_vkey(vkey), int(node["size"]))
    return checks


def _cosigners(rows: list[dict[str, str]]) -> dict[str, CosignatureVerifier]:
    out = {}
    for row in rows:
        key = parse_vkey(row["vkey"])
        out[row["name"]] = CosignatureVerifier(row["name"], key.public_key)
    return out


def _walk(
    records: Iterator[dict[str, Any]],
    checks: dict[str, NodeCheck],
    cosigners: dict[str, CosignatureVerifier],
    report: Report,
) -> None:
    for record in records:
        check = checks.get(record.get("node", ""))
        if check is None:
            report.faults.append(Fault(str(record.get("node")), 0, "a node not in the manifest"))
            continue
        kind = record.get("t")
        if kind == "checkpoint":
            _checkpoint(check, record["note"])
        elif kind == "entry":
            _entry(check, int(record["position"]), record)
        elif kind == "cosignature":
            _cosignature(check, int(record["size"]), record["line"], cosigners)


def _checkpoint(check: NodeCheck, note: str) -> None:
    try:
        checkpoint, _ = open_checkpoint(note, [check.verifier])
    except NoteError as error:
        size = _size_of(note)
        check.fail(size, f"checkpoint of size {size} is not signed by the node's key: {error}")
        return
    known = check.checkpoints.get(checkpoint.size)
    if known is not None and known.root != checkpoint.root:
        # Two signed notes of one size with different roots: the node signed two histories.
        check.fail(
            checkpoint.size,
            f"two checkpoints of size {checkpoint.size} signed by the node disagree "
            "(inconsistent checkpoints: a fork)",
        )
        return
    check.checkpoints[checkpoint.size] = checkpoint


def _size_of(note: str) -> int:
    try:
        return Checkpoint.parse(split_note(note)[0]).size
    except (NoteError, ValueError):
        return 0


def _entry(check: NodeCheck, position: int, record: dict[str, Any]) -> None:
    if check.fault:
        return
    expected = check.compact.size + 1
    if position < expected:
        check.fail(position, f"an extra entry at position {position} was inserted (already read)")
        return
    if position != expected:
        check.fail(expected, f"entry {expected} is missing (the next entry is {position})")
        return
    try:
        data = entry_bytes(record)
        entry = decode(data)
    except (EntryError, ValueError) as error:
        check.fail(position, f"not a canonical entry: {error}")
        return
    if entry.node != check.node or entry.position != position:
        check.fail(position, f"the entry says it is {entry.node} #{entry.position}")
        return
    leaf = merkle.leaf_hash(data)
    check.compact.append(leaf)
    carried = base64.b64decode(record["leaf"]) if "leaf" in record else leaf
    check.carried.append(carried)
    if carried != leaf and check.first_mismatch is None:
        check.first_mismatch = position
    _check_roots(check)


def _check_roots(check: NodeCheck) -> None:
    size = check.compact.size
    checkpoint = check.checkpoints.get(size)
    if checkpoint is None:
        return
    if checkpoint.root != check.compact.root():
        if checkpoint.root == check.carried.root() and check.first_mismatch is not None:
            # The carried leaves are the signed tree's: the entry that differs is the one.
            check.fail(
                check.first_mismatch,
                "the entry was altered: its bytes do not give the leaf hash the signed tree holds",
            )
        else:
            check.fail(
                check.last_signed + 1,
                f"an entry between {check.last_signed + 1} and "
                f"{size} was altered, removed or reordered: the entries do not give the "
                f"signed root of checkpoint {size}",
            )
    check.last_signed = size


def _finish(check: NodeCheck) -> None:
    if check.fault:
        return
    largest = max(check.checkpoints, default=0)
    if check.compact.size < largest:
        check.fail(
            check.compact.size + 1,
            f"the log stops at {check.compact.size} but a "
            f"checkpoint signs {largest} entries (truncated)",
        )
    elif check.compact.size < check.declared:
        check.fail(check.compact.size + 1, f"the manifest declares {check.declared} entries")
    elif check.compact.size > largest:
        check.fail(largest + 1, f"entries after {largest} are covered by no signed checkpoint")


def _cosignature(
    check: NodeCheck, size: int, line: str, cosigners: dict[str, CosignatureVerifier]
) -> None:
    signed = check.checkpoints.get(size)
    name = line.removeprefix("— ").split(" ", 1)[0]
    verifier = cosigners.get(name)
    if signed is None or verifier is None:
        check.fail(size, f"cosignature by {name!r} on checkpoint {size} cannot be checked")
        return
    try:
        verifier.verify_cosignature(signed.to_text(), line)
    except NoteError as error:
        check.fail(size, f"cosignature by {name} on checkpoint {size} is invalid: {error}")
        return
    check.cosignatures += 1
