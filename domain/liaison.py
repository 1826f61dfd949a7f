"""What the liaison records for the Russian agencies: opinions, union decisions, confirmations."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.agency import RussianAgency
from domain.committee import require_text
from domain.decisions import (
    AgencyOpinion,
    DeliveryConfirmation,
    EnterpriseInProduction,
    OpinionVerdict,
    TransferReceiptConfirmation,
    UnionDecision,
)
from domain.errors import InvalidInput, RuleBroken
from domain.ids import derive_id
from domain.money import Money, require_positive
from domain.roles import Actor, Role, require_role


def check_opinion(
    verdict: OpinionVerdict, conditions: str | None, notes: str | None, valid_until: date, on: date
) -> tuple[OpinionVerdict, str | None]:
    """Refuse an opinion whose conditions, grounds or validity do not fit its verdict."""
    verdict = OpinionVerdict(verdict)
    conditions = conditions.strip() if conditions and conditions.strip() else None
    if verdict is OpinionVerdict.CONCUR_WITH_CONDITIONS and conditions is None:
        raise InvalidInput(
            "opinion.conditions_missing", "a concurrence with conditions must state the conditions"
        )
    if verdict is not OpinionVerdict.CONCUR_WITH_CONDITIONS and conditions is not None:
        raise InvalidInput(
            "opinion.unexpected_conditions",
            f"an opinion that is {verdict.value} has no conditions; "
            "record it as concur_with_conditions",
        )
    if verdict is OpinionVerdict.OBJECT and not (notes and notes.strip()):
        raise InvalidInput("opinion.grounds_missing", "an objection must give its grounds in notes")
    if valid_until < on:
        raise InvalidInput(
            "opinion.validity_before_recording",
            f"an opinion recorded on {on} cannot be valid only until {valid_until}",
        )
    return verdict, conditions


class ConsultationOpinion(Aggregate):
    """The consulted agency's opinion on one consultation, as recorded by the liaison.

    A revision supersedes the opinion from its date on (procurements committed earlier relied on
    the earlier one). A withdrawal is final: the committee must open a new consultation.
    """

    class Recorded(Aggregate.Created):
        actor: Actor
        consultation_id: UUID
        agency_id: UUID
        verdict: OpinionVerdict
        conditions: str | None
        valid_until: date
        recorded_on: date
        ceiling: Money | None
        notes: str | None

    class Revised(Aggregate.Event):
        actor: Actor
        verdict: OpinionVerdict
        conditions: str | None
        valid_until: date
        recorded_on: date
        ceiling: Money | None
        notes: str | None

        def apply(self, aggregate: Any) -> None:
            aggregate.verdict = OpinionVerdict(self.verdict)
            aggregate.conditions = self.conditions
            aggregate.valid_until = self.valid_until
            aggregate.recorded_on = self.recorded_on
            aggregate.ceiling = self.ceiling
            aggregate.notes = self.notes

    class Withdrawn(Aggregate.Event):
        actor: Actor
        reason: str
        withdrawn_on: date

        def apply(self, aggregate: Any) -> None:
            aggregate.withdrawn_on = self.withdrawn_on

    def __init__(
        self,
        actor: Actor,
        consultation_id: UUID,
        agency_id: UUID,
        verdict: OpinionVerdict,
        conditions: str | None,
        valid_until: date,
        recorded_on: date,
        ceiling: Money | None,
        notes: str | None,
    ) -> None:
        self.consultation_id = consultation_id
        self.agency_id = agency_id
        self.verdict = OpinionVerdict(verdict)
        self.conditions = conditions
        self.valid_until = valid_until
        self.recorded_on = recorded_on
        self.ceiling = ceiling
        self.notes = notes
        self.withdrawn_on: date | None = None

    @staticmethod
    def id_for(consultation_id: UUID) -> UUID:
        """The opinion's id: one per consultation."""
        return derive_id("opinion", str(consultation_id))

    @classmethod
    def record(
        cls,
        *,
        consultation_id: UUID,
        agency: RussianAgency,
        verdict: OpinionVerdict,
        valid_until: date,
        on: date,
        actor: Actor,
        conditions: str | None = None,
        ceiling: Money | None = None,
        notes: str | None = None,
    ) -> ConsultationOpinion:
        """Record the agency's opinion on a consultation; only the liaison records opinions."""
        require_role(actor, Role.LIAISON_OFFICER, action="recording an agency's opinion")
        agency.require_active()
        verdict, conditions = check_opinion(verdict, conditions, notes, valid_until, on)
        return cls._create(
            cls.Recorded,
            id=cls.id_for(consultation_id),
            actor=actor,
            consultation_id=consultation_id,
            agency_id=agency.id,
            verdict=verdict,
            conditions=conditions,
            valid_until=valid_until,
            recorded_on=on,
            ceiling=require_positive(ceiling, "the ceiling") if ceiling is not None else None,
            notes=notes,
        )

    def _require_standing(self) -> None:
        if self.withdrawn_on is not None:
            raise RuleBroken(
                "opinion.withdrawn",
                f"the opinion was withdrawn on {self.withdrawn_on}; open a new consultation",
            )

    def revise(
        self,
        *,
        verdict: OpinionVerdict,
        valid_until: date,
        on: date,
        actor: Actor,
        conditions: str | None = None,
        ceiling: Money | None = None,
        notes: str | None = None,
    ) -> None:
        """Supersede the opinion from ``on``; it may tighten, relax or extend it."""
        require_role(actor, Role.LIAISON_OFFICER, action="revising an agency's opinion")
        self._require_standing()
        if on < self.recorded_on:
            raise RuleBroken(
                "opinion.revised_before_recorded",
                f"the opinion in force was recorded on {self.recorded_on}; "
                f"a revision cannot date from {on}",
            )
        verdict, conditions = check_opinion(verdict, conditions, notes, valid_until, on)
        self.trigger_event(
            self.Revised,
            actor=actor,
            verdict=verdict,
            conditions=conditions,
            valid_until=valid_until,
            recorded_on=on,
            ceiling=require_positive(ceiling, "the ceiling") if ceiling is not None else None,
            notes=notes,
        )

    def withdraw(self, *, reason: str, on: date, actor: Actor) -> None:
        """Withdraw the opinion; no procurement may rely on it from then on."""
        require_role(actor, Role.LIAISON_OFFICER, action="withdrawing an agency's opinion")
        self._require_standing()
        self.trigger_event(
            self.Withdrawn,
            actor=actor,
            reason=require_text(reason, "reason for withdrawing"),
            withdrawn_on=on,
        )

    def decision(self) -> AgencyOpinion:
        """The opinion as a committee receives it (with ``withdrawn_on`` once withdrawn)."""
        return AgencyOpinion(
            consultation_id=self.consultation_id,
            agency_id=self.agency_id,
            verdict=self.verdict,
            conditions=self.conditions,
            valid_until=self.valid_until,
            recorded_on=self.recorded_on,
            ceiling=self.ceiling,
            notes=self.notes,
            withdrawn_on=self.withdrawn_on,
        )


