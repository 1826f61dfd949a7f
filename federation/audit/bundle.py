"""The audit bundle format, ``aidfed-bundle/1``: gzip-compressed JSON lines, streamed.

Written by ``aidfed audit export`` (from a data folder, or from a running node's
``GET /v1/audit/bundle``); read by ``aidfed audit verify`` and ``aidfed audit replay``.

The first line is the manifest; then, for each node in the manifest's order, its checkpoints
(smallest first), its entries (position 1, 2, ...) and the cosignatures of its checkpoints:

    {"format": "aidfed-bundle/1", "code_version": ..., "created_at": ..., "exported_by": "INTL",
     "nodes": [{"node": "DE", "vkey": "<C2SP vkey>", "size": 1200}, ...],
     "cosigners": [{"name": "aidfed.example/INTL", "vkey": "<vkey of its Ed25519 key>"}, ...]}
    {"t": "checkpoint", "node": "DE", "note": "<C2SP signed note>"}
    {"t": "entry", "node": "DE", "position": 1, "entry": "<base64 canonical entry bytes>",
     "leaf": "<base64 leaf hash as the exporter verified it>"}
    {"t": "cosignature", "node": "INTL", "size": 1200, "line": "<C2SP cosignature line>"}

The gzip stream is framed in members of one node's lines each, labelled with the node, so that
a reader can hop over the nodes it does not want (``federation.audit.framing``); any gzip
reader reads the lines as one stream, and a bundle in one unlabelled member reads as well.

Entries are the nodes' canonical entry bytes (federation/signedlog/entries.py), so the leaf
hashes, the roots and the signed checkpoints can all be recomputed from the bundle alone. The
``leaf`` the exporter verified is carried too: when the carried leaves add up to a signed root,
an entry whose bytes no longer give its carried leaf is named exactly.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import json
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import IO, Any

import orjson

from federation.audit.framing import MEMBER_BYTES, FramingError, framed_lines, is_framed, member

FORMAT = "aidfed-bundle/1"


def code_version() -> str:
    """The version of this code, recorded in bundles and reports."""
    try:
        return f"aidfed {version('aidfed')}"
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "aidfed (unpackaged)"


@dataclass(slots=True)
class Manifest:
    """What a bundle holds."""

    code_version: str
    created_at: str
    exported_by: str
    nodes: list[dict[str, Any]] = field(default_factory=list)
    cosigners: list[dict[str, str]] = field(default_factory=list)

    def line(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "code_version": self.code_version,
            "created_at": self.created_at,
            "exported_by": self.exported_by,
            "nodes": self.nodes,
            "cosigners": self.cosigners,
        }


class BundleWriter:
    """Writes a bundle line by line, in gzip members of one node's lines each."""

    def __init__(self, path: Path) -> None:
        self.handle: IO[bytes] = path.open("wb")
        self.node = ""
        self.lines: list[bytes] = []
        self.size = 0

    def write(self, record: dict[str, Any]) -> None:
        node = str(record.get("node", ""))  # the manifest has none
        line = (json.dumps(record, separators=(",", ":"), ensure_ascii=False) + "\n").encode()
        if self.lines and (node != self.node or self.size >= MEMBER_BYTES):
            self._flush()
        self.node = node
        self.lines.append(line)
        self.size += len(line)

    def _flush(self) -> None:
        if self.lines:
            self.handle.write(member(self.node, self.lines))
        self.lines, self.size = [], 0

    def entry(self, node: str, position: int, data: bytes, leaf: bytes | None) -> None:
        record = {"t": "entry", "node": node, "position": position, "entry": _b64(data)}
        if leaf is not None:
            record["leaf"] = _b64(leaf)
        self.write(record)

    def close(self) -> None:
        try:
            self._flush()
        finally:
            self.handle.close()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


class BundleError(ValueError):
    """The bundle cannot be read: not gzip, not JSON lines, or not this format."""


def read_bundle(path: Path) -> tuple[Manifest, Iterator[dict[str, Any]]]:
    """The manifest and an iterator over the other records, streamed.

    Lines are read as bytes and parsed by orjson (UTF-8 checked by it): a third of the cost of
    text mode and the stdlib parser, which a replay of a million entries feels.
    """
    manifest = read_manifest(path)

    def records() -> Iterator[dict[str, Any]]:
        for number, node, line in read_lines(path):
            try:
                record = orjson.loads(line)
            except ValueError:
                raise BundleError(f"line {number} of the bundle is not JSON") from None
            if node is not None and isinstance(record, dict):
                filed_under(number, node, record.get("node"))
            yield record

    return manifest, records()


def filed_under(number: int, member: str, node: object) -> None:
    """Refuse a line that names another node than the one its gzip member is labelled with."""
    if node != member:
        raise BundleError(f"line {number} of the bundle is filed under {member} but names {node}")


def read_lines(
    path: Path, wanted: Callable[[str], bool] | None = None
) -> Iterator[tuple[int, str | None, bytes]]:
    """The lines after the manifest, unparsed, streamed: each with its number and the node of
    its gzip member. In a framed bundle only the members of the ``wanted`` nodes are read
    (all by default); an unframed bundle gives every line, with None for its node."""
    try:
        if is_framed(path):
            yield from framed_lines(path, wanted or _every_node)
            return
        handle, _ = _open(path)
        with handle:
            for number, line in enumerate(handle, start=2):
                yield number, None, line
    except FramingError as error:
        raise BundleError(str(error)) from None
    except (OSError, EOFError, zlib.error) as error:
        raise BundleError(f"{path} is not a whole gzip file: {error}") from None


def _every_node(_: str) -> bool:
    return True


def read_manifest(path: Path) -> Manifest:
    """The bundle's manifest alone."""
    handle, manifest = _open(path)
    handle.close()
    return manifest


def _open(path: Path) -> tuple[gzip.GzipFile, Manifest]:
    handle = gzip.open(path, "rb")  # noqa: SIM115 - closed by the caller
    try:
        first = orjson.loads(handle.readline())
    except (OSError, ValueError) as error:
        handle.close()
        raise BundleError(f"{path} is not an aidfed bundle: {error}") from None
    if not isinstance(first, dict) or first.get("format") != FORMAT:
        handle.close()
        raise BundleError(f"{path} is not in the {FORMAT} format")
    manifest = Manifest(
        first["code_version"],
        first["created_at"],
        first["exported_by"],
        first["nodes"],
        first.get("cosigners", []),
    )
    return handle, manifest


def entry_bytes(record: dict[str, Any]) -> bytes:
    """The canonical entry bytes of an entry record (strict base64: only the alphabet, padding
    only at the end)."""
    return binascii.a2b_base64(record["entry"], strict_mode=True)
