"""The peers a node knows: where they are, the key pinned for them, the tokens between them.

Kept in ``peers.json`` in the node's data folder, readable only by its owner (it holds the
tokens this node presents to its upstreams). Tokens peers present to this node are kept only as
SHA-256 digests.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from domain.errors import InvalidInput, NotFound
from federation.signedlog.note import NoteError, NoteVerifier, parse_vkey

PEERS_FILE = "peers.json"


def digest(token: str) -> str:
    """The SHA-256 digest under which an inbound token is kept."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    """A fresh bearer token."""
    return secrets.token_urlsafe(32)


@dataclass(frozen=True, slots=True)
class Peer:
    """Another node: its id, URL, pinned key (vkey), and the tokens either way."""

    node_id: str
    url: str
    vkey: str
    follow: bool = True
    token: str | None = None  # what this node presents to the peer
    accepts: str | None = None  # digest of the token the peer presents to this node

    @property
    def verifier(self) -> NoteVerifier:
        """The pinned checkpoint key."""
        return parse_vkey(self.vkey)

    @property
    def origin(self) -> str:
        """The peer's log origin: its checkpoints' key name."""
        return self.verifier.name

    def public(self) -> dict[str, object]:
        """What may be shown: never a token."""
        return {
            "node_id": self.node_id,
            "url": self.url,
            "vkey": self.vkey,
            "follow": self.follow,
            "has_token": self.token is not None,
            "accepts_token": self.accepts is not None,
        }


class PeerBook:
    """The peers of one node, in its data folder."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / PEERS_FILE

    def all(self) -> list[Peer]:
        """Every known peer."""
        if not self.path.exists():
            return []
        rows = json.loads(self.path.read_text(encoding="utf-8"))
        return [Peer(**row) for row in rows]

    def get(self, node_id: str) -> Peer:
        """The peer with this id."""
        for peer in self.all():
            if peer.node_id == node_id:
                return peer
        raise NotFound("peer.unknown", f"no peer {node_id!r}; add it with 'aidfed peer add'")

    def add(self, peer: Peer) -> None:
        """Add the peer, or replace the one with its id."""
        try:
            _ = peer.verifier
        except NoteError as error:
            raise InvalidInput("peer.bad_key", f"the pinned key is not a vkey: {error}") from None
        if not peer.url.startswith(("http://", "https://")):
            raise InvalidInput("peer.bad_url", f"{peer.url!r} is not an http(s) URL")
        others = [p for p in self.all() if p.node_id != peer.node_id]
        self._write([*others, peer])

    def accept(self, node_id: str, token: str) -> None:
        """Let the peer read this node's feed with ``token``."""
        self.add(replace(self.get(node_id), accepts=digest(token)))

    def who(self, token: str) -> Peer | None:
        """The peer presenting ``token``, if any."""
        presented = digest(token)
        for peer in self.all():
            if peer.accepts and hmac.compare_digest(peer.accepts, presented):
                return peer
        return None

    def _write(self, peers: list[Peer]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(f".{os.getpid()}.tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump([asdict(p) for p in peers], handle, indent=2)
        temporary.replace(self.path)
