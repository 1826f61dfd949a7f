"""Exporting an audit bundle from the International's data folder (or any node's).

The International holds every node's entries it has verified and ingested, every checkpoint it
verified for them, its own log, the cosignatures its followers returned and the keys it pinned.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from federation.audit.bundle import BundleWriter, Manifest, code_version
from federation.node.base import NodeApplication
from federation.signedlog import merkle
from federation.signedlog.entries import EntryBuilder
from federation.signedlog.log import checkpoint_of
from federation.sync.peers import PeerBook
from federation.sync.state import FollowerStates

PAGE = 5000


def export_bundle(app: NodeApplication, path: Path) -> Manifest:
    """Write the bundle of ``app``'s own log and of every upstream it follows to ``path``."""
    own = app.settings.node_id
    peers = {p.node_id: p for p in PeerBook(app.settings.data_dir).all()}
    states = app.follower_states
    upstreams = [s for s in states.all() if s.size > 0]
    own_size = app.signed_log.appended()
    app.signed_log.checkpoint()  # sign the head, so the own log is covered to its end
    manifest = Manifest(code_version(), datetime.now(UTC).isoformat(timespec="seconds"), own)
    manifest.nodes.append({"node": own, "vkey": app.signed_log.signer.vkey, "size": own_size})
    notes = {s.upstream: _verified_notes(states, s.upstream, s.checkpoint) for s in upstreams}
    for state in upstreams:
        covered = max(notes[state.upstream], default=0)  # only what a signed checkpoint covers
        manifest.nodes.append(
            {"node": state.upstream, "vkey": peers[state.upstream].vkey, "size": covered}
        )
    for peer in peers.values():
        # A follower cosigns with its node key: its pinned vkey identifies the cosigner too.
        manifest.cosigners.append({"name": peer.origin, "vkey": peer.vkey})
    writer = BundleWriter(path)
    try:
        writer.write(manifest.line())
        _own(app, writer, own)
        for node in manifest.nodes[1:]:
            _upstream(app, notes[node["node"]], writer, node["node"], node["size"])
    finally:
        writer.close()
    return manifest


def _own(app: NodeApplication, writer: BundleWriter, node: str) -> None:
    log = app.signed_log
    for row in app.db.query("SELECT size, note FROM log_checkpoints ORDER BY size"):
        writer.write({"t": "checkpoint", "node": node, "note": row["note"]})
    after = 0
    while True:
        page = log.entries(after, 1000)
        for entry in page.entries:
            # The log serves an entry only if its bytes give the stored leaf: hash, not query.
            writer.entry(node, entry.position, entry.entry, merkle.leaf_hash(entry.entry))
        if not page.entries:
            break
        after = page.entries[-1].position
    for row in app.db.query("SELECT size, line FROM log_cosignatures ORDER BY size, cosigner"):
        writer.write({"t": "cosignature", "node": node, "size": row["size"], "line": row["line"]})


def _verified_notes(states: FollowerStates, node: str, latest: str | None) -> dict[int, str]:
    """Every checkpoint of ``node`` verified here, by size (the latest one included)."""
    notes = {int(str(r["size"])): str(r["note"]) for r in states.checkpoints(node)}
    if latest:
        notes[checkpoint_of(latest).size] = latest
    return notes


def _upstream(
    app: NodeApplication, notes: dict[int, str], writer: BundleWriter, node: str, size: int
) -> None:
    for _, note in sorted(notes.items()):
        writer.write({"t": "checkpoint", "node": node, "note": note})
    build = EntryBuilder(node)
    after = 0
    while after < size:
        rows = app.db.query(
            "SELECT position, originator_id, originator_version, topic, state, leaf "
            "FROM ingested_entries WHERE upstream = ? AND position > ? AND position <= ? "
            "ORDER BY position LIMIT ?",
            [node, after, size, PAGE],
        )
        if not rows:
            break
        for r in rows:
            data = build(
                r["position"],
                r["originator_id"],
                r["originator_version"],
                r["topic"],
                bytes(r["state"]),
            )
            writer.entry(node, r["position"], data, bytes(r["leaf"]) if r["leaf"] else None)
        after = rows[-1]["position"]
