"""Unit tests of the pure domain: aggregates built and commanded in memory, no application."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import TypeVar

import pytest
from eventsourcing.domain import Aggregate

from domain.errors import DomainError
from domain.roles import Actor, Role

TREASURER = Actor("Clara Brandt", Role.TREASURER)
SECOND_TREASURER = Actor("Paul Frölich", Role.TREASURER)
SECRETARY = Actor("Hans Weber", Role.SECRETARY)
SUPERVISOR = Actor("Willi Münzenberg", Role.SUPERVISOR)
LIAISON = Actor("Alexei Rykov", Role.LIAISON_OFFICER)
UNION_REP = Actor("Mikhail Tomsky", Role.UNION_REPRESENTATIVE)
AUDITOR = Actor("Eva Lindqvist", Role.AUDITOR)


def day(month: int, dom: int, year: int = 1922) -> date:
    """A date in 1922 unless told otherwise."""
    return date(year, month, dom)


def topics(aggregate: Aggregate) -> list[str]:
    """The class names of the aggregate's pending events, in order."""
    return [type(e).__qualname__ for e in aggregate.pending_events]


@contextmanager
def refused(
    code: str, aggregate: Aggregate | None = None, error: type[DomainError] = DomainError
) -> Iterator[None]:
    """Expect the command in the block to be refused with ``code`` and to trigger nothing."""
    before = len(aggregate.pending_events) if aggregate is not None else 0
    with pytest.raises(error) as info:
        yield
    assert info.value.code == code, info.value.message
    if aggregate is not None:
        assert len(aggregate.pending_events) == before


A = TypeVar("A", bound=Aggregate)


def replayed(aggregate: A) -> A:
    """The aggregate rebuilt from its pending events, as a node rebuilds it from its store."""
    state: A | None = None
    for event in aggregate.pending_events:
        state = event.mutate(state)
    assert state is not None
    return state
