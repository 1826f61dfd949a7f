"""The liaison's decisions as one-line steps with the story's usual values, overridable by name."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from domain.agency import AgencyKind
from domain.decisions import OpinionVerdict
from tests.support.liaison_story import LIAISON_OFFICER, TOIKINO, UNION_REP, World, usd


def opinion(w: World, consultation: UUID, agency: str = "NARKOMZEM", **kw: Any) -> Any:
    """The agency concurs until the end of 1922."""
    terms: dict[str, Any] = {"actor": LIAISON_OFFICER, "on": date(1922, 3, 15)} | kw
    terms.setdefault("verdict", OpinionVerdict.CONCUR)
    terms.setdefault("valid_until", date(1922, 12, 31))
    return w.liaison.record_opinion(
        terms.pop("actor"), consultation_id=consultation, agency_code=agency, **terms
    )


def revise(w: World, consultation: UUID, **kw: Any) -> Any:
    """The agency extends its concurrence into 1923."""
    terms: dict[str, Any] = {
        "verdict": OpinionVerdict.CONCUR,
        "valid_until": date(1923, 3, 31),
    } | kw
    terms.setdefault("on", date(1922, 4, 1))
    return w.liaison.revise_opinion(LIAISON_OFFICER, consultation_id=consultation, **terms)


def withdraw(w: World, consultation: UUID) -> Any:
    """The agency withdraws its opinion."""
    return w.liaison.withdraw_opinion(
        LIAISON_OFFICER, consultation_id=consultation, reason="no tractors", on=date(1922, 5, 1)
    )


def grant(w: World, nomination: UUID, union: str = "METALLIST", **kw: Any) -> Any:
    """The union approves the nominated specialist."""
    terms: dict[str, Any] = {"actor": UNION_REP, "on": date(1922, 5, 1)} | kw
    return w.liaison.grant_union_approval(
        terms.pop("actor"), nomination_id=nomination, union_code=union, **terms
    )


def deliver(w: World, procurement: UUID, **kw: Any) -> Any:
    """The goods arrived on 20 June 1922, confirmed two days later."""
    terms: dict[str, Any] = {"actor": LIAISON_OFFICER, "delivered_on": date(1922, 6, 20)} | kw
    terms.setdefault("on", date(1922, 6, 22))
    return w.liaison.confirm_delivery(terms.pop("actor"), procurement_id=procurement, **terms)


def receive(w: World, transfer_id: UUID, **kw: Any) -> Any:
    """The agency received 1000 dollars."""
    terms: dict[str, Any] = {
        "actor": LIAISON_OFFICER,
        "received": usd("1000.00"),
        "on": date(1922, 6, 30),
    } | kw
    return w.liaison.confirm_transfer_receipt(terms.pop("actor"), transfer_id=transfer_id, **terms)


def produce(w: World, *procurements: UUID, **kw: Any) -> Any:
    """The Toikino farm is producing from 1 July 1922."""
    terms: dict[str, Any] = {"actor": LIAISON_OFFICER, "name": TOIKINO, "on": date(1922, 7, 1)} | kw
    return w.liaison.bring_enterprise_into_production(
        terms.pop("actor"), procurement_ids=list(procurements), **terms
    )


def register(w: World, code: str, parent: str | None = None, **kw: Any) -> Any:
    """A trade union is registered, under ``parent`` if given."""
    terms: dict[str, Any] = {"actor": LIAISON_OFFICER, "kind": AgencyKind.TRADE_UNION} | kw
    return w.liaison.register_agency(
        terms.pop("actor"),
        code=code,
        name=f"union {code}",
        on=date(1922, 1, 1),
        parent_code=parent,
        **terms,
    )
