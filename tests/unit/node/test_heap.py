"""A served node's heap: every round collects and freezes it, and now and then thaws it first,
so that a cycle frozen while alive is collected once it has died."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from federation.node.heap import Heap


class Cyclic:
    """An object in a reference cycle with itself: freed only by the collector."""

    def __init__(self) -> None:
        self.me = self


@pytest.fixture
def heap() -> Iterator[Heap]:
    assert gc.get_freeze_count() == 0
    assert gc.isenabled()
    tended = Heap(thaw_every=3)
    try:
        yield tended
    finally:
        tended.release()  # this process hosts other tests after this one
    assert gc.get_freeze_count() == 0
    assert gc.isenabled()


def test_a_round_collects_the_dead_cycles_and_freezes_the_living(heap: Heap) -> None:
    dead, living = Cyclic(), Cyclic()
    gone, kept = weakref.ref(dead), weakref.ref(living)
    del dead
    heap.tend()
    assert gone() is None  # collected before the freeze
    assert kept() is living
    assert gc.get_freeze_count() > 0
    assert not gc.isenabled()  # the rounds collect, the collector does not by itself


def test_a_cycle_frozen_alive_is_collected_after_the_next_thaw(heap: Heap) -> None:
    frozen = Cyclic()
    ref = weakref.ref(frozen)
    heap.tend()  # round 1: frozen alive
    del frozen
    heap.tend()  # round 2: a frozen cycle is not looked at
    assert ref() is not None
    heap.tend()  # round 3: thawed first, then collected
    assert ref() is None
