"""A plain table printer and a timer for the benchmarks."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence


def timed(run: Callable[[], int]) -> tuple[int, float]:
    """Run once; return (items processed, seconds)."""
    start = time.perf_counter()
    count = run()
    return count, time.perf_counter() - start


def best_of(repeats: int, run: Callable[[], int]) -> float:
    """The best rate (items per second) over ``repeats`` runs."""
    rates = []
    for _ in range(repeats):
        count, seconds = timed(run)
        rates.append(count / seconds)
    return max(rates)


def print_table(title: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """Print a fixed-width table under a title."""
    cells = [list(map(str, header))] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    print(f"\n{title}")
    for n, row in enumerate(cells):
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
        if n == 0:
            print("  ".join("-" * w for w in widths))