class UnionApprovalDecision(Aggregate):
    """A Russian trade union's final approval or refusal of one specialist's nomination."""

    class Granted(Aggregate.Created):
        actor: Actor
        nomination_id: UUID
        union_id: UUID
        reason: str | None
        decided_on: date

        def apply(self, aggregate: Any) -> None:
            aggregate.approved = True

    class Refused(Aggregate.Created):
        actor: Actor
        nomination_id: UUID
        union_id: UUID
        reason: str | None
        decided_on: date

        def apply(self, aggregate: Any) -> None:
            aggregate.approved = False

    def __init__(
        self,
        actor: Actor,
        nomination_id: UUID,
        union_id: UUID,
        reason: str | None,
        decided_on: date,
    ) -> None:
        self.nomination_id = nomination_id
        self.union_id = union_id
        self.reason = reason
        self.decided_on = decided_on
        self.approved = False

    @staticmethod
    def id_for(nomination_id: UUID) -> UUID:
        """The decision's id: one per nomination."""
        return derive_id("union-decision", str(nomination_id))

    @classmethod
    def _decide(
        cls,
        event: type[Aggregate.Created],
        nomination_id: UUID,
        union: RussianAgency,
        reason: str | None,
        on: date,
        actor: Actor,
    ) -> UnionApprovalDecision:
        require_role(actor, Role.UNION_REPRESENTATIVE, action="deciding on a specialist")
        union.require_active()
        if not union.is_union:
            raise RuleBroken(
                "union.not_a_union",
                f"the {union.name} is a {union.kind.value}: "
                "only a trade union approves specialists",
            )
        return cls._create(
            event,
            id=cls.id_for(nomination_id),
            actor=actor,
            nomination_id=nomination_id,
            union_id=union.id,
            reason=reason.strip() if reason and reason.strip() else None,
            decided_on=on,
        )

    @classmethod
    def grant(
        cls,
        *,
        nomination_id: UUID,
        union: RussianAgency,
        on: date,
        actor: Actor,
        reason: str | None = None,
    ) -> UnionApprovalDecision:
        """Approve the nominated specialist's coming to work in Russia."""
        return cls._decide(cls.Granted, nomination_id, union, reason, on, actor)

    @classmethod
    def refuse(
        cls, *, nomination_id: UUID, union: RussianAgency, reason: str, on: date, actor: Actor
    ) -> UnionApprovalDecision:
        """Refuse the nomination, giving the reason."""
        reason = require_text(reason, "reason for refusing")
        return cls._decide(cls.Refused, nomination_id, union, reason, on, actor)

    def decision(self) -> UnionDecision:
        """The decision as the nominating committee receives it."""
        return UnionDecision(
            nomination_id=self.nomination_id,
            union_id=self.union_id,
            approved=self.approved,
            reason=self.reason,
            decided_on=self.decided_on,
        )


