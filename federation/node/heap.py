"""The heap of a node served on its own: full collections off the request path.

Python's cyclic collector runs a full collection now and then by itself. It walks every object
not frozen, and every reference each of them holds, frozen or not. At a million events the
answers kept since the heap was last frozen (some twenty thousand dicts and lists, a quarter of
a million references) take ~10 ms to walk, on the GIL, in the middle of whatever request
allocated last: the p99 of a question asked for the first time. Before anything was frozen, a
full collection took 20–70 ms.

So a node served on its own (``aidfed node serve``: the process is the node's alone, see
``federation.node.warm``) takes them over. After each background round, at a moment no request
is in flight, it collects and then freezes what is left (``gc.freeze``): the modules, the
application and the answers kept are no longer walked by any collection. The collector's own
full collections are held back meanwhile (``hold_full_collections``); the young generations
are still collected by the collector as usual, and anything freed by reference counting
(nearly everything) is freed at once, frozen or not.

What freezing costs: a cycle frozen while alive is not collected once it dies. Every
``thaw_every`` rounds (about ten minutes) the whole heap is thawed first, so such cycles are
found; that collection walks everything (tens of milliseconds) and happens at an idle moment
too.

Not done where one process hosts many nodes in turn (the tests).
"""

from __future__ import annotations

import gc

from federation.persistence.collector import hold_full_collections, release_full_collections

THAW_EVERY = 120  # rounds: about ten minutes at the default interval of five seconds


class Heap:
    """Collects and freezes the heap after each round; thaws it now and then (see the module)."""

    def __init__(self, thaw_every: int = THAW_EVERY) -> None:
        self.thaw_every = thaw_every
        self.rounds = 0

    def tend(self) -> None:
        """After a round, with no request in flight: collect, then freeze what is left."""
        self.rounds += 1
        if self.rounds % self.thaw_every == 0:
            gc.unfreeze()  # the cycles frozen alive that have died since are found now
        gc.collect()
        gc.freeze()
        hold_full_collections()

    def release(self) -> None:
        """The node stops: the collector has the heap and its full collections back."""
        release_full_collections()
        gc.unfreeze()
