"""The International's supervisory answers kept warm in a background thread.

Answers are kept per node and computed again only for what moved (``supervisory_countries``,
``supervisory_findings``): after a page of one node's events the overview and the first page
of compliance findings take a few milliseconds. With nothing kept — after the International
starts, or for a converted overview after a new rate — the first answer computes every node:
at a million events some 20–35 ms for the converted overview and about a second for the
findings. A served International pays that here, right after it starts and then every few
seconds, so that the dashboard's and the API's requests find the answers kept. Only the
answers everyone asks first are warmed: the overview (plain and in every reporting currency
the International observes rates in) and the findings as of today; any other question is
computed on demand from the parts these keep. A round first reads the days' books of the
countries whose book is behind (``supervisory_days``; from the first round on the books follow
this process's ingests, so only another process's ingest or a backlog's batch leaves one
behind): a period asked for the first time sums the days around its whole months from them
instead of reading sv_flows (~7 ms a country, most of it in SQLite; some 300 ms for fifty
countries in the first round, at a million events).

While a backlog is being applied (the projection moved by more than ``catching_up`` entries
since the last round) a round is skipped: its answers would be stale before anyone asked, and
its CPU is the follower's. Requests meanwhile compute on demand, as without warming.

The node reports itself ready (``/readyz``) only once the first round has ended, so a load
balancer or an operator's script that waits for readiness never sends a request into the
start-up's cold computation. A first round that fails still ends the wait (it is logged): a
node must not stay unready because an optimisation failed.

The rounds take their steps between requests: before each step (one country's days' book,
the overview in one currency, the findings of one node that moved) a round waits until no
request is in flight (the API's middleware counts them in ``requests``), at most ``patience``
seconds. A burst of pages moves every node, and judging the findings of fifty at once held
the CPU for some 300 ms, in turns with the requests that met it: they took twice as long.

A node served on its own (``aidfed node serve``: the process is the node's alone) also takes
Python's cyclic collector off the request path: after each round, between requests, it
collects and freezes its heap (``federation.node.heap``). No request is routed to a node
before it is ready, so what the first round freezes is the node and its answers.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from federation.node.heap import Heap

if TYPE_CHECKING:
    from federation.node.international import InternationalApplication

logger = logging.getLogger(__name__)
# How long a round waits, before each step, for the requests in flight to end (see the module).
PATIENCE_SECONDS = 1.0


class InFlight:
    """How many requests the node is answering now (the API's middleware counts them): the
    rounds take their steps between requests."""

    def __init__(self) -> None:
        self._count = 0
        self._idle = threading.Condition()

    @contextmanager
    def serving(self) -> Iterator[None]:
        """Counts one request while it is answered."""
        with self._idle:
            self._count += 1
        try:
            yield
        finally:
            with self._idle:
                self._count -= 1
                if not self._count:
                    self._idle.notify_all()

    def wait_idle(self, patience: float) -> bool:
        """Wait until no request is in flight, at most ``patience`` seconds; whether it is."""
        with self._idle:
            return self._idle.wait_for(lambda: not self._count, patience)


class KeepWarm:
    """Computes the first answers of an International's supervisory view now and then."""

    def __init__(
        self, app: InternationalApplication, catching_up: int = 10_000, freeze: bool = False
    ) -> None:
        self.app = app
        self.catching_up = catching_up
        self.heap = Heap() if freeze else None  # tended after every round (see the module)
        self.requests = InFlight()  # entered by the API's middleware around every request
        self.patience = PATIENCE_SECONDS
        self._last: int | None = None  # entries projected at the last round
        self._stop = threading.Event()
        self.ready = threading.Event()  # set once the first round has ended
        self._thread: threading.Thread | None = None

    def warm(self) -> list[str | None]:
        """Compute (or find kept) the overview in each reporting currency (None: plain) and the
        first page of findings; return the reporting currencies warmed (none while catching
        up)."""
        service = self.app.supervisory
        projected = sum(position for *_, position in service.token())
        last, self._last = self._last, projected
        if last is not None and projected - last > self.catching_up:
            return []
        # The days' books that are behind, one country a step: a new period's edges are then
        # summed from them, not read (supervisory_days).
        service.overview.measures.books.keep_up(service, self._step)
        observed = service.query("SELECT DISTINCT reporting_currency AS c FROM intl_rates")
        currencies: list[str | None] = [None, *sorted(r["c"] for r in observed)]
        for reporting in currencies:
            self._step()
            service.overview.overview(reporting_currency=reporting)
        # The findings of the nodes that moved (or whose cover is behind the liaison), one node
        # per step: all of them at once held the CPU for ~300 ms after a burst of pages.
        service.rules.kept.judge_moved(self._step)
        self._step()
        service.rules.exceptions(limit=1)
        return currencies

    def _step(self) -> None:
        """Before each step of a round: let the requests in flight end first."""
        self.requests.wait_idle(self.patience)

    def start(self, interval: float) -> None:
        """Warm now and then every ``interval`` seconds, in a background thread (0: never)."""
        if interval <= 0:
            self.ready.set()  # nothing will be warmed: nothing to wait for
            return
        self._thread = threading.Thread(
            target=self._run, args=(interval,), name="keep-warm", daemon=True
        )
        self._thread.start()

    def _run(self, interval: float) -> None:
        while not self._stop.is_set():
            self.round()
            self._stop.wait(interval)

    def round(self) -> None:
        """One round of the schedule: the first one, failed or not, makes the node ready (its
        heap frozen first when asked). The benchmark starts an International with it too."""
        try:
            self.warm()
        except Exception:  # a failed round must not end the schedule; it is logged
            logger.exception("keeping the supervisory answers warm failed")
        finally:
            if self.heap is not None:
                self._step()
                self.heap.tend()
            self.ready.set()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(30)
        if self.heap is not None:
            self.heap.release()
