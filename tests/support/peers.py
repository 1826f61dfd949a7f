"""Peers for tests: give a reader access to a node's feed, the way 'aidfed peer add' does."""

from __future__ import annotations

from pathlib import Path

from federation.signedlog.note import NoteSigner, generate_key
from federation.sync.peers import Peer, PeerBook, digest, new_token


def grant_feed(data_dir: Path, reader: str = "INTL", url: str = "http://127.0.0.1:9") -> str:
    """Register ``reader`` as a peer of the node in ``data_dir``; return the token it must send."""
    token = new_token()
    vkey = NoteSigner(f"aidfed.example/{reader}", generate_key()).vkey
    PeerBook(data_dir).add(Peer(reader, url, vkey, follow=False, accepts=digest(token)))
    return token


def bearer(token: str) -> dict[str, str]:
    """The header that presents ``token``."""
    return {"Authorization": f"Bearer {token}"}
