"""Tiles hold exactly what the tree needs: proofs from tiles equal proofs from all leaf hashes."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from federation.signedlog import merkle
from federation.signedlog.tiles import (
    TILE_HEIGHT,
    LevelArrays,
    TileCollector,
    TileHashes,
    fold,
)


def leaves(count: int) -> list[bytes]:
    return [merkle.leaf_hash(hashlib.sha256(str(n).encode()).digest()) for n in range(count)]


def tiled(hashes: list[bytes]) -> TileHashes:
    """The tile levels a log of these leaves stores, appended in uneven batches."""
    collected = TileCollector()
    compact = merkle.CompactRange(on_subtree=collected)
    for start in range(0, len(hashes), 97):
        compact.extend(hashes[start : start + 97])
    levels = [b"".join(level) for level in collected.levels]
    assert levels[0] == b"".join(hashes)
    return TileHashes(LevelArrays(levels))


def test_fold_is_the_perfect_subtree_hash() -> None:
    hashes = leaves(8)
    assert fold(b"".join(hashes), 3) == merkle.root_from_leaf_hashes(hashes)
    assert fold(hashes[5], 0) == hashes[5]


def test_every_perfect_subtree_across_three_tile_levels() -> None:
    count = (1 << (2 * TILE_HEIGHT)) + 1000  # tile level 2 holds one hash
    hashes = leaves(count)
    tiles, reference = tiled(hashes), merkle.LeafHashes(hashes)
    for level in range(2 * TILE_HEIGHT + 1):
        last = (count >> level) - 1
        for index in {0, min(1, last), last // 2, last}:
            assert tiles.perfect(level, index) == reference.perfect(level, index), (level, index)
    assert merkle.tree_root(tiles, count) == merkle.root_from_leaf_hashes(hashes)


def test_a_subtree_beyond_the_log_is_refused() -> None:
    tiles = tiled(leaves(300))
    with pytest.raises(ValueError, match="not integrated"):
        tiles.perfect(8, 1)


@settings(max_examples=60, deadline=None)
@given(data=st.data(), size=st.integers(1, 1300))
def test_proofs_from_tiles_verify_and_equal_the_reference(data: st.DataObject, size: int) -> None:
    hashes = leaves(size)
    tiles, reference = tiled(hashes), merkle.LeafHashes(hashes)
    root = merkle.tree_root(tiles, size)
    index = data.draw(st.integers(0, size - 1))
    proof = merkle.inclusion_proof(tiles, index, size)
    assert proof == merkle.inclusion_proof(reference, index, size)
    merkle.verify_inclusion(hashes[index], index, size, proof, root)
    first = data.draw(st.integers(0, size))
    consistency = merkle.consistency_proof(tiles, first, size)
    assert consistency == merkle.consistency_proof(reference, first, size)
    old_root = merkle.tree_root(tiles, first)
    merkle.verify_consistency(first, size, consistency, old_root, root)