class GoodsDelivery(Aggregate):
    """The liaison's confirmation that a procurement's goods reached the enterprise."""

    class Confirmed(Aggregate.Created):
        actor: Actor
        procurement_id: UUID
        enterprise: str
        delivered_on: date
        confirmed_on: date
        notes: str | None

    def __init__(
        self,
        actor: Actor,
        procurement_id: UUID,
        enterprise: str,
        delivered_on: date,
        confirmed_on: date,
        notes: str | None,
    ) -> None:
        self.procurement_id = procurement_id
        self.enterprise = enterprise
        self.delivered_on = delivered_on
        self.confirmed_on = confirmed_on
        self.notes = notes

    @staticmethod
    def id_for(procurement_id: UUID) -> UUID:
        """The confirmation's id: one per procurement."""
        return derive_id("delivery", str(procurement_id))

    @classmethod
    def confirm(
        cls,
        *,
        procurement_id: UUID,
        enterprise: str,
        delivered_on: date,
        on: date,
        actor: Actor,
        notes: str | None = None,
    ) -> GoodsDelivery:
        """Confirm the delivery of a procurement's goods on ``delivered_on``."""
        require_role(actor, Role.LIAISON_OFFICER, action="confirming a delivery")
        if delivered_on > on:
            raise InvalidInput(
                "delivery.confirmed_before_delivery",
                f"a delivery on {delivered_on} cannot be confirmed on {on}",
            )
        return cls._create(
            cls.Confirmed,
            id=cls.id_for(procurement_id),
            actor=actor,
            procurement_id=procurement_id,
            enterprise=require_text(enterprise, "enterprise"),
            delivered_on=delivered_on,
            confirmed_on=on,
            notes=notes,
        )

    def confirmation(self) -> DeliveryConfirmation:
        """The confirmation as the procuring committee receives it."""
        return DeliveryConfirmation(
            procurement_id=self.procurement_id,
            enterprise=self.enterprise,
            delivered_on=self.delivered_on,
            confirmed_on=self.confirmed_on,
            notes=self.notes,
        )


