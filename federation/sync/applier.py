"""Verified batches applied on a thread of their own, one at a time and in order.

While a batch is stored, projected and cursored in its transaction (mostly the database's own
work, which lets other threads run), the follower fetches and verifies the next pages. At most
one batch is in flight: the next one waits for it, so batches commit in log order and each
starts from the state the one before left.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor, Future, wait

from federation.sync.state import FollowerState
from federation.sync.verify import Verified

Apply = Callable[[FollowerState, list[Verified]], FollowerState]


class Applier:
    """Applies batches of verified pages with ``apply``, one in flight at a time."""

    def __init__(self, executor: Executor, apply: Apply, state: FollowerState) -> None:
        self.executor = executor
        self.apply = apply
        self.state = state  # as the last batch applied left it
        self.ingested = 0
        self._flight: Future[FollowerState] | None = None
        self._batch: list[Verified] = []

    @property
    def in_flight(self) -> list[Verified]:
        """The pages being applied now (verified; not yet, or only just, committed)."""
        return self._batch

    def submit(self, held: list[Verified]) -> None:
        """Apply ``held`` once the batch before has been applied (its error is raised here)."""
        self.settle()
        if held:
            self._batch = held
            self._flight = self.executor.submit(self.apply, self.state, held)

    def settle(self) -> FollowerState:
        """Wait for the batch in flight; the state it left (its error is raised here)."""
        flight, batch = self._flight, self._batch
        if flight is None:
            return self.state
        self._flight, self._batch = None, []
        self.state = flight.result()
        self.ingested += sum(len(v.entries) for v in batch)
        return self.state

    def wait(self) -> None:
        """Wait for the batch in flight without raising: the caller is failing already."""
        if self._flight is not None:
            wait([self._flight])
