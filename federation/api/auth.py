"""Who may read the federation feed: peers presenting the bearer token this node gave them."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request

from federation.sync.peers import Peer, PeerBook


def feed_reader(
    request: Request,
    authorization: Annotated[
        str | None, Header(description="Bearer token this node gave the reading peer")
    ] = None,
) -> Peer | None:
    """The peer reading the feed; anyone else is refused (unless the node's feed is open)."""
    settings = request.app.state.node.settings
    if settings.feed_open:
        return None
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise HTTPException(
            401,
            "the federation feed is for peers: send 'Authorization: Bearer <token>'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    peer = PeerBook(settings.data_dir).who(token.strip())
    if peer is None:
        raise HTTPException(
            401,
            "this token belongs to no peer of this node",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return peer


FeedReader = Annotated[Peer | None, Depends(feed_reader)]
