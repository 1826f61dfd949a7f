"""A follower of one upstream: pull, verify, apply once, cosign — and quarantine on a fork.

Each page is verified against a checkpoint signed by the upstream's pinned key and against the
entries already held, then stored, projected and cursored in ONE transaction with the follower's
state: a crash at any moment loses nothing and applies nothing twice. One follower per upstream
runs at a time, across processes, under the node's lock for that upstream.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

from eventsourcing.persistence import InterfaceError, OperationalError

from domain.errors import InvalidInput
from federation.node.base import NodeApplication
from federation.persistence.database import Cursor
from federation.signedlog import merkle
from federation.signedlog.entries import EntryBuilder
from federation.signedlog.note import Cosigner
from federation.sync.client import FeedClient, PeerRefused, PeerUnavailable, ServedPage, backoff
from federation.sync.peers import Peer
from federation.sync.state import QUARANTINED, FollowerState, now
from federation.sync.verify import ForkSuspected, PageRejected, Verified, verify_page

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one sync pass did."""

    upstream: str
    ingested: int
    size: int
    head: int
    status: str
    error: str | None = None


class Follower:
    """Follows one upstream on behalf of one node."""

    def __init__(
        self,
        app: NodeApplication,
        peer: Peer,
        client: FeedClient,
        *,
        cosigner: Cosigner | None = None,
        page_size: int = 1000,  # the most a node serves at once (signedlog.log.MAX_PAGE)
    ) -> None:
        self.app = app
        self.peer = peer
        self.client = client
        self.cosigner = cosigner
        self.page_size = page_size
        self.states = app.follower_states
        self.builder = EntryBuilder(peer.node_id)
        self._evidence_note: str | None = None  # the contradicting note, kept as evidence
        # Fetches the next page of a backlog while this one is verified and applied.
        self._ahead = ThreadPoolExecutor(1, thread_name_prefix=f"fetch-{peer.node_id}")

    @property
    def upstream(self) -> str:
        return self.peer.node_id

    def close(self) -> None:
        """Close the connection to the upstream."""
        self._ahead.shutdown(wait=True)
        self.client.close()

    def sync_once(self, *, wait: float = 0, max_pages: int | None = None) -> Outcome:
        """Pull until caught up with the upstream's latest checkpoint (or ``max_pages``)."""
        with self.app.locks.hold(f"follow-{self.upstream}"):
            return self._sync(wait, max_pages)

    def _sync(self, wait: float, max_pages: int | None) -> Outcome:
        state = self.states.load(self.upstream)
        ingested, pages = 0, 0
        ahead: Future[ServedPage] | None = None  # the next page, asked for already
        try:
            while not state.quarantined and (max_pages is None or pages < max_pages):
                try:
                    verified = self._fetch_verified(state, wait if pages == 0 else 0, ahead)
                except (PeerUnavailable, PeerRefused, PageRejected) as error:
                    state = self._note_error(state, error)
                    return self._outcome(state, ingested, f"{type(error).__name__}: {error}")
                except ForkSuspected as fork:
                    state = self._quarantine(state, str(fork))
                    break
                pages += 1
                ahead = self._ask_ahead(verified, max_pages is None or pages < max_pages)
                state = self._apply(state, verified)
                ingested += len(verified.entries)
                if state.size >= verified.checkpoint.size or not verified.entries:
                    break
        finally:
            if ahead is not None:
                ahead.cancel()
        return self._outcome(state, ingested)

    def _ask_ahead(self, verified: Verified, more: bool) -> Future[ServedPage] | None:
        """Ask for the page after this one now, if there is one, while this one is applied."""
        after = verified.compact.size
        if not more or not verified.entries or after >= verified.checkpoint.size:
            return None
        try:
            return self._ahead.submit(self.client.entries, after, self.page_size)
        except RuntimeError:  # closed meanwhile: the next fetch fails as the client is closed
            return None

    def _fetch_verified(
        self, state: FollowerState, wait: float, ahead: Future[ServedPage] | None = None
    ) -> Verified:
        # A contradiction is believed only if a fresh answer repeats it: a bit flipped on the
        # wire must not quarantine an honest upstream.
        for attempt in (1, 2):
            if attempt == 1 and ahead is not None:
                page = ahead.result()
            else:
                page = self.client.entries(
                    state.size, self.page_size, wait=wait if attempt == 1 else 0
                )
            try:
                return verify_page(
                    state, page, self.peer.verifier, self._held_leaf, self.client.consistency
                )
            except ForkSuspected:
                if attempt == 2:
                    self._evidence_note = page.checkpoint
                    raise
        raise AssertionError("unreachable")

    def _held_leaf(self, position: int) -> bytes:
        rows = self.app.db.query(
            "SELECT originator_id, originator_version, topic, state FROM ingested_entries "
            "WHERE upstream = ? AND position = ?",
            [self.upstream, position],
        )
        if not rows:
            raise PageRejected(f"entry {position} is not held here")
        row = rows[0]
        entry = self.builder(
            position,
            row["originator_id"],
            row["originator_version"],
            row["topic"],
            bytes(row["state"]),
        )
        return merkle.leaf_hash(entry)

    def _apply(self, state: FollowerState, verified: Verified) -> FollowerState:
        checkpoint = verified.checkpoint
        new = replace(
            state,
            size=verified.compact.size,
            compact=verified.compact.to_bytes(),
            head=checkpoint.size,
            last_success=now(),
            last_attempt=now(),
            last_error=None,
            checkpoint=verified.note
            if verified.compact.size == checkpoint.size
            else state.checkpoint,
        )

        def record(cursor: Cursor) -> None:
            self.states.save(cursor, new)
            if new.size == checkpoint.size:
                self.states.keep_checkpoint(cursor, self.upstream, checkpoint.size, verified.note)

        self.app.ingestor.ingest(self.upstream, verified.entries, also=record)
        if new.size == checkpoint.size and checkpoint.size > new.cosigned:
            new = self._cosign(new, verified)
        return new

    def _cosign(self, state: FollowerState, verified: Verified) -> FollowerState:
        if self.cosigner is None:
            return state
        line = self.cosigner.cosign(verified.checkpoint.to_text(), int(time.time()))
        try:
            self.client.cosign(verified.checkpoint.size, line)
        except (PeerUnavailable, PeerRefused) as error:
            logger.info("cosignature for %s not delivered: %s", self.upstream, error)
            return state
        done = replace(state, cosigned=verified.checkpoint.size)
        self.states.put(done)
        return done

    def _note_error(self, state: FollowerState, error: Exception) -> FollowerState:
        new = replace(state, last_attempt=now(), last_error=f"{type(error).__name__}: {error}")
        self.states.put(new)
        return new

    def _quarantine(self, state: FollowerState, reason: str) -> FollowerState:
        evidence = {"held": state.checkpoint, "served": self._evidence_note}
        new = replace(
            state,
            status=QUARANTINED,
            reason=reason,
            evidence=json.dumps(evidence),
            last_attempt=now(),
            last_error=reason,
        )
        self.states.put(new)
        logger.warning("quarantined %s: %s", self.upstream, reason)
        return new

    def _outcome(self, state: FollowerState, ingested: int, error: str | None = None) -> Outcome:
        return Outcome(self.upstream, ingested, state.size, state.head, state.status, error)

    def audit(self) -> Outcome:
        """Re-read the whole upstream log and compare it with what is held; a change is a fork."""
        with self.app.locks.hold(f"follow-{self.upstream}"):
            state = self.states.load(self.upstream)
            after = 0
            while after < state.size and not state.quarantined:
                try:
                    page = self.client.entries(after, self.page_size)
                except (PeerUnavailable, PeerRefused) as error:
                    return self._outcome(self._note_error(state, error), 0, str(error))
                for served in page.entries:
                    if served.position <= state.size and (
                        merkle.leaf_hash(served.entry) != self._held_leaf(served.position)
                    ):
                        self._evidence_note = page.checkpoint
                        reason = f"entry {served.position} changed upstream after it was synced"
                        state = self._quarantine(state, reason)
                        break
                if not page.entries:
                    break
                after = page.entries[-1].position
            return self._outcome(state, 0)

    def release(self) -> None:
        """An operator's decision to follow a quarantined upstream again (from what is held)."""
        state = self.states.load(self.upstream)
        if not state.quarantined:
            raise InvalidInput("peer.not_quarantined", f"{self.upstream} is not quarantined")
        self.states.put(replace(state, status="following", reason=None, last_error=None))

    def run(self, stop: threading.Event, *, wait: float = 20) -> None:
        """Follow until ``stop`` is set: long-poll when caught up, back off when failing."""
        failures = 0
        while not stop.is_set():
            try:
                outcome = self.sync_once(wait=wait)
            except (OperationalError, InterfaceError) as error:
                # The node's own database failed (a PostgreSQL restart, a full disk): the
                # ingest transaction rolled back, so nothing was half applied. Wait for the
                # database to come back rather than stop following for good.
                failures += 1
                logger.warning("following %s: the node's database failed: %s", self.upstream, error)
                stop.wait(backoff(failures, base=0.5, cap=10))
                continue
            if outcome.status == QUARANTINED:
                stop.wait(5)
            elif outcome.error:
                failures += 1
                stop.wait(backoff(failures, base=0.5, cap=30))
            else:
                failures = 0


def status_row(state: FollowerState) -> dict[str, Any]:
    """One upstream's sync status as plain data (for ``aidfed status`` and the API)."""
    return {
        "upstream": state.upstream,
        "cursor": state.size,
        "upstream_head": state.head,
        "lag": max(state.head - state.size, 0),
        "last_success": state.last_success,
        "last_attempt": state.last_attempt,
        "verification": "quarantined"
        if state.quarantined
        else ("verified" if state.checkpoint else "none yet"),
        "status": state.status,
        "reason": state.reason,
        "last_error": state.last_error,
        "cosigned": state.cosigned,
    }
