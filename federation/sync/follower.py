"""A follower of one upstream: pull, verify, apply once, cosign — and quarantine on a fork.

Each page is verified against a checkpoint signed by the upstream's pinned key and against the
entries already held, then stored, projected and cursored in ONE transaction with the follower's
state: a crash at any moment loses nothing and applies nothing twice. One follower per upstream
runs at a time, across processes, under the node's lock for that upstream. A long backlog's
pages are fetched and verified by a worker process (worker.py) while this one applies them.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import partial

from eventsourcing.persistence import InterfaceError, OperationalError

from domain.errors import InvalidInput
from federation.node.base import NodeApplication
from federation.persistence.collector import fewer_collections
from federation.persistence.database import Cursor
from federation.signedlog import merkle
from federation.signedlog.note import Cosigner
from federation.sync.applier import Applier
from federation.sync.client import (
    FeedClient,
    MalformedPage,
    PeerRefused,
    PeerUnavailable,
    backoff,
)
from federation.sync.held import HeldEntries, also_in
from federation.sync.peers import Peer
from federation.sync.prefetch import Ahead, Prefetch, proved_or
from federation.sync.state import FOLLOWING, QUARANTINED, FollowerState, now
from federation.sync.verify import (
    ForkSuspected,
    KeyChanged,
    PageRejected,
    UnprovenFork,
    Verified,
    verify_page,
)
from federation.sync.worker import Pages

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
        apply_every: int = 5000,
        process_from: int | None = None,
        cafile: str | None = None,
    ) -> None:
        self.app = app
        self.peer = peer
        self.client = client
        self.cosigner = cosigner
        self.page_size = page_size
        # A backlog's pages are applied several at a time: each commit waits for the disk.
        self.apply_every = apply_every
        self.states = app.follower_states
        self.held = HeldEntries(app, peer, client, page_size)
        self._evidence_note: str | None = None  # the contradicting note, kept as evidence
        # Fetches the next page of a backlog while this one is verified and applied.
        self._ahead = ThreadPoolExecutor(1, thread_name_prefix=f"fetch-{peer.node_id}")
        # Applies a batch while the next pages are verified (see applier.py).
        self._applying = ThreadPoolExecutor(1, thread_name_prefix=f"apply-{peer.node_id}")
        self._prefetching: Prefetch | Pages | None = None
        # A backlog of at least this many entries is fetched and verified in a process of its
        # own (worker.py; None: never); ``cafile`` is the CA it trusts, as this client does.
        self.process_from = process_from
        self.cafile = cafile
        self.verified_elsewhere = 0  # pages verified by that process (for tests and metrics)

    @property
    def upstream(self) -> str:
        return self.peer.node_id

    def close(self) -> None:
        """Close the connection to the upstream."""
        prefetching = self._prefetching
        if prefetching is not None:
            prefetching.stop()
        self._ahead.shutdown(wait=True)
        self._applying.shutdown(wait=True)
        self.client.close()

    def sync_once(self, *, wait: float = 0, max_pages: int | None = None) -> Outcome:
        """Pull until caught up with the upstream's latest checkpoint (or ``max_pages``)."""
        # Decoding and applying pages is bulk work (see federation.persistence.collector).
        with self.app.locks.hold(f"follow-{self.upstream}"), fewer_collections():
            return self._sync(wait, max_pages)

    def _sync(self, wait: float, max_pages: int | None) -> Outcome:
        state = self._unless_repinned(self.states.load(self.upstream))
        pages = 0
        held: list[Verified] = []  # verified, not yet applied: applied in one transaction
        ahead: Prefetch | Pages | None = None  # the next pages, asked for already
        applier = Applier(self._applying, self._apply, state)
        try:
            while not state.quarantined and (max_pages is None or pages < max_pages):
                unapplied = [*applier.in_flight, *held]
                try:
                    verified = self._fetch_verified(
                        _beyond(applier.state, unapplied),
                        wait if pages == 0 else 0,
                        ahead,
                        unapplied,
                    )
                except (PeerUnavailable, PeerRefused, PageRejected) as error:
                    if isinstance(error, PageRejected | MalformedPage):
                        self.states.note_verification_failure(self.upstream, "rejected")
                    applier.submit(held)
                    state = self._note_error(applier.settle(), error)
                    return self._outcome(
                        state, applier.ingested, f"{type(error).__name__}: {error}"
                    )
                except ForkSuspected as fork:
                    self.states.note_verification_failure(self.upstream, fork.kind)
                    # Nothing held from a forked upstream is applied; a batch already being
                    # applied was verified against an earlier checkpoint and completes.
                    state = self._quarantine(applier.settle(), str(fork), fork.kind)
                    held = []
                    break
                pages += 1
                ahead = self._prefetch(verified, max_pages is None or pages < max_pages, ahead)
                # Decoded here, while the batch before is applied: the applying thread's
                # database work leaves this one room to run.
                if verified.entries and verified.entries[0].event is None:  # else decoded by Pages
                    verified = replace(
                        verified, entries=self.app.ingestor.decoded(verified.entries)
                    )
                held.append(verified)
                level = verified.compact.size >= verified.checkpoint.size or not verified.entries
                if level or _count(held) >= self.apply_every:
                    applier.submit(held)
                    held = []
                if level:
                    break
            if not state.quarantined:
                applier.submit(held)
                state = applier.settle()
        finally:
            if ahead is not None:
                ahead.stop()
            applier.wait()
        return self._outcome(state, applier.ingested)

    def _prefetch(
        self, verified: Verified, more: bool, running: Prefetch | Pages | None
    ) -> Prefetch | Pages | None:
        """Keep the pages after this one coming, if there are more, while this one is applied."""
        after, until = verified.compact.size, verified.checkpoint.size
        if not more or not verified.entries or after >= until:
            return running
        if running is not None and not running.stopped:
            return running
        started: Prefetch | Pages | None = None
        if self.process_from is not None and until - after >= self.process_from:
            start = (after, verified.compact.to_bytes(), until)
            ingestor, client, peer = self.app.ingestor, self.client, self.peer
            started = Pages(ingestor, client, peer, self.cafile, start, self.page_size)
        if started is None or started.stopped:  # a short backlog, or no worker free
            started = Prefetch(self._ahead, self.client, self.peer.verifier, after, self.page_size)
        self._prefetching = started
        return started

    def _fetch_verified(
        self,
        state: FollowerState,
        wait: float,
        ahead: Prefetch | Pages | None = None,
        held: list[Verified] | None = None,
    ) -> Verified:
        # A contradiction is believed only if a fresh answer repeats it: a bit flipped on the
        # wire must not quarantine an honest upstream.
        for attempt in (1, 2):
            fetched = ahead.take(state.size) if attempt == 1 and ahead is not None else None
            if fetched is not None and fetched.verified is not None:
                if fetched.before == state.compact:  # verified from where this state stands
                    self.verified_elsewhere += 1
                    return fetched.verified
                if ahead is not None:  # not from here (cannot happen): ask for it below
                    ahead.stop()
                fetched = None
            if fetched is None:
                waiting = wait if attempt == 1 else 0
                served = self.client.entries(state.size, self.page_size, wait=waiting)
                fetched = Ahead(state.size, served, {})
            page, proofs = fetched.page, fetched.proofs
            try:
                leaf = also_in(held, self.held.leaf) if held else self.held.leaf
                prove = proved_or(proofs, self.client.consistency)
                root = partial(self.held.root, held=held or [])
                return verify_page(state, page, self.peer.verifier, leaf, prove, root)
            except UnprovenFork as fork:
                if attempt == 2:  # twice: only the upstream's whole log can tell
                    self._evidence_note = page.checkpoint
                    self.held.prove_fork(state, page, fork)
            except ForkSuspected:
                if attempt == 2:
                    self._evidence_note = page.checkpoint
                    raise
        raise AssertionError("unreachable")

    def _apply(self, state: FollowerState, held: list[Verified]) -> FollowerState:
        """Store, project and cursor the held pages in one transaction; cosign when level."""
        if not held:
            return state
        last = held[-1]
        checkpoint = last.checkpoint
        complete = [v for v in held if v.compact.size == v.checkpoint.size]  # level with a note
        new = replace(
            state,
            size=last.compact.size,
            compact=last.compact.to_bytes(),
            head=checkpoint.size,
            last_success=now(),
            last_attempt=now(),
            last_error=None,
            checkpoint=complete[-1].note if complete else state.checkpoint,
        )

        def record(cursor: Cursor) -> None:
            self.states.save(cursor, new)
            for v in complete:
                self.states.keep_checkpoint(cursor, self.upstream, v.checkpoint.size, v.note)

        entries = [e for v in held for e in v.entries]
        self.app.ingestor.ingest(self.upstream, entries, also=record)
        if new.size == checkpoint.size and checkpoint.size > new.cosigned:
            new = self._cosign(new, last)
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

    def _quarantine(self, state: FollowerState, reason: str, kind: str = "fork") -> FollowerState:
        # The key pinned now is kept too: re-pinning another one is how an operator answers
        # a key change (see _unless_repinned).
        evidence = {
            "kind": kind,
            "held": state.checkpoint,
            "served": self._evidence_note,
            "pinned": self.peer.vkey,
        }
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

    def _unless_repinned(self, state: FollowerState) -> FollowerState:
        """Lift a key-change quarantine once the operator has pinned another key for the
        upstream (``aidfed peer add --vkey``): the follower verifies with that key from now on,
        and quarantines again if the upstream does not sign with it either."""
        if not state.quarantined:
            return state
        evidence = json.loads(state.evidence or "{}")
        if evidence.get("kind") != KeyChanged.kind or evidence.get("pinned") == self.peer.vkey:
            return state
        lifted = replace(state, status=FOLLOWING, reason=None, last_error=None)
        self.states.put(lifted)
        logger.warning("%s's key re-pinned: quarantine lifted", self.upstream)
        return lifted

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
                        merkle.leaf_hash(served.entry) != self.held.leaf(served.position)
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
        self.states.put(replace(state, status=FOLLOWING, reason=None, last_error=None))

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


def _count(held: list[Verified]) -> int:
    return sum(len(v.entries) for v in held)


def _beyond(state: FollowerState, held: list[Verified]) -> FollowerState:
    """The state as it will be once the held pages are applied: where the next page starts."""
    if not held:
        return state
    compact = held[-1].compact
    return replace(state, size=compact.size, compact=compact.to_bytes())
