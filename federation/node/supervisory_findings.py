"""The compliance findings kept per node, re-judged only where the projection moved.

A node's rows in the supervisory tables are written only by that node's own events (the country
of a row is the upstream that wrote it), so what the rules find about a node is a function of
that node's rows — plus, for the procurement cover and the departures, of the liaison's rows —
and of the "as of" day for the transit rule. The findings of a node are therefore kept with the
projection's position of that node and judged again only when that position moves: after one
upstream's page arrives, one node is judged again, and of it only the transfers and
consultations its new entries name (``supervisory_node``), not the whole history.

The liaison's rows (opinions and their versions) are keyed by the liaison's upstream and the id
of the aggregate whose events wrote them. Each node's findings keep the liaison's position their
cover reflects. When the liaison moves on, the aggregates of its new entries since that position
(``ingested_entries`` between the two) name the opinions that may have changed; only the
consultations those opinions are about — now, or when last judged — have their procurement cover
judged again. Anything unexpected (the liaison's position went back, as in a rebuild, or moved
very far) judges the node's whole cover again.

The departures rule reads few rows (departed specialists) and is judged across all nodes at
every state. Every state is read in one read transaction, positions and rows together, so the
findings kept are always those of one state: the same history gives the same findings.
"""

from __future__ import annotations

import heapq
import itertools
import threading
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from typing import TYPE_CHECKING

from federation.node.supervisory_cover import CHUNK, Cover
from federation.node.supervisory_node import (
    AS_OF_KEPT,
    NodeFindings,
    NodeJudge,
    order_key,
)
from federation.node.supervisory_transit import TransitListing, listed_day
from projections.supervisory import exceptions as ex

if TYPE_CHECKING:
    from federation.node.supervisory import SupervisoryService

DEPARTURE = "specialist.departure_without_approval"
# Beyond this many new entries of the liaison, judging every cover again is simpler and as quick.
LIAISON_STEP = 5000


