"""A served International computes its supervisory answers in the background, so a request
finds them kept: the overview plain and in every reporting currency it observes rates in, and
the findings of every node. What it keeps is what a request would have computed."""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest

from bench.supervisory import observe_rates
from federation.node.ingest import RemoteEntry
from federation.node.international import InternationalApplication
from federation.node.warm import KeepWarm
from tests.integration.supervisory.test_findings_kept import Delivery, fresh_international, history
from tests.integration.supervisory.test_overview_kept import frf_rate

__all__ = ["history"]  # the module's fixture: the bench's events of five nodes


@pytest.fixture
def intl(history: dict[str, list[RemoteEntry]]) -> Iterator[InternationalApplication]:
    with fresh_international() as app:
        Delivery(app, history).rest()
        observe_rates(app)
        yield app


def test_warming_keeps_the_answers_a_request_would_compute(
    intl: InternationalApplication, history: dict[str, list[RemoteEntry]]
) -> None:
    service = intl.supervisory
    assert len(service.overview.kept) == 0
    assert service.rules.kept.nodes() == []

    warmed = KeepWarm(intl).warm()

    assert warmed == [None, "USD"]
    assert len(service.overview.kept) == len(warmed)
    assert service.rules.kept.nodes() == sorted(history)
    kept = service.overview.overview(reporting_currency="USD")
    first_page = service.rules.exceptions(limit=20)
    service.cache_clear()
    assert service.overview.overview(reporting_currency="USD") == kept
    assert service.rules.exceptions(limit=20) == first_page


def test_no_round_is_warmed_while_a_backlog_is_applied(
    history: dict[str, list[RemoteEntry]],
) -> None:
    with fresh_international() as intl:
        delivery = Delivery(intl, history)
        keep = KeepWarm(intl, catching_up=100)
        delivery.page("C01", 50)
        assert keep.warm() == [None]  # the first round: at start
        delivery.page("C01", 101)  # more than catching_up since the last round
        assert keep.warm() == []
        delivery.page("C01", 100)  # within catching_up: caught up again
        assert keep.warm() == [None]


def test_the_background_thread_warms_until_stopped(intl: InternationalApplication) -> None:
    idle = KeepWarm(intl)
    idle.start(0)  # 0: never
    assert idle._thread is None
    keep = KeepWarm(intl)
    keep.start(0.05)
    thread = keep._thread
    assert thread is not None
    try:
        deadline = time.monotonic() + 30
        while not intl.supervisory.rules.kept.nodes() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert intl.supervisory.rules.kept.nodes()
        assert len(intl.supervisory.overview.kept) == 2
    finally:
        keep.stop()
    assert not thread.is_alive()


def test_ready_once_the_first_round_has_ended_even_a_failed_one(
    intl: InternationalApplication,
) -> None:
    never = KeepWarm(intl)
    never.start(0)
    assert never.ready.is_set()  # nothing will be warmed, nothing to wait for

    failing = KeepWarm(intl)

    def fail() -> list[str | None]:
        raise RuntimeError("the round failed")

    failing.warm = fail  # type: ignore[method-assign]
    assert not failing.ready.is_set()
    failing.start(60)
    try:
        assert failing.ready.wait(30)  # the failure is logged; the node is not held unready
    finally:
        failing.stop()


def test_a_node_served_alone_freezes_its_heap_after_the_first_round(
    intl: InternationalApplication,
) -> None:
    assert gc.get_freeze_count() == 0
    keep = KeepWarm(intl, freeze=True)
    keep.start(60)
    try:
        assert keep.ready.wait(30)
        frozen = gc.get_freeze_count()
        assert frozen > 0  # the application and the answers just kept among them
        assert intl.supervisory.rules.kept.nodes()
        assert not gc.isenabled()  # the rounds run the collector
    finally:
        keep.stop()
    assert gc.get_freeze_count() == 0  # stopped: the heap is the collector's again
    assert gc.isenabled()


def test_every_round_collects_and_freezes_what_was_kept_since(
    intl: InternationalApplication,
) -> None:
    assert gc.get_freeze_count() == 0
    keep = KeepWarm(intl, freeze=True)
    try:
        keep.round()
        first = gc.get_freeze_count()
        assert first > 0
        # Kept since (as an answer a request computed would be): frozen by the next round,
        # even one that computes nothing itself.
        held = [[n] for n in range(1000)]
        assert unfrozen(held[-1])
        keep.round()
        assert not unfrozen(held)
        assert not unfrozen(held[-1])
        frf_rate(intl, Decimal("0.0712"), date(1922, 6, 17), "a new rate")
        keep.round()  # the converted overview is computed again, and frozen with the rest
        assert len(gc.get_objects()) < 100  # what the round kept is frozen: next to nothing not
        later = [["made after the round"]]
        assert unfrozen(later)
    finally:
        keep.stop()
    assert gc.get_freeze_count() == 0


def unfrozen(thing: object) -> bool:
    """Whether ``thing`` is in one of the collector's generations (not frozen)."""
    return any(thing is each for generation in range(3) for each in gc.get_objects(generation))


def test_a_round_takes_its_steps_between_requests(intl: InternationalApplication) -> None:
    keep = KeepWarm(intl)
    keep.patience = 30.0
    service = intl.supervisory
    with keep.requests.serving():  # a request in flight
        assert not keep.requests.wait_idle(0.01)
        round_ = threading.Thread(target=keep.round)
        round_.start()
        round_.join(0.3)
        assert round_.is_alive()  # waiting before its first step
        assert len(service.overview.kept) == 0
        assert service.rules.kept.nodes() == []
    round_.join(30)  # the request ended: the round goes on
    assert not round_.is_alive()
    assert keep.requests.wait_idle(0.01)
    assert len(service.overview.kept) == 2
    assert service.rules.kept.nodes()


def test_a_command_projects_the_internationals_own_records_itself(
    intl: InternationalApplication,
) -> None:
    """A question after a supervisor's command finds the International's records projected:
    the command's write, not the question's."""
    assert intl.view.catch_up() == 0
    frf_rate(intl, Decimal("0.0713"), date(1922, 7, 3), "a new rate")
    assert intl.view.position() == intl.recorder.max_notification_id()
    assert intl.view.catch_up() == 0  # nothing left for a question to write


def test_a_new_rate_leaves_the_overview_in_no_reporting_currency_kept(
    intl: InternationalApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = intl.supervisory
    plain = service.overview.overview()
    converted = service.overview.overview(reporting_currency="USD")
    plain.pop("watermark")  # read fresh with every answer
    frf_rate(intl, Decimal("0.0714"), date(1922, 7, 4), "a new rate")

    def computed(*_: object) -> None:
        raise AssertionError("computed again")

    monkeypatch.setattr(service.overview, "_kept_answer", computed)
    again = service.overview.overview()
    assert again.pop("watermark")["international_read_to"] > 0
    assert again == plain  # kept: it reads the supervisory tables alone
    with pytest.raises(AssertionError, match="computed again"):
        service.overview.overview(reporting_currency="USD")  # converted at the rates: again
    monkeypatch.undo()
    assert service.overview.overview(reporting_currency="USD") != converted
