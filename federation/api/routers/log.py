"""The node's signed log over HTTP: checkpoints, entries, proofs and cosignatures (DESIGN §6)."""

from __future__ import annotations

import binascii
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Body, Depends, Query, Response
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field

from domain.errors import InvalidInput
from federation.api.deps import get_app
from federation.api.errors import ERROR_RESPONSES
from federation.signedlog.log import MAX_PAGE, SignedLog

router = APIRouter(prefix="/v1/log", tags=["log"], responses=ERROR_RESPONSES)


def get_log(app: Annotated[Any, Depends(get_app)]) -> SignedLog:
    """The node's signed log."""
    log: SignedLog = app.signed_log
    return log


LogDep = Annotated[SignedLog, Depends(get_log)]
NOTE = "text/plain; charset=utf-8"


def _b64(data: bytes) -> str:
    return binascii.b2a_base64(data, newline=False).decode("ascii")


class EntryOut(BaseModel):
    """One log entry: which event it is and its canonical bytes (base64)."""

    position: int = Field(description="dense log position, 1-based (Merkle leaf index + 1)")
    originator_id: str = Field(description="the aggregate's id")
    originator_version: int
    topic: str
    entry: str = Field(description="the canonical entry bytes, base64; leaf = SHA-256(0x00||entry)")


class EntriesOut(BaseModel):
    """Contiguous entries after `after`, with a signed checkpoint that covers them."""

    checkpoint: str = Field(description="a C2SP tlog-checkpoint signed note")
    size: int = Field(description="the checkpoint's tree size")
    entries: list[EntryOut]


class InclusionOut(BaseModel):
    """RFC 6962 audit path of one leaf in the tree of `size`."""

    index: int
    position: int
    size: int
    leaf_hash: str
    hashes: list[str] = Field(description="base64, nearest the leaf first")


class ConsistencyOut(BaseModel):
    """RFC 6962 consistency proof between two tree sizes."""

    first: int
    second: int
    hashes: list[str] = Field(description="base64")


@router.get("/checkpoint", response_class=PlainTextResponse)
def checkpoint(log: LogDep) -> PlainTextResponse:
    """The latest signed checkpoint (origin, size, root), signed just now if the log grew."""
    return PlainTextResponse(log.checkpoint(), media_type=NOTE)


@router.get("/entries", response_model=EntriesOut)
def entries(
    log: LogDep,
    after: Annotated[int, Query(ge=0, description="the last position already held")] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="page size")] = 100,
    wait: Annotated[
        float, Query(ge=0, le=30, description="if nothing is new, hold on up to this many seconds")
    ] = 0,
) -> Response:
    """Entries after+1.. (at most `limit`), all covered by the checkpoint sent with them.

    With `wait`, a follower that is level long-polls: the answer comes as soon as there is news.
    """
    page = log.wait_for_entries(after, limit, wait) if wait else log.entries(after, limit)
    # Written straight to JSON by orjson (the shape of EntriesOut): a page holds up to a
    # thousand entries, and a pydantic model per entry cost more than reading and hashing them.
    items = [
        {
            "position": e.position,
            "originator_id": e.originator_id,
            "originator_version": e.originator_version,
            "topic": e.topic,
            "entry": _b64(e.entry),
        }
        for e in page.entries
    ]
    body = {"checkpoint": page.checkpoint, "size": page.size, "entries": items}
    return Response(orjson.dumps(body), media_type="application/json")


@router.get("/proof/inclusion", response_model=InclusionOut)
def inclusion(
    log: LogDep,
    size: Annotated[int, Query(ge=1, description="tree size of a checkpoint you hold")],
    index: Annotated[int | None, Query(ge=0, description="leaf index (0-based)")] = None,
    position: Annotated[int | None, Query(ge=1, description="or the log position")] = None,
) -> InclusionOut:
    """The audit path proving one entry is in the tree of `size`; give index or position."""
    leaf = _leaf_index(index, position)
    hashes = log.inclusion_proof(leaf, size)
    return InclusionOut(
        index=leaf,
        position=leaf + 1,
        size=size,
        leaf_hash=_b64(log.leaf_hash(leaf)),
        hashes=[_b64(h) for h in hashes],
    )


def _leaf_index(index: int | None, position: int | None) -> int:
    if index is not None and position is None:
        return index
    if position is not None and index is None:
        return position - 1
    raise InvalidInput("log.leaf_unspecified", "give exactly one of index and position")


@router.get("/proof/consistency", response_model=ConsistencyOut)
def consistency(
    log: LogDep,
    first: Annotated[int, Query(ge=0, description="the smaller tree size")],
    second: Annotated[int, Query(ge=0, description="the larger tree size")],
) -> ConsistencyOut:
    """The proof that the tree of `second` extends the tree of `first`."""
    hashes = log.consistency_proof(first, second)
    return ConsistencyOut(first=first, second=second, hashes=[_b64(h) for h in hashes])


@router.put("/cosignatures/{size}", status_code=204, response_class=Response)
def cosign(
    log: LogDep,
    size: int,
    line: Annotated[str, Body(media_type="text/plain", description="one cosignature line")],
) -> Response:
    """Keep a follower's cosignature on checkpoint `size` as a receipt (idempotent)."""
    log.add_cosignature(size, line)
    return Response(status_code=204)
