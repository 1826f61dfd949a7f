"""What the liaison must have learned from a committee before it may decide on it.

The liaison decides only on what has reached it through sync: a consultation it was asked, a
nomination whose approval was requested, goods that were shipped, money that was sent. Each
check reads the row the remote projection keeps and refuses with ``DecisionMissing`` (naming
what has not arrived) or with the rule the decision would break.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from domain.errors import DecisionMissing, RuleBroken
from domain.liaison import GoodsDelivery
from domain.money import Money
from federation.persistence.database import Database
from projections.liaison_queries import KNOWN_SQL
from projections.rows import from_minor

Row = dict[str, Any]


def known(db: Database, kind: str, subject_id: UUID) -> Row | None:
    """The row of the ``kind`` (consultation, nomination, procurement, transfer) with this id."""
    rows = db.query(KNOWN_SQL[kind], [str(subject_id)])
    return rows[0] if rows else None


def _day(value: str) -> date:
    return date.fromisoformat(value)


def _label(row: Row) -> str:
    return f"{row['reference']} of the committee of {row['country']}"


def consultation(db: Database, consultation_id: UUID) -> Row:
    """The consultation an opinion answers; refused until it has reached the liaison."""
    row = known(db, "consultation", consultation_id)
    if row is None:
        raise DecisionMissing(
            "opinion.consultation_unknown",
            f"no consultation {consultation_id} has reached the liaison from any committee yet",
        )
    return row


def check_opinion_fits(row: Row, agency_id: UUID, agency_name: str, on: date) -> None:
    """Refuse an opinion by an agency not consulted, on a closed consultation, or predating it."""
    if str(agency_id) != row["agency_id"]:
        raise RuleBroken(
            "opinion.agency_mismatch",
            f"consultation {_label(row)} asks the {row['agency_name']}, not the {agency_name}",
        )
    if row["closed_on"] is not None:
        raise RuleBroken(
            "opinion.consultation_closed",
            f"consultation {_label(row)} was closed on {row['closed_on']}",
        )
    if on < _day(row["requested_on"]):
        raise RuleBroken(
            "opinion.before_request",
            f"consultation {_label(row)} was requested on {row['requested_on']}; "
            f"an opinion cannot date from {on}",
        )


def check_opinion_ceiling(row: Row, ceiling: Money | None) -> None:
    """Refuse an agency's ceiling in another currency than asked, or above what was asked."""
    if ceiling is None:
        return
    asked = from_minor(int(row["ceiling_minor"]), row["currency"])
    if ceiling.currency != asked.currency:
        raise RuleBroken(
            "opinion.ceiling_currency",
            f"consultation {_label(row)} asks for up to {asked}; "
            f"state the agency's ceiling in {asked.currency}, not {ceiling.currency}",
        )
    if ceiling > asked:
        raise RuleBroken(
            "opinion.ceiling_above_request",
            f"consultation {_label(row)} asks for up to {asked}; an agency's ceiling of "
            f"{ceiling} is above it (a ceiling only narrows what was asked)",
        )


def nomination_awaiting(db: Database, nomination_id: UUID) -> Row:
    """The nomination a union decides on, once its approval was requested."""
    row = known(db, "nomination", nomination_id)
    if row is None:
        raise DecisionMissing(
            "union.nomination_unknown",
            f"no nomination {nomination_id} has reached the liaison from any committee yet",
        )
    if row["approval_requested_on"] is None:
        raise DecisionMissing(
            "union.approval_not_requested",
            f"no request for the union's approval of {row['person']} (nomination "
            f"{_label(row)}) has reached the liaison yet",
        )
    return row


def check_union_fits(row: Row, union_id: UUID, union_name: str, on: date) -> None:
    """Refuse a decision by another union than the one named, or dated before the request."""
    if str(union_id) != row["union_id"]:
        raise RuleBroken(
            "union.wrong_union",
            f"nomination {_label(row)} asks the approval of the {row['union_name']}, "
            f"not of the {union_name}",
        )
    if on < _day(row["approval_requested_on"]):
        raise RuleBroken(
            "union.decided_before_request",
            f"the approval of {row['person']} was requested on {row['approval_requested_on']}; "
            f"a decision cannot date from {on}",
        )


def procurement_shipped(db: Database, procurement_id: UUID, delivered_on: date) -> Row:
    """The procurement whose delivery is confirmed: known, shipped, delivered after shipping."""
    row = known(db, "procurement", procurement_id)
    if row is None:
        raise DecisionMissing(
            "delivery.procurement_unknown",
            f"no procurement {procurement_id} has reached the liaison from any committee yet",
        )
    if row["shipped_on"] is None:
        raise DecisionMissing(
            "delivery.not_shipped",
            f"no shipment of procurement {_label(row)} has reached the liaison yet",
        )
    if delivered_on < _day(row["shipped_on"]):
        raise RuleBroken(
            "delivery.before_shipment",
            f"procurement {_label(row)} was shipped on {row['shipped_on']}; "
            f"it cannot have been delivered on {delivered_on}",
        )
    return row


def transfer_sent(db: Database, transfer_id: UUID, received: Money, on: date) -> Row:
    """The transfer whose receipt is confirmed: known, sent, confirmed in its own currency."""
    row = known(db, "transfer", transfer_id)
    if row is None:
        raise DecisionMissing(
            "receipt.transfer_unknown",
            f"no transfer {transfer_id} has reached the liaison from any committee yet",
        )
    if row["sent_on"] is None:
        raise DecisionMissing(
            "receipt.transfer_not_sent",
            f"no sending of the transfer from {row['sender']} to {row['recipient']} "
            "has reached the liaison yet",
        )
    if received.currency != row["currency"]:
        raise RuleBroken(
            "receipt.currency_mismatch",
            f"the transfer was sent in {row['currency']}; confirm what arrived in "
            f"{row['currency']}, not in {received.currency}",
        )
    if on < _day(row["sent_on"]):
        raise RuleBroken(
            "receipt.before_sending",
            f"the transfer was sent on {row['sent_on']}; its receipt cannot be confirmed on {on}",
        )
    return row


def procurement_for_enterprise(db: Database, procurement_id: UUID, enterprise: str) -> Row:
    """A procurement that equipped ``enterprise``; refused if unknown or bought for another."""
    row = known(db, "procurement", procurement_id)
    if row is None:
        raise DecisionMissing(
            "enterprise.procurement_unknown",
            f"no procurement {procurement_id} has reached the liaison from any committee yet",
        )
    if " ".join(row["enterprise"].split()).casefold() != " ".join(enterprise.split()).casefold():
        raise RuleBroken(
            "enterprise.procurement_elsewhere",
            f"procurement {_label(row)} equipped the {row['enterprise']}, not the {enterprise}",
        )
    return row


def delivered_by(row: Row, delivery: GoodsDelivery | None, on: date) -> None:
    """Refuse production with goods whose delivery is unconfirmed or came after ``on``."""
    if delivery is None:
        raise RuleBroken(
            "enterprise.not_delivered",
            f"the delivery of procurement {_label(row)} to the {row['enterprise']} "
            "has not been confirmed",
        )
    if on < delivery.delivered_on:
        raise RuleBroken(
            "enterprise.before_delivery",
            f"the goods of procurement {_label(row)} arrived on {delivery.delivered_on}; "
            f"production cannot start on {on}",
        )
