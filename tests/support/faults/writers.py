"""Concurrent writers: treasurers recording cash receipts over HTTP while faults are injected.

Every command carries its own Idempotency-Key, and the key is written into the receipt's
contributor, so the checker can find the command's event wherever it travelled. A writer that
gets no answer (time-out, reset, refused connection: the command may or may not have been
recorded) retries with the same key, a bounded number of times with backoff; the outcome it
keeps is the last answer: acknowledged (2xx), refused (another status) or ambiguous (none).
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

import httpx

from tests.support.actors import TREASURER
from tests.support.story import CAMPAIGN

ATTEMPTS = 4
TIMEOUT = 4.0
MAX_COMMANDS = 5000  # per writer and schedule: the loop is bounded even if nothing stops it
PACE = 0.03  # seconds between a writer's commands: the writers leave the nodes some CPU


class Answer(StrEnum):
    ACKNOWLEDGED = "acknowledged"
    REFUSED = "refused"
    AMBIGUOUS = "ambiguous"


@dataclass(frozen=True, slots=True)
class Issued:
    """One command as its writer saw it end."""

    key: str
    node: str
    answer: Answer
    status: int | None
    attempts: int
    failures: tuple[str, ...] = ()  # what the attempts before the last one met


def contributor(key: str) -> str:
    return f"Collection {key} of the Chicago needle trades"


def body(key: str) -> dict[str, object]:
    return {
        "campaign_code": CAMPAIGN,
        "contributor": contributor(key),
        "organisation_type": "trade_union",
        "amount": {"amount": "1.25", "currency": "USD"},
        "value_date": "1922-02-01",
    }


@dataclass
class Writers:
    """``count`` writer threads, each choosing a committee at random (seeded) per command."""

    urls: Mapping[str, str]  # committee id -> base URL
    seed: int
    count: int = 3
    issued: list[Issued] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _threads: list[threading.Thread] = field(default_factory=list)

    def start(self) -> None:
        for n in range(self.count):
            thread = threading.Thread(target=self._write, args=(n,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def stop(self) -> list[Issued]:
        """Stop issuing, wait for the commands in flight, and return every outcome."""
        self._stop.set()
        for thread in self._threads:
            thread.join(ATTEMPTS * (TIMEOUT + 3) + 10)
            assert not thread.is_alive(), "a writer did not stop"
        return list(self.issued)

    def _write(self, number: int) -> None:
        rng = random.Random(f"{self.seed}/{number}")
        nodes = sorted(self.urls)
        with httpx.Client(timeout=TIMEOUT) as http:
            for n in range(MAX_COMMANDS):
                if self._stop.is_set():
                    return
                node = rng.choice(nodes)
                outcome = self._issue(http, node, f"s{self.seed}-w{number}-c{n}")
                with self._lock:
                    self.issued.append(outcome)
                self._stop.wait(PACE)

    def _issue(self, http: httpx.Client, node: str, key: str) -> Issued:
        headers = {**TREASURER, "Idempotency-Key": key}
        failures: list[str] = []
        for attempt in range(1, ATTEMPTS + 1):
            try:
                answer = http.post(
                    f"{self.urls[node]}/v1/receipts/cash", json=body(key), headers=headers
                )
            except httpx.HTTPError as error:
                failures.append(type(error).__name__)
                time.sleep(0.25 * 2**attempt)  # the node may be down: give it time to return
                continue
            status = answer.status_code
            if status < 300:
                return Issued(key, node, Answer.ACKNOWLEDGED, status, attempt, tuple(failures))
            if status < 500 or attempt == ATTEMPTS:
                return Issued(key, node, Answer.REFUSED, status, attempt, tuple(failures))
            failures.append(str(status))
            time.sleep(0.25 * 2**attempt)  # a server error may be transient (a full disk)
        return Issued(key, node, Answer.AMBIGUOUS, None, ATTEMPTS, tuple(failures))
