"""Compliance exceptions found in the supervisory view, listed page by page, and their
resolution (the consultation records are in ``supervisory_consultations``).

Findings are kept per node and judged again only where the projection moved (see
``supervisory_findings``). How detection and the recorded ``ComplianceException`` relate: a
finding is a function of the projection's state; its id is ``ComplianceException.id_for(rule, node,
subject)``. Its status is "open" until a supervisor resolves it, which records that exception —
raised and resolved, in one transaction — in the International's own log. A supervisor may also
raise one by hand (``POST /v1/exceptions``) with the same id; resolving it then works the same.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain.errors import NotFound
from domain.roles import Role, require_role
from domain.supervision import ComplianceException
from federation.node.base import Context, Outcome
from federation.node.idempotency import Result, previous_result
from federation.node.supervisory_consultations import ConsultationRecords
from federation.node.supervisory_findings import KeptFindings
from projections.supervisory import exceptions as ex
from projections.supervisory.queries import EVENTS_SQL

if TYPE_CHECKING:
    from federation.node.supervisory import SupervisoryService

Row = dict[str, Any]
KNOWN_POSITIONS = 100_000  # events whose log position is kept, at most


def _reference(ref: str) -> tuple[str, int]:
    """An event reference "originator/version" as (originator, version)."""
    originator, _, version = ref.partition("/")
    return originator, int(version)


def today() -> date:
    """The day, for "as of" when none is given."""
    return datetime.now(UTC).date()


def _until(found: Iterable[ex.Finding], high: str) -> Iterator[ex.Finding]:
    """The findings on or before the day ``high`` (ISO); those without a day are left out."""
    for f in found:
        if f.on is None:
            continue
        if f.on > high:
            return  # listed by day first: every later finding is later still
        yield f


@lru_cache(maxsize=65536)
def _id_text(rule: str, node: str, subject_id: str) -> str:
    """A finding's exception id as text (a page shows the same findings again; formatting a
    UUID costs about a microsecond)."""
    return str(ex.exception_id(rule, node, subject_id))


def _state(f: ex.Finding, records: dict[tuple[str, str, str], Row]) -> tuple[str, Row | None]:
    """The finding's status, and its recorded exception if any."""
    record = records.get((f.rule, f.node, f.subject_id))
    if record is not None and record["exception_id"] != _id_text(f.rule, f.node, f.subject_id):
        record = None
    return ("resolved" if record and record["resolved_on"] else "open"), record


