"""A bundle's gzip stream comes in members of one node's lines each, labelled with the node: any
gzip reader reads the same lines, a process of a parallel replay hops over the other nodes'
members, an unframed bundle (one member, as older code wrote) reads as before, and a label
that lies fails both verify and replay instead of hiding lines."""

from __future__ import annotations

import gzip
import struct
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest

from federation.audit.bundle import BundleError
from federation.audit.framing import framed_lines
from federation.audit.readmodel import ReadModel
from federation.audit.replay import replay
from federation.audit.source import bundle_records
from federation.audit.verify import verify_bundle
from projections.audit.moment import Moment
from tests.integration.audit.history import History
from tests.integration.audit.test_replay_parallel import replayed

Member = tuple[int, int, int, str]  # where it starts, its length, its lines, its node


def members(data: bytes) -> list[Member]:
    """The members of a framed bundle, read from their headers (RFC 1952 with the AF label)."""
    found, at = [], 0
    while at < len(data):
        assert data[at : at + 4] == b"\x1f\x8b\x08\x04"  # gzip, deflate, FEXTRA only
        extra = struct.unpack_from("<H", data, at + 10)[0]
        assert data[at + 12 : at + 14] == b"AF"
        length, lines = struct.unpack_from("<II", data, at + 16)
        found.append((at, length, lines, data[at + 24 : at + 12 + extra].decode()))
        at += length
    return found


def test_each_member_holds_one_nodes_lines_and_any_gzip_reader_reads_them(
    history: History,
) -> None:
    data = history.bundle.read_bytes()
    found = members(data)
    assert sum(length for _, length, _, _ in found) == len(data)
    assert found[0][3] == ""  # the manifest's member
    pieces = []
    for at, length, lines, node in found:
        piece = gzip.decompress(data[at : at + length])
        records = [orjson.loads(line) for line in piece.splitlines()]
        assert len(records) == lines
        assert all(r.get("node", "") == node for r in records)
        pieces.append(piece)
    assert b"".join(pieces) == gzip.decompress(data)
    # Each node's lines run together, in the manifest's order.
    manifest = orjson.loads(gzip.decompress(data).split(b"\n", 1)[0])
    runs = [node for i, (_, _, _, node) in enumerate(found) if i == 0 or found[i - 1][3] != node]
    assert runs == ["", *[n["node"] for n in manifest["nodes"]]]


def test_a_share_reads_its_nodes_lines_with_their_numbers_and_nothing_else(
    history: History,
) -> None:
    with gzip.open(history.bundle, "rb") as handle:
        numbered = dict(enumerate((line.rstrip(b"\n") for line in handle), start=1))
    read = list(framed_lines(history.bundle, lambda node: node == "US"))
    expected = {n: line for n, line in numbered.items() if orjson.loads(line).get("node") == "US"}
    assert {number: line for number, _, line in read} == expected
    assert {node for _, node, _ in read} == {"US"}


def unframed(history: History, target: Path) -> Path:
    target.write_bytes(gzip.compress(gzip.decompress(history.bundle.read_bytes())))
    return target


@pytest.mark.parametrize("parts", [1, 3])
def test_an_unframed_bundle_verifies_and_replays_as_the_framed_one(
    history: History, tmp_path: Path, parts: int
) -> None:
    old = unframed(history, tmp_path / "old.aidfed.gz")
    assert verify_bundle(old).ok
    assert replayed(old, Moment(), parts) == replayed(history.bundle, Moment(), parts)


def relabel(data: bytes, at: int, node: str) -> bytes:
    old = members(data[at:])[0][3].encode()
    assert len(node) == len(old)
    return data[: at + 24] + node.encode() + data[at + 24 + len(old) :]


def shift(data: bytes, at: int, offset: int, by: int) -> bytes:
    value = struct.unpack_from("<I", data, at + offset)[0]
    return data[: at + offset] + struct.pack("<I", value + by) + data[at + offset + 4 :]


def of(data: bytes, node: str) -> int:
    return next(at for at, _, _, n in members(data) if n == node)


Tampering = Callable[[bytes], bytes]
TAMPERINGS: dict[str, tuple[Tampering, str]] = {
    "a member labelled with another node": (
        lambda data: relabel(data, of(data, "US"), "FR"),
        "is filed under FR but names US",
    ),
    "a member longer than its label says": (
        lambda data: shift(data, of(data, "US"), 16, -1),
        "as its label says",
    ),
    "a member with more lines than its label says": (
        lambda data: shift(data, of(data, "US"), 20, -1),
        "lines, as its label says",
    ),
    "an unlabelled member appended": (
        lambda data: data + gzip.compress(b'{"t":"entry","node":"US"}\n'),
        "has no node label",
    ),
    "a truncated last member": (lambda data: data[:-3], "bytes long, as its label says"),
}


@pytest.mark.parametrize("kind", list(TAMPERINGS))
def test_a_framing_that_lies_fails_verify_and_replay(
    history: History, tmp_path: Path, kind: str
) -> None:
    tamper, fault = TAMPERINGS[kind]
    bad = tmp_path / "bad.aidfed.gz"
    bad.write_bytes(tamper(history.bundle.read_bytes()))
    report = verify_bundle(bad)
    assert [(f.node, fault in f.fault) for f in report.faults] == [("bundle", True)]
    for parts in (1, 2):
        _, records = bundle_records(bad)
        with ReadModel("INTL") as model, pytest.raises(BundleError) as raised:
            replay(records, model, Moment(), parts=parts)
        # The process that reads the member names its fault; one that hops over it may land
        # where no member starts, and says so.
        assert fault in str(raised.value) or "gzip" in str(raised.value)


@pytest.mark.parametrize("parts", [1, 2])
def test_an_unframed_entry_line_naming_two_nodes_is_refused(
    history: History, tmp_path: Path, parts: int
) -> None:
    # Unframed, a process tells its lines by their start; a repeated "node" key (the parser
    # keeps the last) must not let the line slip between two processes.
    lines = gzip.decompress(history.bundle.read_bytes()).split(b"\n")
    at = next(i for i, line in enumerate(lines) if line.startswith(b'{"t":"entry","node":"US"'))
    lines[at] = lines[at].replace(b'"node":"US"', b'"node":"US","node":"FR"', 1)
    bad = tmp_path / "twice.aidfed.gz"
    bad.write_bytes(gzip.compress(b"\n".join(lines)))
    _, records = bundle_records(bad)
    with ReadModel("INTL") as model, pytest.raises(BundleError) as raised:
        replay(records, model, Moment(), parts=parts)
    assert f"line {at + 1} of the bundle is filed under US but names FR" in str(raised.value)
