"""Specialists: one person at a time, urgently needed, approved by the Russian trade union.

The resolution (point 5) rules out mass emigration: a nomination names exactly one person. The
command takes the names as a sequence so that a group put forward in one request is refused as
such (``specialist.group_nomination``) rather than guessed at by splitting a name on "and".
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.committee import require_text
from domain.decisions import UnionDecision
from domain.errors import DecisionMissing, InvalidInput, RuleBroken
from domain.ids import derive_id
from domain.money import Money, require_positive
from domain.roles import Actor, Role, require_role


class Urgency(StrEnum):
    """How urgently the enterprise needs the specialist; routine needs are not nominated."""

    IMMEDIATE = "immediate"
    URGENT = "urgent"
    ROUTINE = "routine"


class NominationStatus(StrEnum):
    """Where a nomination stands."""

    NOMINATED = "nominated"
    APPROVAL_REQUESTED = "approval_requested"
    APPROVED = "approved"
    REFUSED = "refused"
    FUNDED = "funded"
    DEPARTED = "departed"


def single_person(persons: Sequence[str]) -> str:
    """The one person named, or a refusal of an empty or group nomination."""
    names = list(dict.fromkeys(" ".join(p.split()) for p in persons if p and p.strip()))
    if not names:
        raise InvalidInput("input.missing", "the nominated specialist is required")
    if len({n.casefold() for n in names}) > 1:
        raise RuleBroken(
            "specialist.group_nomination",
            f"{len(names)} people were nominated together ({', '.join(names)}): "
            "nominate each specialist separately, one person per nomination",
        )
    return names[0]


class SpecialistNomination(Aggregate):
    """One specialist nominated for a Russian enterprise, pending the union's approval."""

    class Nominated(Aggregate.Created):
        actor: Actor
        country: str
        reference: str
        person: str
        trade: str
        enterprise: str
        urgency: Urgency
        union_id: UUID
        union_name: str
        nominated_on: date

    class ApprovalRequested(Aggregate.Event):
        actor: Actor
        requested_on: date

        def apply(self, aggregate: Any) -> None:
            aggregate.status = NominationStatus.APPROVAL_REQUESTED

    class UnionDecisionNoted(Aggregate.Event):
        actor: Actor
        decision: UnionDecision

        def apply(self, aggregate: Any) -> None:
            aggregate.decision = self.decision
            approved = self.decision.approved
            aggregate.status = NominationStatus.APPROVED if approved else NominationStatus.REFUSED

    class EmigrationFunded(Aggregate.Event):
        actor: Actor
        amount: Money
        funded_on: date

        def apply(self, aggregate: Any) -> None:
            aggregate.funding = self.amount
            aggregate.status = NominationStatus.FUNDED

    class Departed(Aggregate.Event):
        actor: Actor
        departed_on: date

        def apply(self, aggregate: Any) -> None:
            aggregate.departed_on = self.departed_on
            aggregate.status = NominationStatus.DEPARTED

    def __init__(
        self,
        actor: Actor,
        country: str,
        reference: str,
        person: str,
        trade: str,
        enterprise: str,
        urgency: Urgency,
        union_id: UUID,
        union_name: str,
        nominated_on: date,
    ) -> None:
        self.country = country
        self.reference = reference
        self.person = person
        self.trade = trade
        self.enterprise = enterprise
        self.urgency = Urgency(urgency)
        self.union_id = union_id
        self.union_name = union_name
        self.nominated_on = nominated_on
        self.status = NominationStatus.NOMINATED
        self.decision: UnionDecision | None = None
        self.funding: Money | None = None
        self.departed_on: date | None = None

    @staticmethod
    def id_for(country: str, reference: str) -> UUID:
        """The nomination's id, derived from the committee's country and its reference."""
        return derive_id("nomination", country, reference)

    @classmethod
    def nominate(
        cls,
        *,
        country: str,
        reference: str,
        persons: Sequence[str],
        trade: str,
        enterprise: str,
        urgency: Urgency,
        union_id: UUID,
        union_name: str,
        on: date,
        actor: Actor,
    ) -> SpecialistNomination:
        """Nominate exactly one specialist urgently needed by ``enterprise``."""
        require_role(actor, Role.SECRETARY, action="nominating a specialist")
        person = single_person(persons)
        urgency = Urgency(urgency)
        if urgency is Urgency.ROUTINE:
            raise RuleBroken(
                "specialist.not_urgent",
                f"only specialists urgently needed in factories are nominated; {person} is not",
            )
        reference = require_text(reference, "nomination reference")
        return cls._create(
            cls.Nominated,
            id=cls.id_for(country, reference),
            actor=actor,
            country=country,
            reference=reference,
            person=person,
            trade=require_text(trade, "trade"),
            enterprise=require_text(enterprise, "enterprise"),
            urgency=urgency,
            union_id=union_id,
            union_name=require_text(union_name, "union"),
            nominated_on=on,
        )

    @property
    def approved(self) -> bool:
        """True once the union's approval has been noted."""
        return self.decision is not None and self.decision.approved

    def request_approval(self, *, on: date, actor: Actor) -> None:
        """Ask the union for its approval (through the liaison)."""
        require_role(actor, Role.SECRETARY, action="requesting a union's approval")
        if self.status is not NominationStatus.NOMINATED:
            raise RuleBroken(
                "specialist.approval_already_requested",
                f"the nomination of {self.person} is already {self.status.value}",
            )
        self.trigger_event(self.ApprovalRequested, actor=actor, requested_on=on)

    def note_union_decision(self, *, decision: UnionDecision | None, actor: Actor) -> None:
        """Note the union's decision; a refusal ends the nomination."""
        require_role(actor, Role.SECRETARY, action="noting a union's decision")
        decision = self._require_decision(decision)
        if decision.nomination_id != self.id:
            raise InvalidInput(
                "specialist.decision_mismatch",
                f"the decision given is not on the nomination of {self.person}",
            )
        if decision.union_id != self.union_id:
            raise RuleBroken(
                "specialist.wrong_union",
                f"the decision is not the {self.union_name}'s, whose approval is needed",
            )
        if self.status is not NominationStatus.APPROVAL_REQUESTED:
            rule = (
                "specialist.approval_not_requested"
                if self.status is NominationStatus.NOMINATED
                else "specialist.decision_already_noted"
            )
            raise RuleBroken(rule, f"the nomination of {self.person} is {self.status.value}")
        self.trigger_event(self.UnionDecisionNoted, actor=actor, decision=decision)

    def _require_decision(self, decision: UnionDecision | None) -> UnionDecision:
        if decision is None:
            raise DecisionMissing(
                "specialist.union_decision_missing",
                f"no decision of the {self.union_name} on the nomination of {self.person} "
                "has reached this node yet",
            )
        return decision

    def fund_emigration(self, *, amount: Money, on: date, actor: Actor) -> None:
        """Fund the specialist's journey; only after the union's approval."""
        require_role(actor, Role.TREASURER, action="funding a specialist's emigration")
        self._require_decision(self.decision)
        if not self.approved:
            raise RuleBroken(
                "specialist.not_approved",
                f"the {self.union_name} refused the nomination of {self.person}",
            )
        if self.funding is not None:
            raise RuleBroken(
                "specialist.already_funded", f"the journey of {self.person} is already funded"
            )
        require_positive(amount, "the funding")
        self.trigger_event(self.EmigrationFunded, actor=actor, amount=amount, funded_on=on)

    def depart(self, *, on: date, actor: Actor) -> None:
        """Record the specialist's departure; only after approval and funding."""
        require_role(actor, Role.SECRETARY, action="recording a specialist's departure")
        if not self.approved:
            raise RuleBroken(
                "specialist.departure_before_approval",
                f"{self.person} may leave only with the approval of the {self.union_name}",
            )
        if self.status is not NominationStatus.FUNDED:
            rule = (
                "specialist.already_departed"
                if self.status is NominationStatus.DEPARTED
                else "specialist.departure_before_funding"
            )
            raise RuleBroken(rule, f"the nomination of {self.person} is {self.status.value}")
        self.trigger_event(self.Departed, actor=actor, departed_on=on)
