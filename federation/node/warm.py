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
computed on demand from the parts these keep.

While a backlog is being applied (the projection moved by more than ``catching_up`` entries
since the last round) a round is skipped: its answers would be stale before anyone asked, and
its CPU is the follower's. Requests meanwhile compute on demand, as without warming.

The node reports itself ready (``/readyz``) only once the first round has ended, so a load
balancer or an operator's script that waits for readiness never sends a request into the
start-up's cold computation. A first round that fails still ends the wait (it is logged): a
node must not stay unready because an optimisation failed.

A node served on its own (``aidfed node serve``: the process is the node's alone) then also
freezes its heap for Python's cyclic collector (``gc.freeze``): what exists after start-up —
modules, the application, the answers just computed — is no longer walked by every full
collection, which at a million events otherwise holds the GIL for 20–70 ms now and then, in
the middle of some request. No request is routed to a node before it is ready, so little
transient is frozen; frozen objects are still freed by reference counting when dropped. It
does so again after every round that computed something: what the answers kept since (parts,
findings, listings) would otherwise pile up unfrozen and lengthen every full collection again;
a collection first frees the cycles among what is not frozen yet, cheap since little is. Not
done where one process hosts many nodes in turn (the tests): cycles among frozen objects are
never collected.
"""

from __future__ import annotations

import gc
import logging
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from federation.node.international import InternationalApplication

logger = logging.getLogger(__name__)


class KeepWarm:
    """Computes the first answers of an International's supervisory view now and then."""

    def __init__(
        self, app: InternationalApplication, catching_up: int = 10_000, freeze: bool = False
    ) -> None:
        self.app = app
        self.catching_up = catching_up
        self.freeze = freeze  # freeze the heap after the rounds (see the module)
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
        observed = service.query("SELECT DISTINCT reporting_currency AS c FROM intl_rates")
        currencies: list[str | None] = [None, *sorted(r["c"] for r in observed)]
        for reporting in currencies:
            service.overview.overview(reporting_currency=reporting)
        service.rules.exceptions(limit=1)
        return currencies

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
        before, warmed = self._last, False
        try:
            # Computed something: the first round, or the state moved (and is not catching up).
            warmed = bool(self.warm()) and self._last != before
        except Exception:  # a failed round must not end the schedule; it is logged
            logger.exception("keeping the supervisory answers warm failed")
        finally:
            if self.freeze and (warmed or not self.ready.is_set()):
                gc.collect()
                gc.freeze()
            self.ready.set()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(30)
