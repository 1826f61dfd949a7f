"""Receipts: cash and goods in kind, kept apart; a wrong receipt is corrected only by reversal."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.committee import OrganisationType, require_text
from domain.errors import RuleBroken
from domain.money import Money, require_positive
from domain.roles import Actor, Role, require_role


class Reversible(Aggregate):
    """A receipt that can be reversed once, with a reason; nothing is ever edited."""

    reversed_on: date | None

    class Reversed(Aggregate.Event):
        actor: Actor
        reason: str
        reversed_on: date

        def apply(self, aggregate: Any) -> None:
            aggregate.reversed_on = self.reversed_on

    def reverse(self, *, reason: str, on: date, actor: Actor) -> None:
        """Reverse the receipt: its amount leaves the books, the record stays."""
        require_role(actor, Role.TREASURER, action="reversing a receipt")
        if self.reversed_on is not None:
            raise RuleBroken(
                "receipt.already_reversed", f"this receipt was reversed on {self.reversed_on}"
            )
        self.trigger_event(
            self.Reversed,
            actor=actor,
            reason=require_text(reason, "reason for the reversal"),
            reversed_on=on,
        )


class CashReceipt(Reversible):
    """Money received for a campaign."""

    class Received(Aggregate.Created):
        actor: Actor
        campaign_id: UUID
        contributor: str
        organisation_type: OrganisationType
        amount: Money
        value_date: date
        pledge_id: UUID | None
        reference: str | None

    def __init__(
        self,
        actor: Actor,
        campaign_id: UUID,
        contributor: str,
        organisation_type: OrganisationType,
        amount: Money,
        value_date: date,
        pledge_id: UUID | None,
        reference: str | None,
    ) -> None:
        self.campaign_id = campaign_id
        self.contributor = contributor
        self.organisation_type = OrganisationType(organisation_type)
        self.amount = amount
        self.value_date = value_date
        self.pledge_id = pledge_id
        self.reference = reference
        self.reversed_on: date | None = None

    @classmethod
    def receive(
        cls,
        *,
        receipt_id: UUID,
        campaign_id: UUID,
        contributor: str,
        organisation_type: OrganisationType,
        amount: Money,
        value_date: date,
        actor: Actor,
        pledge_id: UUID | None = None,
        reference: str | None = None,
    ) -> CashReceipt:
        """Record money received for a campaign."""
        require_role(actor, Role.TREASURER, action="recording a cash receipt")
        return cls._create(
            cls.Received,
            id=receipt_id,
            actor=actor,
            campaign_id=campaign_id,
            contributor=require_text(contributor, "contributor"),
            organisation_type=OrganisationType(organisation_type),
            amount=require_positive(amount, "the amount received"),
            value_date=value_date,
            pledge_id=pledge_id,
            reference=reference,
        )


class InKindReceipt(Reversible):
    """Goods received for a campaign, valued in money but never mixed with cash."""

    class Received(Aggregate.Created):
        actor: Actor
        campaign_id: UUID
        contributor: str
        organisation_type: OrganisationType
        description: str
        valuation: Money
        value_date: date
        reference: str | None

    def __init__(
        self,
        actor: Actor,
        campaign_id: UUID,
        contributor: str,
        organisation_type: OrganisationType,
        description: str,
        valuation: Money,
        value_date: date,
        reference: str | None,
    ) -> None:
        self.campaign_id = campaign_id
        self.contributor = contributor
        self.organisation_type = OrganisationType(organisation_type)
        self.description = description
        self.valuation = valuation
        self.value_date = value_date
        self.reference = reference
        self.reversed_on: date | None = None

    @classmethod
    def receive(
        cls,
        *,
        receipt_id: UUID,
        campaign_id: UUID,
        contributor: str,
        organisation_type: OrganisationType,
        description: str,
        valuation: Money,
        value_date: date,
        actor: Actor,
        reference: str | None = None,
    ) -> InKindReceipt:
        """Record goods received for a campaign, with their valuation."""
        require_role(actor, Role.TREASURER, action="recording goods received in kind")
        return cls._create(
            cls.Received,
            id=receipt_id,
            actor=actor,
            campaign_id=campaign_id,
            contributor=require_text(contributor, "contributor"),
            organisation_type=OrganisationType(organisation_type),
            description=require_text(description, "description of the goods"),
            valuation=require_positive(valuation, "the valuation of the goods"),
            value_date=value_date,
            reference=reference,
        )
