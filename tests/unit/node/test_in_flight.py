"""The background round's steps wait for the requests in flight to end, and for the requests
that follow one another to pause (``InFlight.wait_idle``), at most its patience."""

from __future__ import annotations

import threading
import time

from federation.node.warm import InFlight


def test_a_step_waits_for_a_quiet_moment_after_the_last_request() -> None:
    requests = InFlight()
    with requests.serving():
        pass
    began = time.monotonic()
    assert requests.wait_idle(5.0, quiet=0.2)
    assert time.monotonic() - began >= 0.15  # the quiet time since the request ended


def test_with_no_request_for_a_while_a_step_goes_at_once() -> None:
    requests = InFlight()
    began = time.monotonic()
    assert requests.wait_idle(5.0, quiet=0.2)  # no request yet: quiet since the start
    assert time.monotonic() - began < 0.1


def test_requests_one_after_another_hold_a_step_back_up_to_its_patience() -> None:
    requests = InFlight()
    stop = threading.Event()

    def burst() -> None:  # requests with gaps shorter than the quiet time
        while not stop.is_set():
            with requests.serving():
                time.sleep(0.005)
            time.sleep(0.005)

    thread = threading.Thread(target=burst)
    thread.start()
    try:
        began = time.monotonic()
        assert not requests.wait_idle(0.4, quiet=0.25)
        assert time.monotonic() - began >= 0.39
    finally:
        stop.set()
        thread.join(5)
    assert requests.wait_idle(5.0, quiet=0.25)  # the burst over: quiet again
