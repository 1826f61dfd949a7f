"""Request bodies of the committee's resolution work: loan, consultation, procurement, ..."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import Field

from domain.consultation import ProcurementCategory
from domain.loan import Certificate, SubscriberType
from domain.period_report import BalanceAssertion
from domain.specialist import Urgency
from federation.api.schemas import Body, MoneyIn


class LoanSubscriptionIn(Body):
    reference: str = Field(examples=["FR-1922-0001"], description="unique per committee")
    issue_code: str = Field(examples=["IAA-1922"], description="the International's loan issue")
    subscriber: str = Field(examples=["Fédération des métaux, Paris"])
    subscriber_type: SubscriberType
    amount: MoneyIn
    subscribed_on: date


class CertificateIn(Body):
    number: str = Field(examples=["FR-000123"])
    face_value: MoneyIn

    def certificate(self) -> Certificate:
        return Certificate(number=self.number, face_value=self.face_value.money())


class CertificatesIn(Body):
    certificates: list[CertificateIn]
    issued_on: date


class CouponIn(Body):
    year: int = Field(ge=1, description="the coupon's year of the term, 1 for the first")
    amount: MoneyIn
    paid_on: date


class RedemptionIn(Body):
    amount: MoneyIn
    redeemed_on: date


class ConsultationIn(Body):
    reference: str = Field(examples=["US-C-1922-01"])
    purpose: str = Field(examples=["tractors for the Toikino farm, Perm province"])
    category: ProcurementCategory
    ceiling: MoneyIn
    agency_id: UUID = Field(description="the agency's id in the liaison's registry")
    agency_name: str = Field(examples=["People's Commissariat of Agriculture"])
    requested_on: date


class CloseConsultationIn(Body):
    reason: str
    closed_on: date


class ProcurementIn(Body):
    reference: str = Field(examples=["US-P-1922-01"])
    consultation_reference: str | None = Field(description="the consultation it relies on")
    category: ProcurementCategory
    description: str = Field(examples=["20 Case tractors and a Fordson"])
    supplier: str = Field(examples=["J. I. Case Threshing Machine Company"])
    enterprise: str = Field(examples=["Toikino farm, Perm province"])
    agency_id: UUID
    amount: MoneyIn
    committed_on: date


class ShipmentIn(Body):
    shipped_on: date
    carrier: str | None = None


class PaymentIn(Body):
    amount: MoneyIn
    paid_on: date
    reference: str | None = None


class CancelIn(Body):
    reason: str
    cancelled_on: date


class NominationIn(Body):
    reference: str = Field(examples=["US-S-1922-01"])
    persons: list[str] = Field(description="exactly one person: groups are refused")
    trade: str = Field(examples=["tractor mechanic"])
    enterprise: str
    urgency: Urgency
    union_id: UUID
    union_name: str = Field(examples=["Metalworkers' union"])
    nominated_on: date


class DateIn(Body):
    on: date


class FundingIn(Body):
    amount: MoneyIn
    funded_on: date


class ReceiverIn(Body):
    receiver: str = Field(
        examples=["RU-LIAISON"], description="node id of the receiver that confirmed it"
    )


class DifferenceIn(Body):
    reason: str = Field(examples=["bank charges at Riga"])


class SurplusIn(Body):
    period_end: date
    amount: MoneyIn
    declared_on: date


class AllocationIn(Body):
    campaign_code: str = Field(description="an expansion campaign")
    amount: MoneyIn
    allocated_on: date


class AssertionIn(Body):
    cash_on_hand: MoneyIn
    in_transit: MoneyIn
    in_kind: MoneyIn

    def assertion(self) -> BalanceAssertion:
        return BalanceAssertion(
            cash_on_hand=self.cash_on_hand.money(),
            in_transit=self.in_transit.money(),
            in_kind=self.in_kind.money(),
        )


class PeriodReportIn(Body):
    period_start: date
    period_end: date
    assertions: list[AssertionIn] = Field(description="one per currency")
    submitted_on: date
