"""Request bodies of the liaison's API: the registry of agencies and the decisions they made."""

from __future__ import annotations

from datetime import date
from typing import Literal
from uuid import UUID

from pydantic import Field

from domain.agency import AgencyKind
from domain.decisions import OpinionVerdict
from domain.money import Money
from federation.api.schemas import Body, MoneyIn

OpinionStatus = Literal["awaiting_opinion", "answered", "withdrawn"]
NominationStatus = Literal["approval_not_requested", "awaiting_decision", "granted", "refused"]
Decision = Literal["granted", "refused"]
ProcurementStatus = Literal["committed", "shipped", "delivered", "in_production", "cancelled"]
TransferStatus = Literal["initiated", "in_transit", "confirmed", "cancelled"]


class AgencyIn(Body):
    code: str = Field(examples=["METALLIST"], description="a short unique code")
    name: str = Field(examples=["All-Russian Union of Metalworkers"])
    kind: AgencyKind
    parent_code: str | None = Field(
        default=None, examples=["VTSSPS"], description="the registered body it belongs to"
    )
    registered_on: date


class DeregisterIn(Body):
    reason: str = Field(examples=["merged into the Supreme Council of the National Economy"])
    deregistered_on: date


class _OpinionTerms(Body):
    verdict: OpinionVerdict
    valid_until: date = Field(description="the last day a procurement may rely on the opinion")
    conditions: str | None = Field(
        default=None,
        examples=["tractors with spare parts for two seasons"],
        description="required when the verdict is concur_with_conditions, refused otherwise",
    )
    ceiling: MoneyIn | None = Field(
        default=None, description="when the agency concurs for less than was asked"
    )
    notes: str | None = Field(default=None, description="required for an objection: its grounds")

    def agency_ceiling(self) -> Money | None:
        return self.ceiling.money() if self.ceiling else None


class OpinionIn(_OpinionTerms):
    agency_code: str = Field(examples=["NARKOMZEM"], description="the agency consulted")
    recorded_on: date


class RevisionIn(_OpinionTerms):
    revised_on: date = Field(description="the opinion in force changes from this day")


class WithdrawalIn(Body):
    reason: str = Field(examples=["the harvest failed; the farm cannot use the tractors"])
    withdrawn_on: date


class ApprovalIn(Body):
    union_code: str = Field(examples=["METALLIST"], description="the union named in the nomination")
    decided_on: date
    reason: str | None = None


class RefusalIn(Body):
    union_code: str = Field(examples=["METALLIST"], description="the union named in the nomination")
    reason: str = Field(examples=["the Perm works can train a mechanic locally"])
    decided_on: date


class DeliveryIn(Body):
    delivered_on: date = Field(description="the day the goods reached the enterprise")
    confirmed_on: date
    notes: str | None = Field(default=None, examples=["two tractors damaged in transit"])


class TransferReceiptIn(Body):
    received: MoneyIn = Field(description="what actually arrived, in the transfer's currency")
    confirmed_on: date


class EnterpriseIn(Body):
    name: str = Field(examples=["Toikino farm, Perm province"])
    procurement_ids: list[UUID] = Field(description="the delivered procurements that equipped it")
    in_production_on: date
