"""What the offline verifier found: problems, each at the first log position it affects."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

MAX_PROBLEMS: Final = 100


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong: a stable code, the first log position it affects, and a sentence."""

    code: str
    position: int | None
    message: str

    def __str__(self) -> str:
        where = "" if self.position is None else f"position {self.position}: "
        return f"{where}{self.message} [{self.code}]"


@dataclass
class Report:
    """What the verifier checked and what it found."""

    origin: str
    node_id: str = ""
    size: int = 0
    positions: int = 0
    checkpoints: int = 0
    cosignatures: int = 0
    problems: list[Problem] = field(default_factory=list)
    more_problems: int = 0

    @property
    def ok(self) -> bool:
        """True when nothing is wrong."""
        return not self.problems

    @property
    def first(self) -> Problem | None:
        """The problem at the lowest log position (problems without one come last)."""
        if not self.problems:
            return None
        return min(self.problems, key=lambda p: (p.position is None, p.position or 0))

    def add(self, code: str, position: int | None, message: str) -> None:
        """Record a problem, keeping at most MAX_PROBLEMS of them."""
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(code, position, message))
        else:
            self.more_problems += 1
