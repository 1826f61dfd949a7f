"""RFC 6962 / RFC 9162 Merkle trees: hashing, compact ranges, proofs and proof verification.

Everything here is a pure function of bytes and integers, so the same code serves the node's
store (backed by SQL through `SubtreeHashes`), the follower and the offline auditor.

Terms: a *perfect subtree* of height `level` at `index` covers the leaves
[index * 2**level, (index + 1) * 2**level); level 0 is a single leaf. The hash of a tree of
`size` leaves is MTH from RFC 6962 section 2.1, which splits at the largest power of two
smaller than the number of leaves.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from typing import Final, Protocol

HASH_SIZE: Final = 32
EMPTY_ROOT: Final = hashlib.sha256(b"").digest()

_sha256 = hashlib.sha256
_SIZE_BYTES: Final = 8

SubtreeCallback = Callable[[int, int, bytes], None]
"""Called as `on_subtree(level, index, hash)` each time a perfect subtree is completed."""


class ProofError(ValueError):
    """A Merkle proof, or a size, index, hash or root given with it, does not verify."""


def leaf_hash(entry: bytes) -> bytes:
    """Return the RFC 6962 leaf hash SHA-256(0x00 || entry)."""
    return _sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Return the RFC 6962 interior node hash SHA-256(0x01 || left || right)."""
    return _sha256(b"\x01" + left + right).digest()


# ---------------------------------------------------------------------------------------------
# Compact ranges: the state a log needs to append leaves and compute its root.


class CompactRange:
    """The perfect-subtree hashes summarising leaves [0, size) of a log, grown by appending.

    The hashes are those of the perfect subtrees that the binary digits of `size` describe,
    largest (leftmost) first, so there are `size.bit_count()` of them. `on_subtree`, if given,
    is told about every perfect subtree completed by an append, including each leaf (level 0),
    which is what a store needs to persist tiles for proofs.
    """

    __slots__ = ("_hashes", "_on_subtree", "_size")

    def __init__(
        self,
        size: int = 0,
        hashes: Sequence[bytes] = (),
        on_subtree: SubtreeCallback | None = None,
    ) -> None:
        if size < 0:
            raise ValueError(f"a compact range cannot have negative size {size}")
        if len(hashes) != size.bit_count():
            raise ValueError(
                f"a compact range of size {size} has {size.bit_count()} hashes, got {len(hashes)}"
            )
        for position, value in enumerate(hashes):
            _require_hash_size(value, f"compact range hash {position}", ValueError)
        self._size = size
        self._hashes = list(hashes)
        self._on_subtree = on_subtree

    @property
    def size(self) -> int:
        """The number of leaves summarised."""
        return self._size

    @property
    def hashes(self) -> tuple[bytes, ...]:
        """The perfect-subtree hashes, left to right."""
        return tuple(self._hashes)

    def __repr__(self) -> str:
        return f"CompactRange(size={self._size}, root={self.root().hex()})"

    def copy(self, on_subtree: SubtreeCallback | None = None) -> CompactRange:
        """Return an independent copy with the given callback (none by default)."""
        return CompactRange(self._size, self._hashes, on_subtree)

    def append(self, leaf_hash: bytes) -> None:
        """Append one leaf hash."""
        self.extend((leaf_hash,))

    def extend(self, leaf_hashes: Iterable[bytes]) -> None:
        """Append leaf hashes in order; if the callback raises, the failing leaf is not added."""
        if self._on_subtree is not None:
            for value in leaf_hashes:
                self._append_reporting(value, self._on_subtree)
            return
        # The hot path: locals instead of attribute lookups, and one hash per merge. Appending
        # leaf number `size` merges once per trailing one bit of `size`, ~1 hash per leaf.
        hashes = self._hashes
        pop = hashes.pop
        push = hashes.append
        sha256 = _sha256
        size = self._size
        try:
            for value in leaf_hashes:
                if len(value) != HASH_SIZE:
                    raise ValueError(f"leaf hash is {len(value)} bytes, expected {HASH_SIZE}")
                carry = size
                while carry & 1:
                    value = sha256(b"\x01" + pop() + value).digest()
                    carry >>= 1
                push(value)
                size += 1
        finally:
            self._size = size

    def _append_reporting(self, value: bytes, on_subtree: SubtreeCallback) -> None:
        # Compute and report before mutating, so a callback that raises leaves us unchanged.
        _require_hash_size(value, "leaf hash", ValueError)
        size = self._size
        hashes = self._hashes
        merges = (size ^ (size + 1)).bit_length() - 1  # trailing one bits of size
        on_subtree(0, size, value)
        for level in range(1, merges + 1):
            value = node_hash(hashes[-level], value)
            on_subtree(level, size >> level, value)
        del hashes[len(hashes) - merges :]
        hashes.append(value)
        self._size = size + 1

    def integrate(self, entries: Iterable[bytes]) -> list[bytes]:
        """Append the leaf hashes of raw entries and return those leaf hashes."""
        hashes = [leaf_hash(entry) for entry in entries]
        self.extend(hashes)
        return hashes

    def root(self) -> bytes:
        """Return the RFC 6962 root hash of leaves [0, size); EMPTY_ROOT when size is 0."""
        return _fold_right(self._hashes)

    def to_bytes(self) -> bytes:
        """Serialise as an 8-byte big-endian size followed by the hashes, left to right."""
        return self._size.to_bytes(_SIZE_BYTES, "big") + b"".join(self._hashes)

    @classmethod
    def from_bytes(cls, data: bytes, on_subtree: SubtreeCallback | None = None) -> CompactRange:
        """Restore a compact range written by `to_bytes`, refusing any other length."""
        if len(data) < _SIZE_BYTES:
            raise ValueError(f"compact range bytes too short: {len(data)}")
        size = int.from_bytes(data[:_SIZE_BYTES], "big")
        body = data[_SIZE_BYTES:]
        expected = size.bit_count() * HASH_SIZE
        if len(body) != expected:
            raise ValueError(
                f"compact range of size {size} needs {expected} hash bytes, got {len(body)}"
            )
        hashes = [body[start : start + HASH_SIZE] for start in range(0, expected, HASH_SIZE)]
        return cls(size, hashes, on_subtree)


