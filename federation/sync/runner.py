"""Running the followers of a node: one thread per upstream it follows."""

from __future__ import annotations

import logging
import ssl
import threading
import time
from dataclasses import dataclass

from federation.node.base import NodeApplication
from federation.signedlog.keys import load_or_create_key
from federation.signedlog.note import Cosigner
from federation.sync.client import FeedClient
from federation.sync.follower import Follower
from federation.sync.peers import Peer, PeerBook

logger = logging.getLogger(__name__)


# A backlog this long is fetched and verified in a process of its own (see sync/worker.py):
# starting one costs about a third of a second of CPU, following this many entries a second
# or more.
PROCESS_FROM = 10_000


def make_follower(
    app: NodeApplication, peer: Peer, *, page_size: int = 1000, process_from: int = PROCESS_FROM
) -> Follower:
    """A follower of ``peer`` for ``app``: TLS as configured, cosigning with the node's key."""
    s = app.settings
    # An SSL context, not the CA's path: httpx deprecates verify=<str>.
    verify = ssl.create_default_context(cafile=str(s.tls_ca)) if s.tls_ca else True
    cosigner = (
        None if s.database == "memory" else Cosigner(s.log_origin, load_or_create_key(s.data_dir))
    )
    return Follower(
        app,
        peer,
        FeedClient(peer, verify=verify),
        cosigner=cosigner,
        page_size=page_size,
        process_from=process_from,
        cafile=str(s.tls_ca) if s.tls_ca else None,
    )


def followed(app: NodeApplication, only: str | None = None) -> list[Peer]:
    """The peers this node follows (or just ``only``)."""
    peers = PeerBook(app.settings.data_dir).all()
    return [p for p in peers if p.follow and (only is None or p.node_id == only)]


@dataclass
class _Running:
    """One upstream being followed: the peer as it was read, its follower, thread and stop."""

    peer: Peer
    follower: Follower
    thread: threading.Thread
    stop: threading.Event


class FollowerPool:
    """Threads following every upstream of a node until stopped.

    ``peers.json`` is read again every ``reload_every`` seconds: a peer added starts being
    followed, a peer removed (or no longer followed) stops, and a peer whose address, pinned key
    or token changed is followed anew with them, all without restarting the node.
    """

    def __init__(self, app: NodeApplication, *, wait: float = 20, reload_every: float = 2) -> None:
        self.app = app
        self.wait = wait
        self.reload_every = reload_every
        self.stop_event = threading.Event()
        self.running: dict[str, _Running] = {}
        self._watcher: threading.Thread | None = None

    @property
    def followers(self) -> list[Follower]:
        return [r.follower for r in self.running.values()]

    def start(self) -> None:
        """Start one thread per upstream, and the watcher of ``peers.json``."""
        self.reload()
        self._watcher = threading.Thread(target=self._watch, name="follow-peers", daemon=True)
        self._watcher.start()

    def reload(self) -> None:
        """Follow exactly the peers ``peers.json`` names now."""
        wanted = {peer.node_id: peer for peer in followed(self.app)}
        for node_id, running in list(self.running.items()):
            if wanted.get(node_id) != running.peer:
                self._end(self.running.pop(node_id))
        for node_id, peer in wanted.items():
            if node_id not in self.running and not self.stop_event.is_set():
                self.running[node_id] = self._begin(peer)

    def _watch(self) -> None:
        while not self.stop_event.wait(self.reload_every):
            try:
                self.reload()
            except Exception:  # a bad edit of peers.json must not stop the followers running
                logger.exception("peers.json of %s could not be read", self.app.settings.node_id)

    def _begin(self, peer: Peer) -> _Running:
        follower, stop = make_follower(self.app, peer), threading.Event()
        thread = threading.Thread(
            target=self._run, args=(follower, stop), name=f"follow-{peer.node_id}", daemon=True
        )
        thread.start()
        logger.info("following %s at %s", peer.node_id, peer.url)
        return _Running(peer, follower, thread, stop)

    def _end(self, running: _Running, join: float = 3) -> None:
        running.stop.set()
        running.follower.close()
        running.thread.join(join)
        logger.info("no longer following %s", running.peer.node_id)

    def _run(self, follower: Follower, stop: threading.Event) -> None:
        try:
            follower.run(stop, wait=self.wait)
        except Exception:  # a follower thread must not die silently: log and let status show it
            if not stop.is_set():
                logger.exception("follower of %s stopped", follower.upstream)

    def stop(self) -> None:
        """Stop following; waits for the threads (a long-poll ends within its wait)."""
        self.stop_event.set()
        if self._watcher is not None:
            self._watcher.join(self.reload_every + 1)
        everyone = list(self.running.values())
        self.running.clear()
        for running in everyone:
            running.stop.set()
            running.follower.close()
        # A thread in a long-poll notices the stop when the poll returns; it is a daemon, so
        # shutting down does not wait for it longer than this.
        deadline = time.monotonic() + 3
        for running in everyone:
            running.thread.join(max(0.0, deadline - time.monotonic()))
