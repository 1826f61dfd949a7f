"""Request and response bodies of the committee API; routers map them to domain values."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictStr

from domain.campaign import CampaignKind
from domain.committee import Office, OrganisationType
from domain.money import Money
from domain.pledge import Instalment

# The most rows any list skips: far beyond any node's size, well inside a 64-bit SQL integer (a
# bigger offset reached the database and failed there, answering 500).
MAX_OFFSET = 10**12


class Body(BaseModel):
    """Unknown fields are refused rather than silently ignored."""

    model_config = ConfigDict(extra="forbid")


class MoneyIn(Body):
    """An amount as a decimal string (never a JSON number) and an ISO 4217 or historic code."""

    amount: StrictStr = Field(examples=["25.00"], description="decimal text such as '25.00'")
    currency: StrictStr = Field(examples=["FRF"], description="currency code, e.g. USD, FRF, XPM")

    def money(self) -> Money:
        return Money.of(self.amount, self.currency)


class InstalmentIn(Body):
    due_on: date
    amount: MoneyIn

    def instalment(self) -> Instalment:
        return Instalment(due_on=self.due_on, amount=self.amount.money())


class ConstituteCommittee(Body):
    name: str = Field(examples=["Friends of Soviet Russia"])
    national_section: str = Field(examples=["Workers Party of America"])
    constituted_on: date


class AdmitDelegate(Body):
    delegate: str = Field(examples=["Rose Pastor Stokes"])
    organisation: str = Field(examples=["Amalgamated Clothing Workers, Local 5"])
    organisation_type: OrganisationType


class AppointOfficer(Body):
    person: str
    office: Office


class OpenCampaign(Body):
    code: str = Field(examples=["famine-relief-1922"], description="unique short code")
    title: str = Field(examples=["Famine relief collection"])
    kind: CampaignKind
    national_section: str | None = Field(
        default=None, description="required for agitation campaigns"
    )
    opened_on: date


class CloseCampaign(Body):
    closed_on: date


class RecordPledge(Body):
    campaign_code: str
    pledger: str = Field(examples=["Berlin metalworkers' union"])
    organisation_type: OrganisationType
    total: MoneyIn
    schedule: list[InstalmentIn] = Field(description="instalments summing exactly to the total")
    pledged_on: date


class Reschedule(Body):
    schedule: list[InstalmentIn]
    reason: str


class SettleInstalment(Body):
    due_on: date = Field(description="the due date of the instalment being settled")
    actual: MoneyIn = Field(description="the amount actually paid")
    value_date: date


class WithReason(Body):
    reason: str


class CashReceiptIn(Body):
    campaign_code: str
    contributor: str = Field(examples=["Ruhr miners' collection, Bochum"])
    organisation_type: OrganisationType
    amount: MoneyIn
    value_date: date
    reference: str | None = Field(
        default=None, description="the line's reference on a collection list; unique"
    )


class InKindReceiptIn(Body):
    campaign_code: str
    contributor: str
    organisation_type: OrganisationType
    description: str = Field(examples=["300 bales of clothing"])
    valuation: MoneyIn
    value_date: date
    reference: str | None = None


class ReverseReceipt(Body):
    reason: str
    reversed_on: date


class InitiateTransfer(Body):
    recipient: str = Field(examples=["INTL"])
    amount: MoneyIn
    purpose: str = Field(examples=["tractor column for Toikino"])
    initiated_on: date


class SendTransfer(Body):
    sent_on: date
    reference: str | None = None


class CommandResult(BaseModel):
    """The ids and states a command produced."""

    model_config = ConfigDict(extra="allow")


class Page(BaseModel):
    """One page of a list, with the paging that produced it."""

    items: list[dict[str, Any]]
    limit: int
    offset: int


class Balance(BaseModel):
    """One currency's books; loan money is a liability, shown apart from income."""

    currency: str
    cash_received: str = Field(description="income in cash: collections and donations")
    in_kind: str = Field(description="valuation of goods received in kind")
    loan_subscribed: str = Field(description="workers' loan money subscribed (a liability)")
    loan_redeemed: str
    loan_coupons: str
    loan_outstanding: str = Field(description="principal still owed to subscribers")
    committed: str = Field(description="transfers initiated, not yet sent")
    in_transit: str = Field(description="transfers sent, not yet confirmed by the receiver")
    transferred: str
    spent: str = Field(description="procurement payments and funded emigrations")
    cash_on_hand: str
    available: str = Field(description="cash on hand less what transfers have committed")
    pledged: str = Field(description="promised; never counted as funds")
    pledges_settled: str
    pledges_outstanding: str


class Books(BaseModel):
    """The committee's books: balances per currency, and pledged vs received."""

    balances: list[Balance]
    by_campaign: list[dict[str, Any]]
    by_organisation_type: list[dict[str, Any]]


IdPath = UUID
