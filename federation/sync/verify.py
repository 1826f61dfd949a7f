"""Verifying a page of another node's log against a checkpoint signed by its pinned key.

Two kinds of failure, told apart because they call for different answers:
- ``PageRejected``: this answer is damaged (a gap, a bad leaf, a malformed page, a note whose
  signature line names the pinned key but does not verify — a bit flipped on the wire). Nothing
  is applied; the follower asks again later and reports the rejection in its status.
- ``ForkSuspected``: the upstream no longer stands by what it signed before — a note validly
  signed by the pinned key that contradicts the held history (another root for a size already
  held, entries that do not add up to its signed root), a smaller signed tree than the one held
  (a ``Regression``: restored from an older backup), or a note signed by another key than the
  pinned one (``KeyChanged``). If a fresh answer says the same, the follower quarantines the
  upstream, keeps both notes as evidence and applies nothing more until an operator acts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from federation.node.ingest import RemoteEntry
from federation.signedlog import merkle
from federation.signedlog.entries import EntryError, decode
from federation.signedlog.note import (
    Checkpoint,
    NoteError,
    NoteVerifier,
    open_checkpoint,
    split_note,
)
from federation.sync.client import ServedPage
from federation.sync.state import FollowerState


class PageRejected(Exception):
    """This page cannot be applied; ask again."""


class SignatureRejected(PageRejected):
    """The note names the pinned key but its signature does not verify (damaged on the way),
    or the pinned key signed it for another origin."""


class ForkSuspected(Exception):
    """The upstream contradicts its own signed history (or signs with another key)."""

    kind = "fork"  # the quarantine's kind, in the evidence and the metrics


class Regression(ForkSuspected):
    """A smaller tree signed by the pinned key than the one held: the upstream went back (a
    restore from an older backup); what it signs next at the lost positions may differ."""

    kind = "regression"


class KeyChanged(ForkSuspected):
    """The checkpoint is signed by another key than the pinned one (a re-installed node or an
    impostor): only the operator can tell which, and re-pin the key if it is the node's."""

    kind = "key_changed"


class UnprovenFork(ForkSuspected):
    """The entries served contradict what is held, but entries are not signed: only the
    upstream's whole log, adding up to its signed root, can prove (or clear) it."""


@dataclass(frozen=True, slots=True)
class Verified:
    """A page that checked out: the checkpoint, the entries to apply and the new compact range."""

    checkpoint: Checkpoint
    note: str
    entries: list[RemoteEntry]
    compact: merkle.CompactRange


def open_signed(note: str, verifier: NoteVerifier) -> Checkpoint:
    """The checkpoint in ``note`` if the pinned key signed it for the pinned origin."""
    try:
        checkpoint, _ = open_checkpoint(note, [verifier])
    except NoteError as error:
        _check_signer(note, verifier)
        reason = f"the checkpoint is not signed by the pinned key: {error}"
        raise SignatureRejected(reason) from None
    if checkpoint.origin != verifier.name:
        raise SignatureRejected(f"checkpoint origin {checkpoint.origin!r} is not {verifier.name!r}")
    return checkpoint


def _check_signer(note: str, verifier: NoteVerifier) -> None:
    """Raise ``KeyChanged`` if a well-formed checkpoint is signed only by other keys.

    A signature line that names the pinned key (name and key ID) but does not verify is damage
    on the wire, as is a note that does not parse: those are left to be rejected.
    """
    try:
        text, signatures = split_note(note)
        Checkpoint.parse(text)
    except NoteError:
        return
    keys = [(s.name, s.key_id) for s in signatures]
    if (verifier.name, verifier.key_id) in keys:
        return
    signers = ", ".join(f"{name} {key.hex()}" for name, key in keys)
    raise KeyChanged(
        f"key changed: the checkpoint is signed by {signers}, not by the pinned key "
        f"{verifier.name} {verifier.key_id.hex()}"
    )


