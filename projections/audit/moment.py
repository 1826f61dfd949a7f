"""The moment a replay stands at: a value date, a recording time, per-node log sizes, or none.

* ``as_of_value_date``: what had happened by then — an event is included when the day it
  happened (its value date, see ``happened_on``) is on or before the date;
* ``as_known_at``: what was recorded by then — an event is included when the node recorded it
  (the event's own timestamp) at or before the instant;
* ``at``: each named node's log up to the given size (nodes not named: all of their log).

Several conditions may be given; an event is included when it meets all of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import UTC, date, datetime
from functools import cache
from typing import Any
from uuid import UUID

# Dates an event carries that are not the day it happened: limits, schedules, periods.
NOT_HAPPENED = frozenset({"valid_until", "due_on", "period_start", "period_end"})

# Aggregates with events that carry no date of their own (a countersignature, a rate's
# correction, a delegate admitted): those events happened when their aggregate last acted,
# so the replay remembers that day for these aggregates only — not for the many receipts.
HAS_UNDATED_EVENTS = frozenset(
    {
        "NationalCommittee",
        "Pledge",
        "Procurement",
        "RateObservation",
        "SpecialistNomination",
        "Transfer",
    }
)


class MomentError(ValueError):
    """A moment given in a form that cannot be read."""


def happened_on(event: object) -> date | None:
    """The day ``event`` happened: its value date, else its first own date (``recorded_on``,
    ``sent_on``, ...), else a date in a value it carries (a pledge's settlement); None if it
    carries no date at all."""
    own = _first_date(event)
    if own is not None:
        return own
    for value in _values(event):
        if is_dataclass(value) and not isinstance(value, type):
            found = _first_date(value)
            if found is not None:
                return found
    return None


def _values(obj: object) -> list[Any]:
    if is_dataclass(obj):
        return [getattr(obj, name, None) for name in _field_names(_class_of(obj))]
    return list(getattr(obj, "__dict__", {}).values())


@cache
def _has_undated_events(kind: type) -> bool:
    """Whether events of this class belong to an aggregate with undated events (events are
    nested in their aggregate's class)."""
    return kind.__qualname__.split(".")[0] in HAS_UNDATED_EVENTS


def _class_of(obj: object) -> type:
    """The dataclass ``obj`` is an instance of (or ``obj`` itself, a dataclass)."""
    return obj if isinstance(obj, type) else type(obj)


@cache
def _field_names(kind: type) -> tuple[str, ...]:
    # A class's fields never change: read once per event class, not once per event (a
    # replay as of a value date asks for every event's day).
    return tuple(f.name for f in fields(kind))


@cache
def _date_candidates(kind: type) -> tuple[str, ...]:
    return _candidates(_field_names(kind))


def _candidates(names: Sequence[str]) -> tuple[str, ...]:
    """The fields that may give the day something happened, in the order they are asked:
    the value date first, then the others in their order (limits, schedules and the recording
    time left out)."""
    own = tuple(n for n in names if n not in NOT_HAPPENED and n != "timestamp")
    return ("value_date", *own) if "value_date" in names else own


def _first_date(obj: object) -> date | None:
    if is_dataclass(obj):
        candidates = _date_candidates(_class_of(obj))
    else:
        candidates = _candidates(list(getattr(obj, "__dict__", {})))
    for name in candidates:
        value = getattr(obj, name, None)
        if isinstance(value, date):
            return _day(value)
    return None


def _day(value: date) -> date:
    return value.date() if isinstance(value, datetime) else value


def parse_at(text: str) -> dict[str, int]:
    """``"DE=1200,FR=300"`` as ``{"DE": 1200, "FR": 300}``; a clear error otherwise."""
    sizes: dict[str, int] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        node, sep, size = part.partition("=")
        if not sep or not node.strip() or not size.strip().isdigit():
            raise MomentError(f"{part!r} is not NODE=SIZE (e.g. DE=1200)")
        sizes[node.strip().upper()] = int(size)
    if not sizes:
        raise MomentError("--at names no node: give NODE=SIZE, e.g. DE=1200,FR=300")
    return sizes


def parse_instant(text: str) -> datetime:
    """An ISO 8601 instant; one without a zone is taken as UTC."""
    try:
        instant = datetime.fromisoformat(text.strip())
    except ValueError:
        raise MomentError(f"{text!r} is not an ISO 8601 time, e.g. 2026-11-30T02:00:00Z") from None
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)


@dataclass(slots=True)
class Moment:
    """Which events a replay includes; remembers the days aggregates' undated events inherit."""

    as_of_value_date: date | None = None
    as_known_at: datetime | None = None
    at: dict[str, int] = field(default_factory=dict)
    # The last day each aggregate of each node was seen to act on: an undated event (a
    # countersignature) happened when its aggregate last did. Only aggregates with an undated
    # event are kept. Per node: an aggregate lives in one node's log, and a node's moment
    # never depends on another's (the replay may share nodes out among processes).
    _last_day: dict[tuple[str, UUID], date] = field(default_factory=dict)

    def describe(self) -> dict[str, Any]:
        """The moment as plain data, for reports."""
        return {
            "as_of_value_date": self.as_of_value_date.isoformat()
            if self.as_of_value_date
            else None,
            "as_known_at": self.as_known_at.isoformat() if self.as_known_at else None,
            "at": dict(sorted(self.at.items())),
        }

    def judges_events(self) -> bool:
        """Whether events are included one by one (by value date or recording time), not only
        by their position in their node's log."""
        return self.as_of_value_date is not None or self.as_known_at is not None

    def stops(self, node: str, position: int) -> bool:
        """True when ``node``'s log is read no further than ``position - 1``."""
        return node in self.at and position > self.at[node]

    def includes(self, node: str, position: int, event: Any) -> bool:
        """Whether the replay includes ``event``, entry ``position`` of ``node``'s log."""
        if self.stops(node, position):
            return False
        if self.as_known_at is not None and event.timestamp > self.as_known_at:
            return False
        if self.as_of_value_date is None:
            return True  # no need to know the day an event happened (the replay's hot path)
        day = self._day_of(node, event)
        return day is None or day <= self.as_of_value_date

    def _day_of(self, node: str, event: Any) -> date | None:
        day = happened_on(event)
        if day is None:
            return self._last_day.get((node, event.originator_id))
        if _has_undated_events(_class_of(event)):
            self._last_day[node, event.originator_id] = day
        return day

    def judged_at(self, latest: date | None) -> date | None:
        """The day timed rules (in transit too long) are judged at: the value date asked for,
        else ``latest`` (the last day money moved in the replayed books): never "today", so
        that two replays of one bundle agree whenever they run."""
        return self.as_of_value_date or latest
