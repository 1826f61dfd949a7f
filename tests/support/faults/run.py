"""Running seeded schedules: writers busy, the schedule's faults one after another, the checker.

The seeds come from the environment: ``AIDFED_FAULT_SEED=<n>`` replays one schedule,
``AIDFED_FAULT_SCHEDULES=<n>`` runs that many (the long mode); otherwise a short run of a few
schedules. Every seed is printed before its schedule runs, so a failure names what to replay.
"""

from __future__ import annotations

import os
import random
import time
from collections import Counter
from dataclasses import dataclass

from tests.support.faults.checker import check
from tests.support.faults.cluster import FaultCluster
from tests.support.faults.schedule import Step, schedule
from tests.support.faults.writers import Answer, Issued, Writers

SHORT_SCHEDULES = 1  # every kind of fault once (and two more): 50-80 s on 2 cores
SETTLE = 0.5  # seconds of writing before the first fault and after the last


@dataclass(frozen=True, slots=True)
class Outcome:
    """One schedule's run: its seed, its steps, the commands issued and the problems found."""

    seed: int
    steps: list[Step]
    issued: list[Issued]
    problems: list[str]
    seconds: float

    def summary(self) -> str:
        answers = {a: sum(1 for i in self.issued if i.answer is a) for a in Answer}
        verdict = "passed" if not self.problems else f"FAILED ({len(self.problems)} problems)"
        counts = ", ".join(f"{n} {a}" for a, n in answers.items())
        met = Counter(f for i in self.issued for f in i.failures)
        retried = ", ".join(f"{what} ×{n}" for what, n in met.most_common()) or "nothing"
        return f"seed {self.seed}: {verdict} in {self.seconds:.1f} s; {counts}; retried {retried}"


def schedule_count() -> int:
    if os.environ.get("AIDFED_FAULT_SEED"):
        return 1
    return int(os.environ.get("AIDFED_FAULT_SCHEDULES", SHORT_SCHEDULES))


def seeds() -> list[int]:
    """The seeds to run: one to replay, a long run's, or a short run's (fresh each run)."""
    if replay := os.environ.get("AIDFED_FAULT_SEED"):
        return [int(replay)]
    first = random.SystemRandom().randrange(1, 10**6)
    return [first + n for n in range(schedule_count())]


def run_schedule(cluster: FaultCluster, seed: int) -> Outcome:
    """Inject ``seed``'s schedule under concurrent writers, heal, and check."""
    began = time.monotonic()
    steps = schedule(seed, cluster.shape)
    print(f"fault schedule seed {seed} (replay: AIDFED_FAULT_SEED={seed}):", flush=True)
    writers = Writers(cluster.committee_urls, seed)
    writers.start()
    try:
        time.sleep(SETTLE)
        for step in steps:
            time.sleep(step.gap)
            print(f"  {step}", flush=True)
            cluster.inject(step)
        time.sleep(SETTLE)
    finally:
        issued = writers.stop()
    problems = check(cluster, issued)
    outcome = Outcome(seed, steps, issued, problems, time.monotonic() - began)
    print(outcome.summary(), *problems, sep="\n  ", flush=True)
    return outcome
