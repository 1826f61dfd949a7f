"""JSON transcodings for the domain's value objects, registered on every node's application."""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from eventsourcing.persistence import Transcoding

from domain.decisions import (
    AgencyOpinion,
    DeliveryConfirmation,
    EnterpriseInProduction,
    UnionDecision,
)
from domain.loan import Certificate, LoanTerms
from domain.money import Money
from domain.period_report import BalanceAssertion
from domain.pledge import Instalment, Settlement
from domain.roles import Actor, Role


class DateAsISO(Transcoding):
    """A calendar date as ISO text; eventsourcing transcodes datetime but not date."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class FrozenDataclass(Transcoding):
    """A frozen dataclass as a dict of its fields; nested values are transcoded recursively."""

    def __init__(self, cls: type[Any], name: str) -> None:
        assert is_dataclass(cls)
        self.type = cls
        self.name = name
        self._fields = tuple(f.name for f in fields(cls))

    def encode(self, obj: Any) -> dict[str, Any]:
        return {name: getattr(obj, name) for name in self._fields}

    def decode(self, data: dict[str, Any]) -> Any:
        return self.type(**data)


class ActorTranscoding(Transcoding):
    """The acting person and role as a two-item list: compact, since every event carries one."""

    type = Actor
    name = "actor"

    def encode(self, obj: Actor) -> list[str]:
        return [obj.person, obj.role.value]

    def decode(self, data: list[str]) -> Actor:
        return Actor(person=data[0], role=Role(data[1]))


class MoneyAsText(Transcoding):
    """Money as exact decimal text and code, "25.00 FRF": one string, never a float."""

    type = Money
    name = "money"

    def encode(self, obj: Money) -> str:
        return f"{obj.amount} {obj.currency}"

    def decode(self, data: str) -> Money:
        amount, code = data.split(" ")
        return Money(Decimal(amount), code)


# Extended by later domain modules; the names are part of the stored format and never change.
VALUE_OBJECTS: list[Transcoding] = [
    DateAsISO(),
    ActorTranscoding(),
    MoneyAsText(),
    FrozenDataclass(Instalment, "instalment"),
    FrozenDataclass(Settlement, "settlement"),
    FrozenDataclass(AgencyOpinion, "agency_opinion"),
    FrozenDataclass(UnionDecision, "union_decision"),
    FrozenDataclass(DeliveryConfirmation, "delivery_confirmation"),
    FrozenDataclass(EnterpriseInProduction, "enterprise_in_production"),
    FrozenDataclass(LoanTerms, "loan_terms"),
    FrozenDataclass(Certificate, "certificate"),
    FrozenDataclass(BalanceAssertion, "balance_assertion"),
]
