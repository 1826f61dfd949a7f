"""Compliance exceptions found in the supervisory view, listed page by page, and their
resolution (the consultation records are in ``supervisory_consultations``).

How detection and the recorded ``ComplianceException`` relate: a finding is computed from the
projection every time it is asked for; its id is ``ComplianceException.id_for(rule, node,
subject)``. Its status is "open" until a supervisor resolves it, which records that exception —
raised and resolved, in one transaction — in the International's own log. A supervisor may also
raise one by hand (``POST /v1/exceptions``) with the same id; resolving it then works the same.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from domain.consultation import ProcurementCategory
from domain.errors import NotFound
from domain.roles import Role, require_role
from domain.supervision import ComplianceException
from federation.node.base import Context, Outcome
from federation.node.idempotency import Result, previous_result
from federation.node.supervisory_consultations import ConsultationRecords
from projections.supervisory import exceptions as ex
from projections.supervisory import exceptions_money as mx
from projections.supervisory.queries import EVENTS_SQL

Row = dict[str, Any]


def _reference(ref: str) -> tuple[str, int]:
    """An event reference "originator/version" as (originator, version)."""
    originator, _, version = ref.partition("/")
    return originator, int(version)


def today() -> date:
    """The day, for "as of" when none is given."""
    return datetime.now(UTC).date()


class Rules(ConsultationRecords):
    """Finds the compliance exceptions and records their resolution."""

    def findings(self, as_of: date, rule: str | None = None) -> list[ex.Finding]:
        """Every broken rule (or only ``rule``) in the projection's state, as of ``as_of`` for
        the timed rules."""
        steps = self._steps(as_of)
        chosen = [steps[rule]] if rule in steps else [] if rule else list(steps.values())
        return [finding for step in chosen for finding in step()]

    def _steps(self, as_of: date) -> dict[str, Callable[[], list[ex.Finding]]]:
        settings, liaison = self.service.settings, self.service.liaison
        limit = settings.transit_limit_days
        # A day within ``limit`` days of the calendar's start has nothing older to judge.
        cut = (as_of - timedelta(days=min(limit, as_of.toordinal() - 1))).isoformat()

        def procurements() -> list[ex.Finding]:
            rows, verdicts = self.procurement_cover()
            return ex.procurement_findings(rows, verdicts, liaison)

        def administration() -> list[ex.Finding]:
            received = {
                (r["country"], r["currency"]): int(r["amount_minor"])
                for r in self._read(mx.RECEIVED_SQL)
            }
            rows = self._read(mx.ADMINISTRATION_SQL)
            return mx.administration_findings(rows, received, settings.administration_share)

        return {
            "procurement.without_concurring_consultation": procurements,
            "procurement.category_not_allowed": lambda: ex.category_findings(
                self._read(ex.category_sql(ProcurementCategory))
            ),
            "specialist.departure_without_approval": lambda: ex.departure_findings(
                self._read(ex.DEPARTURES_SQL, [liaison]), liaison
            ),
            "specialist.group_nomination": lambda: ex.group_findings(self._read(ex.GROUPS_SQL)),
            "surplus.not_expansion": lambda: mx.surplus_findings(self._read(mx.ALLOCATIONS_SQL)),
            "transfer.exceeds_available_balance": lambda: mx.over_balance_findings(
                self._read(mx.OVER_BALANCE_SQL)
            ),
            "transfer.single_signed": lambda: mx.single_signed_findings(
                self._read(mx.SINGLE_SIGNED_SQL)
            ),
            "transfer.in_transit_too_long": lambda: mx.transit_findings(
                self._read(mx.SENT_BEFORE_SQL, [cut]), as_of, limit
            ),
            "transfer.difference_not_booked": lambda: mx.difference_findings(
                self._read(mx.DIFFERENCE_SQL)
            ),
            "period_report.disagrees_with_books": lambda: mx.report_findings(
                self._read(mx.REPORTS_SQL)
            ),
            "loan.counted_as_income": lambda: mx.loan_income_findings(
                self._read(mx.LOAN_INCOME_SQL)
            ),
            "pledge.counted_as_funds": lambda: mx.pledge_findings(
                self._read(mx.PLEDGE_RECEIPTS_SQL)
            ),
            "administration.over_share": administration,
        }

    def ordered(self, as_of: date, rule: str | None = None) -> list[ex.Finding]:
        """``findings`` in the order they are listed, kept until the projection moves on: a
        supervisor paging through thousands of findings reads them from memory."""

        def compute() -> dict[str, Any]:
            found = self.findings(as_of, rule)
            found.sort(key=lambda f: (f.on or "", f.rule, f.node, f.subject_id))
            return {"findings": found}

        findings: list[ex.Finding] = self.service.cached(("findings", as_of, rule), compute)[
            "findings"
        ]
        return findings

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
        page: list[tuple[ex.Finding, str, Row | None]] = []
        skipped = 0
        for f in self.ordered(as_of, rule):
            if (node and f.node != node) or (low and (f.on is None or f.on < low)):
                continue
            if high and (f.on is None or f.on > high):
                continue
            record = records.get((f.rule, f.node, f.subject_id))
            if record is not None and record["exception_id"] != str(f.exception_id):
                record = None
            state = "resolved" if record and record["resolved_on"] else "open"
            if status and state != status:
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
            "exception_id": str(f.exception_id),
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
        """The log position and topic of each (upstream, "originator/version"), in one query."""
        wanted = {(upstream, *_reference(ref)): (upstream, ref) for upstream, ref in events}
        if not wanted:
            return {}
        ids = sorted({originator for _, originator, _ in wanted})
        marks = ", ".join("?" for _ in ids)
        out: dict[tuple[str, str], tuple[int, str]] = {}
        for r in self._q(EVENTS_SQL.format(marks=marks), ids):
            key = (r["upstream"], str(r["originator_id"]), int(r["originator_version"]))
            if key in wanted:
                out[wanted[key]] = (int(r["position"]), r["topic"])
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
