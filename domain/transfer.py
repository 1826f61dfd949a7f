"""Transfers out of a committee: initiated, countersigned, sent, in transit until confirmed.

Three people take part: one initiates (submits), another countersigns (approves), a third sends
(pays). The amount never exceeds the balance available in that currency at initiation.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.committee import require_text
from domain.errors import RuleBroken
from domain.money import Money, require_positive
from domain.roles import Actor, Role, require_other_person, require_role


class TransferStatus(StrEnum):
    """Where a transfer stands."""

    INITIATED = "initiated"
    COUNTERSIGNED = "countersigned"
    SENT = "sent"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


class Transfer(Aggregate):
    """Money leaving a committee for the International or a Russian agency."""

    class Initiated(Aggregate.Created):
        actor: Actor
        sender: str
        recipient: str
        amount: Money
        purpose: str
        initiated_on: date

    class Countersigned(Aggregate.Event):
        actor: Actor

        def apply(self, aggregate: Any) -> None:
            aggregate.countersigned_by = self.actor.person
            aggregate.status = TransferStatus.COUNTERSIGNED

    class Sent(Aggregate.Event):
        actor: Actor
        sent_on: date
        reference: str | None

        def apply(self, aggregate: Any) -> None:
            aggregate.sent_by = self.actor.person
            aggregate.sent_on = self.sent_on
            aggregate.status = TransferStatus.SENT

    class Cancelled(Aggregate.Event):
        actor: Actor
        reason: str

        def apply(self, aggregate: Any) -> None:
            aggregate.status = TransferStatus.CANCELLED

    def __init__(
        self,
        actor: Actor,
        sender: str,
        recipient: str,
        amount: Money,
        purpose: str,
        initiated_on: date,
    ) -> None:
        self.initiated_by = actor.person
        self.sender = sender
        self.recipient = recipient
        self.amount = amount
        self.purpose = purpose
        self.initiated_on = initiated_on
        self.status = TransferStatus.INITIATED
        self.countersigned_by: str | None = None
        self.sent_by: str | None = None
        self.sent_on: date | None = None

    @classmethod
    def initiate(
        cls,
        *,
        transfer_id: UUID,
        sender: str,
        recipient: str,
        amount: Money,
        available: Money,
        purpose: str,
        on: date,
        actor: Actor,
    ) -> Transfer:
        """Initiate a transfer of at most the balance ``available`` in the same currency."""
        require_role(actor, Role.TREASURER, action="initiating a transfer")
        require_positive(amount, "the amount transferred")
        if amount > available:
            raise RuleBroken(
                "transfer.exceeds_available_balance",
                f"{amount} is more than the {available} available in {amount.currency}",
            )
        return cls._create(
            cls.Initiated,
            id=transfer_id,
            actor=actor,
            sender=sender,
            recipient=require_text(recipient, "recipient"),
            amount=amount,
            purpose=require_text(purpose, "purpose"),
            initiated_on=on,
        )

    def _require(self, status: TransferStatus, rule: str, doing: str) -> None:
        if self.status is not status:
            raise RuleBroken(rule, f"cannot {doing}: the transfer is {self.status.value}")

    def countersign(self, *, actor: Actor) -> None:
        """Approve the transfer; the initiator may not countersign it."""
        require_role(actor, Role.SECRETARY, Role.TREASURER, action="countersigning a transfer")
        require_other_person(
            actor,
            self.initiated_by,
            rule="transfer.countersigned_by_initiator",
            action="countersigning a transfer",
        )
        self._require(
            TransferStatus.INITIATED, "transfer.not_awaiting_countersignature", "countersign"
        )
        self.trigger_event(self.Countersigned, actor=actor)

    def send(self, *, on: date, actor: Actor, reference: str | None = None) -> None:
        """Pay the countersigned transfer out; it is in transit until its receipt is confirmed."""
        require_role(actor, Role.TREASURER, action="sending a transfer")
        self._require(TransferStatus.COUNTERSIGNED, "transfer.not_countersigned", "send")
        for earlier in (self.initiated_by, self.countersigned_by or ""):
            require_other_person(
                actor, earlier, rule="transfer.sent_by_signatory", action="sending a transfer"
            )
        self.trigger_event(self.Sent, actor=actor, sent_on=on, reference=reference)

    def cancel(self, *, reason: str, actor: Actor) -> None:
        """Cancel a transfer that has not been sent; its amount is available again."""
        require_role(actor, Role.TREASURER, Role.SECRETARY, action="cancelling a transfer")
        if self.status in (TransferStatus.SENT, TransferStatus.CONFIRMED, TransferStatus.CANCELLED):
            raise RuleBroken(
                "transfer.cannot_cancel", f"cannot cancel: the transfer is {self.status.value}"
            )
        self.trigger_event(self.Cancelled, actor=actor, reason=require_text(reason, "reason"))

    @property
    def commits_funds(self) -> bool:
        """True while the amount counts against the available balance."""
        return self.status is not TransferStatus.CANCELLED
