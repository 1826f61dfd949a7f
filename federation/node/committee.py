"""The national committee's node: its books plus the resolution's work with the Russian agencies.

Decisions of other nodes — the liaison's opinions, union decisions and confirmations, the
International's loan issues — are read from their ingested events (``RemoteAggregates``); a
command that needs one that has not arrived is refused, naming what is missing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID

from domain.consultation import Consultation, ProcurementCategory
from domain.errors import DecisionMissing, NotFound, RuleBroken
from domain.liaison import (
    ConsultationOpinion,
    Enterprise,
    GoodsDelivery,
    TransferReceipt,
    UnionApprovalDecision,
)
from domain.loan import Certificate, LoanIssue, LoanSubscription, LoanTerms, SubscriberType
from domain.money import Money
from domain.period_report import BalanceAssertion, PeriodReport
from domain.procurement import Procurement
from domain.specialist import SpecialistNomination, Urgency
from domain.surplus import Surplus
from domain.transfer import Transfer
from federation.node.base import Context, Outcome, command
from federation.node.committee_books import CashReceiptLine, CommitteeBooks
from federation.node.idempotency import Result
from federation.node.remote import RemoteAggregates
from federation.settings import Settings
from projections import resolution
from projections.rows import from_minor

__all__ = ["CashReceiptLine", "CommitteeApplication"]


class CommitteeApplication(CommitteeBooks):
    """A national committee's node: books, loan, consultations, procurement, specialists."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.remote = RemoteAggregates(self, self.db)

    @property
    def liaison(self) -> str:
        return self.settings.liaison_node

    def _spend(self, amount: Money, rule: str) -> None:
        available = self.available(amount.currency)
        if amount > available:
            raise RuleBroken(rule, f"{amount} is more than the {available} available")

    def _state(self, aggregate: Procurement | SpecialistNomination | Transfer) -> Result:
        return {"id": str(aggregate.id), "status": str(aggregate.status)}

    # --- the workers' loan ------------------------------------------------------------------

    def loan_terms(self, issue_code: str) -> LoanTerms:
        """The terms of a loan issue authorised by the International, as they reached this node."""
        issue = self.remote.get(
            LoanIssue, LoanIssue.id_for(issue_code), self.settings.international_node
        )
        if issue is None:
            raise DecisionMissing(
                "loan.issue_unknown",
                f"no authorisation of loan issue {issue_code!r} by the International "
                "has reached this node yet",
            )
        return issue.terms()

    @command
    def record_loan_subscription(
        self,
        ctx: Context,
        *,
        reference: str,
        issue_code: str,
        subscriber: str,
        subscriber_type: SubscriberType,
        amount: Money,
        on: date,
    ) -> Outcome:
        """Record money subscribed to the workers' loan: a liability to the subscriber."""
        self.committee()
        subscription = LoanSubscription.record(
            country=self.country,
            reference=reference,
            terms=self.loan_terms(issue_code),
            subscriber=subscriber,
            subscriber_type=subscriber_type,
            amount=amount,
            on=on,
            actor=ctx.actor,
        )
        return Outcome({"subscription_id": str(subscription.id)}, [subscription])

    def _subscription(self, subscription_id: UUID) -> LoanSubscription:
        return self.load(LoanSubscription, subscription_id, "loan subscription")

    @command
    def issue_loan_certificates(
        self, ctx: Context, *, subscription_id: UUID, certificates: Sequence[Certificate], on: date
    ) -> Outcome:
        """Issue the bond certificates of a subscription (numbers and face values)."""
        subscription = self._subscription(subscription_id)
        subscription.issue_certificates(certificates=certificates, on=on, actor=ctx.actor)
        return Outcome({"subscription_id": str(subscription.id)}, [subscription])

    def pay_loan_coupon(
        self, ctx: Context, *, subscription_id: UUID, year: int, amount: Money, on: date
    ) -> Result:
        """Pay a year's coupon to the subscriber (money leaves the committee)."""
        with self.locks.hold("balance"):
            return self._pay_coupon(
                ctx, subscription_id=subscription_id, year=year, amount=amount, on=on
            )

    @command
    def _pay_coupon(
        self, ctx: Context, *, subscription_id: UUID, year: int, amount: Money, on: date
    ) -> Outcome:
        subscription = self._subscription(subscription_id)
        self._spend(amount, "loan.exceeds_available_balance")
        subscription.pay_coupon(year=year, amount=amount, on=on, actor=ctx.actor)
        return Outcome({"subscription_id": str(subscription.id), "year": year}, [subscription])

    def redeem_loan_principal(
        self, ctx: Context, *, subscription_id: UUID, amount: Money, on: date
    ) -> Result:
        """Pay principal back to the subscriber."""
        with self.locks.hold("balance"):
            return self._redeem(ctx, subscription_id=subscription_id, amount=amount, on=on)

    @command
    def _redeem(self, ctx: Context, *, subscription_id: UUID, amount: Money, on: date) -> Outcome:
        subscription = self._subscription(subscription_id)
        self._spend(amount, "loan.exceeds_available_balance")
        subscription.redeem(amount=amount, on=on, actor=ctx.actor)
        outstanding = str(subscription.outstanding_principal)
        return Outcome(
            {"subscription_id": str(subscription.id), "outstanding": outstanding}, [subscription]
        )

    # --- consultations and procurement ------------------------------------------------------

    def consultation(self, reference: str) -> Consultation:
        """The consultation with this reference."""
        try:
            return self.load(
                Consultation, Consultation.id_for(self.country, reference), "consultation"
            )
        except NotFound:
            raise NotFound("consultation.not_found", f"no consultation {reference!r}") from None

    @command
    def request_consultation(
        self,
        ctx: Context,
        *,
        reference: str,
        purpose: str,
        category: ProcurementCategory,
        ceiling: Money,
        agency_id: UUID,
        agency_name: str,
        on: date,
    ) -> Outcome:
        """Ask a Russian agency's opinion before spending on machines, raw materials or tools."""
        self.committee()
        consultation = Consultation.request(
            country=self.country,
            reference=reference,
            purpose=purpose,
            category=category,
            ceiling=ceiling,
            agency_id=agency_id,
            agency_name=agency_name,
            on=on,
            actor=ctx.actor,
        )
        return Outcome({"consultation_id": str(consultation.id)}, [consultation])

    @command
    def close_consultation(self, ctx: Context, *, reference: str, reason: str, on: date) -> Outcome:
        """Close a consultation; no further procurement may rely on it."""
        consultation = self.consultation(reference)
        consultation.close(reason=reason, on=on, actor=ctx.actor)
        return Outcome({"consultation_id": str(consultation.id)}, [consultation])

    def committed_under(self, consultation: Consultation) -> Money:
        """What procurements not cancelled have committed under ``consultation``."""
        self.books.catch_up()
        code = consultation.ceiling.currency
        rows = self.db.query(resolution.COMMITTED_UNDER_SQL, [str(consultation.id)])
        minor = sum(int(r["committed_minor"]) for r in rows if r["currency"] == code)
        return from_minor(minor, code)

    def commit_procurement(
        self,
        ctx: Context,
        *,
        reference: str,
        consultation_reference: str | None,
        category: ProcurementCategory,
        description: str,
        supplier: str,
        enterprise: str,
        agency_id: UUID,
        amount: Money,
        on: date,
    ) -> Result:
        """Commit to buy machines, raw materials or tools under a concurring consultation."""
        # Under the lock: two procurements at once must not both fit under one ceiling.
        with self.locks.hold("balance"):
            return self._commit_procurement(
                ctx,
                reference=reference,
                consultation_reference=consultation_reference,
                category=category,
                description=description,
                supplier=supplier,
                enterprise=enterprise,
                agency_id=agency_id,
                amount=amount,
                on=on,
            )

    @command
    def _commit_procurement(
        self,
        ctx: Context,
        *,
        reference: str,
        consultation_reference: str | None,
        category: ProcurementCategory,
        description: str,
        supplier: str,
        enterprise: str,
        agency_id: UUID,
        amount: Money,
        on: date,
    ) -> Outcome:
        consultation = self.consultation(consultation_reference) if consultation_reference else None
        opinion = None
        already = Money.zero(amount.currency)
        if consultation is not None:
            remote = self.remote.get(
                ConsultationOpinion, ConsultationOpinion.id_for(consultation.id), self.liaison
            )
            opinion = remote.decision() if remote else None
            already = self.committed_under(consultation)
        procurement = Procurement.commit(
            country=self.country,
            reference=reference,
            category=category,
            description=description,
            supplier=supplier,
            enterprise=enterprise,
            agency_id=agency_id,
            amount=amount,
            consultation=consultation,
            opinion=opinion,
            already_committed=already,
            on=on,
            actor=ctx.actor,
        )
        return Outcome(self._state(procurement), [procurement])

    def _procurement(self, procurement_id: UUID) -> Procurement:
        return self.load(Procurement, procurement_id, "procurement")

    @command
    def ship_procurement(
        self, ctx: Context, *, procurement_id: UUID, on: date, carrier: str | None = None
    ) -> Outcome:
        """Record that the goods were shipped."""
        procurement = self._procurement(procurement_id)
        procurement.ship(on=on, actor=ctx.actor, carrier=carrier)
        return Outcome(self._state(procurement), [procurement])

    @command
    def note_delivery(self, ctx: Context, *, procurement_id: UUID) -> Outcome:
        """Note the liaison's confirmation that the goods reached the enterprise."""
        procurement = self._procurement(procurement_id)
        delivery = self.remote.get(
            GoodsDelivery, GoodsDelivery.id_for(procurement.id), self.liaison
        )
        confirmation = delivery.confirmation() if delivery else None
        procurement.note_delivery(confirmation=confirmation, actor=ctx.actor)
        return Outcome(self._state(procurement), [procurement])

    @command
    def note_production(self, ctx: Context, *, procurement_id: UUID) -> Outcome:
        """Note the liaison's report that the equipped enterprise is producing."""
        procurement = self._procurement(procurement_id)
        found = self.remote.get(Enterprise, Enterprise.id_for(procurement.enterprise), self.liaison)
        procurement.note_production(report=found.report() if found else None, actor=ctx.actor)
        return Outcome(self._state(procurement), [procurement])

    def pay_procurement(
        self,
        ctx: Context,
        *,
        procurement_id: UUID,
        amount: Money,
        on: date,
        reference: str | None = None,
    ) -> Result:
        """Pay the supplier; never more than is available, never by the one who committed."""
        with self.locks.hold("balance"):
            return self._pay_procurement(
                ctx, procurement_id=procurement_id, amount=amount, on=on, reference=reference
            )

    @command
    def _pay_procurement(
        self, ctx: Context, *, procurement_id: UUID, amount: Money, on: date, reference: str | None
    ) -> Outcome:
        procurement = self._procurement(procurement_id)
        self._spend(amount, "procurement.exceeds_available_balance")
        procurement.pay(amount=amount, on=on, actor=ctx.actor, reference=reference)
        return Outcome(self._state(procurement), [procurement])

    @command
    def cancel_procurement(
        self, ctx: Context, *, procurement_id: UUID, reason: str, on: date
    ) -> Outcome:
        """Cancel a procurement that was neither shipped nor paid."""
        procurement = self._procurement(procurement_id)
        procurement.cancel(reason=reason, on=on, actor=ctx.actor)
        return Outcome(self._state(procurement), [procurement])

    # --- specialists ------------------------------------------------------------------------

    @command
    def nominate_specialist(
        self,
        ctx: Context,
        *,
        reference: str,
        persons: Sequence[str],
        trade: str,
        enterprise: str,
        urgency: Urgency,
        union_id: UUID,
        union_name: str,
        on: date,
    ) -> Outcome:
        """Nominate one specialist urgently needed in a factory (never a group)."""
        self.committee()
        nomination = SpecialistNomination.nominate(
            country=self.country,
            reference=reference,
            persons=persons,
            trade=trade,
            enterprise=enterprise,
            urgency=urgency,
            union_id=union_id,
            union_name=union_name,
            on=on,
            actor=ctx.actor,
        )
        return Outcome(self._state(nomination), [nomination])

    def _nomination(self, nomination_id: UUID) -> SpecialistNomination:
        return self.load(SpecialistNomination, nomination_id, "nomination")

    @command
    def request_union_approval(self, ctx: Context, *, nomination_id: UUID, on: date) -> Outcome:
        """Ask the Russian trade union to approve the nomination."""
        nomination = self._nomination(nomination_id)
        nomination.request_approval(on=on, actor=ctx.actor)
        return Outcome(self._state(nomination), [nomination])

    @command
    def note_union_decision(self, ctx: Context, *, nomination_id: UUID) -> Outcome:
        """Note the union's approval or refusal, as it reached this node from the liaison."""
        nomination = self._nomination(nomination_id)
        found = self.remote.get(
            UnionApprovalDecision, UnionApprovalDecision.id_for(nomination.id), self.liaison
        )
        nomination.note_union_decision(
            decision=found.decision() if found else None, actor=ctx.actor
        )
        return Outcome(self._state(nomination), [nomination])

    def fund_emigration(
        self, ctx: Context, *, nomination_id: UUID, amount: Money, on: date
    ) -> Result:
        """Fund an approved specialist's journey."""
        with self.locks.hold("balance"):
            return self._fund(ctx, nomination_id=nomination_id, amount=amount, on=on)

    @command
    def _fund(self, ctx: Context, *, nomination_id: UUID, amount: Money, on: date) -> Outcome:
        nomination = self._nomination(nomination_id)
        self._spend(amount, "specialist.exceeds_available_balance")
        nomination.fund_emigration(amount=amount, on=on, actor=ctx.actor)
        return Outcome(self._state(nomination), [nomination])

    @command
    def record_departure(self, ctx: Context, *, nomination_id: UUID, on: date) -> Outcome:
        """Record that the approved and funded specialist departed."""
        nomination = self._nomination(nomination_id)
        nomination.depart(on=on, actor=ctx.actor)
        return Outcome(self._state(nomination), [nomination])

    # --- transfers confirmed by their receiver ----------------------------------------------

    @command
    def note_transfer_receipt(self, ctx: Context, *, transfer_id: UUID, receiver: str) -> Outcome:
        """Note the receiver's confirmation; the transfer leaves transit with what arrived."""
        transfer = self.load(Transfer, transfer_id, "transfer")
        found = self.remote.get(TransferReceipt, TransferReceipt.id_for(transfer.id), receiver)
        transfer.note_receipt(confirmation=found.confirmation() if found else None, actor=ctx.actor)
        difference = transfer.difference
        result = self._state(transfer) | {"difference": str(difference) if difference else None}
        return Outcome(result, [transfer])

    @command
    def book_transfer_difference(self, ctx: Context, *, transfer_id: UUID, reason: str) -> Outcome:
        """Book the difference between what was sent and what arrived."""
        transfer = self.load(Transfer, transfer_id, "transfer")
        transfer.book_difference(reason=reason, actor=ctx.actor)
        return Outcome(self._state(transfer), [transfer])

    # --- surplus and period reports ---------------------------------------------------------

    @command
    def declare_surplus(
        self, ctx: Context, *, period_end: date, amount: Money, on: date
    ) -> Outcome:
        """Declare the surplus of a period, to be used only to expand the campaign."""
        self.committee()
        surplus = Surplus.declare(
            country=self.country, period_end=period_end, amount=amount, on=on, actor=ctx.actor
        )
        return Outcome({"surplus_id": str(surplus.id)}, [surplus])

    @command
    def allocate_surplus(
        self, ctx: Context, *, surplus_id: UUID, campaign_code: str, amount: Money, on: date
    ) -> Outcome:
        """Allocate (part of) a surplus to an expansion campaign."""
        surplus = self.load(Surplus, surplus_id, "surplus")
        campaign = self.campaign(campaign_code)
        campaign.require_open()
        surplus.allocate(
            campaign_id=campaign.id,
            campaign_kind=campaign.kind,
            amount=amount,
            on=on,
            actor=ctx.actor,
        )
        return Outcome(
            {"surplus_id": str(surplus.id), "unallocated": str(surplus.unallocated)}, [surplus]
        )

    @command
    def submit_period_report(
        self,
        ctx: Context,
        *,
        period_start: date,
        period_end: date,
        assertions: Sequence[BalanceAssertion],
        on: date,
    ) -> Outcome:
        """Submit a period report with balance assertions per currency."""
        self.committee()
        report = PeriodReport.submit(
            country=self.country,
            period_start=period_start,
            period_end=period_end,
            assertions=assertions,
            on=on,
            actor=ctx.actor,
        )
        return Outcome({"report_id": str(report.id)}, [report])

    @command
    def approve_period_report(self, ctx: Context, *, report_id: UUID, on: date) -> Outcome:
        """Approve a submitted period report (not by its submitter)."""
        report = self.load(PeriodReport, report_id, "period report")
        report.approve(on=on, actor=ctx.actor)
        return Outcome({"report_id": str(report.id), "status": "approved"}, [report])
