"""The committees' money as the International sees it: receipts and pledges.

One row per subject, keyed by the committee's country (its node id) and the subject's id, so one
node can never write over another node's rows. Each money event also moves the measures of
``flows`` (see there for the boundary); transfers, loans and surpluses have modules of their own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from domain.pledge import Pledge
from domain.receipt import CashReceipt, InKindReceipt
from projections.rows import Add, Change, Put, Table, to_minor
from projections.supervisory.flows import CONTRIBUTORS, flow, flow_from
from projections.supervisory.ops import AddFrom, Flow, Row, SvOp, Tally, Value, id_text, ref

RECEIPTS = Table(
    "sv_receipts",
    {
        "country": "TEXT",
        "receipt_id": "TEXT",
        "kind": "TEXT",
        "campaign_id": "TEXT",
        "contributor": "TEXT",
        "organisation_type": "TEXT",
        "description": "TEXT",
        "currency": "TEXT",
        "amount_minor": "BIGINT",
        "value_date": "TEXT",
        "pledge_id": "TEXT",
        "reference": "TEXT",
        "recorded_by": "TEXT",
        "reversed_on": "TEXT",
        "reversal_reason": "TEXT",
        "received_ref": "TEXT",
        "reversed_ref": "TEXT",
    },
    ("country", "receipt_id"),
    indexes=(("country", "value_date"), ("value_date",), ("campaign_id",)),
)
# Few receipts settle pledges: their index holds only those (see PARTIAL_INDEXES).
PLEDGES = Table(
    "sv_pledges",
    {
        "country": "TEXT",
        "pledge_id": "TEXT",
        "campaign_id": "TEXT",
        "pledger": "TEXT",
        "organisation_type": "TEXT",
        "currency": "TEXT",
        "total_minor": "BIGINT",
        "settled_minor": "BIGINT",
        "status": "TEXT",
        "pledged_on": "TEXT",
        "recorded_ref": "TEXT",
    },
    ("country", "pledge_id"),
    indexes=(("country", "pledged_on"),),
)
SETTLEMENTS = Table(
    "sv_pledge_settlements",
    {
        "country": "TEXT",
        "pledge_id": "TEXT",
        "due_on": "TEXT",
        "receipt_id": "TEXT",
        "currency": "TEXT",
        "actual_minor": "BIGINT",
        "settled_on": "TEXT",
        "settled_ref": "TEXT",
    },
    ("country", "pledge_id", "due_on"),
    indexes=(("receipt_id",),),
)
TABLES = (RECEIPTS, PLEDGES, SETTLEMENTS)

Projector = Callable[[str, Any], list[SvOp]]


def _key(country: str, name: str, event: Any) -> dict[str, str]:
    return {"country": country, name: str(event.originator_id)}


def _receipt(country: str, e: Any, kind: str, money: Any, description: str | None) -> list[SvOp]:
    # The most frequent event of all: its row and its contributor go as tuples (Row, Tally).
    receipt_id, minor, org = str(e.originator_id), to_minor(money), str(e.organisation_type)
    day, code, contributor = e.value_date.isoformat(), money.currency, e.contributor
    pledge = getattr(e, "pledge_id", None)
    row = (
        country,
        receipt_id,
        kind,
        id_text(e.campaign_id),
        contributor,
        org,
        description,
        code,
        minor,
        day,
        str(pledge) if pledge else None,
        e.reference,
        e.actor.person,
        None,  # reversed_on
        None,  # reversal_reason
        f"{receipt_id}/{e.originator_version}",
        None,  # reversed_ref
    )
    measure = "received" if kind == "cash" else "in_kind"
    return [
        Row(RECEIPTS, row),
        Flow(country, code, measure, org, day, minor),
        Tally(CONTRIBUTORS, (country, contributor, org), (1,)),
    ]


def cash_received(country: str, e: CashReceipt.Received) -> list[SvOp]:
    return _receipt(country, e, "cash", e.amount, None)


def in_kind_received(country: str, e: InKindReceipt.Received) -> list[SvOp]:
    return _receipt(country, e, "in_kind", e.valuation, e.description)


def reversed_(country: str, e: CashReceipt.Reversed | InKindReceipt.Reversed) -> list[SvOp]:
    key = _key(country, "receipt_id", e)
    guard = "reversed_on IS NULL"
    measure = "CASE kind WHEN 'cash' THEN 'received' ELSE 'in_kind' END"
    # A reversal corrects the receipt: it leaves on the receipt's own value date, so no period
    # and no conversion keeps any part of a receipt recorded in error.
    day = "value_date"
    contributor = AddFrom(
        CONTRIBUTORS,
        RECEIPTS,
        key,
        {
            "country": "country",
            "contributor": "contributor",
            "organisation_type": "organisation_type",
        },
        {"receipts": "-1"},
        guard,
    )
    values = {
        "reversed_on": e.reversed_on.isoformat(),
        "reversal_reason": e.reason,
        "reversed_ref": ref(e),
    }
    return [
        *flow_from(RECEIPTS, key, measure=measure, amount="-amount_minor", day=day, guard=guard),
        contributor,
        Change(RECEIPTS, key, values),
    ]


def pledge_recorded(country: str, e: Pledge.Recorded) -> list[SvOp]:
    row = _key(country, "pledge_id", e) | {
        "campaign_id": str(e.campaign_id),
        "pledger": e.pledger,
        "organisation_type": str(e.organisation_type),
        "currency": e.total.currency,
        "total_minor": to_minor(e.total),
        "settled_minor": 0,
        "status": "open",
        "pledged_on": e.pledged_on.isoformat(),
        "recorded_ref": ref(e),
    }
    org = str(e.organisation_type)
    return [Put(PLEDGES, row), *flow(country, "pledged", e.total, e.pledged_on, org)]


def pledge_settled(country: str, e: Pledge.InstalmentSettled) -> list[SvOp]:
    key, s = _key(country, "pledge_id", e), e.settlement
    row = key | {
        "due_on": s.due_on.isoformat(),
        "receipt_id": str(s.receipt_id),
        "currency": s.actual.currency,
        "actual_minor": to_minor(s.actual),
        "settled_on": s.settled_on.isoformat(),
        "settled_ref": ref(e),
    }
    minor = to_minor(s.actual)
    day = Value(s.settled_on.isoformat())
    return [
        Put(SETTLEMENTS, row),
        *flow_from(PLEDGES, key, measure=Value("pledge_settled"), amount=Value(minor), day=day),
        Add(PLEDGES, key, {"settled_minor": minor}),
    ]


def pledge_cancelled(country: str, e: Pledge.Cancelled) -> list[SvOp]:
    # What was promised and not paid leaves "pledged"; the event has no date of its own.
    key = _key(country, "pledge_id", e)
    unpaid = flow_from(
        PLEDGES,
        key,
        measure=Value("pledged"),
        amount="settled_minor - total_minor",
        day="pledged_on",
        guard="status = 'open'",
    )
    return [*unpaid, Change(PLEDGES, key, {"status": "cancelled"})]


PROJECTORS: dict[type[Any], Projector] = {
    CashReceipt.Received: cash_received,
    InKindReceipt.Received: in_kind_received,
    CashReceipt.Reversed: reversed_,
    InKindReceipt.Reversed: reversed_,
    Pledge.Recorded: pledge_recorded,
    Pledge.InstalmentSettled: pledge_settled,
    Pledge.Cancelled: pledge_cancelled,
}
