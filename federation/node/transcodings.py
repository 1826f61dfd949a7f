"""JSON transcodings for the domain's value objects, registered on every node's application."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import fields, is_dataclass
from datetime import date, datetime
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.persistence import DatetimeAsISO, Transcoding

from domain.decisions import (
    AgencyOpinion,
    DeliveryConfirmation,
    EnterpriseInProduction,
    UnionDecision,
)
from domain.loan import Certificate, LoanTerms
from domain.money import Money, money_of_text
from domain.period_report import BalanceAssertion
from domain.pledge import Instalment, Settlement
from domain.roles import Actor, Role

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Interned(dict[K, V]):
    """Decoded immutable values kept by their stored form, a bounded number of them.

    The same person in the same role, the same amount, the same campaign recur in event after
    event; building and validating the value object again costs more than the lookup. A value
    that fails to decode is never kept. A kept value is one dict lookup, ``interned[key]``
    (done in C: only a new key runs ``__missing__``).
    """

    def __init__(self, decode: Callable[[K], V], limit: int = 4096) -> None:
        super().__init__()
        self._decode = decode
        self._limit = limit

    def __missing__(self, key: K) -> V:
        value = self._decode(key)
        if len(self) >= self._limit:
            self.clear()
        self[key] = value
        return value


class DateAsISO(Transcoding):
    """A calendar date as ISO text; eventsourcing transcodes datetime but not date."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)

    decode_text = staticmethod(date.fromisoformat)  # the transcoder's way for text data


class DatetimeAsISOText(DatetimeAsISO):
    """eventsourcing's ``datetime_iso`` (every event's timestamp), read without a Python frame."""

    decode_text = staticmethod(datetime.fromisoformat)  # the transcoder's way for text data


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

    def __init__(self) -> None:
        self._actors = Interned[tuple[str, str], Actor](
            lambda pair: Actor(person=pair[0], role=Role(pair[1]))
        )

    def encode(self, obj: Actor) -> list[str]:
        return [obj.person, obj.role.value]

    def decode(self, data: list[str]) -> Actor:
        person, role = data
        return self._actors[person, role]


class MoneyAsText(Transcoding):
    """Money as exact decimal text and code, "25.00 FRF": one string, never a float."""

    type = Money
    name = "money"

    def __init__(self) -> None:
        self._money = Interned[str, Money](self._parse)
        self.decode_text = self._money.__getitem__  # the transcoder's way for text data

    def encode(self, obj: Money) -> str:
        return f"{obj.amount} {obj.currency}"

    def decode(self, data: str) -> Money:
        return self._money[data]

    @staticmethod
    def _parse(data: str) -> Money:
        amount, code = data.split(" ")
        return money_of_text(amount, code)


class UUIDAsHexInterned(Transcoding):
    """eventsourcing's ``uuid_hex``, the same stored form; recurring ids are decoded once."""

    type = UUID
    name = "uuid_hex"

    def __init__(self) -> None:
        self._ids = Interned[str, UUID](UUID)
        self.decode_text = self._ids.__getitem__  # the transcoder's way for text data

    def encode(self, obj: UUID) -> str:
        return obj.hex

    def decode(self, data: str) -> UUID:
        return self._ids[data]


# Extended by later domain modules; the names are part of the stored format and never change.
VALUE_OBJECTS: list[Transcoding] = [
    UUIDAsHexInterned(),
    DatetimeAsISOText(),
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
