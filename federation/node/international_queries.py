"""The International's queries: standing per country, dated rates, loan issues, directives."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any, Literal

from domain.errors import NotFound
from federation.node.projection import LocalProjection
from federation.persistence.database import Database
from projections import supervision as view
from projections.sql import Filter, equals, filtered

ExceptionStatus = Literal["open", "resolved"]


class InternationalQueries:
    """Read side of the International's node; mixed into ``InternationalApplication``."""

    db: Database
    view: LocalProjection

    def _rows(
        self, base: str, filters: Sequence[Filter], order: str, limit: int, offset: int
    ) -> list[dict[str, Any]]:
        self.view.catch_up()
        query, params = filtered(base, filters, order, limit, offset)
        return self.db.query(query, params)

    def recognitions(
        self, *, standing: str | None = None, limit: int = 100, offset: int = 0
    ) -> list[dict[str, Any]]:
        """Each country's committee with its standing (recognised or suspended) and since when."""
        filters = [equals("standing", standing)]
        return self._rows(view.RECOGNITIONS_SQL, filters, "country", limit, offset)

    def rates(
        self,
        *,
        currency: str | None = None,
        reporting_currency: str | None = None,
        since: date | None = None,
        until: date | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[dict[str, Any]]:
        """Observed rates, by currency and value date, with any correction and its reason."""
        filters: list[Filter] = [
            equals("currency", currency.upper() if currency else None),
            equals(
                "reporting_currency", reporting_currency.upper() if reporting_currency else None
            ),
            ("value_date >= ?", (since.isoformat(),)) if since else None,
            ("value_date <= ?", (until.isoformat(),)) if until else None,
        ]
        order = "currency, reporting_currency, value_date"
        return self._rows(view.RATES_SQL, filters, order, limit, offset)

    def rate_on(self, *, currency: str, reporting_currency: str, on: date) -> dict[str, Any]:
        """The rate in force on ``on``: the latest observed on or before that day."""
        self.view.catch_up()
        pair = (currency.strip().upper(), reporting_currency.strip().upper())
        rows = self.db.query(view.RATE_ON_SQL, [*pair, on.isoformat()])
        if not rows:
            raise NotFound(
                "rate.not_found", f"no rate of {pair[0]} in {pair[1]} was observed by {on}"
            )
        return rows[0]

    def loan_issues(self, *, limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
        """The loan issues authorised, with their face values per currency."""
        rows = self._rows(view.LOAN_ISSUES_SQL, [], "authorised_on, code", limit, offset)
        return [{**r, "denominations": json.loads(r["denominations"])} for r in rows]

    def directives(
        self, *, addressee: str | None = None, limit: int = 100, offset: int = 0
    ) -> list[dict[str, Any]]:
        """Directives issued, optionally only those addressed to one country's committee."""
        to: Filter = (view.ADDRESSED_TO, (addressee.upper(),)) if addressee else None
        rows = self._rows(view.DIRECTIVES_SQL, [to], "issued_on, reference", limit, offset)
        return [{**r, "addressees": json.loads(r["addressees"])} for r in rows]

    def exceptions(
        self,
        *,
        status: ExceptionStatus | None = None,
        node: str | None = None,
        rule: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[dict[str, Any]]:
        """Compliance exceptions, open or resolved, by node and rule."""
        by_status: dict[str | None, Filter] = {
            "open": ("resolved_on IS NULL", ()),
            "resolved": ("resolved_on IS NOT NULL", ()),
            None: None,
        }
        filters = [by_status[status], equals("node", node.upper() if node else None)]
        filters.append(equals("rule", rule))
        order = "raised_on, exception_id"
        return self._rows(view.EXCEPTIONS_SQL, filters, order, limit, offset)