class TransferReceipt(Aggregate):
    """The receiver's confirmation of a transfer with the amount actually received.

    Recorded where the money arrives: at the liaison for a Russian agency, at the International
    for the International.
    """

    class Confirmed(Aggregate.Created):
        actor: Actor
        transfer_id: UUID
        receiver: str
        received: Money
        confirmed_on: date

    def __init__(
        self, actor: Actor, transfer_id: UUID, receiver: str, received: Money, confirmed_on: date
    ) -> None:
        self.transfer_id = transfer_id
        self.receiver = receiver
        self.received = received
        self.confirmed_on = confirmed_on

    @staticmethod
    def id_for(transfer_id: UUID) -> UUID:
        """The confirmation's id: one per transfer."""
        return derive_id("transfer-receipt", str(transfer_id))

    @classmethod
    def confirm(
        cls, *, transfer_id: UUID, receiver: str, received: Money, on: date, actor: Actor
    ) -> TransferReceipt:
        """Confirm a transfer's receipt; the sender books any difference to the amount sent."""
        require_role(
            actor, Role.LIAISON_OFFICER, Role.SUPERVISOR, action="confirming a transfer's receipt"
        )
        return cls._create(
            cls.Confirmed,
            id=cls.id_for(transfer_id),
            actor=actor,
            transfer_id=transfer_id,
            receiver=require_text(receiver, "receiver"),
            received=require_positive(received, "the amount received"),
            confirmed_on=on,
        )

    def confirmation(self) -> TransferReceiptConfirmation:
        """The confirmation as the sending committee receives it."""
        return TransferReceiptConfirmation(
            transfer_id=self.transfer_id, received=self.received, confirmed_on=self.confirmed_on
        )


class Enterprise(Aggregate):
    """An enterprise equipped by procurements and brought into production (once)."""

    class BroughtIntoProduction(Aggregate.Created):
        actor: Actor
        name: str
        procurement_ids: tuple[UUID, ...]
        in_production_on: date

    def __init__(
        self,
        actor: Actor,
        name: str,
        procurement_ids: tuple[UUID, ...],
        in_production_on: date,
    ) -> None:
        self.name = name
        self.procurement_ids = tuple(procurement_ids)
        self.in_production_on = in_production_on

    @staticmethod
    def id_for(name: str) -> UUID:
        """The enterprise's id, derived from its name (e.g. "Toikino farm, Perm province")."""
        return derive_id("enterprise", " ".join(name.split()).casefold())

    @classmethod
    def bring_into_production(
        cls, *, name: str, procurement_ids: Sequence[UUID], on: date, actor: Actor
    ) -> Enterprise:
        """Report that an enterprise equipped by ``procurement_ids`` is producing from ``on``."""
        require_role(actor, Role.LIAISON_OFFICER, action="reporting an enterprise in production")
        name = require_text(name, "enterprise")
        ids = tuple(dict.fromkeys(procurement_ids))
        if not ids:
            raise InvalidInput(
                "enterprise.no_procurements",
                f"name the procurements that equipped the {name}",
            )
        return cls._create(
            cls.BroughtIntoProduction,
            id=cls.id_for(name),
            actor=actor,
            name=name,
            procurement_ids=ids,
            in_production_on=on,
        )

    def report(self) -> EnterpriseInProduction:
        """The report as the procuring committees receive it."""
        return EnterpriseInProduction(
            enterprise=self.name,
            procurement_ids=self.procurement_ids,
            in_production_on=self.in_production_on,
        )
