"""Pages of a backlog fetched ahead, in order, while the follower verifies and applies earlier ones.

One thread asks for page after page, each where the one before ended, with the consistency
proof its verification will need, and keeps at most ``depth`` of them waiting: the follower's
memory stays bounded however long the backlog. Everything is fetched on trust — the follower
verifies each page as if it had asked for it itself, and a page that does not start where the
follower expects ends the pipeline (it then asks for what it needs directly).
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future
from contextlib import suppress
from dataclasses import dataclass

from federation.signedlog.note import NoteVerifier
from federation.sync.client import FeedClient, PeerRefused, PeerUnavailable, ServedPage
from federation.sync.verify import ForkSuspected, PageRejected, Verified, open_signed

Proofs = dict[tuple[int, int], list[bytes]]
Prove = Callable[[int, int], list[bytes]]


@dataclass(frozen=True, slots=True)
class Ahead:
    """A page fetched ahead (asked for after ``after``), with the proofs fetched with it."""

    after: int
    page: ServedPage
    proofs: Proofs
    signed: int = 0  # the size of its checkpoint, if signed by the pinned key (else 0)
    # Verified already (by the follower's worker process, see worker.py), from a state whose
    # compact range was ``before``.
    verified: Verified | None = None
    before: bytes = b""


class Prefetch:
    """The pages after ``after`` up to the upstream's signed size, fetched by one thread."""

    def __init__(
        self,
        executor: Executor,
        client: FeedClient,
        verifier: NoteVerifier,
        after: int,
        page_size: int,
        depth: int = 4,
    ) -> None:
        self.client = client
        self.verifier = verifier
        self.page_size = page_size
        self._pages: queue.Queue[Ahead | Exception | None] = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._done: Future[None] | None
        try:
            self._done = executor.submit(self._fetch_from, after)
        except RuntimeError:  # closed meanwhile: the follower asks for its pages itself
            self._done = None

    @property
    def stopped(self) -> bool:
        """Whether the pipeline has ended (stopped, or it could not start)."""
        return self._done is None or self._stop.is_set()

    def take(self, after: int) -> Ahead | None:
        """The next page fetched, if it starts after ``after`` (else None: ask directly).

        A failure to fetch it is raised here, as if the follower had asked itself.
        """
        item = self._next()
        if isinstance(item, Exception):
            self.stop()
            raise item
        if item is None or item.after != after:
            self.stop()
            return None
        return item

    def _next(self) -> Ahead | Exception | None:
        """The next item, or None once the pipeline is stopped or its thread has ended."""
        while not self.stopped:
            try:
                return self._pages.get(timeout=0.1)
            except queue.Empty:
                if self._done is not None and self._done.done() and self._pages.empty():
                    return None
        return None

    def stop(self, patience: float = 60) -> None:
        """Stop fetching; wait for the thread (a request under way ends within its time-out)."""
        self._stop.set()
        if self._done is None:
            return
        deadline = time.monotonic() + patience
        while not self._done.done() and time.monotonic() < deadline:
            with suppress(queue.Empty):  # make room: a thread blocked on a full queue sees it
                self._pages.get(timeout=0.05)

    def _fetch_from(self, after: int) -> None:
        try:
            while not self._stop.is_set():
                ahead = self._fetch(after)
                self._put(ahead)
                end = after + len(ahead.page.entries)
                if not ahead.page.entries or end >= ahead.signed:
                    break
                after = end
        except Exception as error:  # handed over: raised where the follower takes the page
            self._put(error)
        finally:
            self._put(None)  # nothing more: the follower asks for anything further itself

    def _put(self, item: Ahead | Exception | None) -> None:
        while not self._stop.is_set():
            try:
                self._pages.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def _fetch(self, after: int) -> Ahead:
        return self.fetch(self.client, self.verifier, after, self.page_size)

    @staticmethod
    def fetch(client: FeedClient, verifier: NoteVerifier, after: int, page_size: int) -> Ahead:
        """The page after ``after``, with the consistency proof its verification will need."""
        page = client.entries(after, page_size)
        proofs: Proofs = {}
        try:
            size = open_signed(page.checkpoint, verifier).size
        except (PageRejected, ForkSuspected):  # verification meets it again and names it
            return Ahead(after, page, proofs)
        end = after + len(page.entries)
        if 0 < end < size:
            # If it cannot be had now, the follower asks for it when it verifies the page.
            with suppress(PeerUnavailable, PeerRefused):
                proofs[(end, size)] = client.consistency(end, size)
        return Ahead(after, page, proofs, size)


def proved_or(proofs: Proofs, fetch: Prove) -> Prove:
    """The consistency proof fetched with the page, or else fetched now."""

    def prove(first: int, second: int) -> list[bytes]:
        found = proofs.get((first, second))
        return found if found is not None else fetch(first, second)

    return prove
