"""The consultation records with the Russian agencies: every consultation with its request, the
agency's opinion and the procurement under it, and the share of spending a prior, concurring
consultation covered (per agency and currency)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain.agency import RussianAgency
from projections.supervisory import consultations as cons
from projections.supervisory.amount_text import minor_text

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


class ConsultationRecords:
    """Answers for the consultations and the procurement they covered."""

    def __init__(self, service: SupervisoryService) -> None:
        self.service = service

    def _q(self, sql: str, params: list[Any] | None = None) -> list[Row]:
        return self.service.query(sql, params or [])

    def _read(self, sql: str, params: list[Any] | None = None) -> list[Any]:
        """Rows as the driver gives them (``sqlite3.Row``, psycopg's dict rows), read only by
        column name: the rules read tens of thousands of rows and need no dict of each."""
        return self.service.records(sql, params or [])

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
        rows = self._read(query, params)
        versions = self._read(cons.VERSIONS_SQL, [liaison])
        return rows, cons.judge(rows, versions)

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
