"""The committee's own books: the committee, its campaigns, pledges, receipts and transfers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from domain.campaign import Campaign, CampaignKind
from domain.committee import NationalCommittee, Office, OrganisationType
from domain.errors import DomainError, NotFound, RuleBroken
from domain.ids import derive_id
from domain.money import Money
from domain.pledge import Instalment, Pledge
from domain.receipt import CashReceipt, InKindReceipt, Reversible
from domain.transfer import Transfer
from federation.node.base import Context, NodeApplication, Outcome, command
from federation.node.idempotency import Result, previous_result
from federation.node.projection import LocalProjection
from federation.settings import Settings
from projections import books, movements
from projections.rows import amount_text


@dataclass(frozen=True, slots=True)
class CashReceiptLine:
    """One line of a collection list: money received from one contributor."""

    campaign_code: str
    contributor: str
    organisation_type: OrganisationType
    amount: Money
    value_date: date
    reference: str | None = None


class CommitteeBooks(NodeApplication):
    """Records a committee's campaigns, pledges, receipts and transfers; answers for its books."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.books = LocalProjection(self, self.db, "books", books.TABLES, books.project)

    @property
    def country(self) -> str:
        return self.settings.node_id

    # --- the committee -------------------------------------------------------------------

    def committee(self) -> NationalCommittee:
        """This node's committee; refused until it has been constituted."""
        try:
            return self.load(NationalCommittee, NationalCommittee.id_for(self.country), "committee")
        except NotFound:
            raise RuleBroken(
                "committee.not_constituted",
                f"the committee of {self.country} has not been constituted yet",
            ) from None

    @command
    def constitute(self, ctx: Context, *, name: str, national_section: str, on: date) -> Outcome:
        """Constitute this node's committee."""
        if self.exists(NationalCommittee.id_for(self.country)):
            raise RuleBroken(
                "committee.already_constituted",
                f"the committee of {self.country} is already constituted",
            )
        committee = NationalCommittee.constitute(
            country=self.country,
            name=name,
            national_section=national_section,
            on=on,
            actor=ctx.actor,
        )
        return Outcome({"committee_id": str(committee.id), "country": self.country}, [committee])

    @command
    def admit_delegate(
        self, ctx: Context, *, delegate: str, organisation: str, organisation_type: OrganisationType
    ) -> Outcome:
        """Admit a delegate of a workers' organisation."""
        committee = self.committee()
        committee.admit_delegate(
            delegate=delegate,
            organisation=organisation,
            organisation_type=organisation_type,
            actor=ctx.actor,
        )
        return Outcome({"delegate": delegate.strip(), "organisation": organisation}, [committee])

    @command
    def appoint_officer(self, ctx: Context, *, person: str, office: Office) -> Outcome:
        """Appoint the treasurer or the secretary."""
        committee = self.committee()
        committee.appoint_officer(person=person, office=office, actor=ctx.actor)
        return Outcome({"office": office.value, "person": person.strip()}, [committee])

    # --- campaigns ------------------------------------------------------------------------

    def campaign(self, code: str) -> Campaign:
        """The campaign with this code."""
        try:
            return self.load(Campaign, Campaign.id_for(self.country, code.strip()), "campaign")
        except NotFound:
            raise NotFound("campaign.not_found", f"no campaign with code {code!r}") from None

    @command
    def open_campaign(
        self,
        ctx: Context,
        *,
        code: str,
        title: str,
        kind: CampaignKind,
        national_section: str | None,
        on: date,
    ) -> Outcome:
        """Open a campaign under a new code."""
        self.committee()
        if self.exists(Campaign.id_for(self.country, code.strip())):
            raise RuleBroken("campaign.code_taken", f"a campaign with code {code!r} exists")
        campaign = Campaign.open(
            country=self.country,
            code=code,
            title=title,
            kind=kind,
            national_section=national_section,
            on=on,
            actor=ctx.actor,
        )
        return Outcome({"campaign_id": str(campaign.id), "code": campaign.code}, [campaign])

    @command
    def close_campaign(self, ctx: Context, *, code: str, on: date) -> Outcome:
        """Close a campaign."""
        campaign = self.campaign(code)
        campaign.close(on=on, actor=ctx.actor)
        return Outcome({"campaign_id": str(campaign.id), "closed_on": on.isoformat()}, [campaign])

    # --- pledges --------------------------------------------------------------------------

    @command
    def record_pledge(
        self,
        ctx: Context,
        *,
        campaign_code: str,
        pledger: str,
        organisation_type: OrganisationType,
        total: Money,
        schedule: Sequence[Instalment],
        on: date,
    ) -> Outcome:
        """Record a pledge on a schedule of instalments."""
        campaign = self.campaign(campaign_code)
        campaign.require_open()
        pledge = Pledge.record(
            pledge_id=ctx.new_id("pledge"),
            campaign_id=campaign.id,
            pledger=pledger,
            organisation_type=organisation_type,
            total=total,
            schedule=tuple(schedule),
            on=on,
            actor=ctx.actor,
        )
        return Outcome({"pledge_id": str(pledge.id)}, [pledge])

    @command
    def reschedule_pledge(
        self, ctx: Context, *, pledge_id: UUID, schedule: Sequence[Instalment], reason: str
    ) -> Outcome:
        """Replace a pledge's open instalments."""
        pledge = self.load(Pledge, pledge_id, "pledge")
        pledge.reschedule(schedule=tuple(schedule), reason=reason, actor=ctx.actor)
        return Outcome(
            {"pledge_id": str(pledge.id), "outstanding": str(pledge.outstanding)}, [pledge]
        )

    @command
    def settle_pledge_instalment(
        self, ctx: Context, *, pledge_id: UUID, due_on: date, actual: Money, value_date: date
    ) -> Outcome:
        """Book the money actually paid against an instalment, as a cash receipt."""
        pledge = self.load(Pledge, pledge_id, "pledge")
        campaign = self.load(Campaign, pledge.campaign_id, "campaign")
        campaign.require_open()
        receipt = CashReceipt.receive(
            receipt_id=ctx.new_id("pledge-receipt"),
            campaign_id=campaign.id,
            contributor=pledge.pledger,
            organisation_type=pledge.organisation_type,
            amount=actual,
            value_date=value_date,
            actor=ctx.actor,
            pledge_id=pledge.id,
        )
        pledge.settle_instalment(
            due_on=due_on, actual=actual, receipt_id=receipt.id, on=value_date, actor=ctx.actor
        )
        result = {"pledge_id": str(pledge.id), "receipt_id": str(receipt.id)}
        return Outcome(result | {"outstanding": str(pledge.outstanding)}, [pledge, receipt])

    @command
    def cancel_pledge(self, ctx: Context, *, pledge_id: UUID, reason: str) -> Outcome:
        """Cancel what is outstanding on a pledge."""
        pledge = self.load(Pledge, pledge_id, "pledge")
        pledge.cancel(reason=reason, actor=ctx.actor)
        return Outcome({"pledge_id": str(pledge.id), "status": "cancelled"}, [pledge])

    # --- receipts -------------------------------------------------------------------------

    def _receipt_id(self, ctx: Context, kind: str, reference: str | None) -> UUID:
        # A receipt with a reference (a collection-list line) has one id forever: imported
        # twice, it is recorded once.
        if reference:
            return derive_id(kind, self.country, reference.strip())
        return ctx.new_id(kind)

    def _new_cash_receipt(
        self, ctx: Context, line: CashReceiptLine, campaign: Campaign | None = None
    ) -> CashReceipt:
        campaign = campaign or self.campaign(line.campaign_code)
        campaign.require_open()
        receipt_id = self._receipt_id(ctx, "cash-receipt", line.reference)
        if line.reference and self.exists(receipt_id):
            raise RuleBroken(
                "receipt.reference_taken", f"a receipt with reference {line.reference!r} exists"
            )
        return CashReceipt.receive(
            receipt_id=receipt_id,
            campaign_id=campaign.id,
            contributor=line.contributor,
            organisation_type=line.organisation_type,
            amount=line.amount,
            value_date=line.value_date,
            actor=ctx.actor,
            reference=line.reference,
        )

    @command
    def record_cash_receipt(self, ctx: Context, line: CashReceiptLine) -> Outcome:
        """Record money received for a campaign."""
        receipt = self._new_cash_receipt(ctx, line)
        return Outcome({"receipt_id": str(receipt.id)}, [receipt])

    @command
    def record_cash_receipts(self, ctx: Context, lines: Sequence[CashReceiptLine]) -> Outcome:
        """Record many receipts in one transaction: all of them or none."""
        return self._cash_receipts(ctx, lines)

    def _cash_receipts(self, ctx: Context, lines: Sequence[CashReceiptLine]) -> Outcome:
        campaigns = {code: self.campaign(code) for code in {line.campaign_code for line in lines}}
        receipts = [self._new_cash_receipt(ctx, ln, campaigns[ln.campaign_code]) for ln in lines]
        if len({r.id for r in receipts}) != len(receipts):
            raise RuleBroken("receipt.reference_repeated", "two lines carry the same reference")
        return Outcome({"receipt_ids": [str(r.id) for r in receipts]}, list(receipts))

    def check_import(self, lines: Sequence[CashReceiptLine]) -> list[tuple[int, str]]:
        """Problems of a collection list against the books: (index of the line, reason)."""
        problems: list[tuple[int, str]] = []
        campaigns: dict[str, str | None] = {}
        for index, line in enumerate(lines):
            if line.campaign_code not in campaigns:
                campaigns[line.campaign_code] = self._campaign_problem(line.campaign_code)
            if (problem := campaigns[line.campaign_code]) is not None:
                problems.append((index, problem))
            elif (recorded := self._recorded(line)) is not None and recorded != self._as_recorded(
                line
            ):
                problems.append(
                    (
                        index,
                        f"reference {line.reference!r} was recorded with other "
                        "details; correct it by reversal, not by re-import",
                    )
                )
        return problems

    def _campaign_problem(self, code: str) -> str | None:
        try:
            self.campaign(code).require_open()
        except DomainError as error:
            return error.message
        return None

    def _recorded(self, line: CashReceiptLine) -> tuple[object, ...] | None:
        receipt_id = derive_id("cash-receipt", self.country, (line.reference or "").strip())
        if not line.reference or not self.exists(receipt_id):
            return None
        r = self.load(CashReceipt, receipt_id, "receipt")
        return (r.campaign_id, r.contributor, r.organisation_type, r.amount, r.value_date)

    def _as_recorded(self, line: CashReceiptLine) -> tuple[object, ...]:
        campaign_id = Campaign.id_for(self.country, line.campaign_code.strip())
        return (
            campaign_id,
            line.contributor.strip(),
            line.organisation_type,
            line.amount,
            line.value_date,
        )

    def import_cash_receipts(self, ctx: Context, lines: Sequence[CashReceiptLine]) -> Result:
        """Record the lines of a checked collection list not recorded before, in one transaction.

        The whole answer is what the idempotency key keeps: repeating the import with its key
        answers the same counts (it once answered only the receipt ids).
        """
        if ctx.idempotency and (done := previous_result(self.db, ctx.idempotency)) is not None:
            return done
        new = [line for line in lines if self._recorded(line) is None]
        counts = {"recorded": len(new), "already_recorded": len(lines) - len(new)}
        if not new:
            return counts | {"receipt_ids": []}
        outcome = self._cash_receipts(ctx, new)
        return self.commit(Outcome(counts | outcome.result, outcome.aggregates), ctx)

    @command
    def record_in_kind_receipt(
        self,
        ctx: Context,
        *,
        campaign_code: str,
        contributor: str,
        organisation_type: OrganisationType,
        description: str,
        valuation: Money,
        value_date: date,
        reference: str | None = None,
    ) -> Outcome:
        """Record goods received for a campaign, with their valuation."""
        campaign = self.campaign(campaign_code)
        campaign.require_open()
        receipt = InKindReceipt.receive(
            receipt_id=self._receipt_id(ctx, "in-kind-receipt", reference),
            campaign_id=campaign.id,
            contributor=contributor,
            organisation_type=organisation_type,
            description=description,
            valuation=valuation,
            value_date=value_date,
            actor=ctx.actor,
            reference=reference,
        )
        return Outcome({"receipt_id": str(receipt.id)}, [receipt])

    @command
    def reverse_receipt(self, ctx: Context, *, receipt_id: UUID, reason: str, on: date) -> Outcome:
        """Reverse a receipt recorded in error."""
        receipt = self.load(Reversible, receipt_id, "receipt")
        receipt.reverse(reason=reason, on=on, actor=ctx.actor)
        return Outcome({"receipt_id": str(receipt.id), "reversed_on": on.isoformat()}, [receipt])

    # --- transfers ------------------------------------------------------------------------

    def available(self, code: str) -> Money:
        """Cash available in currency ``code``: received, less what is committed or sent."""
        for row in self.balances():
            if row["currency"] == code:
                return Money.of(row["available"], code)
        return Money.zero(code)

    def initiate_transfer(
        self, ctx: Context, *, recipient: str, amount: Money, purpose: str, on: date
    ) -> Result:
        """Initiate a transfer of at most the available balance in its currency."""
        # Check and save under the node's balance lock: two transfers initiated at once
        # must not both spend the same money.
        with self.locks.hold("balance"):
            return self._initiate_transfer(
                ctx, recipient=recipient, amount=amount, purpose=purpose, on=on
            )

    @command
    def _initiate_transfer(
        self, ctx: Context, *, recipient: str, amount: Money, purpose: str, on: date
    ) -> Outcome:
        self.committee()
        transfer = Transfer.initiate(
            transfer_id=ctx.new_id("transfer"),
            sender=self.country,
            recipient=recipient,
            amount=amount,
            available=self.available(amount.currency),
            purpose=purpose,
            on=on,
            actor=ctx.actor,
        )
        return Outcome(
            {"transfer_id": str(transfer.id), "status": transfer.status.value}, [transfer]
        )

    @command
    def countersign_transfer(self, ctx: Context, *, transfer_id: UUID) -> Outcome:
        """Countersign (approve) a transfer initiated by someone else."""
        transfer = self.load(Transfer, transfer_id, "transfer")
        transfer.countersign(actor=ctx.actor)
        return Outcome(
            {"transfer_id": str(transfer.id), "status": transfer.status.value}, [transfer]
        )

    @command
    def send_transfer(
        self, ctx: Context, *, transfer_id: UUID, on: date, reference: str | None = None
    ) -> Outcome:
        """Send (pay) a countersigned transfer; it is in transit until confirmed."""
        transfer = self.load(Transfer, transfer_id, "transfer")
        transfer.send(on=on, actor=ctx.actor, reference=reference)
        return Outcome(
            {"transfer_id": str(transfer.id), "status": transfer.status.value}, [transfer]
        )

    @command
    def cancel_transfer(self, ctx: Context, *, transfer_id: UUID, reason: str) -> Outcome:
        """Cancel a transfer that has not been sent."""
        transfer = self.load(Transfer, transfer_id, "transfer")
        transfer.cancel(reason=reason, actor=ctx.actor)
        return Outcome(
            {"transfer_id": str(transfer.id), "status": transfer.status.value}, [transfer]
        )

    # --- the books (queries) --------------------------------------------------------------

    def _rows(self, query: str) -> list[dict[str, Any]]:
        self.books.catch_up()
        return self.db.query(query)

    def balances(self) -> list[dict[str, Any]]:
        """Per currency: income, loan money, transfers, spending, what is on hand and available."""
        sums: dict[str, dict[str, int]] = {}
        for row in self._rows(movements.BALANCES_SQL):
            sums.setdefault(row["currency"], {})[row["measure"]] = int(row["amount_minor"])
        for row in self.db.query(books.PLEDGES_SQL):
            measures = sums.setdefault(row["currency"], {})
            measures["pledged"] = int(row["pledged_minor"])
            measures["pledges_settled"] = int(row["pledge_settled_minor"])
        return [self._balance(code, sums[code]) for code in sorted(sums)]

    @staticmethod
    def _balance(code: str, m: dict[str, int]) -> dict[str, Any]:
        def get(measure: str) -> int:
            return m.get(measure, 0)

        on_hand = (
            get("cash_received")
            + get("loan_subscribed")
            - get("loan_redeemed")
            - get("loan_coupons")
            - get("in_transit")
            - get("transferred")
            - get("spent")
        )
        figures = {measure: get(measure) for measure in movements.MEASURES}
        figures |= {
            "loan_outstanding": get("loan_subscribed") - get("loan_redeemed"),
            "cash_on_hand": on_hand,
            "available": on_hand - get("committed"),
            "pledged": get("pledged"),
            "pledges_settled": get("pledges_settled"),
            "pledges_outstanding": max(get("pledged") - get("pledges_settled"), 0),
        }
        return {"currency": code} | {k: amount_text(v, code) for k, v in figures.items()}

    def _with_amounts(self, rows: list[dict[str, Any]], *measures: str) -> list[dict[str, Any]]:
        out = []
        for row in rows:
            shaped = {k: v for k, v in row.items() if not k.endswith("_minor")}
            for m in measures:
                shaped[m] = amount_text(int(row[f"{m}_minor"]), row["currency"])
            out.append(shaped)
        return out

    def by_campaign(self) -> list[dict[str, Any]]:
        """Pledged vs received (cash and in kind) per campaign and currency."""
        rows = self._rows(books.BY_CAMPAIGN_SQL)
        return self._with_amounts(rows, "pledged", "received", "in_kind")

    def by_organisation_type(self) -> list[dict[str, Any]]:
        """Pledged vs received per organisation type and currency, with contribution counts."""
        rows = self._rows(books.BY_ORGANISATION_TYPE_SQL)
        return self._with_amounts(rows, "pledged", "received", "in_kind")

    def list_rows(self, table: str, order: str, limit: int, offset: int) -> list[dict[str, Any]]:
        """Rows of one books table (receipts, pledges, transfers, campaigns), amounts shaped."""
        self.books.catch_up()
        allowed = {t.name: t for t in books.TABLES}
        assert table in allowed, table
        rows = self.db.query(
            f"SELECT * FROM {table} ORDER BY {order} LIMIT ? OFFSET ?", [limit, offset]
        )
        for row in rows:
            for key in [k for k in row if k.endswith("_minor")]:
                minor = row.pop(key)
                row[key.removesuffix("_minor")] = (
                    None if minor is None else amount_text(int(minor), row["currency"])
                )
        return rows
