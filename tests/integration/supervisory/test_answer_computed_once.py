"""An answer is computed by one thread at a time: a request asking for what another thread is
computing (the background round, say) waits for that answer instead of computing it beside it;
if the other fails, the request computes its own."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from federation.node.international import InternationalApplication
from tests.integration.supervisory.test_findings_kept import fresh_international

KEY = ("a question",)


@pytest.fixture
def intl() -> Iterator[InternationalApplication]:
    with fresh_international() as app:
        yield app


def held(started: threading.Event, release: threading.Event, answer: Any) -> Callable[[], Any]:
    """A computation that says it has started, then waits to be released."""

    def compute() -> Any:
        started.set()
        assert release.wait(10)
        if isinstance(answer, Exception):
            raise answer
        return answer

    return compute


def in_thread(run: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    out: list[Any] = []

    def target() -> None:
        try:
            out.append(run())
        except Exception as error:  # the first thread's failure, looked at by the test
            out.append(error)

    thread = threading.Thread(target=target)
    thread.start()
    return thread, out


def test_a_thread_asking_for_what_another_computes_waits_for_its_answer(
    intl: InternationalApplication,
) -> None:
    service = intl.supervisory
    started, release = threading.Event(), threading.Event()
    first, firsts = in_thread(lambda: service.cached(KEY, held(started, release, {"n": 1})))
    assert started.wait(10)
    computed: list[int] = []

    def again() -> dict[str, Any]:
        computed.append(2)
        return {}

    second, seconds = in_thread(lambda: service.cached(KEY, again))
    second.join(0.3)
    assert second.is_alive()  # waiting for the first thread's answer
    release.set()
    first.join(10)
    second.join(10)
    assert firsts == [{"n": 1}]
    assert seconds[0] is firsts[0]  # the same answer, computed once
    assert computed == []


def test_if_the_other_thread_fails_the_waiting_one_computes_its_own(
    intl: InternationalApplication,
) -> None:
    service = intl.supervisory
    started, release = threading.Event(), threading.Event()
    failure = RuntimeError("the round failed")
    first, firsts = in_thread(lambda: service.cached(KEY, held(started, release, failure)))
    assert started.wait(10)
    second, seconds = in_thread(lambda: service.cached(KEY, lambda: {"n": 2}))
    second.join(0.3)
    assert second.is_alive()
    release.set()
    first.join(10)
    second.join(10)
    assert firsts == [failure]
    assert seconds == [{"n": 2}]
    # Kept now: asked again, nothing is computed.
    assert service.cached(KEY, lambda: {"n": 3}) == {"n": 2}


def test_an_answer_asked_again_within_its_own_computation_does_not_wait(
    intl: InternationalApplication,
) -> None:
    service = intl.supervisory
    inner: list[Any] = []

    def outer() -> dict[str, Any]:
        inner.append(service.cached(KEY, lambda: {"inner": True}))
        return {"outer": True}

    thread, out = in_thread(lambda: service.cached(KEY, outer))
    thread.join(5)
    assert not thread.is_alive()
    assert inner == [{"inner": True}]
    assert out == [{"outer": True}]
