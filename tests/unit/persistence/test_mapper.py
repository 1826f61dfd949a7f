"""The node's mapper reads stored events as eventsourcing's ``Mapper`` reads them."""

from __future__ import annotations

from typing import Any, ClassVar
from uuid import UUID

import pytest
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import (
    JSONTranscoder,
    Mapper,
    MapperDeserialisationError,
    StoredEvent,
    UUIDAsHex,
)

from domain.roles import Actor, Role
from federation.node.transcodings import VALUE_OBJECTS
from federation.persistence.mapper import KnowingMapper, event_reader
from federation.persistence.transcoder import OrjsonTranscoder


class Ledger(Aggregate):
    """An aggregate whose event was written at version 1 and is read at version 3."""

    class Opened(Aggregate.Created):
        class_version: ClassVar[int] = 3
        actor: Actor
        title: str
        country: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["title"] = "Ledger of " + state.pop("name")

        @staticmethod
        def upcast_v2_v3(state: dict[str, Any]) -> None:
            state["country"] = "FR"


def transcoder() -> JSONTranscoder:
    transcoder = OrjsonTranscoder()
    for transcoding in [UUIDAsHex(), *VALUE_OBJECTS]:
        transcoder.register(transcoding)
    return transcoder


LIBRARY: Mapper[Any] = Mapper(transcoder())
KNOWING = KnowingMapper(transcoder())
LEDGER = UUID("b5b74058-db5e-5827-8df8-1f2d4c37d77d")
TOPIC = f"{__name__}:Ledger.Opened"
STATE = (
    b'{"timestamp":{"_type_":"datetime_iso","_data_":"1922-01-05T10:30:00+00:00"},'
    b'"originator_topic":"' + f"{__name__}:Ledger".encode() + b'",'
    b'"actor":{"_type_":"actor","_data_":["Clara Zetkin","secretary"]},"name":"Rote Hilfe"}'
)


def outcome(mapper: Mapper[Any], stored: StoredEvent) -> str:
    try:
        event = mapper.to_domain_event(stored)
    except Exception as error:  # the error is the outcome compared
        return f"{type(error).__name__}: {error}"
    return f"{type(event).__qualname__} {sorted(vars(event).items())!r}"


@pytest.mark.parametrize(
    "stored",
    [
        StoredEvent(LEDGER, 1, TOPIC, STATE),  # upcast from version 1 to 3
        StoredEvent(LEDGER, 1, TOPIC, STATE[:-1] + b',"class_version":2}'),  # from 2 to 3
        StoredEvent(str(LEDGER), 1, TOPIC, STATE),  # an id as text is made a UUID
        StoredEvent(LEDGER, 1, TOPIC, b'{"name":'),  # not JSON
        StoredEvent(LEDGER, 1, TOPIC, b'{"x":{"_type_":"actor","_data_":["Clara"]}}'),
        StoredEvent(LEDGER, 1, f"{__name__}:Nowhere", STATE),  # an unknown topic
    ],
)
def test_stored_events_read_as_the_library_reads_them(stored: StoredEvent) -> None:
    for _ in range(2):  # the second time from what the mapper learnt of the topic
        assert outcome(KNOWING, stored) == outcome(LIBRARY, stored)


def test_an_upcast_event_is_the_current_version_of_its_class() -> None:
    event = KNOWING.to_domain_event(StoredEvent(str(LEDGER), 1, TOPIC, STATE))
    assert isinstance(event, Ledger.Opened)
    assert (event.originator_id, event.title, event.country) == (
        LEDGER,
        "Ledger of Rote Hilfe",
        "FR",
    )
    assert event.actor == Actor("Clara Zetkin", Role.SECRETARY)


def test_an_event_read_from_its_fields_is_the_event_read_from_the_stored_event() -> None:
    stored = StoredEvent(LEDGER, 1, TOPIC, STATE)
    for mapper in (KNOWING, LIBRARY):  # the KnowingMapper's own way, and any other mapper's
        read = event_reader(mapper)
        event = read(LEDGER, 1, TOPIC, STATE)
        assert type(event) is Ledger.Opened
        assert vars(event) == vars(LIBRARY.to_domain_event(stored))
    with pytest.raises(MapperDeserialisationError, match="originator_version 7"):
        event_reader(KNOWING)(LEDGER, 7, TOPIC, b"{")