class Rules(ConsultationRecords):
    """Finds the compliance exceptions and records their resolution."""

    def __init__(self, service: SupervisoryService) -> None:
        super().__init__(service)
        self.kept = KeptFindings(service)
        self._known_positions: dict[tuple[str, str], tuple[int, str]] = {}

    def forget(self) -> None:
        """Forget the findings kept and the log positions of their events."""
        self.kept.clear()
        self._known_positions.clear()

    def findings(self, as_of: date, rule: str | None = None) -> list[ex.Finding]:
        """Every broken rule (or only ``rule``) in the projection's state, as of ``as_of`` for
        the timed rules, in the order they are listed."""
        return list(self.ordered(as_of, rule))

    def ordered(
        self,
        as_of: date,
        rule: str | None = None,
        node: str | None = None,
        *,
        since: str | None = None,
        among: set[tuple[str, str]] | None = None,
    ) -> Iterator[ex.Finding]:
        """The findings (of ``rule``, of ``node``, of the (rule, node) pairs ``among``, on or
        after the day ``since``) in the order they are listed, read lazily from the findings
        kept per node (judged again only where the projection moved)."""
        return self.kept.ordered(as_of, rule, node, since=since, among=among)

    def exceptions(
        self,
        *,
        as_of: date | None = None,
        rule: str | None = None,
        country: str | None = None,
        status: str | None = None,
        since: date | None = None,
        until: date | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[Row]:
        """Findings with their status and the events behind them, filtered and paged."""
        as_of = as_of or today()
        self.service.app.view.catch_up()
        # A finding's recorded exception is found by (rule, node, subject), whose digest is its
        # id: no need to derive the id of every one of thousands of findings, only of the page.
        records = {
            (r["rule"], r["node"], r["subject_id"]): r
            for r in self._q(
                "SELECT exception_id, rule, node, subject_id, raised_on, resolution, "
                "resolved_on, resolved_by FROM intl_exceptions"
            )
        }
        node = country.strip().upper() if country else None
        low, high = since.isoformat() if since else None, until.isoformat() if until else None
        # Only a recorded exception is resolved: the lists of other (rule, node) pairs are not
        # walked for those.
        among = None
        if status == "resolved":
            among = {(r["rule"], r["node"]) for r in records.values() if r["resolved_on"]}
        # ``since`` is applied by the lists themselves (each starts at its first finding of
        # that day, by bisection), ``until`` here.
        found = self.ordered(as_of, rule, node, since=low, among=among)
        if high:
            found = _until(found, high)
        page: list[tuple[ex.Finding, str, Row | None]] = []
        if not status:
            # The findings skipped need no record: only the page's are looked up.
            for f in itertools.islice(found, offset, offset + max(limit, 1)):
                page.append((f, *_state(f, records)))
        else:
            skipped = 0
            for f in found:
                state, record = _state(f, records)
                if state != status:
                    continue
                if skipped < offset:
                    skipped += 1
                    continue
                page.append((f, state, record))
                if len(page) >= limit:
                    break
        positions = self._positions([e for f, _, _ in page for e in f.events])
        return [self._shown(f, state, record, positions) for f, state, record in page]

    def _shown(
        self,
        f: ex.Finding,
        state: str,
        record: Row | None,
        positions: dict[tuple[str, str], tuple[int, str]],
    ) -> Row:
        return {
            "exception_id": _id_text(f.rule, f.node, f.subject_id),
            "rule": f.rule,
            "rule_text": ex.RULES[f.rule],
            "node": f.node,
            "subject": f.subject,
            "subject_id": f.subject_id,
            "on": f.on,
            "detail": f.detail,
            "status": state,
            "resolution": record["resolution"] if record else None,
            "resolved_on": record["resolved_on"] if record else None,
            "resolved_by": record["resolved_by"] if record else None,
            "events": [
                {
                    "upstream": upstream,
                    "position": positions.get((upstream, ref), (None, None))[0],
                    "topic": positions.get((upstream, ref), (None, None))[1],
                }
                for upstream, ref in f.events
            ],
        }

    def _positions(self, events: list[tuple[str, str]]) -> dict[tuple[str, str], tuple[int, str]]:
        """The log position and topic of each (upstream, "originator/version"), in one query.

        Found ones are kept: an entry's place in its node's verified log never changes (a
        node that rewrites its log is quarantined, nothing of it applied), and the next page
        after new events mostly shows the same findings.
        """
        known = self._known_positions
        out = {(u, ref): known[(u, ref)] for u, ref in events if (u, ref) in known}
        wanted = {
            (upstream, *_reference(ref)): (upstream, ref)
            for upstream, ref in events
            if (upstream, ref) not in out
        }
        if not wanted:
            return out
        ids = sorted({originator for _, originator, _ in wanted})
        marks = ", ".join("?" for _ in ids)
        for r in self._q(EVENTS_SQL.format(marks=marks), ids):
            key = (r["upstream"], str(r["originator_id"]), int(r["originator_version"]))
            if key in wanted:
                out[wanted[key]] = (int(r["position"]), r["topic"])
        if len(known) > KNOWN_POSITIONS:
            known.clear()
        known.update((ref, out[ref]) for ref in wanted.values() if ref in out)
        return out

    def resolve(
        self, ctx: Context, *, exception_id: UUID, resolution: str, on: date, as_of: date | None
    ) -> Result:
        """Resolve a found exception: record it (raised and resolved) in the International's log."""
        require_role(ctx.actor, Role.SUPERVISOR, action="resolving a compliance exception")
        app = self.service.app
        if ctx.idempotency and (done := previous_result(app.db, ctx.idempotency)) is not None:
            return done
        if app.exists(exception_id):
            exception = app.load(ComplianceException, exception_id, "compliance exception")
        else:
            found = next(
                (f for f in self.ordered(as_of or on) if f.exception_id == exception_id), None
            )
            if found is None:
                raise NotFound(
                    "exception.not_found",
                    f"no compliance exception {exception_id} is found or recorded",
                )
            exception = ComplianceException.record(
                rule=found.rule,
                node=found.node,
                subject_id=UUID(found.subject_id),
                detail=found.detail,
                on=on,
                actor=ctx.actor,
            )
        exception.resolve(resolution=resolution, on=on, actor=ctx.actor)
        result = {"exception_id": str(exception.id), "status": "resolved"}
        return app.commit(Outcome(result, [exception]), ctx)