class KeptFindings:
    """The findings of every node, kept per node with its position (see the module)."""

    def __init__(self, service: SupervisoryService) -> None:
        self.service = service
        self._nodes: dict[str, NodeFindings] = {}
        self._departures: tuple[tuple[tuple[str, int], ...], list[ex.Finding]] | None = None
        self._lock = threading.Lock()
        self.cover = Cover(service)
        self.judge = NodeJudge(service, self.cover)

    def clear(self) -> None:
        with self._lock:
            self.cover.clear()
            self._nodes.clear()
            self._departures = None

    def nodes(self) -> list[str]:
        """The nodes whose findings are kept now."""
        with self._lock:
            return sorted(self._nodes)

    def lists(
        self,
        as_of: date,
        rule: str | None,
        node: str | None,
        *,
        since: str | None = None,
        among: set[tuple[str, str]] | None = None,
    ) -> list[Iterable[ex.Finding]]:
        """The sorted lists of findings, one per node and rule, of the current state; only of
        the (rule, node) pairs ``among`` if given, and only those on or after ``since``."""
        with self._lock, self.service.snapshot():
            positions = self.service.positions()
            try:
                self._catch_up(positions, as_of)
            except BaseException:
                # Half caught up is no state at all: start again from nothing next time.
                self.cover.clear()
                self._nodes.clear()
                self._departures = None
                raise
            out: list[Iterable[ex.Finding]] = []
            for name in sorted(self._nodes):
                if node and name != node:
                    continue
                for each, found in self._nodes[name].lists(as_of):
                    if not found or (rule is not None and rule != each):
                        continue
                    if among is None or (each, name) in among:
                        out.append(found if since is None else _since(found, since))
            departures = self._judge_departures(positions)
            if departures and rule in (None, DEPARTURE):
                mine = [
                    f
                    for f in departures
                    if (not node or f.node == node) and (among is None or (f.rule, f.node) in among)
                ]
                out.append(_since(mine, since))
            return out

    def ordered(
        self,
        as_of: date,
        rule: str | None,
        node: str | None = None,
        *,
        since: str | None = None,
        among: set[tuple[str, str]] | None = None,
    ) -> Iterator[ex.Finding]:
        """Every finding (of ``rule``, of ``node``; see ``lists``) in the listed order, merged
        lazily: the first page reads a few hundred findings, not every one."""
        found = self.lists(as_of, rule, node, since=since, among=among)
        return heapq.merge(*found, key=order_key)

    def judge_moved(self, step: Callable[[], object]) -> int:
        """Bring each node's findings to the current state, one node per ``step()`` (the
        background round's: it waits for the requests in flight), each at the state it is read
        in; return how many nodes were brought.

        What is kept stays what one state gives: a node's findings are a function of its own
        rows, and its cover of the liaison's rows at the position it keeps (``liaison_at``);
        any answer brings every node's cover to the liaison's position of its own state."""
        with self._lock, self.service.snapshot():
            behind = self._behind(self.service.positions())
        for name in behind:  # bounded: each node at most once
            step()
            with self._lock, self.service.snapshot():
                positions = self.service.positions()
                if name not in positions:
                    continue
                if self._at(name) != positions[name]:
                    self._judge(name, positions)
                self._follow_liaison(positions.get(self.service.liaison), [name])
        return len(behind)

    def _behind(self, positions: dict[str, int]) -> list[str]:
        """The nodes that moved, or whose cover is behind the liaison."""
        liaison = positions.get(self.service.liaison)
        return sorted(
            name
            for name, at in positions.items()
            if name not in self._nodes
            or self._nodes[name].position != at
            or self._nodes[name].liaison_at != liaison
        )

    # --- catching up ------------------------------------------------------------------------

    def _catch_up(self, positions: dict[str, int], as_of: date) -> None:
        for name in [n for n in self._nodes if n not in positions]:
            del self._nodes[name]  # a rebuild under way has not reached it yet
        for name in [n for n, at in positions.items() if self._at(n) != at]:
            self._judge(name, positions)
        self._follow_liaison(positions.get(self.service.liaison), list(self._nodes))
        for kept in self._nodes.values():
            if as_of not in kept.transit:
                while len(kept.transit) >= AS_OF_KEPT:
                    kept.transit.pop(next(iter(kept.transit)))
                kept.transit[as_of] = self.judge.transit(kept, as_of)

    def _judge(self, name: str, positions: dict[str, int]) -> None:
        """Judge the node at its position. Judged in full, its cover reflects the liaison's
        position now; from its new entries, it keeps the position its other covers reflect
        (the consultations judged again now are judged again by the follow: the same)."""
        before = self._nodes.get(name)
        kept = self.judge.judge(name, positions[name], before)
        if kept.in_full:
            kept.liaison_at = positions.get(self.service.liaison)
        elif before is not None:
            kept.liaison_at = before.liaison_at
        self._nodes[name] = kept

    def _at(self, name: str) -> int | None:
        kept = self._nodes.get(name)
        return kept.position if kept else None

    def _follow_liaison(self, now: int | None, names: list[str]) -> None:
        """Bring the cover of the nodes ``names`` to the liaison's position ``now``, judging
        again what the liaison's entries since each one's position may have changed."""
        behind: dict[int | None, list[str]] = defaultdict(list)
        for name in names:
            if self._nodes[name].liaison_at != now:
                behind[self._nodes[name].liaison_at].append(name)
        for before, group in behind.items():
            self._follow_from(before, now, group)
            for name in group:
                self._nodes[name].liaison_at = now

    def _follow_from(self, before: int | None, now: int | None, group: list[str]) -> None:
        if before is None or now is None or now < before or now - before > LIAISON_STEP:
            if len(group) == len(self._nodes):
                every = self.cover.judge("1 = 1", [])
            else:
                marks = ", ".join("?" for _ in group)
                every = self.cover.judge(f"p.country IN ({marks})", group)
            for name in group:
                self._nodes[name].cover.clear()
                self._nodes[name].set_cover(every.get(name, {}))
            return
        changed = self._liaison_aggregates(before, now)
        consultations = self.cover.consultations_of(changed)
        for name in group:
            for consultation, (_, used) in self._nodes[name].cover.items():
                if used & changed:
                    consultations.add(consultation)
        wanted = sorted(c for c in consultations if c is not None)
        members = set(group)
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start : start + CHUNK]
            marks = ", ".join("?" for _ in chunk)
            found = self.cover.judge(f"p.consultation_id IN ({marks})", chunk)
            for name, groups in found.items():
                if name in members:
                    self._nodes[name].set_cover(groups)

    def _liaison_aggregates(self, before: int, now: int) -> set[str]:
        rows = self.service.records(
            "SELECT DISTINCT originator_id FROM ingested_entries "
            "WHERE upstream = ? AND position > ? AND position <= ?",
            [self.service.liaison, before, now],
        )
        return {str(r["originator_id"]) for r in rows}

    # --- judging ---------------------------------------------------------------------------

    def _judge_departures(self, positions: dict[str, int]) -> list[ex.Finding]:
        key = tuple(sorted(positions.items()))
        if self._departures is None or self._departures[0] != key:
            liaison = self.service.liaison
            rows = self.service.records(ex.DEPARTURES_SQL, [liaison])
            found = ex.departure_findings(rows, liaison)
            found.sort(key=order_key)
            self._departures = (key, found)
        return self._departures[1]


def _since(found: list[ex.Finding] | TransitListing, low: str | None) -> Iterable[ex.Finding]:
    """The findings of ``found`` (in the listed order, by day first) on or after ``low``."""
    if low is None:
        return found
    if isinstance(found, TransitListing):
        return found.since(low)
    return itertools.islice(found, bisect_left(found, low, key=listed_day), None)


def merged(lists: Iterable[list[ex.Finding]]) -> list[ex.Finding]:
    """Every finding of ``lists`` in the listed order."""
    return list(heapq.merge(*lists, key=order_key))


__all__ = ["KeptFindings", "NodeFindings", "merged", "order_key"]
