"""The pages of a long backlog fetched AND verified in a process of its own.

The follower's process maps, stores and projects every event under one interpreter lock. Far
behind an upstream, the pages ahead are fetched, parsed (JSON, base64, entry headers) and
verified against a checkpoint signed by the pinned key (leaf hashes, the Merkle root or a
consistency proof) in a child process instead: pure CPU that needs no database, run by the same
`verify_page`, starting from the verified state the follower hands over and going on page by
page from there. The follower applies only pages verified this way or by itself.

Anything out of the ordinary ends the pipeline: a failed request, a rejected page, a page that
overlaps what is held or a smaller tree (whose verification needs the entries held). The
follower then asks for that page itself and verifies it as it always does, so retries, fork
proofs and quarantines are decided in one place, with the held entries at hand.

The child is a fresh interpreter (``python -m federation.sync.worker``), not a fork: it
inherits no database connection and no lock held by another thread. It ends when its work is
done, when told to, or when the follower is gone (its pipe breaks, or its parent changes).
"""

from __future__ import annotations

import os
import pickle
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from multiprocessing.connection import Connection

from federation.node.ingest import Ingestor
from federation.persistence.collector import fewer_collections
from federation.signedlog import merkle
from federation.signedlog.note import Checkpoint
from federation.sync.client import FeedClient, ServedPage
from federation.sync.peers import Peer
from federation.sync.prefetch import Ahead, Prefetch, proved_or
from federation.sync.state import FollowerState
from federation.sync.verify import Verified, verify_page

# One verified page as the child hands it over: where it starts (size and compact range), the
# checkpoint and its note, the entries (position, originator id as text, version, topic, state,
# leaf hash), and the compact range after it.
Row = tuple[int, str, int, str, bytes, bytes]
Page = tuple[int, bytes, Checkpoint, str, list[Row], bytes]

# A node far behind on many upstreams follows each on a thread of its own: at most one worker
# per core runs at a time (more would only share the cores and cost memory); the others verify
# their pages themselves, as for a short backlog.
_WORKERS = threading.BoundedSemaphore(os.cpu_count() or 1)


@dataclass(frozen=True, slots=True)
class Job:
    """What the child is asked: follow ``peer`` from ``after`` (with ``compact``) to ``until``."""

    peer: Peer
    cafile: str | None
    timeout: float
    max_page_bytes: int
    after: int
    compact: bytes
    until: int
    page_size: int
    parent: int


class NeedsHeld(Exception):
    """The page's verification needs the entries held: the follower verifies it itself."""


def _needs_held(_: int) -> bytes:
    raise NeedsHeld


def verified_pages(job: Job, client: FeedClient, send: Callable[[Page], None]) -> None:
    """Fetch and verify the pages of ``job`` in order, handing each to ``send``."""
    verifier = job.peer.verifier
    state = FollowerState(job.peer.node_id, job.after, job.compact)
    # Bounded: every page handed over holds at least one entry, up to ``until``.
    for _ in range(max(0, job.until - job.after)):
        if state.size >= job.until or os.getppid() != job.parent:
            return
        ahead = Prefetch.fetch(client, verifier, state.size, job.page_size)
        if not ahead.page.entries:
            return
        prove = proved_or(ahead.proofs, client.consistency)
        verified = verify_page(state, ahead.page, verifier, _needs_held, prove, _needs_held)
        rows = [
            (e.position, str(e.originator_id), e.originator_version, e.topic, e.state, leaf)
            for e in verified.entries
            if (leaf := e.leaf) is not None
        ]
        after = verified.compact.to_bytes()
        send((state.size, state.compact, verified.checkpoint, verified.note, rows, after))
        state = FollowerState(state.upstream, verified.compact.size, after)


class Pages:
    """The verified pages after ``after``, from a child process; the interface of `Prefetch`.

    Their events are decoded by ``ingestor`` as they are taken.
    """

    def __init__(
        self,
        ingestor: Ingestor,
        client: FeedClient,
        peer: Peer,
        cafile: str | None,
        start: tuple[int, bytes, int],
        page_size: int,
    ) -> None:
        self.ingestor = ingestor
        after, compact, until = start
        timeout = client.timeout
        job = Job(
            peer, cafile, timeout, client.max_page_bytes, after, compact, until, page_size,
            os.getpid(),
        )  # fmt: skip
        # A page takes at most a request's time-out or two (the page and its proof): silence
        # for longer means the child is stuck, and the follower asks for itself.
        self.patience = 2 * timeout + 5
        self._pages: Connection | None = None
        self._child: subprocess.Popen[bytes] | None = None
        self._stopped = True
        self._slot = _WORKERS.acquire(blocking=False)
        if not self._slot:
            return  # every core has a worker already: the follower verifies itself
        read, write = os.pipe()
        try:
            self._child = subprocess.Popen(
                [sys.executable, "-m", "federation.sync.worker", str(write)],
                stdin=subprocess.PIPE,
                pass_fds=(write,),
            )
        except OSError:
            os.close(read)
            self._child = None
        finally:
            os.close(write)
        if self._child is None:
            self.stop()
            return
        self._pages = Connection(read, writable=False)
        self._stopped = False
        if self._child is not None and self._child.stdin is not None:
            try:
                self._child.stdin.write(pickle.dumps(job))
                self._child.stdin.close()
            except OSError:
                self.stop()

    @property
    def stopped(self) -> bool:
        """Whether the pipeline has ended (stopped, or it could not start)."""
        return self._stopped

    def take(self, after: int) -> Ahead | None:
        """The next page, verified, if it starts after ``after`` (else None: ask directly)."""
        page = self._next()
        if page is None or page[0] != after:
            self.stop()
            return None
        start, before, checkpoint, note, rows, compact = page
        entries = self.ingestor.decoded_rows(rows)
        verified = Verified(checkpoint, note, entries, merkle.CompactRange.from_bytes(compact))
        return Ahead(start, ServedPage(note, []), {}, checkpoint.size, verified, before)

    def _next(self) -> Page | None:
        pages = self._pages
        deadline = time.monotonic() + self.patience
        while pages is not None and not self._stopped and time.monotonic() < deadline:
            try:
                if pages.poll(0.1):
                    item: Page | None = pages.recv()
                    return item
            except (EOFError, OSError):  # the child ended
                return None
        return None

    def stop(self) -> None:
        """End the child (it may be mid-request) and close the pipe."""
        self._stopped = True
        child, self._child = self._child, None
        if child is not None:
            if child.poll() is None:
                child.kill()
            child.wait(30)
        if self._pages is not None:
            self._pages.close()
            self._pages = None
        if self._slot:
            self._slot = False
            _WORKERS.release()


def main() -> None:
    """The child: read the job from stdin, send verified pages down the pipe, then None."""
    pages = Connection(int(sys.argv[1]), readable=False)
    job: Job = pickle.load(sys.stdin.buffer)
    client = FeedClient(
        job.peer, timeout=job.timeout, verify=_tls(job.cafile), max_page_bytes=job.max_page_bytes
    )
    try:
        with fewer_collections():  # parsing and verifying pages is bulk work
            verified_pages(job, client, pages.send)
    except BrokenPipeError:  # the follower is gone, or stopped listening
        return
    except Exception:  # the follower asks for this page itself, and names what is wrong
        pass
    finally:
        client.close()
    with suppress(OSError):
        pages.send(None)


def _tls(cafile: str | None) -> ssl.SSLContext | bool:
    return ssl.create_default_context(cafile=cafile) if cafile else True


if __name__ == "__main__":
    main()
