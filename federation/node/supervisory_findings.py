"""The compliance findings kept per node, re-judged only where the projection moved.

A node's rows in the supervisory tables are written only by that node's own events (the country
of a row is the upstream that wrote it), so what the rules find about a node is a function of
that node's rows — plus, for the procurement cover and the departures, of the liaison's rows —
and of the "as of" day for the transit rule. The findings of a node are therefore kept with the
projection's position of that node and judged again only when that position moves: after one
upstream's page arrives, one node is judged, not the whole history.

The liaison's rows (opinions and their versions) are keyed by the liaison's upstream and the id
of the aggregate whose events wrote them. When the liaison moves on, the aggregates of its new
entries (``ingested_entries`` between the two positions) name the opinions that may have
changed; only the consultations those opinions are about — now, or when last judged — have their
procurement cover judged again. Anything unexpected (the liaison's position went back, as in a
rebuild, or moved very far) judges the cover of every node again.

The departures rule reads few rows (departed specialists) and is judged across all nodes at
every state. Every state is read in one read transaction, positions and rows together, so the
findings kept are always those of one state: the same history gives the same findings.
"""

from __future__ import annotations

import heapq
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from domain.consultation import ProcurementCategory
from federation.node.supervisory_cover import CHUNK, Cover
from projections.supervisory import NAME
from projections.supervisory import exceptions as ex
from projections.supervisory import exceptions_money as mx

if TYPE_CHECKING:
    from federation.node.supervisory import SupervisoryService

COVER = "procurement.without_concurring_consultation"
TRANSIT = "transfer.in_transit_too_long"
DEPARTURE = "specialist.departure_without_approval"
# Beyond this many new entries of the liaison, judging every cover again is simpler and as quick.
LIAISON_STEP = 5000
AS_OF_KEPT = 4  # "as of" days kept per node for the transit rule


def row_key(row: Any) -> Any:
    """A row as a value: ``sqlite3.Row`` compares and hashes by its values; a dict row's
    values in order."""
    return tuple(row.values()) if isinstance(row, dict) else row


def order_key(f: ex.Finding) -> tuple[str, str, str, str]:
    """The order findings are listed in."""
    return (f.on or "", f.rule, f.node, f.subject_id)


@dataclass
class NodeFindings:
    """What the rules found about one node at one position of it."""

    position: int
    by_rule: dict[str, list[ex.Finding]] = field(default_factory=dict)
    # The cover of the node's procurements per consultation id: the findings, and the ids of the
    # liaison's opinions the judgement read.
    cover: dict[str | None, tuple[list[ex.Finding], frozenset[str]]] = field(default_factory=dict)
    transit: dict[date, list[ex.Finding]] = field(default_factory=dict)
    sent: list[Any] = field(default_factory=list)  # its sent transfers, for any "as of"
    # Per "as of": each sent transfer's row (as a value) and what the transit rule found of it.
    transit_of: dict[date, dict[Any, ex.Finding | None]] = field(default_factory=dict)
    _cover_listed: list[ex.Finding] | None = None

    def set_cover(self, groups: dict[str | None, tuple[list[ex.Finding], frozenset[str]]]) -> None:
        """Replace the cover of the consultations in ``groups``."""
        self.cover.update(groups)
        self._cover_listed = None

    def lists(self, as_of: date) -> Iterator[tuple[str, list[ex.Finding]]]:
        """(rule, its findings in order) for every rule but the departures."""
        yield from self.by_rule.items()
        yield TRANSIT, self.transit[as_of]
        if self._cover_listed is None:
            cover = [f for found, _ in self.cover.values() for f in found]
            cover.sort(key=order_key)
            self._cover_listed = cover
        yield COVER, self._cover_listed


