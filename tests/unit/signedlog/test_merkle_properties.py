"""Properties of Merkle proofs and compact ranges, checked against the RFC 6962 definitions."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from federation.signedlog.merkle import (
    EMPTY_ROOT,
    CompactRange,
    LeafHashes,
    ProofError,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    range_hash,
    root_from_inclusion_proof,
    root_from_leaf_hashes,
    tree_root,
    verify_consistency,
    verify_inclusion,
)

MAX_LEAVES = 300
SETTINGS = settings(max_examples=200, deadline=None)


# --- the RFC 6962 section 2.1 definitions, written as literally as possible ------------------


def split(count: int) -> int:
    k = 1
    while k * 2 < count:
        k *= 2
    return k


def mth(leaves: Sequence[bytes]) -> bytes:
    if not leaves:
        return EMPTY_ROOT
    if len(leaves) == 1:
        return leaves[0]
    k = split(len(leaves))
    return node_hash(mth(leaves[:k]), mth(leaves[k:]))


def path(m: int, leaves: Sequence[bytes]) -> list[bytes]:
    if len(leaves) == 1:
        return []
    k = split(len(leaves))
    if m < k:
        return [*path(m, leaves[:k]), mth(leaves[k:])]
    return [*path(m - k, leaves[k:]), mth(leaves[:k])]


def subproof(m: int, leaves: Sequence[bytes], whole: bool) -> list[bytes]:
    if m == len(leaves):
        return [] if whole else [mth(leaves)]
    k = split(len(leaves))
    if m <= k:
        return [*subproof(m, leaves[:k], whole), mth(leaves[k:])]
    return [*subproof(m - k, leaves[k:], False), mth(leaves[:k])]


def inclusion_sides(m: int, count: int) -> list[str]:
    """The side of each sibling on PATH(m, D[count]), leaf first: the proof's shape."""
    if count == 1:
        return []
    k = split(count)
    if m < k:
        return [*inclusion_sides(m, k), "right"]
    return [*inclusion_sides(m - k, count - k), "left"]


def consistency_shape(m: int, count: int, whole: bool = True) -> list[str]:
    """Where PROOF(m, D[count]) starts and the side of each later hash: the proof's shape."""
    if m == count:
        return ["old root"] if whole else ["subtree"]
    k = split(count)
    if m <= k:
        return [*consistency_shape(m, k, whole), "right"]
    return [*consistency_shape(m - k, count - k, False), "left"]


# --- trees -----------------------------------------------------------------------------------


@lru_cache(maxsize=8)
def leaves_for(seed: int) -> tuple[bytes, ...]:
    return tuple(leaf_hash(b"entry %d of log %d" % (i, seed)) for i in range(MAX_LEAVES))


@lru_cache(maxsize=8)
def tree_for(seed: int) -> LeafHashes:
    return LeafHashes(leaves_for(seed))


seeds = st.integers(min_value=0, max_value=3)
sizes = st.integers(min_value=1, max_value=MAX_LEAVES)


@st.composite
def leaf_in_tree(draw: st.DrawFn) -> tuple[int, int, int]:
    size = draw(sizes)
    return draw(seeds), draw(st.integers(min_value=0, max_value=size - 1)), size


@st.composite
def two_sizes(draw: st.DrawFn) -> tuple[int, int, int]:
    size2 = draw(sizes)
    return draw(seeds), draw(st.integers(min_value=1, max_value=size2)), size2


