"""What the compliance rules find about one node, judged in full or from its new entries.

A node's rows are written only by its own events, and the rows of its transfers, procurements
and consultations are keyed by the aggregate whose events write them (``_key(country, e)``:
the event's originator). So after a page of a node, the aggregates of the page's entries
(``ingested_entries`` between the two positions) name every transfer and consultation whose
rows may have changed: only those are read and judged again; the rest keep their findings. The
few rows of the other rules are read in full every time. A node that moved back (a rebuild) or
very far is judged in full. The transit rule, which depends on the "as of" day too, is judged
per day as its findings are read (``supervisory_transit``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from domain.consultation import ProcurementCategory
from federation.node.supervisory_cover import CHUNK, Cover, Group
from federation.node.supervisory_transit import SentTransfers, TransitListing
from projections.supervisory import exceptions as ex
from projections.supervisory import exceptions_money as mx

if TYPE_CHECKING:
    from federation.node.supervisory import SupervisoryService

TRANSIT = "transfer.in_transit_too_long"
COVER = "procurement.without_concurring_consultation"
NODE_STEP = 2000  # beyond this many new entries of a node, it is judged in full
AS_OF_KEPT = 4  # "as of" days kept per node for the transit rule
NODE_CONSULTATIONS = "SELECT procurement_id, consultation_id FROM sv_procurements WHERE country = ?"
CONSULTATION_OF = NODE_CONSULTATIONS + " AND procurement_id IN ({marks})"


def order_key(f: ex.Finding) -> tuple[str, str, str, str]:
    """The order findings are listed in."""
    return (f.on or "", f.rule, f.node, f.subject_id)


@dataclass
class NodeFindings:
    """What the rules found about one node at one position of it."""

    position: int
    by_rule: dict[str, list[ex.Finding]] = field(default_factory=dict)
    # The cover of the node's procurements per consultation id: the findings, and the ids of the
    # liaison's opinions the judgement read; and the consultation of every procurement.
    cover: dict[str | None, Group] = field(default_factory=dict)
    consultation_of: dict[str, str | None] = field(default_factory=dict)
    transfers: dict[str, dict[str, Any]] = field(default_factory=dict)  # by transfer id
    # The sent transfers in the transit rule's order, and its findings per "as of" day, judged
    # as they are pulled (``supervisory_transit``).
    sent: SentTransfers = field(default_factory=SentTransfers)
    transit: dict[date, TransitListing] = field(default_factory=dict)
    in_full: bool = False  # judged in full (not from its new entries)
    # The liaison's position the cover reflects: what the liaison recorded since may change it.
    liaison_at: int | None = None
    _cover_listed: list[ex.Finding] | None = None

    def set_cover(self, groups: dict[str | None, Group]) -> None:
        """Replace the cover of the consultations in ``groups``."""
        self.cover.update(groups)
        self._cover_listed = None

    def lists(self, as_of: date) -> Iterator[tuple[str, list[ex.Finding] | TransitListing]]:
        """(rule, its findings in order) for every rule but the departures; an empty one is
        false."""
        yield from self.by_rule.items()
        yield TRANSIT, self.transit[as_of]
        if self._cover_listed is None:
            cover = [f for found, _ in self.cover.values() for f in found]
            cover.sort(key=order_key)
            self._cover_listed = cover
        yield COVER, self._cover_listed


class NodeJudge:
    """Judges the rules over one node's rows."""

    def __init__(self, service: SupervisoryService, cover: Cover) -> None:
        self.service, self.cover = service, cover

    def judge(self, node: str, position: int, before: NodeFindings | None) -> NodeFindings:
        """The node's findings at ``position``; from its new entries when ``before`` is near."""
        if before is None or not before.position < position <= before.position + NODE_STEP:
            return self._in_full(node, position)
        changed = self._aggregates(node, before.position, position)
        kept = NodeFindings(position)
        kept.transfers = dict(before.transfers)
        now_transfers = self._transfers(node, changed)
        kept.transfers.update(now_transfers)
        limit = self.service.settings.transit_limit_days
        kept.sent = before.sent.updated(changed, now_transfers.values(), limit)
        kept.consultation_of = dict(before.consultation_of)
        now = self._consultations(node, changed)
        # The consultations a changed procurement was under, and is under now; and the changed
        # consultations themselves.
        was = {before.consultation_of[p] for p in now if p in before.consultation_of}
        affected = was | set(now.values()) | changed
        kept.consultation_of.update(now)
        kept.cover = dict(before.cover)
        kept.set_cover(self._cover(node, affected))
        self._rules(node, kept)
        return kept

    def transit(self, kept: NodeFindings, as_of: date) -> TransitListing:
        """The transit rule as of ``as_of``, judged as it is pulled."""
        return TransitListing(kept.sent, as_of, self.service.settings.transit_limit_days)

    # --- reading ------------------------------------------------------------------------------

    def _in_full(self, node: str, position: int) -> NodeFindings:
        kept = NodeFindings(position, in_full=True)
        kept.transfers = self._transfers(node, None)
        kept.sent = SentTransfers.of(
            kept.transfers.values(), self.service.settings.transit_limit_days
        )
        kept.consultation_of = self._consultations(node, None)
        kept.set_cover(self.cover.judge("p.country = ?", [node]).get(node, {}))
        self._rules(node, kept)
        return kept

    def _aggregates(self, node: str, before: int, now: int) -> set[str]:
        rows = self.service.records(
            "SELECT DISTINCT originator_id FROM ingested_entries "
            "WHERE upstream = ? AND position > ? AND position <= ?",
            [node, before, now],
        )
        return {str(r["originator_id"]) for r in rows}

    def _read(self, sql: str, params: list[Any]) -> Iterator[dict[str, Any]]:
        names, rows = self.service.table(sql, params)
        return (dict(zip(names, r, strict=True)) for r in rows)

    def _by_ids(self, sql: str, node: str, ids: set[str]) -> Iterator[dict[str, Any]]:
        """Rows of ``sql`` (``{marks}`` its list of ids) of ``node``, a chunk of ids at a time."""
        wanted = sorted(ids)
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start : start + CHUNK]
            marks = ", ".join("?" for _ in chunk)
            yield from self._read(sql.format(marks=marks), [node, *chunk])

    def _transfers(self, node: str, ids: set[str] | None) -> dict[str, dict[str, Any]]:
        if ids is None:
            found = self._read(mx.NODE_TRANSFERS_SQL, [node])
        else:
            found = self._by_ids(mx.NODE_TRANSFERS_SQL + " AND transfer_id IN ({marks})", node, ids)
        return {r["transfer_id"]: r for r in found}

    def _consultations(self, node: str, ids: set[str] | None) -> dict[str, str | None]:
        if ids is None:
            found = self._read(NODE_CONSULTATIONS, [node])
        else:
            found = self._by_ids(CONSULTATION_OF, node, ids)
        return {r["procurement_id"]: r["consultation_id"] for r in found}

    def _cover(self, node: str, consultations: set[str | None]) -> dict[str | None, Group]:
        out: dict[str | None, Group] = {}
        if None in consultations:
            found = self.cover.judge("p.country = ? AND p.consultation_id IS NULL", [node])
            out.update(found.get(node, {}))
        wanted = sorted(c for c in consultations if c is not None)
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start : start + CHUNK]
            marks = ", ".join("?" for _ in chunk)
            # By the consultation's index alone (with the node's too, SQLite reads all the
            # node's procurements); the groups of other nodes are dropped here.
            where = f"p.consultation_id IN ({marks})"
            out.update(self.cover.judge(where, chunk).get(node, {}))
        return out

    def _rules(self, node: str, kept: NodeFindings) -> None:
        for rule, judge in self._judges(node, list(kept.transfers.values())).items():
            found = judge()
            found.sort(key=order_key)
            kept.by_rule[rule] = found

    def _judges(
        self, node: str, transfers: list[dict[str, Any]]
    ) -> dict[str, Callable[[], list[ex.Finding]]]:
        settings, one = self.service.settings, [node]

        def read(sql: str, params: list[Any]) -> list[Any]:
            return self.service.records(sql, params)

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


__all__ = ["NodeFindings", "NodeJudge", "order_key"]
