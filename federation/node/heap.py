"""The heap of a node served on its own: the cyclic collector off the request path.

Python's cyclic collector runs by itself, in whichever thread allocated last, and walks every
object of the generations it collects and every reference each of them holds. At a million
events the answers kept since the heap was last frozen (some twenty thousand dicts and lists, a
quarter of a million references) take ~10 ms for a full collection, and a young collection
after an answer that kept much (a period converted again after a new rate) 3–10 ms: added, on
the GIL, to some request. Before anything was frozen, a full collection took 20–70 ms.

So a node served on its own (``aidfed node serve``: the process is the node's alone, see
``federation.node.warm``) runs the collector itself. After each background round, at a moment
no request is in flight, it collects and then freezes what is left (``gc.freeze``): the modules,
the application and the answers kept are no longer walked by any collection. The collector's
own runs are off meanwhile (``gc.disable``). Anything freed by reference counting — nearly
everything: the events, rows and answers hold no cycles — is freed at once, frozen or not; a
cycle waits for the next round, a few seconds (longer while requests keep a round waiting).

What freezing costs: a cycle frozen while alive is not collected once it dies. Every
``thaw_every`` rounds (about ten minutes) the whole heap is thawed first, so such cycles are
found; that collection walks everything (tens of milliseconds) and happens at an idle moment
too.

Not done where one process hosts many nodes in turn (the tests).
"""

from __future__ import annotations

import gc

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
        gc.disable()  # the rounds collect (see the module)

    def release(self) -> None:
        """The node stops: the collector has the heap and its own runs back."""
        gc.enable()
        gc.unfreeze()
