"""Bodies of the International's supervisory API: the watermark every answer carries, the
overview, compliance exceptions, and a row model per list (generated from its columns)."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, Field, create_model

from federation.api.schemas import Body


class WatermarkNode(BaseModel):
    """How much of one node's log the answer includes, and when that node was last synced."""

    node: str = Field(description="the node's id, e.g. DE or RU-LIAISON")
    included: int = Field(description="log size of the node the supervisory view includes")
    ingested: int = Field(description="log size of the node ingested at the International")
    verified: int | None = Field(description="log size verified against a signed checkpoint")
    upstream_head: int | None = Field(description="the node's log size at its last checkpoint")
    status: str | None = Field(description="following or quarantined (None: never followed)")
    last_synced: str | None = Field(description="when the node was last synced (UTC)")
    synced_by: str = Field(description="'follower' (verified sync) or 'ingest' (delivered)")


class Watermark(BaseModel):
    """The completeness of an answer: per node, what it includes and when it was synced."""

    nodes: list[WatermarkNode]
    complete: bool = Field(description="true when every ingested entry is projected")
    international_read_to: int = Field(
        description="the International's own events (rates, exceptions recorded) read up to "
        "this notification"
    )


class Overview(BaseModel):
    """The supervisory overview; amounts are decimal text in their currency."""

    reporting_currency: str | None
    since: date | None
    until: date | None
    boundary: dict[str, str] = Field(description="what incoming, internal and outgoing count")
    currencies: list[dict[str, Any]] = Field(description="the federation's figures per currency")
    converted: dict[str, Any] | None = Field(
        description="the federation's figures in the reporting currency, the rates used and "
        "the amounts with no rate (figures they belong to are null, never zero)"
    )
    countries: list[dict[str, Any]] = Field(description="per country: figures per currency")
    aims: dict[str, Any] = Field(description="breadth of solidarity beside economic results")
    watermark: Watermark


class EventRef(BaseModel):
    """An event behind a finding: the node whose log holds it and its position there."""

    upstream: str
    position: int | None
    topic: str | None


class ExceptionOut(BaseModel):
    """A compliance exception found in the replayed events."""

    exception_id: str = Field(description="ComplianceException id of (rule, node, subject)")
    rule: str = Field(examples=["procurement.without_concurring_consultation"])
    rule_text: str
    node: str = Field(description="the node that broke the rule")
    subject: str = Field(examples=["procurement"])
    subject_id: str
    on: str | None = Field(description="the day it happened")
    detail: str
    status: str = Field(description="open, or resolved by a supervisor")
    resolution: str | None
    resolved_on: str | None
    resolved_by: str | None
    events: list[EventRef]


class ExceptionsPage(BaseModel):
    items: list[ExceptionOut]
    limit: int
    offset: int
    as_of: date
    watermark: Watermark


class ResolveIn(Body):
    resolution: str = Field(examples=["the committee booked the difference as bank charges"])
    resolved_on: date
    as_of: date | None = Field(
        default=None, description="the day the timed rules were evaluated as of (default: today)"
    )


class RebuildOut(BaseModel):
    replayed: int = Field(description="ingested entries replayed")
    digest: str = Field(description="SHA-256 over every supervisory table's rows")
    watermark: Watermark


class DigestOut(BaseModel):
    digest: str = Field(description="SHA-256 over every supervisory table's rows, in key order")
    watermark: Watermark


class Rows(BaseModel):
    """A page of rows with the watermark of the state they were read from."""

    items: list[dict[str, Any]]
    limit: int
    offset: int
    watermark: Watermark


def page_model(name: str, columns: tuple[str, ...], description: str) -> type[BaseModel]:
    """A page model whose rows have ``columns`` (for the OpenAPI description of a list)."""
    fields: dict[str, Any] = dict.fromkeys(columns, (Any, None))
    row = create_model(f"{name}Row", **fields)
    row.__doc__ = description
    return create_model(
        f"{name}Page",
        items=(list[row], ...),
        limit=(int, ...),
        offset=(int, ...),
        watermark=(Watermark, ...),
    )
