"""The liaison's node: the Russian agencies' and unions' desk in the federation.

It keeps the registry of agencies and records what they decide — opinions on consultations,
unions' approvals of specialists, deliveries, receipts of transfers, enterprises in production.
It follows the committees (``liaison_view``) and decides only on what has reached it from them.
The role is checked first, before anything is looked up.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID

from domain.agency import AgencyKind, RussianAgency
from domain.decisions import OpinionVerdict
from domain.errors import RuleBroken
from domain.liaison import (
    ConsultationOpinion,
    Enterprise,
    GoodsDelivery,
    TransferReceipt,
    UnionApprovalDecision,
)
from domain.money import Money
from domain.roles import Role, require_role
from federation.node import liaison_known as check
from federation.node.base import Context, NodeApplication, Outcome, command
from federation.node.ingest import RemoteProjector
from federation.node.liaison_queries import LiaisonQueries
from federation.node.lookup import find
from federation.node.projection import LocalProjection
from federation.settings import Settings
from projections import liaison_records, liaison_view


def _officer(ctx: Context, action: str) -> None:
    require_role(ctx.actor, Role.LIAISON_OFFICER, action=action)


class LiaisonApplication(LiaisonQueries, NodeApplication):
    """Records the Russian agencies' and unions' decisions on what the committees asked."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        tables = liaison_view.TABLES
        self.db.execute_script([s for t in tables for s in t.ddl(self.db.dialect)])
        self.records = LocalProjection(
            self, self.db, "liaison_records", liaison_records.TABLES, liaison_records.project
        )

    def remote_projectors(self) -> dict[str, RemoteProjector]:
        """What the liaison keeps of the committees' events: see ``projections.liaison_view``."""
        return {"liaison_view": liaison_view.project}

    def _refuse_if_recorded(self, aggregate_id: UUID, rule: str, message: str) -> None:
        # Ids derive from natural keys (the agency's code, the consultation...): one per key.
        if self.exists(aggregate_id):
            raise RuleBroken(rule, message)

    # --- the registry of agencies -----------------------------------------------------------

    def agency(self, code: str) -> RussianAgency:
        """The registered agency with this code (e.g. ``NARKOMZEM``)."""
        message = f"no agency with code {code.strip().upper()!r} is registered with the liaison"
        return find(self, RussianAgency, RussianAgency.id_for(code), "agency.not_found", message)

    @command
    def register_agency(
        self,
        ctx: Context,
        *,
        code: str,
        name: str,
        kind: AgencyKind,
        on: date,
        parent_code: str | None = None,
    ) -> Outcome:
        """Register an agency, under its parent (a union under VTsSPS) if it has one."""
        _officer(ctx, "registering a Russian agency")
        self._refuse_if_recorded(
            RussianAgency.id_for(code),
            "agency.code_taken",
            f"an agency with code {code.strip().upper()!r} is registered",
        )
        parent = self.agency(parent_code) if parent_code else None
        agency = RussianAgency.register(
            code=code, name=name, kind=kind, on=on, actor=ctx.actor, parent=parent
        )
        return Outcome({"agency_id": str(agency.id), "code": agency.code}, [agency])

    @command
    def deregister_agency(self, ctx: Context, *, code: str, reason: str, on: date) -> Outcome:
        """Deregister an agency; its earlier decisions stand."""
        _officer(ctx, "deregistering a Russian agency")
        agency = self.agency(code)
        agency.deregister(reason=reason, on=on, actor=ctx.actor)
        return Outcome({"agency_id": str(agency.id), "code": agency.code}, [agency])

    # --- opinions on consultations ----------------------------------------------------------

    def opinion(self, consultation_id: UUID) -> ConsultationOpinion:
        """The opinion recorded on a consultation."""
        message = f"no opinion on consultation {consultation_id} is recorded"
        opinion_id = ConsultationOpinion.id_for(consultation_id)
        return find(self, ConsultationOpinion, opinion_id, "opinion.not_found", message)

    @command
    def record_opinion(
        self,
        ctx: Context,
        *,
        consultation_id: UUID,
        agency_code: str,
        verdict: OpinionVerdict,
        valid_until: date,
        on: date,
        conditions: str | None = None,
        ceiling: Money | None = None,
        notes: str | None = None,
    ) -> Outcome:
        """Record the consulted agency's opinion: concur, concur with conditions, or object."""
        _officer(ctx, "recording an agency's opinion")
        consultation = check.consultation(self.db, consultation_id)
        self._refuse_if_recorded(
            ConsultationOpinion.id_for(consultation_id),
            "opinion.already_recorded",
            f"an opinion on consultation {consultation['reference']} is recorded; revise it",
        )
        agency = self.agency(agency_code)
        check.check_opinion_fits(consultation, agency.id, agency.name, on)
        check.check_opinion_ceiling(consultation, ceiling)
        opinion = ConsultationOpinion.record(
            consultation_id=consultation_id,
            agency=agency,
            verdict=verdict,
            valid_until=valid_until,
            on=on,
            actor=ctx.actor,
            conditions=conditions,
            ceiling=ceiling,
            notes=notes,
        )
        return Outcome(self._opinion(opinion), [opinion])

    @command
    def revise_opinion(
        self,
        ctx: Context,
        *,
        consultation_id: UUID,
        verdict: OpinionVerdict,
        valid_until: date,
        on: date,
        conditions: str | None = None,
        ceiling: Money | None = None,
        notes: str | None = None,
    ) -> Outcome:
        """Supersede the opinion from ``on``: tighten, relax or extend it."""
        _officer(ctx, "revising an agency's opinion")
        opinion = self.opinion(consultation_id)
        check.check_opinion_ceiling(check.consultation(self.db, consultation_id), ceiling)
        opinion.revise(
            verdict=verdict,
            valid_until=valid_until,
            on=on,
            actor=ctx.actor,
            conditions=conditions,
            ceiling=ceiling,
            notes=notes,
        )
        return Outcome(self._opinion(opinion), [opinion])

    @command
    def withdraw_opinion(
        self, ctx: Context, *, consultation_id: UUID, reason: str, on: date
    ) -> Outcome:
        """Withdraw the opinion; no procurement may rely on it from then on."""
        _officer(ctx, "withdrawing an agency's opinion")
        opinion = self.opinion(consultation_id)
        opinion.withdraw(reason=reason, on=on, actor=ctx.actor)
        return Outcome(self._opinion(opinion), [opinion])

    @staticmethod
    def _opinion(opinion: ConsultationOpinion) -> dict[str, Any]:
        return {
            "opinion_id": str(opinion.id),
            "consultation_id": str(opinion.consultation_id),
            "verdict": opinion.verdict.value,
            "valid_until": opinion.valid_until.isoformat(),
            "withdrawn_on": opinion.withdrawn_on.isoformat() if opinion.withdrawn_on else None,
        }

    # --- unions' decisions on specialists ---------------------------------------------------

    def _union_for(
        self, ctx: Context, nomination_id: UUID, union_code: str, on: date
    ) -> RussianAgency:
        require_role(ctx.actor, Role.UNION_REPRESENTATIVE, action="deciding on a specialist")
        nomination = check.nomination_awaiting(self.db, nomination_id)
        self._refuse_if_recorded(
            UnionApprovalDecision.id_for(nomination_id),
            "union.already_decided",
            f"the union has decided on the nomination of {nomination['person']}",
        )
        union = self.agency(union_code)
        check.check_union_fits(nomination, union.id, union.name, on)
        return union

    @command
    def grant_union_approval(
        self,
        ctx: Context,
        *,
        nomination_id: UUID,
        union_code: str,
        on: date,
        reason: str | None = None,
    ) -> Outcome:
        """Approve the nominated specialist's coming to work in a Russian enterprise."""
        union = self._union_for(ctx, nomination_id, union_code, on)
        decision = UnionApprovalDecision.grant(
            nomination_id=nomination_id, union=union, on=on, actor=ctx.actor, reason=reason
        )
        return Outcome(self._decision(decision), [decision])

    @command
    def refuse_union_approval(
        self, ctx: Context, *, nomination_id: UUID, union_code: str, reason: str, on: date
    ) -> Outcome:
        """Refuse the nomination, giving the reason."""
        union = self._union_for(ctx, nomination_id, union_code, on)
        decision = UnionApprovalDecision.refuse(
            nomination_id=nomination_id, union=union, reason=reason, on=on, actor=ctx.actor
        )
        return Outcome(self._decision(decision), [decision])

    @staticmethod
    def _decision(decision: UnionApprovalDecision) -> dict[str, Any]:
        verdict = "granted" if decision.approved else "refused"
        ids = {"decision_id": str(decision.id), "nomination_id": str(decision.nomination_id)}
        return ids | {"decision": verdict}

    # --- confirmations ----------------------------------------------------------------------

    @command
    def confirm_delivery(
        self,
        ctx: Context,
        *,
        procurement_id: UUID,
        delivered_on: date,
        on: date,
        notes: str | None = None,
    ) -> Outcome:
        """Confirm that a procurement's goods reached the enterprise they were bought for."""
        _officer(ctx, "confirming a delivery")
        procurement = check.procurement_shipped(self.db, procurement_id, delivered_on)
        self._refuse_if_recorded(
            GoodsDelivery.id_for(procurement_id),
            "delivery.already_confirmed",
            f"the delivery of procurement {procurement['reference']} is confirmed",
        )
        delivery = GoodsDelivery.confirm(
            procurement_id=procurement_id,
            enterprise=procurement["enterprise"],
            delivered_on=delivered_on,
            on=on,
            actor=ctx.actor,
            notes=notes,
        )
        return Outcome(
            {"delivery_id": str(delivery.id), "enterprise": delivery.enterprise}, [delivery]
        )

    @command
    def confirm_transfer_receipt(
        self, ctx: Context, *, transfer_id: UUID, received: Money, on: date
    ) -> Outcome:
        """Confirm what a Russian agency actually received of a committee's transfer."""
        _officer(ctx, "confirming a transfer's receipt")
        transfer = check.transfer_sent(self.db, transfer_id, received, on)
        self._refuse_if_recorded(
            TransferReceipt.id_for(transfer_id),
            "receipt.already_confirmed",
            f"the receipt of transfer {transfer_id} is confirmed",
        )
        receiver = self.receiving_agency(transfer["recipient"])
        receipt = TransferReceipt.confirm(
            transfer_id=transfer_id,
            receiver=receiver.code,
            received=received,
            on=on,
            actor=ctx.actor,
        )
        result = {"receipt_id": str(receipt.id), "receiver": receipt.receiver}
        return Outcome(result | {"received": str(receipt.received)}, [receipt])

    @command
    def bring_enterprise_into_production(
        self, ctx: Context, *, name: str, procurement_ids: Sequence[UUID], on: date
    ) -> Outcome:
        """Report that an enterprise equipped by delivered procurements is producing."""
        _officer(ctx, "reporting an enterprise in production")
        self._refuse_if_recorded(
            Enterprise.id_for(name),
            "enterprise.already_in_production",
            f"the {name.strip()} is already in production",
        )
        for procurement_id in dict.fromkeys(procurement_ids):
            procurement = check.procurement_for_enterprise(self.db, procurement_id, name)
            check.delivered_by(procurement, self._delivery(procurement_id), on)
        enterprise = Enterprise.bring_into_production(
            name=name, procurement_ids=procurement_ids, on=on, actor=ctx.actor
        )
        return Outcome({"enterprise_id": str(enterprise.id), "name": enterprise.name}, [enterprise])

    def receiving_agency(self, recipient: str) -> RussianAgency:
        """The registered agency a transfer is addressed to, by its code or its name."""
        agency_id = self.agency_id_named(recipient)
        if agency_id is None:
            raise RuleBroken(
                "receipt.not_an_agency",
                f"the transfer is addressed to {recipient!r}, not to an agency registered with "
                "the liaison; its own receiver confirms it",
            )
        return self.load(RussianAgency, agency_id, "agency")

    def _delivery(self, procurement_id: UUID) -> GoodsDelivery | None:
        delivery_id = GoodsDelivery.id_for(procurement_id)
        return (
            self.load(GoodsDelivery, delivery_id, "delivery") if self.exists(delivery_id) else None
        )
