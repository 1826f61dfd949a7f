"""Bulk work raises the collector's first threshold, and puts the process's back when it ends."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from federation.persistence.collector import ANSWER_THRESHOLD, BULK_THRESHOLD, fewer_collections


@pytest.fixture(autouse=True)
def thresholds() -> Iterator[tuple[int, int, int]]:
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield gc.get_threshold()
    gc.set_threshold(*before)


def test_the_first_threshold_is_raised_while_bulk_work_runs_and_restored_after() -> None:
    with fewer_collections():
        assert gc.get_threshold() == (BULK_THRESHOLD, 10, 10)
    assert gc.get_threshold() == (700, 10, 10)


def test_restored_after_a_failure_too() -> None:
    with pytest.raises(ValueError, match="bad page"), fewer_collections():
        raise ValueError("bad page")
    assert gc.get_threshold() == (700, 10, 10)


def test_nested_and_overlapping_bulk_work_keeps_it_raised_until_the_last_ends() -> None:
    inside = threading.Event()
    leave = threading.Event()

    def other_thread() -> None:
        with fewer_collections():
            inside.set()
            leave.wait(10)

    worker = threading.Thread(target=other_thread)
    with fewer_collections():
        worker.start()
        assert inside.wait(10)
        with fewer_collections():
            assert gc.get_threshold()[0] == BULK_THRESHOLD
    assert gc.get_threshold()[0] == BULK_THRESHOLD  # the other thread's work still runs
    leave.set()
    worker.join(10)
    assert gc.get_threshold() == (700, 10, 10)


def test_a_collector_turned_off_stays_off() -> None:
    gc.set_threshold(0, 10, 10)
    with fewer_collections():
        assert gc.get_threshold()[0] == 0
    assert gc.get_threshold() == (0, 10, 10)


def test_an_answer_raises_it_higher_and_bulk_work_within_never_lowers_it() -> None:
    with fewer_collections(ANSWER_THRESHOLD):
        assert gc.get_threshold() == (ANSWER_THRESHOLD, 10, 10)
        with fewer_collections():
            assert gc.get_threshold()[0] == ANSWER_THRESHOLD
    assert gc.get_threshold() == (700, 10, 10)
    with fewer_collections():
        with fewer_collections(ANSWER_THRESHOLD):
            assert gc.get_threshold()[0] == ANSWER_THRESHOLD
        assert gc.get_threshold()[0] == ANSWER_THRESHOLD  # raised until the last work ends
    assert gc.get_threshold() == (700, 10, 10)
