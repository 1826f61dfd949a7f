"""Seeded fault schedules: which fault, aimed at which node or link, for how long, in what order.

A schedule is a pure function of its seed and the federation's shape, so printing the seed is
enough to replay a failing run (``AIDFED_FAULT_SEED=<seed>``). Every schedule holds each kind
of fault at least once — a kill of every kind of node, a pause, a PostgreSQL restart, a full
disk where the machine allows one, each network fault — in a seeded order, with seeded targets,
durations and gaps, plus a few extra faults drawn at random.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from enum import StrEnum

from tests.support.proxy import Fault


class Kind(StrEnum):
    """A fault the harness can inject."""

    KILL = "kill"  # SIGKILL a node, start it again after a while
    PAUSE = "pause"  # SIGSTOP a node, SIGCONT it after a while
    POSTGRES_RESTART = "postgres-restart"  # crash-stop the International's server, start it
    DISK_FULL = "disk-full"  # fill a committee's file system, free it after a while
    DELAY = "net-delay"
    BLACKHOLE = "net-blackhole"
    RESET = "net-reset"
    TRUNCATE = "net-truncate"
    FLIP = "net-flip"


NETWORK = {
    Kind.DELAY: Fault.DELAY,
    Kind.BLACKHOLE: Fault.BLACKHOLE,
    Kind.RESET: Fault.RESET,
    Kind.TRUNCATE: Fault.TRUNCATE,
    Kind.FLIP: Fault.FLIP,
}
EXTRA_STEPS = 2


@dataclass(frozen=True, slots=True)
class Step:
    """One fault: what, aimed at which node (or the link the International follows it by),
    held for ``hold`` seconds, after a pause of ``gap`` seconds since the previous step."""

    kind: Kind
    target: str
    hold: float
    gap: float
    amount: int = 0  # the byte a truncation cuts after or a flip hits

    def __str__(self) -> str:
        extra = f" at byte {self.amount}" if self.amount else ""
        return f"{self.kind} {self.target} for {self.hold:.1f} s{extra}"


@dataclass(frozen=True, slots=True)
class Shape:
    """The federation a schedule is drawn for."""

    committees: tuple[str, ...]
    liaison: str
    international: str
    full_disk: str | None  # the committee whose data folder sits on a small file system

    @property
    def nodes(self) -> tuple[str, ...]:
        return (*self.committees, self.liaison, self.international)

    @property
    def upstreams(self) -> tuple[str, ...]:
        """The nodes the International follows through a proxy."""
        return (*self.committees, self.liaison)


def schedule(seed: int, shape: Shape) -> list[Step]:
    """The schedule of ``seed``: every kind once, then extras, shuffled."""
    rng = random.Random(seed)
    kinds = [k for k in Kind if k is not Kind.DISK_FULL or shape.full_disk]
    steps = [_step(rng, kind, shape, kill_of=None) for kind in kinds if kind is not Kind.KILL]
    for target in (rng.choice(shape.committees), shape.liaison, shape.international):
        steps.append(_step(rng, Kind.KILL, shape, kill_of=target))
    steps += [_step(rng, rng.choice(kinds), shape, kill_of=None) for _ in range(EXTRA_STEPS)]
    rng.shuffle(steps)
    return steps


def _step(rng: random.Random, kind: Kind, shape: Shape, kill_of: str | None) -> Step:
    hold = round(rng.uniform(0.3, 2.0), 2)
    gap = round(rng.uniform(0.1, 1.0), 2)
    if kind is Kind.KILL:
        return Step(kind, kill_of or rng.choice(shape.nodes), hold, gap)
    if kind is Kind.PAUSE:
        return Step(kind, rng.choice(shape.nodes), hold, gap)
    if kind is Kind.POSTGRES_RESTART:
        return Step(kind, shape.international, hold, gap)
    if kind is Kind.DISK_FULL:
        assert shape.full_disk is not None
        return Step(kind, shape.full_disk, hold + 1.0, gap)
    amount = rng.randrange(20, 4000) if kind in (Kind.TRUNCATE, Kind.FLIP) else 0
    return Step(kind, rng.choice(shape.upstreams), hold, gap, amount)