def root_from_leaf_hashes(hashes: Iterable[bytes]) -> bytes:
    """Return the RFC 6962 root (MTH) of the given leaf hashes, in linear time."""
    compact = CompactRange()
    compact.extend(hashes)
    return compact.root()


def _fold_right(hashes: Sequence[bytes]) -> bytes:
    # A tree hash is its perfect subtrees, largest first, combined from the right.
    if not hashes:
        return EMPTY_ROOT
    result = hashes[-1]
    for position in range(len(hashes) - 2, -1, -1):
        result = node_hash(hashes[position], result)
    return result


# ---------------------------------------------------------------------------------------------
# Proof generation over any source of perfect-subtree hashes.


class SubtreeHashes(Protocol):
    """A source of perfect-subtree hashes, e.g. tiles persisted by a store."""

    def perfect(self, level: int, index: int) -> bytes:
        """Return the hash of the perfect subtree of height `level` at position `index`."""
        ...


class LeafHashes:
    """An in-memory `SubtreeHashes` over a list of leaf hashes, caching what it computes."""

    def __init__(self, leaf_hashes: Iterable[bytes]) -> None:
        self._leaves = list(leaf_hashes)
        for position, value in enumerate(self._leaves):
            _require_hash_size(value, f"leaf hash {position}", ValueError)
        self._cache: dict[tuple[int, int], bytes] = {}

    def __len__(self) -> int:
        return len(self._leaves)

    def perfect(self, level: int, index: int) -> bytes:
        """Return the hash of the perfect subtree of height `level` at position `index`."""
        if level < 0 or index < 0 or (index + 1) << level > len(self._leaves):
            raise ValueError(
                f"no perfect subtree at level {level}, index {index} in {len(self._leaves)} leaves"
            )
        if level == 0:
            return self._leaves[index]
        key = (level, index)
        cached = self._cache.get(key)
        if cached is None:
            cached = node_hash(
                self.perfect(level - 1, 2 * index), self.perfect(level - 1, 2 * index + 1)
            )
            self._cache[key] = cached
        return cached


