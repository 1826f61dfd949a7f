"""Procurement of machines, raw materials and tools, covered by a concurring consultation.

The committee commits, ships and pays; the liaison confirms delivery and reports the enterprise in
production, and the committee notes both from the confirmations that reach it through sync.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.committee import require_text
from domain.consultation import PRODUCTIVE, Consultation, ProcurementCategory
from domain.decisions import AgencyOpinion, DeliveryConfirmation, EnterpriseInProduction
from domain.errors import DecisionMissing, InvalidInput, RuleBroken
from domain.ids import derive_id
from domain.money import Money, require_positive
from domain.roles import Actor, Role, require_other_person, require_role


class ProcurementStatus(StrEnum):
    """Where the goods are."""

    COMMITTED = "committed"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    IN_PRODUCTION = "in_production"
    CANCELLED = "cancelled"


def check_cover(
    consultation: Consultation | None,
    opinion: AgencyOpinion | None,
    category: ProcurementCategory,
    agency_id: UUID,
    on: date,
) -> AgencyOpinion:
    """Refuse a commitment that no open, concurring, unexpired consultation covers."""
    if consultation is None:
        raise RuleBroken(
            "procurement.consultation_missing",
            "a procurement needs a prior consultation with the Russian agency concerned",
        )
    if not consultation.is_open:
        raise RuleBroken(
            "procurement.consultation_closed",
            f"consultation {consultation.reference} was closed on {consultation.closed_on}",
        )
    if category is not consultation.category:
        raise RuleBroken(
            "procurement.category_mismatch",
            f"consultation {consultation.reference} covers {consultation.category.value}, "
            f"not {category.value}",
        )
    if agency_id != consultation.agency_id:
        raise RuleBroken(
            "procurement.agency_mismatch",
            f"consultation {consultation.reference} was held with the "
            f"{consultation.agency_name}, not with the agency named for this procurement",
        )
    if opinion is None:
        raise DecisionMissing(
            "procurement.opinion_missing",
            f"no opinion of the {consultation.agency_name} on consultation "
            f"{consultation.reference} has reached this node yet",
        )
    if opinion.consultation_id != consultation.id or opinion.agency_id != consultation.agency_id:
        raise InvalidInput(
            "procurement.opinion_mismatch",
            f"the opinion given is not the {consultation.agency_name}'s opinion "
            f"on consultation {consultation.reference}",
        )
    if opinion.withdrawn_on is not None:
        raise RuleBroken(
            "procurement.opinion_withdrawn",
            f"the {consultation.agency_name} withdrew its opinion on consultation "
            f"{consultation.reference} on {opinion.withdrawn_on}; open a new consultation",
        )
    if not opinion.concurs:
        raise RuleBroken(
            "procurement.opinion_objects",
            f"the {consultation.agency_name} objected to consultation {consultation.reference}",
        )
    if on < opinion.recorded_on:
        raise RuleBroken(
            "procurement.before_opinion",
            f"the opinion on consultation {consultation.reference} dates from "
            f"{opinion.recorded_on}; a commitment on {on} came before it",
        )
    if on > opinion.valid_until:
        raise RuleBroken(
            "procurement.consultation_expired",
            f"the opinion on consultation {consultation.reference} was valid until "
            f"{opinion.valid_until}; consult the {consultation.agency_name} again",
        )
    return opinion


def check_ceiling(
    consultation: Consultation, opinion: AgencyOpinion, amount: Money, already: Money
) -> None:
    """Refuse a commitment that takes the consultation's commitments over its ceiling.

    The ceiling is the consultation's, or the agency's lower one when it concurred for less.
    """
    ceiling = consultation.ceiling
    if opinion.ceiling is not None and opinion.ceiling < ceiling:
        ceiling = opinion.ceiling
    if already + amount > ceiling:
        raise RuleBroken(
            "procurement.over_ceiling",
            f"{amount} on top of the {already} already committed under consultation "
            f"{consultation.reference} exceeds its ceiling of {ceiling}",
        )


class Procurement(Aggregate):
    """Goods bought for a Russian enterprise under a consultation."""

    class Committed(Aggregate.Created):
        actor: Actor
        country: str
        reference: str
        category: ProcurementCategory
        description: str
        supplier: str
        enterprise: str
        agency_id: UUID
        amount: Money
        consultation_id: UUID
        opinion: AgencyOpinion
        committed_on: date

    class GoodsShipped(Aggregate.Event):
        actor: Actor
        shipped_on: date
        carrier: str | None

        def apply(self, aggregate: Any) -> None:
            aggregate.shipped_on = self.shipped_on
            aggregate.status = ProcurementStatus.SHIPPED

    class DeliveryNoted(Aggregate.Event):
        actor: Actor
        confirmation: DeliveryConfirmation

        def apply(self, aggregate: Any) -> None:
            aggregate.delivered_on = self.confirmation.delivered_on
            aggregate.status = ProcurementStatus.DELIVERED

    class Paid(Aggregate.Event):
        actor: Actor
        amount: Money
        paid_on: date
        reference: str | None

        def apply(self, aggregate: Any) -> None:
            aggregate.paid = aggregate.paid + self.amount

    class ProductionNoted(Aggregate.Event):
        actor: Actor
        report: EnterpriseInProduction

        def apply(self, aggregate: Any) -> None:
            aggregate.in_production_on = self.report.in_production_on
            aggregate.status = ProcurementStatus.IN_PRODUCTION

    class Cancelled(Aggregate.Event):
        actor: Actor
        reason: str
        cancelled_on: date

        def apply(self, aggregate: Any) -> None:
            aggregate.status = ProcurementStatus.CANCELLED

    def __init__(
        self,
        actor: Actor,
        country: str,
        reference: str,
        category: ProcurementCategory,
        description: str,
        supplier: str,
        enterprise: str,
        agency_id: UUID,
        amount: Money,
        consultation_id: UUID,
        opinion: AgencyOpinion,
        committed_on: date,
    ) -> None:
        self.committed_by = actor.person
        self.country = country
        self.reference = reference
        self.category = ProcurementCategory(category)
        self.description = description
        self.supplier = supplier
        self.enterprise = enterprise
        self.agency_id = agency_id
        self.amount = amount
        self.consultation_id = consultation_id
        self.opinion = opinion
        self.committed_on = committed_on
        self.status = ProcurementStatus.COMMITTED
        self.paid = Money.zero(amount.currency)
        self.shipped_on: date | None = None
        self.delivered_on: date | None = None
        self.in_production_on: date | None = None

    @staticmethod
    def id_for(country: str, reference: str) -> UUID:
        """The procurement's id, derived from the committee's country and its order reference."""
        return derive_id("procurement", country, reference)

    @classmethod
    def commit(
        cls,
        *,
        country: str,
        reference: str,
        category: ProcurementCategory,
        description: str,
        supplier: str,
        enterprise: str,
        agency_id: UUID,
        amount: Money,
        consultation: Consultation | None,
        opinion: AgencyOpinion | None,
        already_committed: Money,
        on: date,
        actor: Actor,
    ) -> Procurement:
        """Commit funds to a purchase; ``already_committed`` sums the consultation's others."""
        require_role(actor, Role.TREASURER, action="committing a procurement")
        category = ProcurementCategory(category)
        if category not in PRODUCTIVE:
            raise RuleBroken(
                "procurement.category_not_allowed",
                f"funds buy machines, raw materials or tools only, not {category.value}",
            )
        require_positive(amount, "the amount committed")
        opinion = check_cover(consultation, opinion, category, agency_id, on)
        assert consultation is not None  # check_cover refused a missing one
        check_ceiling(consultation, opinion, amount, already_committed)
        reference = require_text(reference, "procurement reference")
        return cls._create(
            cls.Committed,
            id=cls.id_for(country, reference),
            actor=actor,
            country=country,
            reference=reference,
            category=category,
            description=require_text(description, "description of the goods"),
            supplier=require_text(supplier, "supplier"),
            enterprise=require_text(enterprise, "enterprise"),
            agency_id=agency_id,
            amount=amount,
            consultation_id=consultation.id,
            opinion=opinion,
            committed_on=on,
        )

    @property
    def commits_funds(self) -> bool:
        """True while the amount counts against the consultation's ceiling."""
        return self.status is not ProcurementStatus.CANCELLED

    @property
    def outstanding(self) -> Money:
        """What is committed and not yet paid."""
        return self.amount - self.paid

    def _require_not_cancelled(self) -> None:
        if self.status is ProcurementStatus.CANCELLED:
            raise RuleBroken("procurement.cancelled", f"procurement {self.reference} was cancelled")

    def _require_status(self, status: ProcurementStatus, rule: str, doing: str) -> None:
        self._require_not_cancelled()
        if self.status is not status:
            raise RuleBroken(rule, f"cannot {doing}: procurement {self.reference} is {self.status}")

    def ship(self, *, on: date, actor: Actor, carrier: str | None = None) -> None:
        """Record that the goods left the supplier."""
        require_role(actor, Role.TREASURER, Role.SECRETARY, action="recording a shipment")
        self._require_status(ProcurementStatus.COMMITTED, "procurement.already_shipped", "ship")
        if on < self.committed_on:
            raise RuleBroken(
                "procurement.shipped_before_commitment",
                f"procurement {self.reference} was committed on {self.committed_on}",
            )
        self.trigger_event(self.GoodsShipped, actor=actor, shipped_on=on, carrier=carrier)

    def note_delivery(self, *, confirmation: DeliveryConfirmation | None, actor: Actor) -> None:
        """Note the liaison's confirmation that the goods arrived."""
        require_role(actor, Role.TREASURER, Role.SECRETARY, action="noting a delivery")
        if confirmation is None:
            raise DecisionMissing(
                "procurement.delivery_unconfirmed",
                f"no confirmation of the delivery of procurement {self.reference} by the "
                "liaison has reached this node yet",
            )
        if confirmation.procurement_id != self.id:
            raise InvalidInput(
                "procurement.confirmation_mismatch",
                f"the confirmation given is for another procurement than {self.reference}",
            )
        self._require_status(ProcurementStatus.SHIPPED, "procurement.not_shipped", "note delivery")
        self.trigger_event(self.DeliveryNoted, actor=actor, confirmation=confirmation)

    def note_production(self, *, report: EnterpriseInProduction | None, actor: Actor) -> None:
        """Note the liaison's report that the enterprise is producing."""
        require_role(actor, Role.TREASURER, Role.SECRETARY, action="noting production")
        if report is None:
            raise DecisionMissing(
                "procurement.production_unconfirmed",
                f"no report that the {self.enterprise} is in production has reached this node yet",
            )
        if self.id not in report.procurement_ids:
            raise InvalidInput(
                "procurement.confirmation_mismatch",
                f"the report on the {report.enterprise} does not cite procurement {self.reference}",
            )
        self._require_status(
            ProcurementStatus.DELIVERED, "procurement.not_delivered", "note production"
        )
        self.trigger_event(self.ProductionNoted, actor=actor, report=report)

    def pay(self, *, amount: Money, on: date, actor: Actor, reference: str | None = None) -> None:
        """Pay the supplier, in one or more payments; the committer may not pay."""
        require_role(actor, Role.TREASURER, action="paying a procurement")
        require_other_person(
            actor, self.committed_by, rule="procurement.paid_by_committer", action="paying it"
        )
        self._require_not_cancelled()
        require_positive(amount, "the amount paid")
        if amount > self.outstanding:
            raise RuleBroken(
                "procurement.overpaid",
                f"{amount} is more than the {self.outstanding} outstanding on {self.reference}",
            )
        self.trigger_event(self.Paid, actor=actor, amount=amount, paid_on=on, reference=reference)

    def cancel(self, *, reason: str, on: date, actor: Actor) -> None:
        """Cancel before shipment and payment; the amount no longer counts against the ceiling."""
        require_role(actor, Role.TREASURER, action="cancelling a procurement")
        self._require_not_cancelled()
        if self.status is not ProcurementStatus.COMMITTED or self.paid.is_positive:
            raise RuleBroken(
                "procurement.cannot_cancel",
                f"procurement {self.reference} is {self.status.value} and {self.paid} was paid: "
                "only an unshipped, unpaid procurement can be cancelled",
            )
        self.trigger_event(
            self.Cancelled, actor=actor, reason=require_text(reason, "reason"), cancelled_on=on
        )
