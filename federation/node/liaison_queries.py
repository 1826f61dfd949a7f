"""The liaison's queries: its registry, its decisions, and what reached it from the committees."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from federation.node.projection import LocalProjection
from federation.persistence.database import Database
from projections import liaison_queries as q
from projections.rows import amount_text
from projections.sql import Filter, equals, filtered

Rows = list[dict[str, Any]]


def shaped(rows: Rows) -> Rows:
    """Rows with every ``*_minor`` column written as a decimal amount in the row's currency."""
    out = []
    for row in rows:
        shaped_row = {k: v for k, v in row.items() if not k.endswith("_minor")}
        for key in (k for k in row if k.endswith("_minor")):
            minor = row[key]
            amount = None if minor is None else amount_text(int(minor), row["currency"])
            shaped_row[key.removesuffix("_minor")] = amount
        out.append(shaped_row)
    return out


def _upper(value: str | None) -> str | None:
    return value.strip().upper() if value else None


class LiaisonQueries:
    """Read side of the liaison's node; mixed into ``LiaisonApplication``."""

    db: Database
    records: LocalProjection

    def _rows(
        self, base: str, filters: Sequence[Filter], order: str, limit: int, offset: int
    ) -> Rows:
        self.records.catch_up()
        query, params = filtered(base, filters, order, limit, offset)
        return shaped(self.db.query(query, params))

    def agency_id_named(self, recipient: str) -> UUID | None:
        """The id of the registered agency with this code or this name, if there is one."""
        self.records.catch_up()
        rows = self.db.query(q.AGENCY_NAMED_SQL, [recipient.strip().upper(), recipient.strip()])
        return UUID(rows[0]["agency_id"]) if rows else None

    def agencies(
        self,
        *,
        kind: str | None = None,
        active: bool | None = None,
        parent_code: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> Rows:
        """The agencies registered, with their parent's code and whether they are deregistered."""
        status = {True: "deregistered_on IS NULL", False: "deregistered_on IS NOT NULL"}
        filters: list[Filter] = [equals("kind", kind), equals("parent_code", _upper(parent_code))]
        filters.append(None if active is None else (status[active], ()))
        return self._rows(q.AGENCIES_SQL, filters, "code", limit, offset)

    def consultations(
        self,
        *,
        country: str | None = None,
        agency_code: str | None = None,
        opinion_status: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> Rows:
        """Consultations that reached the liaison, with the opinion recorded on each, if any."""
        filters = [
            equals("country", _upper(country)),
            equals("agency_code", _upper(agency_code)),
            equals("opinion_status", opinion_status),
        ]
        return self._rows(q.CONSULTATIONS_SQL, filters, "requested_on, reference", limit, offset)

    def opinions(
        self,
        *,
        agency_code: str | None = None,
        verdict: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> Rows:
        """The agencies' opinions, with the consultation each answers."""
        filters = [equals("agency_code", _upper(agency_code)), equals("verdict", verdict)]
        return self._rows(q.OPINIONS_SQL, filters, "recorded_on, opinion_id", limit, offset)

    def nominations(self, *, status: str | None = None, limit: int = 100, offset: int = 0) -> Rows:
        """Specialists' nominations that reached the liaison, with the union's decision if any."""
        filters = [equals("status", status)]
        return self._rows(q.NOMINATIONS_SQL, filters, "nominated_on, reference", limit, offset)

    def union_decisions(
        self,
        *,
        union_code: str | None = None,
        decision: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> Rows:
        """The unions' approvals and refusals of specialists."""
        filters = [equals("union_code", _upper(union_code)), equals("decision", decision)]
        return self._rows(q.UNION_DECISIONS_SQL, filters, "decided_on, decision_id", limit, offset)

    def procurements(self, *, status: str | None = None, limit: int = 100, offset: int = 0) -> Rows:
        """Procurements that reached the liaison: committed, shipped, delivered, in production."""
        filters = [equals("status", status)]
        return self._rows(q.PROCUREMENTS_SQL, filters, "committed_on, reference", limit, offset)

    def deliveries(self, *, limit: int = 100, offset: int = 0) -> Rows:
        """The deliveries the liaison confirmed."""
        return self._rows(q.DELIVERIES_SQL, [], "delivered_on, delivery_id", limit, offset)

    def transfers(self, *, status: str | None = None, limit: int = 100, offset: int = 0) -> Rows:
        """Transfers that reached the liaison: initiated, in transit, confirmed or cancelled."""
        filters = [equals("status", status)]
        return self._rows(q.TRANSFERS_SQL, filters, "initiated_on, transfer_id", limit, offset)

    def transfer_receipts(self, *, limit: int = 100, offset: int = 0) -> Rows:
        """The receipts the liaison confirmed, beside the amounts sent."""
        return self._rows(q.TRANSFER_RECEIPTS_SQL, [], "confirmed_on, receipt_id", limit, offset)

    def enterprises(self, *, limit: int = 100, offset: int = 0) -> Rows:
        """Enterprises brought into production, with the procurements that equipped them."""
        rows = self._rows(q.ENTERPRISES_SQL, [], "in_production_on, name", limit, offset)
        return [{**r, "procurement_ids": json.loads(r["procurement_ids"])} for r in rows]