def verify_page(
    state: FollowerState,
    page: ServedPage,
    verifier: NoteVerifier,
    held_leaf: Callable[[int], bytes],
    prove: Callable[[int, int], list[bytes]],
    held_root: Callable[[int], bytes],
) -> Verified:
    """Check a served page against its signed checkpoint and against what is already held.

    ``held_leaf(position)`` is the leaf hash of an entry held here; ``prove(m, n)`` fetches the
    upstream's consistency proof between its sizes m and n; ``held_root(m)`` is the root of the
    first m entries held here.
    """
    checkpoint = open_signed(page.checkpoint, verifier)
    held = merkle.CompactRange.from_bytes(state.compact) if state.compact else merkle.CompactRange()
    if checkpoint.size < state.size:
        _check_older(state, checkpoint, held_root)
    if checkpoint.size == state.size and checkpoint.root != held.root():
        raise ForkSuspected(f"another root for the {state.size} entries already held")
    for served in page.entries:
        if served.position <= state.size and merkle.leaf_hash(served.entry) != held_leaf(
            served.position
        ):
            raise UnprovenFork(
                f"entry {served.position} differs from the one held since it was synced"
            )
    fresh = [s for s in page.entries if s.position > state.size]
    expected = list(range(state.size + 1, state.size + 1 + len(fresh)))
    if [s.position for s in fresh] != expected:
        raise PageRejected(f"the page does not continue at position {state.size + 1}")
    extended = held.copy()
    entries = [remote_entry(state.upstream, s.position, s.entry) for s in fresh]
    extended.extend(e.leaf for e in entries if e.leaf is not None)
    _check_covered(extended, checkpoint, prove)
    return Verified(checkpoint, page.checkpoint, entries, extended)


def _check_older(
    state: FollowerState, checkpoint: Checkpoint, held_root: Callable[[int], bytes]
) -> None:
    """A smaller signed tree: a regression if it agrees with the held prefix, else a fork.

    A node only ever serves its latest checkpoint, and its sizes only grow: a smaller one means
    it went back (restored from an older backup), and it will sign other entries at the
    positions it lost. Followers stop here, before it does.
    """
    shrank = f"the upstream's tree shrank from {state.size} to {checkpoint.size} entries"
    if checkpoint.root != held_root(checkpoint.size):
        raise ForkSuspected(f"{shrank}, with another root than the entries held")
    raise Regression(f"regression: {shrank} (restored from an older backup?)")


def remote_entry(upstream: str, position: int, data: bytes) -> RemoteEntry:
    """The served bytes as an entry of ``upstream`` at ``position`` (else the page is rejected)."""
    try:
        entry = decode(data)
    except EntryError as error:
        raise PageRejected(f"entry {position} is not a canonical entry: {error}") from None
    if entry.node != upstream or entry.position != position:
        raise PageRejected(f"entry {position} claims to be {entry.node} #{entry.position}")
    leaf = merkle.leaf_hash(data)
    return RemoteEntry(position, entry.aggregate, entry.version, entry.topic, entry.state, leaf)


def _check_covered(
    extended: merkle.CompactRange, checkpoint: Checkpoint, prove: Callable[[int, int], list[bytes]]
) -> None:
    """The held prefix plus the page must be a prefix of the signed tree."""
    if extended.size > checkpoint.size:
        raise PageRejected(f"{extended.size} entries, but the checkpoint covers {checkpoint.size}")
    if extended.size == checkpoint.size:
        if extended.root() != checkpoint.root:
            raise UnprovenFork("the entries do not add up to the signed root")
        return
    if extended.size == 0:
        return
    try:
        merkle.verify_consistency(
            extended.size,
            checkpoint.size,
            prove(extended.size, checkpoint.size),
            extended.root(),
            checkpoint.root,
        )
    except merkle.ProofError as error:
        raise UnprovenFork(
            f"the {extended.size} entries held are not a prefix of the signed tree: {error}"
        ) from None
