"""Surplus: what a period leaves over may only expand the campaign (resolution, point 7)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.campaign import CampaignKind
from domain.errors import RuleBroken
from domain.ids import derive_id
from domain.money import Money, require_positive
from domain.roles import Actor, Role, require_other_person, require_role


class Surplus(Aggregate):
    """A committee's surplus in one currency at the end of a period, and where it went."""

    class Declared(Aggregate.Created):
        actor: Actor
        country: str
        period_end: date
        amount: Money
        declared_on: date

    class Allocated(Aggregate.Event):
        actor: Actor
        campaign_id: UUID
        amount: Money
        allocated_on: date

        def apply(self, aggregate: Any) -> None:
            aggregate.allocated = aggregate.allocated + self.amount

    def __init__(
        self, actor: Actor, country: str, period_end: date, amount: Money, declared_on: date
    ) -> None:
        self.declared_by = actor.person
        self.country = country
        self.period_end = period_end
        self.amount = amount
        self.declared_on = declared_on
        self.allocated = Money.zero(amount.currency)

    @staticmethod
    def id_for(country: str, period_end: date, currency: str) -> UUID:
        """The surplus's id: one per committee, period end and currency."""
        return derive_id("surplus", country, period_end.isoformat(), currency)

    @classmethod
    def declare(
        cls, *, country: str, period_end: date, amount: Money, on: date, actor: Actor
    ) -> Surplus:
        """Declare the surplus left at the end of a period."""
        require_role(actor, Role.TREASURER, action="declaring a surplus")
        require_positive(amount, "the surplus")
        if on < period_end:
            raise RuleBroken(
                "surplus.declared_before_period_end",
                f"the surplus of the period ending {period_end} cannot be declared on {on}",
            )
        return cls._create(
            cls.Declared,
            id=cls.id_for(country, period_end, amount.currency),
            actor=actor,
            country=country,
            period_end=period_end,
            amount=amount,
            declared_on=on,
        )

    @property
    def unallocated(self) -> Money:
        """What is declared and not yet allocated."""
        return self.amount - self.allocated

    def allocate(
        self,
        *,
        campaign_id: UUID,
        campaign_kind: CampaignKind,
        amount: Money,
        on: date,
        actor: Actor,
    ) -> None:
        """Allocate part of the surplus to an expansion campaign; the declarer may not."""
        require_role(actor, Role.TREASURER, Role.SECRETARY, action="allocating a surplus")
        require_other_person(
            actor, self.declared_by, rule="surplus.allocated_by_declarer", action="allocating it"
        )
        kind = CampaignKind(campaign_kind)
        if kind is not CampaignKind.EXPANSION:
            raise RuleBroken(
                "surplus.not_expansion",
                f"a surplus may be used only to expand the campaign, not for a {kind.value} "
                "campaign",
            )
        require_positive(amount, "the amount allocated")
        if amount > self.unallocated:
            raise RuleBroken(
                "surplus.over_allocated",
                f"{amount} is more than the {self.unallocated} of the surplus not yet allocated",
            )
        self.trigger_event(
            self.Allocated, actor=actor, campaign_id=campaign_id, amount=amount, allocated_on=on
        )
