"""The overview: per country and currency, the boundary's totals, conversion, the two aims."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from domain.errors import InvalidInput
from domain.money import currency as known_currency
from projections.supervisory.convert import (
    Conversion,
    Converter,
    Rate,
    decompose,
    minor_text,
    month_bounds,
    rounded,
)
from projections.supervisory.flows import MEASURES
from projections.supervisory.queries import (
    BOUNDARY,
    COMMITTEES_SQL,
    CONTRIBUTORS_SQL,
    DAYS_SQL,
    DELEGATES_SQL,
    ENTERPRISES_SQL,
    FIGURES,
    MONTHS_SQL,
    PROCUREMENT_BY_CATEGORY_SQL,
    SPECIALISTS_SQL,
    TOTALS_SQL,
    figures,
)

if TYPE_CHECKING:
    from federation.node.supervisory import SupervisoryService

Measures = dict[tuple[str, str, str], int]  # (country, currency, measure) -> minor units


def where_clause(conditions: list[tuple[str, Any]], lead: str = " WHERE ") -> tuple[str, list[Any]]:
    used = [(c, v) for c, v in conditions if v is not None]
    if not used:
        return "", []
    return lead + " AND ".join(f"{c} = ?" for c, _ in used), [v for _, v in used]


def _text(values: dict[str, Any], code: str) -> dict[str, Any]:
    """Figures in minor units (or exact converted Decimals) as decimal text."""
    out: dict[str, Any] = {}
    for name in FIGURES:
        value = values[name]
        if value is None:
            out[name] = None
        elif isinstance(value, Decimal):
            out[name] = rounded(value, code)
        else:
            out[name] = minor_text(int(value), code)
    return out


class Overview:
    """The overview and the per-country, per-organisation-type and in-transit answers."""

    def __init__(self, service: SupervisoryService) -> None:
        self.service = service

    # --- measures -------------------------------------------------------------------------

    def measures(
        self, since: date | None, until: date | None, country: str | None, code: str | None
    ) -> Measures:
        """Every measure per country and currency, over all time or the days since..until."""
        out: Measures = defaultdict(int)
        if since is None and until is None:
            where, params = where_clause([("country", country), ("currency", code)])
            for r in self.service.query(TOTALS_SQL.format(where=where), params):
                out[(r["country"], r["currency"], r["measure"])] += int(r["amount_minor"])
            return out
        months, days = decompose(since, until)
        filters, params = where_clause([("country", country), ("currency", code)], " AND ")
        if months:
            query = MONTHS_SQL.format(filters=filters)
            for country_, code_, _, *amounts in self.service.raw(query, [*months, *params]):
                for measure, minor in zip(MEASURES, amounts, strict=True):
                    if minor:
                        out[(country_, code_, measure)] += int(minor)
        for r in self._days(days, country, code):
            out[(r["country"], r["currency"], r["measure"])] += int(r["amount_minor"])
        return out

    def _currencies(self) -> list[str]:
        rows = self.service.query("SELECT DISTINCT currency FROM sv_totals")
        return sorted(r["currency"] for r in rows)

    def _days(
        self, ranges: list[tuple[date, date]], country: str | None, code: str | None
    ) -> list[dict[str, Any]]:
        # Per currency, so that the (currency, value_date) index serves every range.
        rows: list[dict[str, Any]] = []
        for first, last in ranges:
            for each in [code] if code else self._currencies():
                filters, params = where_clause([("country", country), ("currency", each)], " AND ")
                query = DAYS_SQL.format(filters=filters)
                rows += self.service.query(query, [first.isoformat(), last.isoformat(), *params])
        return rows

    # --- conversion -----------------------------------------------------------------------

    def rates(self, reporting: str) -> dict[str, list[Rate]]:
        """The International's observations in ``reporting``, per currency."""
        self.service.app.view.catch_up()
        rows = self.service.query(
            "SELECT currency, rate, value_date, source FROM intl_rates "
            "WHERE reporting_currency = ?",
            [reporting],
        )
        out: dict[str, list[Rate]] = defaultdict(list)
        for r in rows:
            day = date.fromisoformat(r["value_date"])
            out[r["currency"]].append(Rate(r["currency"], Decimal(r["rate"]), day, r["source"]))
        return out

    def convert(
        self,
        reporting: str,
        since: date | None,
        until: date | None,
        country: str | None,
        code: str | None,
        max_age: int | None,
    ) -> Conversion:
        """Every measure per country converted at the rate of each value date."""
        converter = Converter(reporting, self.rates(reporting), max_age, tuple(MEASURES))
        months, days = decompose(since, until)
        filters, params = where_clause([("country", country), ("currency", code)], " AND ")
        split: set[tuple[str, str]] = set()
        if months:
            query = MONTHS_SQL.format(filters=filters)
            for country_, code_, month, *amounts in self.service.raw(query, [*months, *params]):
                if converter.whole_month(code_, month):
                    converter.add_month(country_, code_, month, amounts)
                else:
                    split.add((code_, month))
        for r in self._days(days, country, code):
            self._add_day(converter, r)
        for each, month in sorted(split):
            first, last = month_bounds(month)
            for r in self._days([(first, last)], country, each):
                self._add_day(converter, r)
        return converter.result()

    @staticmethod
    def _add_day(converter: Converter, r: dict[str, Any]) -> None:
        day = date.fromisoformat(r["value_date"])
        converter.add_day(r["country"], r["currency"], r["measure"], day, int(r["amount_minor"]))

    # --- the overview ---------------------------------------------------------------------

    def overview(
        self,
        *,
        reporting_currency: str | None = None,
        since: date | None = None,
        until: date | None = None,
        country: str | None = None,
        currency: str | None = None,
        rate_max_age_days: int | None = None,
    ) -> dict[str, Any]:
        """Per country and currency, the federation per currency, converted totals, the aims."""
        country = country.strip().upper() if country else None
        currency = currency.strip().upper() if currency else None
        measures = self.measures(since, until, country, currency)
        per_country: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
        federation: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for (c, code, measure), minor in measures.items():
            per_country[c][code][measure] = minor
            federation[code][measure] += minor
        conversion = self._conversion(
            reporting_currency, since, until, country, currency, rate_max_age_days
        )
        names = {r["country"]: r["name"] for r in self.service.query(COMMITTEES_SQL)}
        countries = [
            {
                "country": c,
                "name": names.get(c),
                "currencies": [
                    {"currency": code, **_text(figures(m), code)}
                    for code, m in sorted(per_country[c].items())
                ],
                "converted": self._converted(conversion, [c]),
            }
            for c in sorted(per_country)
        ]
        return {
            "reporting_currency": conversion.reporting if conversion else None,
            "since": since,
            "until": until,
            "boundary": BOUNDARY,
            "currencies": [
                {"currency": code, **_text(figures(m), code)}
                for code, m in sorted(federation.items())
            ],
            "converted": self._converted(conversion, sorted(per_country), rates=True),
            "countries": countries,
            "aims": self.aims(country),
            "watermark": self.service.watermark(),
        }

    def _conversion(
        self,
        reporting: str | None,
        since: date | None,
        until: date | None,
        country: str | None,
        code: str | None,
        max_age: int | None,
    ) -> Conversion | None:
        if not reporting:
            return None
        reporting = reporting.strip().upper()
        known_currency(reporting)
        age = max_age if max_age is not None else self.service.settings.rate_max_age_days
        return self.convert(reporting, since, until, country, code, age)

    @staticmethod
    def _converted(
        conversion: Conversion | None, countries: list[str], rates: bool = False
    ) -> dict[str, Any] | None:
        """The converted figures of ``countries`` together, the rates used and what is missing."""
        if conversion is None:
            return None
        chosen = set(countries)
        sums = conversion.of(chosen)
        missing = [m for m in conversion.missing if m.subject in chosen]
        code = conversion.reporting
        return {
            "currency": code,
            "complete": not missing,
            **_text(figures(sums), code),
            "missing_rates": [
                {
                    "country": m.subject,
                    "currency": m.currency,
                    "measure": m.measure,
                    "amount": minor_text(m.amount_minor, m.currency),
                    "from": None if m.start == date.min else m.start,
                    "to": None if m.end == date.max else m.end,
                }
                for m in missing
            ],
            **({"rates_used": _rates_used(conversion)} if rates else {}),
        }

    # --- the two aims ---------------------------------------------------------------------

    def aims(self, country: str | None) -> dict[str, Any]:
        """Breadth of solidarity beside the economic results (all time)."""
        q = self.service.query
        where, params = where_clause([("country", country)])
        also, _ = where_clause([("country", country)], " AND ")
        contributors = {
            r["organisation_type"]: int(r["contributors"])
            for r in q(CONTRIBUTORS_SQL.format(filters=also), params)
        }
        delegates = {
            r["organisation_type"]: int(r["delegates"])
            for r in q(DELEGATES_SQL.format(where=where), params)
        }
        committees = q("SELECT COUNT(*) AS n FROM sv_committees" + where, params)[0]["n"]
        categories = [
            {
                "category": r["category"],
                "currency": r["currency"],
                "procurements": int(r["procurements"]),
                "committed": minor_text(int(r["committed_minor"]), r["currency"]),
                "paid": minor_text(int(r["paid_minor"]), r["currency"]),
            }
            for r in q(PROCUREMENT_BY_CATEGORY_SQL.format(where=where), params)
        ]
        specialists = q(SPECIALISTS_SQL.format(where=where), params)[0]
        enterprises = q(ENTERPRISES_SQL, [self.service.liaison])[0]["enterprises"]
        return {
            "breadth": {
                "committees": int(committees),
                "contributors": sum(contributors.values()),
                "contributors_by_type": dict(sorted(contributors.items())),
                "delegates_by_type": dict(sorted(delegates.items())),
            },
            "economic_results": {
                "procurement_by_category": sorted(
                    categories, key=lambda r: (r["category"], r["currency"])
                ),
                "enterprises_in_production": int(enterprises),
                "specialists": {k: int(specialists[k] or 0) for k in specialists},
            },
        }


def _rates_used(conversion: Conversion) -> list[dict[str, Any]]:
    return [
        {
            "currency": rate.currency,
            "rate": str(rate.rate),
            "observed_on": rate.observed_on,
            "source": rate.source,
            "applies_from": s.start,
            "applies_to": None if s.end == date.max else s.end,
        }
        for s in conversion.used
        if (rate := s.rate) is not None
    ]


def check_period(since: date | None, until: date | None) -> None:
    """Refuse a period that ends before it starts."""
    if since and until and until < since:
        raise InvalidInput(
            "supervisory.period_inverted", f"the period ends {until}, before {since}"
        )


__all__ = ["Overview", "check_period"]
