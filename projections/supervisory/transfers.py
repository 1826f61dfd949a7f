"""Transfers out of the committees: who signed, what was available, where the money stands.

A transfer is internal when it goes to the International (a node of the federation) and
outgoing otherwise (to the liaison, for a Russian agency): see the boundary in ``flows``. The
row keeps what the rules need: the names of the three people (compared case-folded), the balance
available in that currency when it was initiated, what arrived and what difference was booked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from domain.transfer import Transfer
from projections.rows import Change, Put, Table, to_minor
from projections.supervisory.flows import AVAILABLE, balance_sql, flow, flow_from
from projections.supervisory.ops import SetFrom, SvOp, Value, ref

TRANSFERS = Table(
    "sv_transfers",
    {
        "country": "TEXT",
        "transfer_id": "TEXT",
        "sender": "TEXT",
        "recipient": "TEXT",
        "flow": "TEXT",
        "purpose": "TEXT",
        "currency": "TEXT",
        "amount_minor": "BIGINT",
        "available_minor": "BIGINT",
        "status": "TEXT",
        "initiated_on": "TEXT",
        "initiated_by": "TEXT",
        "initiated_key": "TEXT",
        "countersigned_by": "TEXT",
        "countersigned_key": "TEXT",
        "sent_by": "TEXT",
        "sent_key": "TEXT",
        "sent_on": "TEXT",
        "confirmed_on": "TEXT",
        "received_minor": "BIGINT",
        "difference_minor": "BIGINT",
        "difference_reason": "TEXT",
        "initiated_ref": "TEXT",
        "countersigned_ref": "TEXT",
        "sent_ref": "TEXT",
        "confirmed_ref": "TEXT",
        "difference_ref": "TEXT",
    },
    ("country", "transfer_id"),
    indexes=(
        ("status", "sent_on"),
        ("status", "initiated_on"),
        ("country", "initiated_on"),
        ("initiated_on",),
    ),
)
TABLES = (TRANSFERS,)

Projector = Callable[[str, Any], list[SvOp]]


def person_key(name: str) -> str:
    """A person's name as the two-person rules compare it (the domain's own comparison)."""
    return name.strip().casefold()


def flow_class(recipient: str, international: str) -> str:
    """'internal' for a transfer to the International, 'outgoing' for anything else."""
    return "internal" if recipient.strip().upper() == international.upper() else "outgoing"


def _key(country: str, e: Any) -> dict[str, str]:
    return {"country": country, "transfer_id": str(e.originator_id)}


def initiated(international: str) -> Projector:
    """The projector of ``Transfer.Initiated`` for a federation whose International is named so."""

    def project(country: str, e: Transfer.Initiated) -> list[SvOp]:
        key = _key(country, e)
        row = key | {
            "sender": e.sender,
            "recipient": e.recipient,
            "flow": flow_class(e.recipient, international),
            "purpose": e.purpose,
            "currency": e.amount.currency,
            "amount_minor": to_minor(e.amount),
            "available_minor": None,
            "status": "initiated",
            "initiated_on": e.initiated_on.isoformat(),
            "initiated_by": e.actor.person,
            "initiated_key": person_key(e.actor.person),
        }
        # The balance is read before this transfer commits its amount: what was available.
        available = SetFrom(
            TRANSFERS, key, "available_minor", balance_sql(AVAILABLE), (country, e.amount.currency)
        )
        return [
            Put(TRANSFERS, row | {"initiated_ref": ref(e)}),
            available,
            *flow(country, "committed", e.amount, e.initiated_on),
        ]

    return project


def countersigned(country: str, e: Transfer.Countersigned) -> list[SvOp]:
    values = {
        "status": "countersigned",
        "countersigned_by": e.actor.person,
        "countersigned_key": person_key(e.actor.person),
        "countersigned_ref": ref(e),
    }
    return [Change(TRANSFERS, _key(country, e), values)]


def sent(country: str, e: Transfer.Sent) -> list[SvOp]:
    key, day = _key(country, e), Value(e.sent_on.isoformat())
    guard = "sent_on IS NULL AND status <> 'cancelled'"
    values = {
        "status": "sent",
        "sent_by": e.actor.person,
        "sent_key": person_key(e.actor.person),
        "sent_on": day.value,
        "sent_ref": ref(e),
    }
    return [
        *_move(key, Value("committed"), "-amount_minor", day, guard),
        *_move(key, "'in_transit_' || flow", "amount_minor", day, guard),
        Change(TRANSFERS, key, values),
    ]


def cancelled(country: str, e: Transfer.Cancelled) -> list[SvOp]:
    key = _key(country, e)
    guard = "sent_on IS NULL AND status <> 'cancelled'"
    return [
        *_move(key, Value("committed"), "-amount_minor", "initiated_on", guard),
        Change(TRANSFERS, key, {"status": "cancelled"}),
    ]


def confirmed(country: str, e: Transfer.ReceiptConfirmed) -> list[SvOp]:
    key, day = _key(country, e), Value(e.confirmed_on.isoformat())
    guard = "sent_on IS NOT NULL AND confirmed_on IS NULL"
    received = to_minor(e.received)
    values = {
        "status": "confirmed",
        "confirmed_on": day.value,
        "received_minor": received,
        "confirmed_ref": ref(e),
    }
    return [
        *_move(key, "'in_transit_' || flow", "-amount_minor", day, guard),
        *_move(key, "'transferred_' || flow", "amount_minor", day, guard),
        *_move(key, Value("transfer_difference"), "amount_minor", day, guard),
        *_move(key, Value("transfer_difference"), Value(-received), day, guard),
        Change(TRANSFERS, key, values),
    ]


def difference_booked(country: str, e: Transfer.DifferenceBooked) -> list[SvOp]:
    values = {
        "difference_minor": to_minor(e.difference),
        "difference_reason": e.reason,
        "difference_ref": ref(e),
    }
    return [Change(TRANSFERS, _key(country, e), values)]


def _move(key: dict[str, str], measure: Any, amount: Any, day: Any, guard: str) -> list[SvOp]:
    return flow_from(
        TRANSFERS, key, measure=measure, amount=amount, day=day, org=Value(""), guard=guard
    )


def projectors(international: str) -> dict[type[Any], Projector]:
    """The transfer projectors; ``international`` is the International's node id."""
    return {
        Transfer.Initiated: initiated(international),
        Transfer.Countersigned: countersigned,
        Transfer.Sent: sent,
        Transfer.Cancelled: cancelled,
        Transfer.ReceiptConfirmed: confirmed,
        Transfer.DifferenceBooked: difference_booked,
    }
