"""Request bodies of the International's API; rates and coupon rates are decimal strings."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Literal
from uuid import UUID

from pydantic import Field, StrictInt, StrictStr

from domain.errors import InvalidInput
from domain.money import Money
from federation.api.schemas import Body, MoneyIn

# Plain decimal notation only, as for amounts: no exponents, no floats, no NaN.
_DECIMAL = re.compile(r"^-?\d+(\.\d+)?$")

Standing = Literal["recognised", "suspended"]
ExceptionStatus = Literal["open", "resolved"]


def exact_decimal(text: str, what: str, code: str) -> Decimal:
    """Parse ``text`` as an exact decimal, or refuse it naming ``what`` it was."""
    raw = text.strip()
    if not _DECIMAL.match(raw):
        raise InvalidInput(
            code, f"{what} {raw!r} is not a plain decimal number; write it like '0.0357'"
        )
    return Decimal(raw)


class RecogniseIn(Body):
    country: str = Field(examples=["DE"], description="the committee's country (its node id)")
    committee_name: str = Field(examples=["Komitee Arbeiterhilfe für Sowjetrussland"])
    recognised_on: date


class SuspendIn(Body):
    reason: str = Field(examples=["no period report for 1922"])
    suspended_on: date


class ReinstateIn(Body):
    reason: str = Field(examples=["the period report was received and verified"])
    reinstated_on: date


class RateIn(Body):
    currency: str = Field(examples=["XPM"], description="the currency observed")
    reporting_currency: str = Field(examples=["USD"], description="what it is expressed in")
    rate: StrictStr = Field(
        examples=["0.0022"], description="units of reporting currency per unit, decimal text"
    )
    value_date: date
    source: str = Field(examples=["Berlin exchange, noon fixing"])

    def exact_rate(self) -> Decimal:
        return exact_decimal(self.rate, "the rate", "rate.not_exact")


class RateCorrectionIn(Body):
    rate: StrictStr = Field(examples=["0.0021"], description="the correct rate, decimal text")
    reason: str = Field(examples=["the fixing was misread"])

    def exact_rate(self) -> Decimal:
        return exact_decimal(self.rate, "the rate", "rate.not_exact")


class LoanIssueIn(Body):
    code: str = Field(examples=["IAA-1922"], description="the issue's unique code")
    name: str = Field(examples=["Workers' loan for Soviet Russia, 1922"])
    coupon_rate: StrictStr = Field(
        examples=["0.05"], description="yearly coupon as a fraction, decimal text (0.05 is 5 %)"
    )
    term_years: StrictInt = Field(examples=[5], description="whole years until redemption")
    denominations: list[MoneyIn] = Field(
        description="the face values of the bonds, in each currency the loan is issued in"
    )
    authorised_on: date

    def exact_coupon_rate(self) -> Decimal:
        return exact_decimal(self.coupon_rate, "the coupon rate", "loan.invalid_coupon_rate")

    def faces(self) -> list[Money]:
        return [d.money() for d in self.denominations]


class DirectiveIn(Body):
    reference: str = Field(examples=["IAH-1922-14"], description="the directive's unique reference")
    addressees: list[str] = Field(
        examples=[["DE", "FR"]], description="countries of the recognised committees addressed"
    )
    text: str = Field(examples=["Report machines bought per enterprise, not per shipment."])
    issued_on: date


class ExceptionIn(Body):
    rule: str = Field(examples=["surplus.not_expansion"], description="the rule found broken")
    node: str = Field(examples=["DE"], description="the node that broke it")
    subject_id: UUID = Field(description="the id of what broke it (a receipt, a transfer...)")
    detail: str = Field(examples=["a surplus was allocated to a famine collection"])
    raised_on: date


class ResolutionIn(Body):
    resolution: str = Field(examples=["the allocation was reversed and made to expansion"])
    resolved_on: date