class KeptFindings:
    """The findings of every node, kept per node with its position (see the module)."""

    def __init__(self, service: SupervisoryService) -> None:
        self.service = service
        self._nodes: dict[str, NodeFindings] = {}
        self._liaison_at: int | None = None  # the liaison position every kept cover reflects
        self._departures: tuple[tuple[tuple[str, int], ...], list[ex.Finding]] | None = None
        self._lock = threading.Lock()
        self.cover = Cover(service)

    def clear(self) -> None:
        with self._lock:
            self.cover.clear()
            self._nodes.clear()
            self._liaison_at = None
            self._departures = None

    def lists(self, as_of: date, rule: str | None, node: str | None) -> list[list[ex.Finding]]:
        """The sorted lists of findings, one per node and rule, of the current state."""
        with self._lock, self.service.snapshot():
            positions = self._positions()
            try:
                self._catch_up(positions, as_of)
            except BaseException:
                # Half caught up is no state at all: start again from nothing next time.
                self.cover.clear()
                self._nodes.clear()
                self._liaison_at = self._departures = None
                raise
            out = []
            for name in sorted(self._nodes):
                if node and name != node:
                    continue
                for each, found in self._nodes[name].lists(as_of):
                    if found and (rule is None or rule == each):
                        out.append(found)
            departures = self._judge_departures(positions)
            if departures and rule in (None, DEPARTURE):
                out.append([f for f in departures if not node or f.node == node])
            return out

    def ordered(
        self, as_of: date, rule: str | None, node: str | None = None
    ) -> Iterator[ex.Finding]:
        """Every finding (of ``rule``, of ``node``) in the listed order, merged lazily: the
        first page reads a few hundred findings, not every one."""
        return heapq.merge(*self.lists(as_of, rule, node), key=order_key)

    # --- catching up ------------------------------------------------------------------------

    def _positions(self) -> dict[str, int]:
        rows = self.service.records(
            "SELECT upstream, position FROM projection_positions WHERE projection = ?", [NAME]
        )
        return {r["upstream"]: int(r["position"]) for r in rows}

    def _catch_up(self, positions: dict[str, int], as_of: date) -> None:
        for name in [n for n in self._nodes if n not in positions]:
            del self._nodes[name]  # a rebuild under way has not reached it yet
        liaison = self.service.liaison
        moved = [n for n, at in positions.items() if self._at(n) != at]
        for name in moved:
            self._nodes[name] = self._judge_node(name, positions[name], self._nodes.get(name))
        self._follow_liaison(positions.get(liaison), set(moved))
        for kept in self._nodes.values():
            if as_of not in kept.transit:
                while len(kept.transit) >= AS_OF_KEPT:
                    kept.transit.pop(next(iter(kept.transit)))
                kept.transit[as_of] = self._judge_transit(kept, as_of)

    def _at(self, name: str) -> int | None:
        kept = self._nodes.get(name)
        return kept.position if kept else None

    def _follow_liaison(self, now: int | None, judged: set[str]) -> None:
        """Judge again the cover the liaison's new entries may have changed."""
        before, self._liaison_at = self._liaison_at, now
        if before == now:
            return
        if before is None or now is None or now < before or now - before > LIAISON_STEP:
            stale = [name for name in self._nodes if name not in judged]
            every = self.cover.judge("1 = 1", []) if stale else {}
            for name in stale:
                self._nodes[name].cover.clear()
                self._nodes[name].set_cover(every.get(name, {}))
            return
        changed = self._liaison_aggregates(before, now)
        consultations = self.cover.consultations_of(changed)
        for kept in self._nodes.values():
            for consultation, (_, used) in kept.cover.items():
                if used & changed:
                    consultations.add(consultation)
        wanted = sorted(c for c in consultations if c is not None)
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start : start + CHUNK]
            marks = ", ".join("?" for _ in chunk)
            found = self.cover.judge(f"p.consultation_id IN ({marks})", chunk)
            for name, groups in found.items():
                held = self._nodes.get(name)
                if held is not None and name not in judged:
                    held.set_cover(groups)

    def _liaison_aggregates(self, before: int, now: int) -> set[str]:
        rows = self.service.records(
            "SELECT DISTINCT originator_id FROM ingested_entries "
            "WHERE upstream = ? AND position > ? AND position <= ?",
            [self.service.liaison, before, now],
        )
        return {str(r["originator_id"]) for r in rows}

    # --- judging ----------------------------------------------------------------------------

    def _read(self, sql: str, params: list[Any]) -> list[Any]:
        return self.service.records(sql, params)

    def _judge_node(self, node: str, position: int, before: NodeFindings | None) -> NodeFindings:
        """Every rule over the node's own rows (the cover with the liaison's current rows)."""
        transfers = self._read(mx.NODE_TRANSFERS_SQL, [node])
        kept = NodeFindings(position, sent=mx.sent_rows(transfers))
        if before is not None:  # the transit rule's judgement of a row stays with the row
            kept.transit_of = before.transit_of
        for rule, judge in self._rules(node, transfers).items():
            found = judge()
            found.sort(key=order_key)
            kept.by_rule[rule] = found
        kept.set_cover(self.cover.judge("p.country = ?", [node]).get(node, {}))
        return kept

    def _rules(self, node: str, transfers: list[Any]) -> dict[str, Callable[[], list[ex.Finding]]]:
        settings, read, one = self.service.settings, self._read, [node]

        def administration() -> list[ex.Finding]:
            received = {
                (r["country"], r["currency"]): int(r["amount_minor"])
                for r in read(mx.RECEIVED_SQL, one)
            }
            rows = read(mx.ADMINISTRATION_SQL, one)
            return mx.administration_findings(rows, received, settings.administration_share)

        return {
            "procurement.category_not_allowed": lambda: ex.category_findings(
                read(ex.category_sql(ProcurementCategory), one)
            ),
            "specialist.group_nomination": lambda: ex.group_findings(read(ex.GROUPS_SQL, one)),
            "surplus.not_expansion": lambda: mx.surplus_findings(read(mx.ALLOCATIONS_SQL, one)),
            "transfer.exceeds_available_balance": lambda: mx.over_balance_findings(
                mx.over_balance_rows(transfers)
            ),
            "transfer.single_signed": lambda: mx.single_signed_findings(
                mx.single_signed_rows(transfers)
            ),
            "transfer.difference_not_booked": lambda: mx.difference_findings(
                mx.difference_rows(transfers)
            ),
            "period_report.disagrees_with_books": lambda: mx.report_findings(
                read(mx.REPORTS_SQL, one)
            ),
            "loan.counted_as_income": lambda: mx.loan_income_findings(
                read(mx.LOAN_INCOME_SQL, one)
            ),
            "pledge.counted_as_funds": lambda: mx.pledge_findings(
                read(mx.PLEDGE_RECEIPTS_SQL, one)
            ),
            "administration.over_share": administration,
        }

    def _judge_transit(self, kept: NodeFindings, as_of: date) -> list[ex.Finding]:
        """The transit rule as of ``as_of``, judging only the rows not judged before."""
        limit = self.service.settings.transit_limit_days
        # A day within ``limit`` days of the calendar's start has nothing older to judge.
        cut = (as_of - timedelta(days=min(limit, as_of.toordinal() - 1))).isoformat()
        before = kept.transit_of.get(as_of, {})
        judged: dict[Any, ex.Finding | None] = {}
        for row in mx.sent_before_rows(kept.sent, cut):
            key = row_key(row)
            if key in before:
                judged[key] = before[key]
            else:
                found = mx.transit_findings([row], as_of, limit)
                judged[key] = found[0] if found else None
        while len(kept.transit_of) >= AS_OF_KEPT and as_of not in kept.transit_of:
            kept.transit_of.pop(next(iter(kept.transit_of)))
        kept.transit_of[as_of] = judged
        out = [f for f in judged.values() if f is not None]
        out.sort(key=order_key)
        return out

    def _judge_departures(self, positions: dict[str, int]) -> list[ex.Finding]:
        key = tuple(sorted(positions.items()))
        if self._departures is None or self._departures[0] != key:
            liaison = self.service.liaison
            found = ex.departure_findings(self._read(ex.DEPARTURES_SQL, [liaison]), liaison)
            found.sort(key=order_key)
            self._departures = (key, found)
        return self._departures[1]


def merged(lists: Iterable[list[ex.Finding]]) -> list[ex.Finding]:
    """Every finding of ``lists`` in the listed order."""
    return list(heapq.merge(*lists, key=order_key))


__all__ = ["KeptFindings", "NodeFindings", "merged", "order_key"]
