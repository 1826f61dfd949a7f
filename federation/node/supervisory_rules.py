"""Compliance exceptions found in the supervisory view, their resolution, and the consultation
records with the Russian agencies (with the share of spending a prior consultation covered).

How detection and the recorded ``ComplianceException`` relate: a finding is computed from the
projection every time it is asked for; its id is ``ComplianceException.id_for(rule, node,
subject)``. Its status is "open" until a supervisor resolves it, which records that exception —
raised and resolved, in one transaction — in the International's own log. A supervisor may also
raise one by hand (``POST /v1/exceptions``) with the same id; resolving it then works the same.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain.agency import RussianAgency
from domain.consultation import ProcurementCategory
from domain.errors import NotFound
from domain.roles import Role, require_role
from domain.supervision import ComplianceException
from federation.node.base import Context, Outcome
from federation.node.idempotency import Result, previous_result
from projections.supervisory import consultations as cons
from projections.supervisory import exceptions as ex
from projections.supervisory import exceptions_money as mx
from projections.supervisory.convert import minor_text
from projections.supervisory.queries import EVENT_SQL

if TYPE_CHECKING:
    from federation.node.supervisory import SupervisoryService

Row = dict[str, Any]


def agency_id(agency: str) -> str:
    """An agency given by its id or by its code (``NARKOMZEM``), as its id."""
    try:
        return str(UUID(agency))
    except ValueError:
        return str(RussianAgency.id_for(agency))


def share(part: int, whole: int) -> str | None:
    """``part`` of ``whole`` as exact decimal text to four places (None of nothing)."""
    if whole == 0:
        return None
    return str((Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001")))


def today() -> date:
    """The day, for "as of" when none is given."""
    return datetime.now(UTC).date()


class Rules:
    """Finds the compliance exceptions and answers for the consultations."""

    def __init__(self, service: SupervisoryService) -> None:
        self.service = service

    def _q(self, sql: str, params: list[Any] | None = None) -> list[Row]:
        return self.service.query(sql, params or [])

    # --- findings -------------------------------------------------------------------------

    def procurement_cover(
        self, consultations: list[str] | None = None
    ) -> tuple[list[Row], dict[tuple[str, str], str | None]]:
        """Procurements (all, or those under ``consultations``) with their consultation and
        opinion, and whether each was covered."""
        liaison = self.service.liaison
        query, params = cons.PROCUREMENTS_SQL, [liaison]
        if consultations is not None:
            marks = ", ".join("?" for _ in consultations)
            query += f" WHERE p.consultation_id IN ({marks})"
            params += consultations
        rows = self._q(query, params)
        versions = self._q(cons.VERSIONS_SQL, [liaison])
        return rows, cons.judge(rows, versions)

    def findings(self, as_of: date) -> list[ex.Finding]:
        """Every broken rule in the projection's state, as of ``as_of`` for the timed rules."""
        settings, liaison = self.service.settings, self.service.liaison
        limit = settings.transit_limit_days
        procurements, verdicts = self.procurement_cover()
        # A day within ``limit`` days of the calendar's start has nothing older to judge.
        cut = (as_of - timedelta(days=min(limit, as_of.toordinal() - 1))).isoformat()
        received = {
            (r["country"], r["currency"]): int(r["amount_minor"]) for r in self._q(mx.RECEIVED_SQL)
        }
        steps: list[Callable[[], list[ex.Finding]]] = [
            lambda: ex.procurement_findings(procurements, verdicts, liaison),
            lambda: ex.category_findings(self._q(ex.category_sql(ProcurementCategory))),
            lambda: ex.departure_findings(self._q(ex.DEPARTURES_SQL, [liaison]), liaison),
            lambda: ex.group_findings(self._q(ex.GROUPS_SQL)),
            lambda: mx.surplus_findings(self._q(mx.ALLOCATIONS_SQL)),
            lambda: mx.over_balance_findings(self._q(mx.OVER_BALANCE_SQL)),
            lambda: mx.single_signed_findings(self._q(mx.SINGLE_SIGNED_SQL)),
            lambda: mx.transit_findings(self._q(mx.SENT_BEFORE_SQL, [cut]), as_of, limit),
            lambda: mx.difference_findings(self._q(mx.DIFFERENCE_SQL)),
            lambda: mx.report_findings(self._q(mx.REPORTS_SQL)),
            lambda: mx.loan_income_findings(self._q(mx.LOAN_INCOME_SQL)),
            lambda: mx.pledge_findings(self._q(mx.PLEDGE_RECEIPTS_SQL)),
            lambda: mx.administration_findings(
                self._q(mx.ADMINISTRATION_SQL), received, settings.administration_share
            ),
        ]
        return [finding for step in steps for finding in step()]

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
        records = {
            r["exception_id"]: r
            for r in self._q(
                "SELECT exception_id, raised_on, resolution, resolved_on, resolved_by "
                "FROM intl_exceptions"
            )
        }
        rows = []
        for f in self.findings(as_of):
            record = records.get(str(f.exception_id))
            state = "resolved" if record and record["resolved_on"] else "open"
            if (
                (rule and f.rule != rule)
                or (country and f.node != country.strip().upper())
                or (status and state != status)
                or (since and (f.on is None or f.on < since.isoformat()))
                or (until and (f.on is None or f.on > until.isoformat()))
            ):
                continue
            rows.append((f, state, record))
        rows.sort(key=lambda t: (t[0].on or "", t[0].rule, t[0].node, t[0].subject_id))
        return [self._shown(f, state, record) for f, state, record in rows[offset : offset + limit]]

    def _shown(self, f: ex.Finding, state: str, record: Row | None) -> Row:
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
            "events": [self._event(upstream, ref) for upstream, ref in f.events],
        }

    def _event(self, upstream: str, ref: str) -> Row:
        originator, _, version = ref.partition("/")
        found = self._q(EVENT_SQL, [originator, int(version), upstream])
        position = int(found[0]["position"]) if found else None
        topic = found[0]["topic"] if found else None
        return {"upstream": upstream, "position": position, "topic": topic}

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
                (f for f in self.findings(as_of or on) if f.exception_id == exception_id), None
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

    # --- consultations --------------------------------------------------------------------

    def consultations(self, filters: dict[str, Any], limit: int, offset: int) -> list[Row]:
        """Consultations with their request, the agency's opinion and the procurement under them."""
        page = self.service.rows("consultations", filters, limit, offset).items
        if not page:
            return []
        ids = sorted({c["consultation_id"] for c in page})
        marks = ", ".join("?" for _ in ids)
        liaison = self.service.liaison
        opinions = {
            r["consultation_id"]: r
            for r in self._q(
                cons.CONSULTATIONS_SQL + f" WHERE c.consultation_id IN ({marks})", [liaison, *ids]
            )
        }
        procurements, verdicts = self.procurement_cover(ids)
        under: dict[str, list[Row]] = {}
        for p in procurements:
            if p["consultation_id"] in opinions:
                under.setdefault(p["consultation_id"], []).append(p)
        return [self._record(c, opinions[c["consultation_id"]], under, verdicts) for c in page]

    @staticmethod
    def _record(
        c: Row, o: Row, under: dict[str, list[Row]], verdicts: dict[tuple[str, str], str | None]
    ) -> Row:
        opinion = None
        if o["verdict"] is not None:
            code = o["opinion_ceiling_currency"]
            ceiling = o["opinion_ceiling_minor"]
            opinion = {
                "verdict": o["verdict"],
                "conditions": o["conditions"],
                "valid_until": o["valid_until"],
                "recorded_on": o["opinion_recorded_on"],
                "first_recorded_on": o["first_recorded_on"],
                "ceiling": None if ceiling is None else minor_text(int(ceiling), code),
                "notes": o["opinion_notes"],
                "revisions": int(o["revisions"]),
                "withdrawn_on": o["withdrawn_on"],
                "withdrawal_reason": o["withdrawal_reason"],
            }
        procurements = [
            {
                "country": p["country"],
                "procurement_id": p["procurement_id"],
                "reference": p["reference"],
                "description": p["description"],
                "enterprise": p["enterprise"],
                "committed_on": p["committed_on"],
                "status": p["status"],
                "currency": p["currency"],
                "amount": minor_text(int(p["amount_minor"]), p["currency"]),
                "paid": minor_text(int(p["paid_minor"]), p["currency"]),
                "covered": verdicts.get((p["country"], p["procurement_id"])) is None,
                "not_covered_because": verdicts.get((p["country"], p["procurement_id"])),
            }
            for p in under.get(c["consultation_id"], [])
            if p["country"] == c["country"]
        ]
        return {**c, "opinion": opinion, "procurements": procurements}

    def coverage(self, agency: str | None = None) -> list[Row]:
        """Per agency and currency: procurement paid, paid under cover, and the covered share."""
        procurements, verdicts = self.procurement_cover()
        if agency:
            chosen = agency_id(agency)
            procurements = [p for p in procurements if p["agency_id"] == chosen]
        names = {
            r["agency_id"]: r
            for r in self._q(
                "SELECT agency_id, code, name FROM sv_agencies WHERE upstream = ?",
                [self.service.liaison],
            )
        }
        out = []
        for row in cons.coverage(procurements, verdicts):
            paid, covered, code = row["paid_minor"], row["covered_minor"], row["currency"]
            agency_row = names.get(row["agency_id"], {})
            out.append(
                {
                    "agency_id": row["agency_id"],
                    "agency_code": agency_row.get("code"),
                    "agency_name": agency_row.get("name"),
                    "currency": code,
                    "procurements": row["procurements"],
                    "paid": minor_text(paid, code),
                    "covered": minor_text(covered, code),
                    "covered_share": share(covered, paid),
                }
            )
        return out