def flip(value: bytes, bit: int) -> bytes:
    changed = bytearray(value)
    changed[bit // 8] ^= 1 << (bit % 8)
    return bytes(changed)


bits = st.integers(min_value=0, max_value=255)


# --- inclusion -------------------------------------------------------------------------------


@SETTINGS
@given(leaf_in_tree())
def test_inclusion_proofs_are_rfc_6962_paths_and_verify(case: tuple[int, int, int]) -> None:
    seed, index, size = case
    tree, leaves = tree_for(seed), leaves_for(seed)[:size]
    proof = inclusion_proof(tree, index, size)
    root = tree_root(tree, size)
    assert proof == path(index, leaves)
    assert root == mth(leaves) == root_from_leaf_hashes(leaves)
    verify_inclusion(leaves[index], index, size, proof, root)
    assert root_from_inclusion_proof(leaves[index], index, size, proof) == root


@SETTINGS
@given(leaf_in_tree(), st.data())
def test_any_flipped_bit_breaks_an_inclusion_proof(
    case: tuple[int, int, int], data: st.DataObject
) -> None:
    seed, index, size = case
    tree = tree_for(seed)
    proof = inclusion_proof(tree, index, size)
    leaf, root = tree.perfect(0, index), tree_root(tree, size)
    target = data.draw(st.integers(min_value=-2, max_value=len(proof) - 1), label="target")
    bit = data.draw(bits, label="bit")
    if target == -2:
        leaf = flip(leaf, bit)
    elif target == -1:
        root = flip(root, bit)
    else:
        proof[target] = flip(proof[target], bit)
    with pytest.raises(ProofError):
        verify_inclusion(leaf, index, size, proof, root)


@SETTINGS
@given(leaf_in_tree(), st.data())
def test_an_inclusion_proof_fails_for_another_index_or_size_of_another_shape(
    case: tuple[int, int, int], data: st.DataObject
) -> None:
    # Hashes alone cannot tell sizes apart whose paths to the leaf have the same shape (e.g. leaf
    # 0 of 129 or of 130 leaves): the signed checkpoint binds the size. Every other change fails.
    seed, index, size = case
    tree = tree_for(seed)
    proof = inclusion_proof(tree, index, size)
    leaf, root = tree.perfect(0, index), tree_root(tree, size)
    other_index = data.draw(st.integers(0, 2 * MAX_LEAVES).filter(lambda i: i != index))
    other_size = data.draw(st.integers(0, 2 * MAX_LEAVES).filter(lambda s: s != size))
    for claimed_index, claimed_size in [(other_index, size), (index, other_size)]:
        same_shape = claimed_index < claimed_size and inclusion_sides(
            claimed_index, claimed_size
        ) == inclusion_sides(index, size)
        assert verifies_inclusion(leaf, claimed_index, claimed_size, proof, root) == same_shape


def verifies_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    try:
        verify_inclusion(leaf, index, size, proof, root)
    except ProofError:
        return False
    return True


@SETTINGS
@given(leaf_in_tree(), st.data())
def test_an_inclusion_proof_with_a_hash_removed_or_added_fails(
    case: tuple[int, int, int], data: st.DataObject
) -> None:
    seed, index, size = case
    tree = tree_for(seed)
    proof = inclusion_proof(tree, index, size)
    leaf, root = tree.perfect(0, index), tree_root(tree, size)
    position = data.draw(st.integers(0, len(proof)), label="position")
    extra = data.draw(st.sampled_from([root, leaf, b"\x00" * 32, b""]), label="extra")
    with pytest.raises(ProofError):
        verify_inclusion(leaf, index, size, [*proof[:position], extra, *proof[position:]], root)
    if proof:
        removed = min(position, len(proof) - 1)
        with pytest.raises(ProofError):
            verify_inclusion(leaf, index, size, proof[:removed] + proof[removed + 1 :], root)


# --- consistency -----------------------------------------------------------------------------


@SETTINGS
@given(two_sizes())
def test_consistency_proofs_are_rfc_6962_proofs_and_verify(case: tuple[int, int, int]) -> None:
    seed, size1, size2 = case
    tree, leaves = tree_for(seed), leaves_for(seed)
    proof = consistency_proof(tree, size1, size2)
    assert proof == subproof(size1, leaves[:size2], True)
    verify_consistency(size1, size2, proof, tree_root(tree, size1), tree_root(tree, size2))


@SETTINGS
@given(two_sizes(), st.data())
def test_any_flipped_bit_breaks_a_consistency_proof(
    case: tuple[int, int, int], data: st.DataObject
) -> None:
    seed, size1, size2 = case
    tree = tree_for(seed)
    proof = consistency_proof(tree, size1, size2)
    root1, root2 = tree_root(tree, size1), tree_root(tree, size2)
    target = data.draw(st.integers(min_value=-2, max_value=len(proof) - 1), label="target")
    bit = data.draw(bits, label="bit")
    if target == -2:
        root1 = flip(root1, bit)
    elif target == -1:
        root2 = flip(root2, bit)
    else:
        proof[target] = flip(proof[target], bit)
    with pytest.raises(ProofError):
        verify_consistency(size1, size2, proof, root1, root2)


@SETTINGS
@given(two_sizes(), st.data())
def test_a_consistency_proof_fails_for_other_sizes_of_another_shape(
    case: tuple[int, int, int], data: st.DataObject
) -> None:
    # As for inclusion: only sizes giving the very same proof shape are indistinguishable.
    seed, size1, size2 = case
    tree = tree_for(seed)
    proof = consistency_proof(tree, size1, size2)
    root1, root2 = tree_root(tree, size1), tree_root(tree, size2)
    other1 = data.draw(st.integers(0, 2 * MAX_LEAVES).filter(lambda s: s != size1))
    other2 = data.draw(st.integers(0, 2 * MAX_LEAVES).filter(lambda s: s != size2))
    for claimed1, claimed2 in [(other1, size2), (size1, other2)]:
        same_shape = (
            size1 < size2
            and 0 < claimed1 < claimed2
            and consistency_shape(claimed1, claimed2) == consistency_shape(size1, size2)
        )
        assert verifies_consistency(claimed1, claimed2, proof, root1, root2) == same_shape


def test_sizes_with_the_same_proof_shape_are_indistinguishable_by_hashes() -> None:
    # Why a checkpoint must sign the size: leaf 0 has the same path in 129 and 130 leaves.
    tree = tree_for(0)
    root = tree_root(tree, 129)
    proof = inclusion_proof(tree, 0, 129)
    assert inclusion_sides(0, 129) == inclusion_sides(0, 130)
    assert verifies_inclusion(tree.perfect(0, 0), 0, 130, proof, root)
    proof = consistency_proof(tree, 1, 129)
    assert verifies_consistency(1, 130, proof, tree_root(tree, 1), root)


def verifies_consistency(
    size1: int, size2: int, proof: Sequence[bytes], root1: bytes, root2: bytes
) -> bool:
    try:
        verify_consistency(size1, size2, proof, root1, root2)
    except ProofError:
        return False
    return True


@SETTINGS
@given(two_sizes(), st.data())
def test_a_consistency_proof_with_a_hash_removed_or_added_fails(
    case: tuple[int, int, int], data: st.DataObject
) -> None:
    seed, size1, size2 = case
    tree = tree_for(seed)
    proof = consistency_proof(tree, size1, size2)
    root1, root2 = tree_root(tree, size1), tree_root(tree, size2)
    position = data.draw(st.integers(0, len(proof)), label="position")
    extra = data.draw(st.sampled_from([root1, root2, b"\x00" * 32, b""]), label="extra")
    with pytest.raises(ProofError):
        verify_consistency(
            size1, size2, [*proof[:position], extra, *proof[position:]], root1, root2
        )
    if proof:
        removed = min(position, len(proof) - 1)
        with pytest.raises(ProofError):
            verify_consistency(size1, size2, proof[:removed] + proof[removed + 1 :], root1, root2)


def test_the_empty_tree_is_consistent_with_any_tree_and_needs_no_proof() -> None:
    tree = tree_for(0)
    assert consistency_proof(tree, 0, 5) == []
    verify_consistency(0, 5, [], EMPTY_ROOT, tree_root(tree, 5))
    verify_consistency(0, 0, [], EMPTY_ROOT, EMPTY_ROOT)
    with pytest.raises(ProofError, match="empty tree root"):
        verify_consistency(0, 5, [], tree_root(tree, 1), tree_root(tree, 5))
    with pytest.raises(ProofError, match="must be empty"):
        verify_consistency(0, 5, [tree_root(tree, 5)], EMPTY_ROOT, tree_root(tree, 5))


def test_errors_name_the_problem() -> None:
    tree = tree_for(0)
    proof = inclusion_proof(tree, 5, 8)
    leaf, root = tree.perfect(0, 5), tree_root(tree, 8)
    with pytest.raises(ProofError, match="has 4 hashes, a tree of size 8 needs 3 for index 5"):
        verify_inclusion(leaf, 5, 8, [*proof, root], root)
    with pytest.raises(ProofError, match=r"calculated root \w+ does not match"):
        verify_inclusion(leaf, 4, 8, proof, root)
    with pytest.raises(ProofError, match="not below tree size"):
        verify_inclusion(leaf, 8, 8, proof, root)
    with pytest.raises(ProofError, match="proof hash 0 is 31 bytes"):
        verify_inclusion(leaf, 5, 8, [proof[0][:31], *proof[1:]], root)
    with pytest.raises(ProofError, match="greater than size2"):
        verify_consistency(8, 5, [], root, root)


# --- compact ranges --------------------------------------------------------------------------


@SETTINGS
@given(seeds, sizes)
def test_a_compact_range_has_the_root_of_every_prefix(seed: int, size: int) -> None:
    leaves = leaves_for(seed)[:size]
    compact = CompactRange()
    assert compact.root() == EMPTY_ROOT
    for count, value in enumerate(leaves, start=1):
        compact.append(value)
        assert compact.size == count
        assert len(compact.hashes) == count.bit_count()
        assert compact.root() == root_from_leaf_hashes(leaves[:count]) == mth(leaves[:count])


@SETTINGS
@given(seeds, st.integers(0, MAX_LEAVES), st.integers(0, MAX_LEAVES))
def test_a_persisted_compact_range_resumes_where_it_stopped(
    seed: int, first: int, second: int
) -> None:
    leaves = leaves_for(seed)
    compact = CompactRange()
    compact.extend(leaves[:first])
    stored = compact.to_bytes()
    assert len(stored) == 8 + 32 * first.bit_count()
    restored = CompactRange.from_bytes(stored)
    assert (restored.size, restored.hashes) == (compact.size, compact.hashes)
    assert restored.to_bytes() == stored
    restored.extend(leaves[first : first + second])
    assert restored.root() == root_from_leaf_hashes(leaves[: first + second])


@pytest.mark.parametrize(
    "data",
    [b"", b"\x00" * 7, (1).to_bytes(8, "big"), (2).to_bytes(8, "big") + b"\x00" * 33],
)
def test_compact_range_bytes_of_the_wrong_length_are_refused(data: bytes) -> None:
    with pytest.raises(ValueError, match="compact range"):
        CompactRange.from_bytes(data)


@SETTINGS
@given(seeds, sizes, st.integers(1, 7))
def test_the_callback_reports_exactly_the_perfect_subtrees(
    seed: int, size: int, batches: int
) -> None:
    tree = tree_for(seed)
    reported: list[tuple[int, int, bytes]] = []
    compact = CompactRange(
        on_subtree=lambda level, index, value: reported.append((level, index, value))
    )
    leaves = leaves_for(seed)[:size]
    step = -(-size // batches)
    for start in range(0, size, step):
        compact.extend(leaves[start : start + step])
    expected = {
        (level, index, tree.perfect(level, index))
        for level in range(size.bit_length())
        for index in range(size >> level)
    }
    assert len(reported) == len(set(reported)) == len(expected)
    assert set(reported) == expected
    assert compact.root() == tree_root(tree, size)


@SETTINGS
@given(leaf_in_tree())
def test_proofs_can_be_served_from_the_reported_subtrees(case: tuple[int, int, int]) -> None:
    seed, index, size = case
    tiles: dict[tuple[int, int], bytes] = {}

    class Tiles:
        def perfect(self, level: int, position: int) -> bytes:
            return tiles[level, position]

    compact = CompactRange(
        on_subtree=lambda level, position, value: tiles.update({(level, position): value})
    )
    compact.extend(leaves_for(seed)[:size])
    tree = tree_for(seed)
    assert inclusion_proof(Tiles(), index, size) == inclusion_proof(tree, index, size)
    assert consistency_proof(Tiles(), index + 1, size) == consistency_proof(tree, index + 1, size)
    assert tree_root(Tiles(), size) == compact.root()


def test_a_failing_callback_leaves_the_range_unchanged() -> None:
    leaves = leaves_for(0)

    def refuse_level_two(level: int, index: int, value: bytes) -> None:
        if level == 2:
            raise RuntimeError("store unavailable")

    compact = CompactRange(on_subtree=refuse_level_two)
    compact.extend(leaves[:3])
    before = compact.to_bytes()
    with pytest.raises(RuntimeError):
        compact.append(leaves[3])
    assert compact.to_bytes() == before


def test_invalid_compact_ranges_and_leaves_are_refused() -> None:
    with pytest.raises(ValueError, match="has 2 hashes, got 1"):
        CompactRange(3, [EMPTY_ROOT])
    with pytest.raises(ValueError, match="leaf hash is 3 bytes"):
        CompactRange().append(b"abc")


def test_integrate_hashes_entries_as_leaves() -> None:
    compact = CompactRange()
    hashes = compact.integrate([b"CommitteeConstituted", b"DelegateAdmitted"])
    assert hashes == [leaf_hash(b"CommitteeConstituted"), leaf_hash(b"DelegateAdmitted")]
    assert compact.root() == node_hash(*hashes)


def test_range_hash_refuses_ranges_without_an_aligned_split() -> None:
    tree = tree_for(0)
    assert range_hash(tree, 4, 7) == mth(leaves_for(0)[4:7])
    with pytest.raises(ValueError, match="aligned subtrees"):
        range_hash(tree, 1, 4)
    with pytest.raises(ValueError, match="empty"):
        range_hash(tree, 3, 3)
