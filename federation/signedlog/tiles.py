"""Tiles: the one place that knows how perfect subtrees map onto stored hashes.

As in C2SP tlog-tiles, tile (level L, index N) holds up to 256 consecutive hashes of tree level
8L, so tile level 0 holds the leaf hashes by position. Any perfect subtree is then one tile
read and at most 127 hashes away, and a proof needs O(log n) tile reads. Full tiles never
change; only the rightmost tile of each level grows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, Protocol

from federation.signedlog.merkle import HASH_SIZE, node_hash

TILE_HEIGHT: Final = 8
TILE_WIDTH: Final = 1 << TILE_HEIGHT
TILE_BYTES: Final = TILE_WIDTH * HASH_SIZE


class LevelSource(Protocol):
    """Consecutive stored hashes of tree level 8 * tile_level."""

    def base(self, tile_level: int, start: int, count: int) -> bytes:
        """Return `count` hashes (concatenated) of that level from index `start`."""
        ...


def fold(hashes: bytes, height: int) -> bytes:
    """Return the root of the perfect subtree of height `height` over concatenated hashes."""
    items = [hashes[i : i + HASH_SIZE] for i in range(0, len(hashes), HASH_SIZE)]
    for _ in range(height):
        items = [node_hash(items[i], items[i + 1]) for i in range(0, len(items), 2)]
    return items[0]


class TileHashes:
    """A merkle `SubtreeHashes` over tiles, memoising what it computes."""

    def __init__(self, source: LevelSource) -> None:
        self._source = source
        self._memo: dict[tuple[int, int], bytes] = {}

    def perfect(self, level: int, index: int) -> bytes:
        """Return the hash of the perfect subtree of height `level` at position `index`."""
        key = (level, index)
        found = self._memo.get(key)
        if found is None:
            tile_level, height = divmod(level, TILE_HEIGHT)
            count = 1 << height
            data = self._source.base(tile_level, index << height, count)
            if len(data) != count * HASH_SIZE:
                raise ValueError(f"subtree at level {level}, index {index} is not integrated")
            found = self._memo[key] = fold(data, height)
        return found


class LevelArrays:
    """Hashes of each tile level held in memory, e.g. by the offline verifier."""

    def __init__(self, levels: Sequence[bytes | bytearray]) -> None:
        self.levels = levels

    def base(self, tile_level: int, start: int, count: int) -> bytes:
        """Return `count` hashes of tile level `tile_level` from index `start`."""
        if tile_level >= len(self.levels):
            return b""
        return bytes(self.levels[tile_level][start * HASH_SIZE : (start + count) * HASH_SIZE])


class TileCollector:
    """Collects the tile-level hashes a compact range reports while leaves are appended."""

    def __init__(self) -> None:
        self.levels: list[list[bytes]] = []

    def __call__(self, level: int, index: int, value: bytes) -> None:
        """Keep `value` if its level starts a tile level (hashes arrive in index order)."""
        if level % TILE_HEIGHT == 0:
            tile_level = level // TILE_HEIGHT
            while len(self.levels) <= tile_level:
                self.levels.append([])
            self.levels[tile_level].append(value)
