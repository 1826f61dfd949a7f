"""eventsourcing's ``Mapper``, reading a stored event with what it learnt of its topic before.

For every stored event the library's ``to_domain_event`` resolves the topic, looks up how the
originator id is converted (an ``lru_cache`` over the class and the id's type) and reads the
class's version: several lookups and calls that give the same answers for every event of a
topic. This mapper keeps those answers per topic and id type, and otherwise does what the
library does, step for step: the same state, the same upcasting, the same errors.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, cast

from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import (
    Mapper,
    MapperDeserialisationError,
    StoredEvent,
    find_id_convertor,
)
from eventsourcing.utils import resolve_topic

# What a topic's events need: their class, its version, and the id conversion per id type.
_Learnt = tuple[type[Any], int, Callable[[Any], Any]]


class KnowingMapper(Mapper[Any]):
    """The library's ``Mapper`` that resolves a topic, its class version and its id conversion
    once, not for every event."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._learnt: dict[tuple[str, type[Any]], _Learnt] = {}

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol[Any]:
        return self.event(
            stored_event.originator_id,
            stored_event.originator_version,
            stored_event.topic,
            stored_event.state,
        )

    def event(
        self, originator_id: Any, originator_version: int, topic: str, state: bytes
    ) -> DomainEventProtocol[Any]:
        """``to_domain_event`` of the stored event with these fields, without making one."""
        id_type = type(originator_id)
        learnt = self._learnt.get((topic, id_type))
        # In the library's order: an unknown topic is refused before the state is read.
        cls = resolve_topic(topic) if learnt is None else learnt[0]
        stored_state = state
        try:
            if self.cipher:
                stored_state = self.cipher.decrypt(stored_state)
            if self.compressor:
                stored_state = self.compressor.decompress(stored_state)
            event_state: dict[str, Any] = self.transcoder.decode(stored_state)
        except Exception as e:
            msg = (
                f"Failed to deserialise state of stored event with "
                f"topic '{topic}', "
                f"originator_id '{originator_id}' and "
                f"originator_version {originator_version}: {e}"
            )
            raise MapperDeserialisationError(msg) from e
        if learnt is None:
            learnt = self._learn(topic, cls, id_type)
        _, class_version, id_convertor = learnt
        event_state["originator_id"] = id_convertor(originator_id)
        event_state["originator_version"] = originator_version
        from_version = event_state.pop("class_version", 1)
        while from_version < class_version:
            getattr(cls, f"upcast_v{from_version}_v{from_version + 1}")(event_state)
            from_version += 1
        domain_event = object.__new__(cls)
        object.__setattr__(domain_event, "__dict__", event_state)
        return cast(DomainEventProtocol[Any], domain_event)

    def _learn(self, topic: str, cls: type[Any], id_type: type[Any]) -> _Learnt:
        id_convertor = find_id_convertor(cast(Hashable, cls), cast(Hashable, id_type))
        learnt = (cls, getattr(cls, "class_version", 1), id_convertor)
        self._learnt[topic, id_type] = learnt
        return learnt


EventReader = Callable[[Any, int, str, bytes], Any]


def event_reader(mapper: Mapper[Any]) -> EventReader:
    """How to read a stored event from its fields (originator id, version, topic, state) with
    ``mapper``: the KnowingMapper's ``event``, which makes no ``StoredEvent`` for it."""
    if isinstance(mapper, KnowingMapper):
        return mapper.event

    def read(originator_id: Any, originator_version: int, topic: str, state: bytes) -> Any:
        return mapper.to_domain_event(StoredEvent(originator_id, originator_version, topic, state))

    return read
