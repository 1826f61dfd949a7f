"""Decisions made on other nodes, as they reach a node through sync.

A committee never records these itself: the liaison records opinions, union decisions and
confirmations, the International records recognitions and rates. A committee's commands take them
as arguments; when a needed decision has not reached the node yet the command is refused with
``DecisionMissing``, naming what is missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from uuid import UUID

from domain.errors import DecisionMissing, InvalidInput, RuleBroken
from domain.money import Money, currency


class OpinionVerdict(StrEnum):
    """What a Russian agency says about a consultation."""

    CONCUR = "concur"
    CONCUR_WITH_CONDITIONS = "concur_with_conditions"
    OBJECT = "object"


@dataclass(frozen=True, slots=True)
class AgencyOpinion:
    """A Russian agency's opinion on a consultation, valid up to and including ``valid_until``.

    ``ceiling`` is set when the agency concurs for less than the consultation asked for;
    ``withdrawn_on`` once the liaison has withdrawn the opinion (it then covers nothing).
    """

    consultation_id: UUID
    agency_id: UUID
    verdict: OpinionVerdict
    conditions: str | None
    valid_until: date
    recorded_on: date
    ceiling: Money | None = None
    notes: str | None = None
    withdrawn_on: date | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "verdict", OpinionVerdict(self.verdict))

    @property
    def concurs(self) -> bool:
        """True when the agency concurs, with or without conditions."""
        return self.verdict is not OpinionVerdict.OBJECT

    def is_valid_on(self, day: date) -> bool:
        """True when ``day`` falls within the opinion's validity and it is not withdrawn."""
        return self.withdrawn_on is None and self.recorded_on <= day <= self.valid_until


@dataclass(frozen=True, slots=True)
class UnionDecision:
    """A Russian trade union's approval or refusal of one specialist's nomination."""

    nomination_id: UUID
    union_id: UUID
    approved: bool
    reason: str | None
    decided_on: date


class Standing(StrEnum):
    """Whether the International recognises a committee."""

    RECOGNISED = "recognised"
    SUSPENDED = "suspended"


@dataclass(frozen=True, slots=True)
class CommitteeStanding:
    """A committee's standing with the International as of a date."""

    country: str
    standing: Standing
    as_of: date
    reason: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "standing", Standing(self.standing))


def require_recognised(standing: CommitteeStanding | None, country: str) -> CommitteeStanding:
    """Refuse unless the International's recognition of ``country``'s committee has arrived."""
    if standing is None or standing.country != country:
        raise DecisionMissing(
            "committee.standing_missing",
            f"no recognition of the committee of {country} by the International "
            "has reached this node yet",
        )
    if standing.standing is Standing.SUSPENDED:
        raise RuleBroken(
            "committee.suspended",
            f"the committee of {country} is suspended by the International since "
            f"{standing.as_of}: {standing.reason or 'no reason given'}",
        )
    return standing


@dataclass(frozen=True, slots=True)
class ExchangeRate:
    """One unit of ``currency`` is worth ``rate`` units of ``reporting_currency`` on a date."""

    currency: str
    reporting_currency: str
    rate: Decimal
    value_date: date

    def __post_init__(self) -> None:
        currency(self.currency)
        currency(self.reporting_currency)
        if self.currency == self.reporting_currency:
            raise InvalidInput(
                "rate.same_currency", f"a rate converts between two currencies, not {self.currency}"
            )
        if not isinstance(self.rate, Decimal) or not self.rate.is_finite():
            raise InvalidInput(
                "rate.not_exact", f"a rate is an exact decimal such as '0.0357', not {self.rate!r}"
            )
        if self.rate <= 0:
            raise InvalidInput("rate.not_positive", f"a rate must be above zero, got {self.rate}")


@dataclass(frozen=True, slots=True)
class DeliveryConfirmation:
    """The liaison's confirmation that the goods of a procurement reached the enterprise."""

    procurement_id: UUID
    enterprise: str
    delivered_on: date
    confirmed_on: date
    notes: str | None = None


@dataclass(frozen=True, slots=True)
class TransferReceiptConfirmation:
    """The receiver's confirmation of a transfer, with the amount it actually received."""

    transfer_id: UUID
    received: Money
    confirmed_on: date


@dataclass(frozen=True, slots=True)
class EnterpriseInProduction:
    """The liaison's report that an enterprise equipped by procurements is producing."""

    enterprise: str
    procurement_ids: tuple[UUID, ...]
    in_production_on: date

    def __post_init__(self) -> None:
        object.__setattr__(self, "procurement_ids", tuple(self.procurement_ids))
