"""Fewer runs of Python's cyclic garbage collector while events are decoded and projected in bulk.

The collector runs after every 700 new container objects, and every run looks at the objects
still alive. Decoding and projecting a page of events makes a dozen such objects an event, and
keeps a page of them alive (the records, the rows held back for one statement): the collector
looks at each of them again and again, and every few pages at the whole heap. Measured on an
audit replay of 100,000 events in one process: 0.23 s of its 5.3 s of CPU (about 2 µs an event,
mostly full collections); about 11 µs an event where a page's decoded events are kept in a list
before they are projected.

The events and rows hold no reference cycles; what they leave is freed by reference counting
as soon as it is dropped, whatever the collector does. So while bulk work runs, the collector
waits for 50,000 new objects instead of 700: the same objects are freed at the same moments,
and the few cycles (an exception's traceback) wait a little longer. The thresholds are the
process's: bulk work in several threads at once keeps the raised one until the last ends.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

BULK_THRESHOLD = 50_000
# An answer computed from nothing kept (an overview's pass over every country) makes a few
# hundred thousand objects, nearly all freed by the time it returns. A collection in its middle
# walks the live ones (4-8 ms: the p99 of such answers); waiting for its end, the collection
# walks only what the answer keeps. Cycles made meanwhile wait a little longer.
ANSWER_THRESHOLD = 1_000_000

_lock = threading.Lock()
_running = 0
_saved: tuple[int, int, int] = gc.get_threshold()


@contextmanager
def fewer_collections(threshold: int = BULK_THRESHOLD) -> Iterator[None]:
    """Run the block with the collector's first threshold raised to ``threshold`` (or higher,
    where other bulk work raised it higher)."""
    _begin(threshold)
    try:
        yield
    finally:
        _end()


def _begin(threshold: int) -> None:
    global _running, _saved
    with _lock:
        if _running == 0:
            _saved = gc.get_threshold()
        first, *older = gc.get_threshold()
        if first:  # a first threshold of 0 turns the collector off: it stays off
            gc.set_threshold(max(first, threshold), *older)
        _running += 1


def _end() -> None:
    global _running
    with _lock:
        _running -= 1
        if _running == 0:
            gc.set_threshold(*_saved)