def range_hash(source: SubtreeHashes, start: int, end: int) -> bytes:
    """Return MTH of leaves [start, end), composed from its aligned perfect subtrees.

    Every node of an RFC 6962 tree qualifies; a range such as [1, 4) does not, because its
    first two leaves are not a perfect subtree of the log.
    """
    count = end - start
    if start < 0 or count <= 0:
        raise ValueError(f"leaf range [{start}, {end}) is empty or negative")
    top = count.bit_length() - 1
    if start % (1 << top):
        # Its largest piece would be a run of leaves that is not an aligned perfect subtree.
        raise ValueError(f"leaf range [{start}, {end}) does not split into aligned subtrees")
    pieces: list[bytes] = []
    position = start
    for level in range(top, -1, -1):
        if count >> level & 1:
            pieces.append(source.perfect(level, position >> level))
            position += 1 << level
    return _fold_right(pieces)


def tree_root(source: SubtreeHashes, size: int) -> bytes:
    """Return the root hash of the tree of the first `size` leaves of `source`."""
    if size < 0:
        raise ValueError(f"tree size cannot be negative: {size}")
    return EMPTY_ROOT if size == 0 else range_hash(source, 0, size)


def _split(count: int) -> int:
    # RFC 6962: k is the largest power of two smaller than n, for n > 1.
    return 1 << ((count - 1).bit_length() - 1)


def inclusion_proof(source: SubtreeHashes, index: int, size: int) -> list[bytes]:
    """Return the RFC 6962 audit path PATH(index, D[0:size]), nearest the leaf first."""
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is not in a tree of size {size}")
    top_down: list[bytes] = []
    start, end = 0, size
    while end - start > 1:
        middle = start + _split(end - start)
        if index < middle:
            top_down.append(range_hash(source, middle, end))
            end = middle
        else:
            top_down.append(range_hash(source, start, middle))
            start = middle
    top_down.reverse()
    return top_down


def consistency_proof(source: SubtreeHashes, size1: int, size2: int) -> list[bytes]:
    """Return the RFC 6962 consistency proof PROOF(size1, D[0:size2]); empty if trivial."""
    if not 0 <= size1 <= size2:
        raise ValueError(f"no consistency proof from size {size1} to size {size2}")
    if size1 in (0, size2):
        return []
    # SUBPROOF(m, D[start:end], whole) unrolled: siblings are collected top-down and the
    # proof lists them bottom-up, after the subtree hash when m is not a whole left subtree.
    top_down: list[bytes] = []
    start, end, first, whole = 0, size2, size1, True
    while first != end - start:
        middle = start + _split(end - start)
        if start + first <= middle:
            top_down.append(range_hash(source, middle, end))
            end = middle
        else:
            top_down.append(range_hash(source, start, middle))
            first -= middle - start
            start = middle
            whole = False
    proof = [] if whole else [range_hash(source, start, end)]
    proof.extend(reversed(top_down))
    return proof


# ---------------------------------------------------------------------------------------------
# Verification (RFC 9162 sections 2.1.3.2 and 2.1.4.2, in the decomposed form used by
# transparency-dev/merkle, which gives the exact proof length up front for clear errors).


def _require_hash_size(value: bytes, what: str, error: type[ValueError] = ProofError) -> None:
    if len(value) != HASH_SIZE:
        raise error(f"{what} is {len(value)} bytes, expected {HASH_SIZE}")


def _require_proof_hashes(proof: Sequence[bytes]) -> None:
    for position, value in enumerate(proof):
        _require_hash_size(value, f"proof hash {position}")


def _inclusion_shape(index: int, size: int) -> tuple[int, int]:
    # Below level `inner` the paths to `index` and to the last leaf differ, so siblings are
    # on either side; above it the path runs along the right border, one left sibling per
    # set bit of the remaining index.
    inner = (index ^ (size - 1)).bit_length()
    border = (index >> inner).bit_count()
    return inner, border


def _chain_inner(seed: bytes, proof: Sequence[bytes], index: int) -> bytes:
    for level, sibling in enumerate(proof):
        seed = node_hash(sibling, seed) if index >> level & 1 else node_hash(seed, sibling)
    return seed


def _chain_inner_right(seed: bytes, proof: Sequence[bytes], index: int) -> bytes:
    # Only left siblings count: this recomputes the earlier, smaller tree.
    for level, sibling in enumerate(proof):
        if index >> level & 1:
            seed = node_hash(sibling, seed)
    return seed


def _chain_border_right(seed: bytes, proof: Sequence[bytes]) -> bytes:
    for sibling in proof:
        seed = node_hash(sibling, seed)
    return seed


