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
from domain.decisions import TransferReceiptConfirmation
from domain.errors import DecisionMissing, InvalidInput, RuleBroken
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

    class ReceiptConfirmed(Aggregate.Event):
        actor: Actor
        received: Money
        confirmed_on: date

        def apply(self, aggregate: Any) -> None:
            aggregate.received = self.received
            aggregate.status = TransferStatus.CONFIRMED

    class DifferenceBooked(Aggregate.Event):
        actor: Actor
        difference: Money
        reason: str

        def apply(self, aggregate: Any) -> None:
            aggregate.difference_booked = self.difference

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
        self.received: Money | None = None
        self.difference_booked: Money | None = None

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

    def note_receipt(
        self, *, confirmation: TransferReceiptConfirmation | None, actor: Actor
    ) -> None:
        """Note the receiver's confirmation: the transfer leaves transit with what arrived."""
        require_role(actor, Role.TREASURER, action="noting a transfer's receipt")
        if confirmation is None:
            raise DecisionMissing(
                "transfer.receipt_unconfirmed",
                f"no confirmation from {self.recipient} that it received this transfer "
                "has reached this node yet",
            )
        if confirmation.transfer_id != self.id:
            raise InvalidInput(
                "transfer.confirmation_mismatch", "the confirmation is of another transfer"
            )
        self._require(TransferStatus.SENT, "transfer.not_sent", "note its receipt")
        if confirmation.received.currency != self.amount.currency:
            raise RuleBroken(
                "money.mixed_currencies",
                f"sent in {self.amount.currency}, confirmed in {confirmation.received.currency}",
            )
        self.trigger_event(
            self.ReceiptConfirmed,
            actor=actor,
            received=confirmation.received,
            confirmed_on=confirmation.confirmed_on,
        )

    @property
    def difference(self) -> Money | None:
        """What was sent less what arrived, once the receipt is confirmed."""
        return None if self.received is None else self.amount - self.received

    def book_difference(self, *, reason: str, actor: Actor) -> None:
        """Book the difference between the amount sent and the amount received (fees, losses)."""
        require_role(actor, Role.TREASURER, action="booking a transfer difference")
        self._require(TransferStatus.CONFIRMED, "transfer.not_confirmed", "book a difference")
        difference = self.difference
        assert difference is not None  # a confirmed transfer has a received amount
        if difference.amount == 0:
            raise RuleBroken("transfer.no_difference", "what arrived is what was sent")
        if self.difference_booked is not None:
            raise RuleBroken("transfer.difference_already_booked", "the difference is booked")
        self.trigger_event(
            self.DifferenceBooked,
            actor=actor,
            difference=difference,
            reason=require_text(reason, "reason for the difference"),
        )

    @property
    def commits_funds(self) -> bool:
        """True while the amount counts against the available balance."""
        return self.status is not TransferStatus.CANCELLED
