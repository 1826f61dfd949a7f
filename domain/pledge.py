"""Pledges: promises of money on a schedule. A pledge is never counted as funds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.committee import OrganisationType, require_text
from domain.errors import InvalidInput, NotFound, RuleBroken
from domain.money import Money, require_positive, total
from domain.roles import Actor, Role, require_role


@dataclass(frozen=True, slots=True)
class Instalment:
    """One scheduled payment of a pledge."""

    due_on: date
    amount: Money


@dataclass(frozen=True, slots=True)
class Settlement:
    """What was actually paid against an instalment, and the receipt that booked it."""

    due_on: date
    actual: Money
    receipt_id: UUID
    settled_on: date


def check_schedule(schedule: tuple[Instalment, ...], expected: Money) -> tuple[Instalment, ...]:
    """Refuse a schedule that is empty, mixes currencies, repeats a date or misses the total."""
    if not schedule:
        raise InvalidInput("pledge.schedule_empty", "a pledge needs at least one instalment")
    for instalment in schedule:
        require_positive(instalment.amount, f"the instalment due {instalment.due_on}")
    dates = [i.due_on for i in schedule]
    if len(set(dates)) != len(dates):
        raise InvalidInput("pledge.duplicate_due_date", "two instalments fall due on one date")
    scheduled = total([i.amount for i in schedule], expected.currency)
    if scheduled.amount != expected.amount:
        raise RuleBroken(
            "pledge.schedule_does_not_sum",
            f"the instalments sum to {scheduled} but must sum exactly to {expected}",
        )
    return tuple(sorted(schedule, key=lambda i: i.due_on))


class Pledge(Aggregate):
    """A promise by an organisation or person to pay a total on a schedule of instalments."""

    class Recorded(Aggregate.Created):
        actor: Actor
        campaign_id: UUID
        pledger: str
        organisation_type: OrganisationType
        total: Money
        schedule: tuple[Instalment, ...]
        pledged_on: date

    class Rescheduled(Aggregate.Event):
        actor: Actor
        schedule: tuple[Instalment, ...]
        reason: str

        def apply(self, aggregate: Any) -> None:
            aggregate.schedule = tuple(self.schedule)

    class InstalmentSettled(Aggregate.Event):
        actor: Actor
        settlement: Settlement

        def apply(self, aggregate: Any) -> None:
            aggregate.schedule = tuple(
                i for i in aggregate.schedule if i.due_on != self.settlement.due_on
            )
            aggregate.settlements.append(self.settlement)

    class Cancelled(Aggregate.Event):
        actor: Actor
        reason: str

        def apply(self, aggregate: Any) -> None:
            aggregate.cancelled = True

    def __init__(
        self,
        actor: Actor,
        campaign_id: UUID,
        pledger: str,
        organisation_type: OrganisationType,
        total: Money,
        schedule: tuple[Instalment, ...],
        pledged_on: date,
    ) -> None:
        self.campaign_id = campaign_id
        self.pledger = pledger
        self.organisation_type = OrganisationType(organisation_type)
        self.total = total
        self.schedule = tuple(schedule)
        self.pledged_on = pledged_on
        self.settlements: list[Settlement] = []
        self.cancelled = False

    @classmethod
    def record(
        cls,
        *,
        pledge_id: UUID,
        campaign_id: UUID,
        pledger: str,
        organisation_type: OrganisationType,
        total: Money,
        schedule: tuple[Instalment, ...],
        on: date,
        actor: Actor,
    ) -> Pledge:
        """Record a pledge whose instalments sum exactly to its total."""
        require_role(actor, Role.TREASURER, Role.SECRETARY, action="recording a pledge")
        require_positive(total, "the pledged total")
        return cls._create(
            cls.Recorded,
            id=pledge_id,
            actor=actor,
            campaign_id=campaign_id,
            pledger=require_text(pledger, "pledger"),
            organisation_type=OrganisationType(organisation_type),
            total=total,
            schedule=check_schedule(tuple(schedule), total),
            pledged_on=on,
        )

    @property
    def settled(self) -> Money:
        """The sum of what was actually paid."""
        return total([s.actual for s in self.settlements], self.total.currency)

    @property
    def outstanding(self) -> Money:
        """What the pledger still owes: the total less what was actually paid, never below 0."""
        remaining = self.total - self.settled
        return remaining if remaining.amount > 0 else Money.zero(self.total.currency)

    def _require_active(self) -> None:
        if self.cancelled:
            raise RuleBroken("pledge.cancelled", f"the pledge of {self.pledger} was cancelled")

    def reschedule(self, *, schedule: tuple[Instalment, ...], reason: str, actor: Actor) -> None:
        """Replace the open instalments with a new schedule that sums to what is outstanding."""
        require_role(actor, Role.TREASURER, action="rescheduling a pledge")
        self._require_active()
        if not self.outstanding.is_positive:
            raise RuleBroken("pledge.fully_settled", "nothing is outstanding on this pledge")
        self.trigger_event(
            self.Rescheduled,
            actor=actor,
            schedule=check_schedule(tuple(schedule), self.outstanding),
            reason=require_text(reason, "reason for rescheduling"),
        )

    def settle_instalment(
        self, *, due_on: date, actual: Money, receipt_id: UUID, on: date, actor: Actor
    ) -> None:
        """Settle the instalment due on ``due_on`` with the amount actually paid."""
        require_role(actor, Role.TREASURER, action="settling a pledge instalment")
        self._require_active()
        require_positive(actual, "the amount paid")
        if actual.currency != self.total.currency:
            raise RuleBroken(
                "money.mixed_currencies",
                f"the pledge is in {self.total.currency}; the payment is in {actual.currency}",
            )
        if not any(i.due_on == due_on for i in self.schedule):
            if any(s.due_on == due_on for s in self.settlements):
                raise RuleBroken(
                    "pledge.instalment_already_settled",
                    f"the instalment due {due_on} is already settled",
                )
            raise NotFound("pledge.no_such_instalment", f"no instalment falls due on {due_on}")
        settlement = Settlement(due_on=due_on, actual=actual, receipt_id=receipt_id, settled_on=on)
        self.trigger_event(self.InstalmentSettled, actor=actor, settlement=settlement)

    def cancel(self, *, reason: str, actor: Actor) -> None:
        """Cancel what is outstanding; what was paid stays paid."""
        require_role(actor, Role.TREASURER, action="cancelling a pledge")
        self._require_active()
        self.trigger_event(
            self.Cancelled, actor=actor, reason=require_text(reason, "reason for cancelling")
        )
