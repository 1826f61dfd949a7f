"""The committee's books: receipts, pledges, transfers and campaigns, and the queries over them.

Balances are per currency and never summed across currencies. Pledges are kept apart from
funds: they appear only as "pledged", never in what was received or is available.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from domain.campaign import Campaign
from domain.committee import NationalCommittee
from domain.loan import LoanSubscription
from domain.pledge import Pledge
from domain.procurement import Procurement
from domain.receipt import CashReceipt, InKindReceipt
from domain.specialist import SpecialistNomination
from domain.transfer import Transfer, TransferStatus
from projections import movements, resolution
from projections.movements import MOVEMENTS
from projections.rows import Add, Change, Op, Put, Repost, Table, to_minor

COMMITTEE = Table(
    "books_committee",
    {"committee_id": "TEXT", "country": "TEXT", "name": "TEXT", "national_section": "TEXT"},
    ("committee_id",),
)
DELEGATES = Table(
    "books_delegates",
    {"delegate": "TEXT", "organisation": "TEXT", "organisation_type": "TEXT"},
    ("delegate",),
)
OFFICERS = Table("books_officers", {"office": "TEXT", "person": "TEXT"}, ("office",))
CAMPAIGNS = Table(
    "books_campaigns",
    {
        "campaign_id": "TEXT",
        "code": "TEXT",
        "title": "TEXT",
        "kind": "TEXT",
        "national_section": "TEXT",
        "opened_on": "TEXT",
        "closed_on": "TEXT",
    },
    ("campaign_id",),
)
RECEIPTS = Table(
    "books_receipts",
    {
        "receipt_id": "TEXT",
        "kind": "TEXT",
        "campaign_id": "TEXT",
        "contributor": "TEXT",
        "organisation_type": "TEXT",
        "description": "TEXT",
        "currency": "TEXT",
        "amount_minor": "BIGINT",
        "value_date": "TEXT",
        "reference": "TEXT",
        "pledge_id": "TEXT",
        "reversed_on": "TEXT",
        "recorded_by": "TEXT",
    },
    ("receipt_id",),
    indexes=(("campaign_id",), ("currency",)),
)
PLEDGES = Table(
    "books_pledges",
    {
        "pledge_id": "TEXT",
        "campaign_id": "TEXT",
        "pledger": "TEXT",
        "organisation_type": "TEXT",
        "currency": "TEXT",
        "total_minor": "BIGINT",
        "settled_minor": "BIGINT",
        "status": "TEXT",
        "pledged_on": "TEXT",
    },
    ("pledge_id",),
)
TRANSFERS = Table(
    "books_transfers",
    {
        "transfer_id": "TEXT",
        "recipient": "TEXT",
        "purpose": "TEXT",
        "currency": "TEXT",
        "amount_minor": "BIGINT",
        "status": "TEXT",
        "initiated_on": "TEXT",
        "initiated_by": "TEXT",
        "countersigned_by": "TEXT",
        "sent_by": "TEXT",
        "sent_on": "TEXT",
        "confirmed_on": "TEXT",
        "received_minor": "BIGINT",
        "difference_minor": "BIGINT",
        "difference_reason": "TEXT",
    },
    ("transfer_id",),
)

TABLES = (
    COMMITTEE,
    DELEGATES,
    OFFICERS,
    CAMPAIGNS,
    RECEIPTS,
    PLEDGES,
    TRANSFERS,
    MOVEMENTS,
    *resolution.TABLES,
)


def _committee(e: NationalCommittee.Constituted) -> list[Op]:
    row = {"committee_id": str(e.originator_id), "country": e.country, "name": e.name}
    return [Put(COMMITTEE, {**row, "national_section": e.national_section})]


def _delegate(e: NationalCommittee.DelegateAdmitted) -> list[Op]:
    row = {"delegate": e.delegate, "organisation": e.organisation}
    return [Put(DELEGATES, {**row, "organisation_type": str(e.organisation_type)})]


def _officer(e: NationalCommittee.OfficerAppointed) -> list[Op]:
    return [Put(OFFICERS, {"office": str(e.office), "person": e.person})]


def _campaign_opened(e: Campaign.Opened) -> list[Op]:
    row = {
        "campaign_id": str(e.originator_id),
        "code": e.code,
        "title": e.title,
        "kind": str(e.kind),
        "national_section": e.national_section,
        "opened_on": e.opened_on.isoformat(),
        "closed_on": None,
    }
    return [Put(CAMPAIGNS, row)]


def _campaign_closed(e: Campaign.Closed) -> list[Op]:
    key = {"campaign_id": str(e.originator_id)}
    return [Change(CAMPAIGNS, key, {"closed_on": e.closed_on.isoformat()})]


def _receipt_row(e: CashReceipt.Received | InKindReceipt.Received) -> dict[str, Any]:
    return {
        "receipt_id": str(e.originator_id),
        "campaign_id": str(e.campaign_id),
        "contributor": e.contributor,
        "organisation_type": str(e.organisation_type),
        "value_date": e.value_date.isoformat(),
        "reference": e.reference,
        "reversed_on": None,
        "recorded_by": e.actor.person,
    }


def _cash_received(e: CashReceipt.Received) -> list[Op]:
    row = _receipt_row(e) | {
        "kind": "cash",
        "description": None,
        "currency": e.amount.currency,
        "amount_minor": to_minor(e.amount),
        "pledge_id": str(e.pledge_id) if e.pledge_id else None,
    }
    return [Put(RECEIPTS, row), *movements.cash_received(e)]


def _in_kind_received(e: InKindReceipt.Received) -> list[Op]:
    row = _receipt_row(e) | {
        "kind": "in_kind",
        "description": e.description,
        "currency": e.valuation.currency,
        "amount_minor": to_minor(e.valuation),
        "pledge_id": None,
    }
    return [Put(RECEIPTS, row), *movements.in_kind_received(e)]


def _reversed(e: CashReceipt.Reversed | InKindReceipt.Reversed) -> list[Op]:
    subject = str(e.originator_id)
    day = e.reversed_on.isoformat()
    return [
        Change(RECEIPTS, {"receipt_id": subject}, {"reversed_on": day}),
        *(Repost(MOVEMENTS, _key(e), subject, m, None, day) for m in ("cash_received", "in_kind")),
    ]


def _key(e: Any) -> str:
    return f"{e.originator_id}:{e.originator_version}"


def _pledge_recorded(e: Pledge.Recorded) -> list[Op]:
    row = {
        "pledge_id": str(e.originator_id),
        "campaign_id": str(e.campaign_id),
        "pledger": e.pledger,
        "organisation_type": str(e.organisation_type),
        "currency": e.total.currency,
        "total_minor": to_minor(e.total),
        "settled_minor": 0,
        "status": "open",
        "pledged_on": e.pledged_on.isoformat(),
    }
    return [Put(PLEDGES, row)]


def _pledge_settled(e: Pledge.InstalmentSettled) -> list[Op]:
    key = {"pledge_id": str(e.originator_id)}
    return [Add(PLEDGES, key, {"settled_minor": to_minor(e.settlement.actual)})]


def _pledge_cancelled(e: Pledge.Cancelled) -> list[Op]:
    return [Change(PLEDGES, {"pledge_id": str(e.originator_id)}, {"status": "cancelled"})]


def _transfer_initiated(e: Transfer.Initiated) -> list[Op]:
    row = {
        "transfer_id": str(e.originator_id),
        "recipient": e.recipient,
        "purpose": e.purpose,
        "currency": e.amount.currency,
        "amount_minor": to_minor(e.amount),
        "status": TransferStatus.INITIATED.value,
        "initiated_on": e.initiated_on.isoformat(),
        "initiated_by": e.actor.person,
        "countersigned_by": None,
        "sent_by": None,
        "sent_on": None,
        "confirmed_on": None,
        "received_minor": None,
        "difference_minor": None,
        "difference_reason": None,
    }
    return [Put(TRANSFERS, row), *movements.transfer_initiated(e)]


def _transfer_status(status: TransferStatus, **extra: str) -> dict[str, Any]:
    return {"status": status.value, **extra}


def _transfer_countersigned(e: Transfer.Countersigned) -> list[Op]:
    values = _transfer_status(TransferStatus.COUNTERSIGNED, countersigned_by=e.actor.person)
    return [Change(TRANSFERS, {"transfer_id": str(e.originator_id)}, values)]


def _transfer_sent(e: Transfer.Sent) -> list[Op]:
    day = e.sent_on.isoformat()
    values = _transfer_status(TransferStatus.SENT, sent_by=e.actor.person, sent_on=day)
    subject = str(e.originator_id)
    return [
        Change(TRANSFERS, {"transfer_id": subject}, values),
        Repost(MOVEMENTS, _key(e), subject, "committed", "in_transit", day),
    ]


def _transfer_cancelled(e: Transfer.Cancelled) -> list[Op]:
    subject = str(e.originator_id)
    return [
        Change(TRANSFERS, {"transfer_id": subject}, _transfer_status(TransferStatus.CANCELLED)),
        Repost(MOVEMENTS, _key(e), subject, "committed", None),
    ]


def _transfer_confirmed(e: Transfer.ReceiptConfirmed) -> list[Op]:
    subject = str(e.originator_id)
    day = e.confirmed_on.isoformat()
    values = {
        "status": TransferStatus.CONFIRMED.value,
        "confirmed_on": day,
        "received_minor": to_minor(e.received),
    }
    return [
        Change(TRANSFERS, {"transfer_id": subject}, values),
        Repost(MOVEMENTS, _key(e), subject, "in_transit", "transferred", day),
    ]


def _transfer_difference(e: Transfer.DifferenceBooked) -> list[Op]:
    values = {"difference_minor": to_minor(e.difference), "difference_reason": e.reason}
    return [Change(TRANSFERS, {"transfer_id": str(e.originator_id)}, values)]


PROJECTORS: dict[type[Any], Callable[[Any], list[Op]]] = {
    NationalCommittee.Constituted: _committee,
    NationalCommittee.DelegateAdmitted: _delegate,
    NationalCommittee.OfficerAppointed: _officer,
    Campaign.Opened: _campaign_opened,
    Campaign.Closed: _campaign_closed,
    CashReceipt.Received: _cash_received,
    InKindReceipt.Received: _in_kind_received,
    CashReceipt.Reversed: _reversed,
    InKindReceipt.Reversed: _reversed,
    Pledge.Recorded: _pledge_recorded,
    Pledge.InstalmentSettled: _pledge_settled,
    Pledge.Cancelled: _pledge_cancelled,
    Transfer.Initiated: _transfer_initiated,
    Transfer.Countersigned: _transfer_countersigned,
    Transfer.Sent: _transfer_sent,
    Transfer.Cancelled: _transfer_cancelled,
    Transfer.ReceiptConfirmed: _transfer_confirmed,
    Transfer.DifferenceBooked: _transfer_difference,
}


def project(event: object) -> list[Op]:
    """The row operations one event makes to the books (none for events the books ignore)."""
    projector = PROJECTORS.get(type(event)) or resolution.PROJECTORS.get(type(event))
    movement = movements.PROJECTORS.get(type(event)) if type(event) in _OWN_MOVEMENTS else None
    ops = projector(event) if projector else []
    return ops + (movement(event) if movement else [])


# Money events whose movement is not already written by the books' own projector above.
_OWN_MOVEMENTS = {
    LoanSubscription.Recorded,
    LoanSubscription.CouponPaid,
    LoanSubscription.PrincipalRedeemed,
    Procurement.Paid,
    SpecialistNomination.EmigrationFunded,
}


# --- Queries (plain SQL over the tables above; amounts in minor units) ---------------------

PLEDGES_SQL = """
SELECT currency,
  SUM(CASE WHEN status = 'cancelled' THEN settled_minor ELSE total_minor END) AS pledged_minor,
  SUM(settled_minor) AS pledge_settled_minor
