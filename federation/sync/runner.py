"""Running the followers of a node: one thread per upstream it follows."""

from __future__ import annotations

import logging
import ssl
import threading
import time

from federation.node.base import NodeApplication
from federation.signedlog.keys import load_or_create_key
from federation.signedlog.note import Cosigner
from federation.sync.client import FeedClient
from federation.sync.follower import Follower
from federation.sync.peers import Peer, PeerBook

logger = logging.getLogger(__name__)


def make_follower(app: NodeApplication, peer: Peer, *, page_size: int = 1000) -> Follower:
    """A follower of ``peer`` for ``app``: TLS as configured, cosigning with the node's key."""
    s = app.settings
    # An SSL context, not the CA's path: httpx deprecates verify=<str>.
    verify = ssl.create_default_context(cafile=str(s.tls_ca)) if s.tls_ca else True
    cosigner = (
        None if s.database == "memory" else Cosigner(s.log_origin, load_or_create_key(s.data_dir))
    )
    return Follower(
        app, peer, FeedClient(peer, verify=verify), cosigner=cosigner, page_size=page_size
    )


def followed(app: NodeApplication, only: str | None = None) -> list[Peer]:
    """The peers this node follows (or just ``only``)."""
    peers = PeerBook(app.settings.data_dir).all()
    return [p for p in peers if p.follow and (only is None or p.node_id == only)]


class FollowerPool:
    """Threads following every upstream of a node until stopped."""

    def __init__(self, app: NodeApplication, *, wait: float = 20) -> None:
        self.app = app
        self.wait = wait
        self.stop_event = threading.Event()
        self.followers = [make_follower(app, peer) for peer in followed(app)]
        self.threads: list[threading.Thread] = []

    def start(self) -> None:
        """Start one thread per upstream."""
        for follower in self.followers:
            thread = threading.Thread(
                target=self._run, args=(follower,), name=f"follow-{follower.upstream}", daemon=True
            )
            thread.start()
            self.threads.append(thread)

    def _run(self, follower: Follower) -> None:
        try:
            follower.run(self.stop_event, wait=self.wait)
        except Exception:  # a follower thread must not die silently: log and let status show it
            logger.exception("follower of %s stopped", follower.upstream)

    def stop(self) -> None:
        """Stop following; waits for the threads (a long-poll ends within its wait)."""
        self.stop_event.set()
        for follower in self.followers:
            follower.close()
        # A thread in a long-poll notices the stop when the poll returns; it is a daemon, so
        # shutting down does not wait for it longer than this.
        deadline = time.monotonic() + 3
        for thread in self.threads:
            thread.join(max(0.0, deadline - time.monotonic()))
