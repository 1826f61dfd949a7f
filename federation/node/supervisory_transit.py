"""The transit rule of one node, judged lazily per "as of" day in the listed order.

The findings are listed by ``order_key`` = (on, rule, node, subject); a transit finding's ``on``
is its transfer's sent day and its subject the transfer, so one node's transit findings come in
the order of (sent_on, transfer_id). A node keeps its sent transfers in that order
(``SentTransfers``, rebuilt only when the node moves), and each "as of" day gets a listing that
judges the rows only as the listing is pulled: the first page of exceptions judges a few rows of
each node (those it reads, and a few beyond), not every sent transfer of every node. What a
listing judged is kept with it (``AS_OF_KEPT`` days per node), and read again by the next
question of that day.

A transfer confirmed within the limit is never in transit too long, whatever the day: confirmed
by ``as_of``, its transit is its confirmed time; confirmed later, its time as of ``as_of`` is
shorter still. So only the other sent transfers (unconfirmed, or confirmed late) are kept: their
findings are those of ``transit_findings`` over every sent transfer, in the same order. Each is
kept read (``SentTransfer``: its days, and the words of its finding that do not depend on the
day), so judging it for a day only dates and words it.
"""

from __future__ import annotations

import itertools
import threading
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from projections.supervisory import exceptions as ex
from projections.supervisory import exceptions_money as mx
from projections.supervisory.exceptions_transit import SentTransfer

Row = dict[str, Any]
# Rows judged at a time as a listing is pulled: one at first (the merge of every node's lists
# pulls one finding of each, and a page takes but a few of most), doubling up to STEP as the
# listing is walked further (a few rows judged beyond those read, per node).
STEP = 8


def _candidates(transfers: Iterable[Row], limit_days: int) -> list[SentTransfer]:
    """The sent transfers of ``transfers`` that can be in transit too long as of some day."""
    out = []
    for t in mx.sent_rows(transfers):
        if t["sent_on"] is None:
            continue
        if t["confirmed_on"]:  # read only if it can overrun (most are confirmed in time)
            transit = date.fromisoformat(t["confirmed_on"]) - date.fromisoformat(t["sent_on"])
            if transit.days <= limit_days:
                continue
        out.append(SentTransfer.of(t))
    return out


def listed_day(f: ex.Finding) -> str:
    """The day a finding is listed by (its first sort key; none sorts first)."""
    return f.on or ""


def _listed(s: SentTransfer) -> tuple[str, str]:
    return (s.sent_on, s.transfer_id)


@dataclass(frozen=True, slots=True)
class SentTransfers:
    """A node's sent transfers that may be in transit too long, by (sent_on, transfer_id)."""

    rows: tuple[SentTransfer, ...] = ()
    sent_on: tuple[str, ...] = ()  # of each row, to find a day's cut by bisection

    @classmethod
    def of(cls, transfers: Iterable[Row], limit_days: int) -> SentTransfers:
        """The sent transfers of ``transfers`` (a node's rows)."""
        return cls._sorted(_candidates(transfers, limit_days))

    def updated(self, changed: set[str], now: Iterable[Row], limit_days: int) -> SentTransfers:
        """These, with the transfers of ids ``changed`` replaced by their rows ``now``."""
        kept = [s for s in self.rows if s.transfer_id not in changed]
        fresh = _candidates(now, limit_days)
        return self._sorted(kept + fresh) if fresh or len(kept) < len(self.rows) else self

    @classmethod
    def _sorted(cls, rows: list[SentTransfer]) -> SentTransfers:
        rows.sort(key=_listed)
        return cls(tuple(rows), tuple(s.sent_on for s in rows))


def _judged(rows: Iterable[SentTransfer], as_of: date, limit_days: int) -> list[ex.Finding]:
    found = (s.finding(as_of, limit_days) for s in rows)
    return [f for f in found if f is not None]


class TransitListing:
    """The transit findings of one node as of one day, judged as they are pulled and kept.

    Several readers may pull one listing at once (a listing outlives the lock under which it was
    handed out): the judged findings only grow, by whole steps, under the listing's own lock.
    """

    def __init__(self, sent: SentTransfers, as_of: date, limit_days: int) -> None:
        # A day within ``limit`` days of the calendar's start has nothing older to judge.
        cut = as_of - timedelta(days=min(limit_days, as_of.toordinal() - 1))
        self._rows, self._sent_on, self._as_of, self._limit = (
            sent.rows,
            sent.sent_on,
            as_of,
            limit_days,
        )
        self._end = bisect_left(sent.sent_on, cut.isoformat())  # rows sent before the cut
        self._judged = 0
        self._found: list[ex.Finding] = []
        self._lock = threading.Lock()

    def __bool__(self) -> bool:
        """Whether any row may give a finding (an empty listing is left out of the merge)."""
        return self._end > 0

    def __iter__(self) -> Iterator[ex.Finding]:
        return self._from(0)

    def since(self, low: str | None) -> Iterable[ex.Finding]:
        """The findings on or after the day ``low`` (ISO): the rows sent before are skipped by
        bisection; beyond the rows judged so far, they are judged without being kept."""
        if low is None:
            return self
        start = bisect_left(self._sent_on, low, 0, self._end)
        if start >= self._end:
            return ()
        if self._judged <= start:
            return self._unkept(start)
        # The findings judged so far are in the order of their rows' sent days.
        return self._from(bisect_left(self._found, low, key=listed_day))

    def _from(self, at: int) -> Iterator[ex.Finding]:
        """The findings from the ``at``-th: those judged already read as a list is (no Python
        frame per finding: a kept day's first page reads them again), then the rest."""
        done = self._judged >= self._end  # read first: then the findings are all there
        known = len(self._found)
        if done:
            return itertools.islice(self._found, at, None)
        if at >= known:
            return self._pulled(at)
        return itertools.chain(itertools.islice(self._found, at, known), self._pulled(known))

    def _unkept(self, start: int) -> Iterator[ex.Finding]:
        """The findings of the rows from the ``start``-th, judged as they are read and not kept
        (they do not follow the rows judged so far)."""
        at, step = start, 1
        while at < self._end:
            stop = min(at + step, self._end)
            yield from _judged(self._rows[at:stop], self._as_of, self._limit)
            at, step = stop, min(2 * step, STEP)

    def _pulled(self, at: int) -> Iterator[ex.Finding]:
        found = self._found
        while True:
            # Read before the findings: once every row is judged, the findings are all there.
            done = self._judged >= self._end
            if at < len(found):
                yield found[at]
                at += 1
            elif done:
                return
            else:
                self._judge_step()

    def _judge_step(self) -> None:
        with self._lock:
            start = self._judged
            if start >= self._end:
                return
            stop = min(start + max(1, min(start, STEP)), self._end)
            self._found.extend(_judged(self._rows[start:stop], self._as_of, self._limit))
            self._judged = stop


__all__ = ["STEP", "SentTransfers", "TransitListing", "listed_day"]