FROM books_pledges GROUP BY currency
"""

BY_CAMPAIGN_SQL = """
SELECT c.campaign_id, c.code, c.title, c.kind, m.currency,
  SUM(m.pledged_minor) AS pledged_minor, SUM(m.received_minor) AS received_minor,
  SUM(m.in_kind_minor) AS in_kind_minor
FROM books_campaigns AS c
JOIN (
  SELECT campaign_id, currency, 0 AS pledged_minor,
    CASE WHEN kind = 'cash' AND reversed_on IS NULL THEN amount_minor ELSE 0 END
      AS received_minor,
    CASE WHEN kind = 'in_kind' AND reversed_on IS NULL THEN amount_minor ELSE 0 END
      AS in_kind_minor
  FROM books_receipts
  UNION ALL
  SELECT campaign_id, currency,
    CASE WHEN status = 'cancelled' THEN settled_minor ELSE total_minor END, 0, 0
  FROM books_pledges
) AS m ON m.campaign_id = c.campaign_id
GROUP BY c.campaign_id, c.code, c.title, c.kind, m.currency
ORDER BY c.code, m.currency
"""

BY_ORGANISATION_TYPE_SQL = """
SELECT organisation_type, currency,
  SUM(pledged_minor) AS pledged_minor, SUM(received_minor) AS received_minor,
  SUM(in_kind_minor) AS in_kind_minor, SUM(contributions) AS contributions
FROM (
  SELECT organisation_type, currency, 0 AS pledged_minor,
    CASE WHEN kind = 'cash' AND reversed_on IS NULL THEN amount_minor ELSE 0 END
      AS received_minor,
    CASE WHEN kind = 'in_kind' AND reversed_on IS NULL THEN amount_minor ELSE 0 END
      AS in_kind_minor,
    CASE WHEN reversed_on IS NULL THEN 1 ELSE 0 END AS contributions
  FROM books_receipts
  UNION ALL
  SELECT organisation_type, currency,
    CASE WHEN status = 'cancelled' THEN settled_minor ELSE total_minor END, 0, 0, 0
  FROM books_pledges
) AS m
GROUP BY organisation_type, currency
ORDER BY organisation_type, currency
"""
