"""JSON transcodings for the domain's value objects, registered on every node's application."""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from datetime import date
from typing import Any

from eventsourcing.persistence import Transcoding

from domain.money import Money
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


class ActorTranscoding(FrozenDataclass):
    """The acting person and role; the role comes back as a ``Role``."""

    def __init__(self) -> None:
        super().__init__(Actor, "actor")

    def decode(self, data: dict[str, Any]) -> Actor:
        return Actor(person=data["person"], role=Role(data["role"]))


# Extended by later domain modules; the names are part of the stored format and never change.
VALUE_OBJECTS: list[Transcoding] = [
    DateAsISO(),
    ActorTranscoding(),
    FrozenDataclass(Money, "money"),
    FrozenDataclass(Instalment, "instalment"),
    FrozenDataclass(Settlement, "settlement"),
]
