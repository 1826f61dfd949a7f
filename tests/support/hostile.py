"""A hostile upstream: a real HTTP server in front of a real node that tampers with its pages.

It forwards every request to the node and, for entries pages, hands the node's answer to a
tamper function that may rewrite it (or answer something else entirely): what a forger, a
replaying middlebox or a broken peer would send. The follower is pointed at this server.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import FastAPI, Request, Response

from federation.signedlog.log import checkpoint_of
from federation.signedlog.note import NoteSigner
from tests.support.servers import serving

# A tamper function gets the node's page (parsed) and returns the bytes to answer.
Tamper = Callable[[dict[str, Any]], bytes]


def unchanged(page: dict[str, Any]) -> bytes:
    return json.dumps(page).encode()


@dataclass
class Hostile:
    """The server's switch: what it does to the next entries pages."""

    tamper: Tamper = unchanged
    served: list[dict[str, Any]] = field(default_factory=list)  # the node's pages, as sent


@contextmanager
def hostile_upstream(node_url: str) -> Iterator[tuple[str, Hostile]]:
    """Serve a tampering front for the node at ``node_url``; yield its URL and its switch."""
    hostile = Hostile()
    app = FastAPI()
    upstream = httpx.Client(base_url=node_url, timeout=30)

    @app.api_route("/{path:path}", methods=["GET", "PUT"])
    async def forward(path: str, request: Request) -> Response:
        headers = {"Authorization": request.headers.get("authorization", "")}
        answer = upstream.request(
            request.method,
            f"/{path}",
            params=request.query_params,
            content=await request.body(),
            headers=headers | {"Content-Type": request.headers.get("content-type", "")},
        )
        if path != "v1/log/entries" or answer.status_code != 200:
            return Response(answer.content, answer.status_code, media_type="application/json")
        page = answer.json()
        hostile.served.append(page)
        return Response(hostile.tamper(page), 200, media_type="application/json")

    try:
        with serving(app) as base:
            yield base, hostile
    finally:
        upstream.close()


# --- what a hostile upstream sends ------------------------------------------------------------


def resigned(page: dict[str, Any], signer: NoteSigner) -> dict[str, Any]:
    """The page with its checkpoint signed by ``signer`` instead."""
    text = checkpoint_of(page["checkpoint"]).to_text()
    return page | {"checkpoint": signer.sign(text)}


def signed_by(signer: NoteSigner) -> Tamper:
    """The checkpoint signed by ``signer`` (an impostor's key, or the node's new one)."""
    return lambda page: unchanged(resigned(page, signer))


def bad_signature(page: dict[str, Any]) -> bytes:
    """One bit of the signature flipped."""
    body, _, line = page["checkpoint"].rstrip("\n").rpartition("\n")
    prefix, _, signature = line.rpartition(" ")
    raw = bytearray(base64.b64decode(signature))
    raw[-1] ^= 1
    forged = f"{body}\n{prefix} {base64.b64encode(bytes(raw)).decode()}\n"
    return unchanged(page | {"checkpoint": forged})


def replaying(old: dict[str, Any]) -> Tamper:
    """Whatever is asked, answer an older page with its older checkpoint."""
    return lambda _page: unchanged(old)


def padded(extra: int) -> Tamper:
    """More entries than asked: the page's last entry repeated ``extra`` times."""
    return lambda page: unchanged(
        page | {"entries": page["entries"] + [page["entries"][-1]] * extra}
    )


def huge(size: int) -> Tamper:
    """A body of ``size`` bytes (valid JSON, a long checkpoint string)."""
    return lambda page: unchanged(page | {"checkpoint": "x" * size})


def not_base64(page: dict[str, Any]) -> bytes:
    entries = [dict(page["entries"][0], entry="not base64!"), *page["entries"][1:]]
    return unchanged(page | {"entries": entries})


def not_json(page: dict[str, Any]) -> bytes:
    return unchanged(page)[:-20]


def without_checkpoint(page: dict[str, Any]) -> bytes:
    return unchanged({k: v for k, v in page.items() if k != "checkpoint"})


def wrong_positions(page: dict[str, Any]) -> bytes:
    """The positions shifted by one: entries claim places they do not hold."""
    entries = [dict(e, position=e["position"] + 1) for e in page["entries"]]
    return unchanged(page | {"entries": entries})


def with_a_gap(page: dict[str, Any]) -> bytes:
    """The second entry left out."""
    return unchanged(page | {"entries": page["entries"][:1] + page["entries"][2:]})


def swapped(page: dict[str, Any]) -> bytes:
    """Two entries' bytes swapped, positions kept: each claims the other's place."""
    entries = [dict(e) for e in page["entries"]]
    entries[0]["entry"], entries[1]["entry"] = entries[1]["entry"], entries[0]["entry"]
    return unchanged(page | {"entries": entries})


def altered_entry(page: dict[str, Any]) -> bytes:
    """A receipt's contributor changed in the entry bytes: still well-formed, at its place."""
    entries = [dict(e) for e in page["entries"]]
    for e in entries:
        data = base64.b64decode(e["entry"])
        if b"Contributor" in data:
            e["entry"] = base64.b64encode(data.replace(b"Contributor", b"Kontributor", 1)).decode()
            break
    return unchanged(page | {"entries": entries})


def first(pages: int, tamper: Tamper) -> Tamper:
    """``tamper`` on the next ``pages`` pages only; the pages after them pass."""
    left = [pages]

    def first_only(page: dict[str, Any]) -> bytes:
        if left[0]:
            left[0] -= 1
            return tamper(page)
        return unchanged(page)

    return first_only