def root_from_inclusion_proof(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes]
) -> bytes:
    """Return the root implied by an inclusion proof, or raise ProofError if it is malformed."""
    if index < 0 or size < 0:
        raise ProofError(f"leaf index {index} and tree size {size} must not be negative")
    if index >= size:
        raise ProofError(f"leaf index {index} is not below tree size {size}")
    _require_hash_size(leaf_hash, "leaf hash")
    inner, border = _inclusion_shape(index, size)
    if len(proof) != inner + border:
        raise ProofError(
            f"inclusion proof has {len(proof)} hashes, a tree of size {size} "
            f"needs {inner + border} for index {index}"
        )
    _require_proof_hashes(proof)
    result = _chain_inner(leaf_hash, proof[:inner], index)
    return _chain_border_right(result, proof[inner:])


def verify_inclusion(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """Check that `leaf_hash` is leaf `index` of the tree of `size` with `root`."""
    _require_hash_size(root, "root")
    calculated = root_from_inclusion_proof(leaf_hash, index, size, proof)
    if calculated != root:
        raise ProofError(
            f"calculated root {calculated.hex()} does not match root {root.hex()} "
            f"for leaf {index} in a tree of size {size}"
        )


def verify_consistency(
    size1: int, size2: int, proof: Sequence[bytes], root1: bytes, root2: bytes
) -> None:
    """Check that the tree of `size2` with `root2` extends the tree of `size1` with `root1`."""
    if size1 < 0 or size2 < 0:
        raise ProofError(f"tree sizes {size1} and {size2} must not be negative")
    if size1 > size2:
        raise ProofError(f"size1 ({size1}) is greater than size2 ({size2})")
    if size1 == size2 or size1 == 0:
        _verify_trivial_consistency(size1, size2, proof, root1, root2)
        return
    _require_hash_size(root1, "root1")
    _require_hash_size(root2, "root2")
    inner, border = _inclusion_shape(size1 - 1, size2)
    shift = (size1 & -size1).bit_length() - 1  # trailing zero bits of size1
    inner -= shift
    # The proof starts with the hash of the perfect subtree of 2**shift leaves that ends at
    # size1, unless that subtree is the whole old tree: then it is root1 and is omitted.
    seed_is_root1 = size1 == 1 << shift
    expected = inner + border + (0 if seed_is_root1 else 1)
    if len(proof) != expected:
        raise ProofError(
            f"consistency proof has {len(proof)} hashes, sizes {size1} to {size2} need {expected}"
        )
    _require_proof_hashes(proof)
    seed, rest = (root1, proof) if seed_is_root1 else (proof[0], proof[1:])
    mask = (size1 - 1) >> shift
    calculated1 = _chain_border_right(_chain_inner_right(seed, rest[:inner], mask), rest[inner:])
    if calculated1 != root1:
        raise ProofError(
            f"calculated root1 {calculated1.hex()} does not match root1 {root1.hex()} "
            f"(size {size1})"
        )
    calculated2 = _chain_border_right(_chain_inner(seed, rest[:inner], mask), rest[inner:])
    if calculated2 != root2:
        raise ProofError(
            f"calculated root2 {calculated2.hex()} does not match root2 {root2.hex()} "
            f"(size {size2})"
        )


def _verify_trivial_consistency(
    size1: int, size2: int, proof: Sequence[bytes], root1: bytes, root2: bytes
) -> None:
    # Equal sizes prove consistency only if the roots are the same; an empty old tree is a
    # prefix of every tree. Neither needs, or may carry, proof hashes.
    if proof:
        raise ProofError(
            f"consistency proof from size {size1} to {size2} must be empty, got {len(proof)} hashes"
        )
    if size1 == 0:
        # The empty tree has exactly one root; anything else is not a checkpoint of it.
        if root1 != EMPTY_ROOT:
            raise ProofError(f"root1 {root1.hex()} is not the empty tree root")
        if size2 == 0 and root2 != EMPTY_ROOT:
            raise ProofError(f"root2 {root2.hex()} is not the empty tree root")
        _require_hash_size(root2, "root2")
        return
    # Compared as opaque bytes without a length check: the reference implementation does so,
    # and its vector "sizes are equal (one) and proof is empty" requires it.
    if root1 != root2:
        raise ProofError(
            f"trees of the same size {size1} have different roots {root1.hex()} and {root2.hex()}"
        )
