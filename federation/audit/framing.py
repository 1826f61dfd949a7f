"""How a bundle's lines are framed in gzip: members of one node's lines each, labelled so that
a reader can hop over the members of nodes it does not want without inflating them.

A gzip file may hold several members one after another (RFC 1952 §2.2); every gzip reader
reads them as one stream, so the lines of a bundle are the same whatever its framing, and a
bundle framed in one member (as written before this framing, or by hand) reads as before.
``BundleWriter`` starts a new member at the manifest, whenever the node of the lines changes,
and after about ``MEMBER_BYTES`` of lines. Each member's header carries an extra field
(FEXTRA, RFC 1952 §2.3.1.1) with one subfield, ``AF``::

    b"A" b"F" LEN(2, little-endian)
    member length (4, little-endian): the whole member's bytes, header to trailer
    lines (4, little-endian): how many lines it holds
    node: the node id its lines are filed under (ASCII; empty for the manifest's member)

Like the block size of htslib's BGZF, the length lets a reader hop to the next member. The
labels are not signed: whoever reads a member checks its length, line count and checksums,
and the readers check that each line names the node of its member (``aidfed audit verify``
reads every member, a parallel replay each member in exactly one process), so a label that
lies fails the read instead of hiding lines.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Final

MEMBER_BYTES: Final = 1 << 20  # lines per member: the writer's memory, and the hop's grain
LEVEL: Final = 5
_MAGIC: Final = b"\x1f\x8b\x08"
_FEXTRA: Final = 0x04
_SUBFIELD: Final = b"AF"
_HEAD: Final = struct.Struct("<3sBIBBH")  # magic+method, flags, mtime, xfl, os, xlen
_LABEL: Final = struct.Struct("<2sHII")  # SI1 SI2, LEN, member length, lines
_TRAILER: Final = struct.Struct("<II")  # CRC-32, size mod 2**32


class FramingError(ValueError):
    """A labelled member is not what its label says, or the file ends inside one."""


def member(node: str, lines: list[bytes]) -> bytes:
    """One gzip member holding ``lines`` (each ending in a newline), labelled with ``node``."""
    data = b"".join(lines)
    deflate = zlib.compressobj(LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
    body = deflate.compress(data) + deflate.flush()
    name = node.encode("ascii")
    extra_length = _LABEL.size + len(name)
    total = _HEAD.size + extra_length + len(body) + _TRAILER.size
    head = _HEAD.pack(_MAGIC, _FEXTRA, 0, 0, 255, extra_length)
    label = _LABEL.pack(_SUBFIELD, extra_length - 4, total, len(lines)) + name
    trailer = _TRAILER.pack(zlib.crc32(data), len(data) & 0xFFFFFFFF)
    return head + label + body + trailer


def is_framed(path: Path) -> bool:
    """Whether the bundle's first member is labelled (written with this framing)."""
    with path.open("rb") as handle:
        return _label(handle) is not None


# A line's number in the bundle, the node of its member, and the line without its newline.
Line = tuple[int, str, bytes]


def framed_lines(path: Path, wanted: Callable[[str], bool]) -> Iterator[Line]:
    """The lines after the manifest of the members whose node is ``wanted``, numbered as in
    the whole bundle; the other members are hopped over, not inflated."""
    with path.open("rb") as handle:
        number, offset = 1, 0
        while (found := _label(handle)) is not None:
            node, length, lines, head = found
            if offset == 0 or wanted(node):
                data = _inflate(handle, node, offset, length, lines, head)
                # Split at newlines only, as a gzip reader's lines are.
                for index, line in enumerate(data[:-1].split(b"\n")):
                    if offset or index:  # the manifest is the first line: read apart
                        yield number + index, node, line
            else:
                handle.seek(length - head, 1)
            number, offset = number + lines, offset + length


def _label(handle: IO[bytes]) -> tuple[str, int, int, int] | None:
    """The next member's node, length, line count and header size; None at the end of the
    file, or when the first member has no label (an unframed bundle)."""
    at = handle.tell()
    head = handle.read(_HEAD.size)
    if not head:
        return None
    if len(head) < _HEAD.size:
        raise FramingError(f"the bundle ends inside a gzip header at byte {at}")
    magic, flags, _, _, _, extra_length = _HEAD.unpack(head)
    extra = handle.read(extra_length) if flags & _FEXTRA else b""
    if (
        magic != _MAGIC
        or flags != _FEXTRA
        or len(extra) != extra_length
        or extra_length < _LABEL.size
        or extra[:2] != _SUBFIELD
    ):
        if at == 0:
            handle.seek(0)
            return None
        raise FramingError(f"the gzip member at byte {at} has no node label")
    _, size, length, lines = _LABEL.unpack(extra[: _LABEL.size])
    name = extra[_LABEL.size :]
    if size != extra_length - 4 or not name.isascii() or length < _HEAD.size + extra_length + 10:
        raise FramingError(f"the gzip member at byte {at} has a malformed node label")
    return name.decode("ascii"), length, lines, _HEAD.size + extra_length


def _inflate(handle: IO[bytes], node: str, at: int, length: int, lines: int, head: int) -> bytes:
    """The lines of the member at ``at``, checked against its label and its trailer."""
    where = f"the gzip member of {node or 'the manifest'} at byte {at}"
    rest = handle.read(max(0, length - head))
    inflate = zlib.decompressobj(-zlib.MAX_WBITS)
    try:
        data = inflate.decompress(rest)
    except zlib.error as error:
        raise FramingError(f"{where} is not deflate data ({error})") from None
    trailer = inflate.unused_data
    if not inflate.eof or len(trailer) != _TRAILER.size:
        raise FramingError(f"{where} is not {length} bytes long, as its label says")
    crc, size = _TRAILER.unpack(trailer)
    if crc != zlib.crc32(data) or size != len(data) & 0xFFFFFFFF:
        raise FramingError(f"{where} fails its gzip checksum")
    if data.count(b"\n") != lines or not data.endswith(b"\n"):
        raise FramingError(f"{where} does not hold {lines} lines, as its label says")
    return data
