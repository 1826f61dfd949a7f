"""The overview: per country and currency, the boundary's totals, conversion, the two aims."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from domain.errors import InvalidInput
from domain.money import currency as known_currency
from federation.node.supervisory_countries import (
    AllMonths,
    CountryPart,
    KeptCountries,
    RateBook,
    combined,
    federation_measures,
)
from federation.node.supervisory_measures import Gatherer, where_clause
from projections.supervisory.amount_text import figure_text, minor_text
from projections.supervisory.convert import Conversion, Rate
from projections.supervisory.queries import (
    BOUNDARY,
    COMMITTEES_SQL,
    CONTRIBUTORS_SQL,
    DELEGATES_SQL,
    ENTERPRISES_SQL,
    FIGURES,
    PROCUREMENT_BY_CATEGORY_SQL,
    SPECIALISTS_SQL,
    figures,
)

if TYPE_CHECKING:
    from federation.node.supervisory import SupervisoryService

Measures = dict[tuple[str, str, str], int]  # (country, currency, measure) -> minor units


def figures_text(values: dict[str, Any], code: str) -> dict[str, Any]:
    """Figures in minor units (or exact converted Decimals) as decimal text."""
    text = figure_text(code)
    return {name: text(values[name]) for name in FIGURES}


class Overview:
    """The overview and the per-country, per-organisation-type and in-transit answers."""

    def __init__(self, service: SupervisoryService) -> None:
        self.service = service
        self.measures = Gatherer(service)
        self.kept = KeptCountries()

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
        """Per country and currency, the federation per currency, converted totals, the aims.

        Answers are kept until the projection or (converted ones) the International's own events
        move on (the state token): a dashboard polling between two syncs reads them from memory.
        The watermark is always read fresh.
        """
        country = country.strip().upper() if country else None
        currency = currency.strip().upper() if currency else None
        reporting = reporting_currency.strip().upper() if reporting_currency else None
        if reporting:
            known_currency(reporting)
        age = self.service.settings.rate_max_age_days
        age = rate_max_age_days if rate_max_age_days is not None else age
        key = (reporting, since, until, country, currency, age)
        # Not converted, the answer reads the supervisory tables alone: kept across the
        # International's own news (a new rate), like the aims.
        body = self.service.cached(
            ("overview", *key), lambda: self._overview(*key), projection_only=reporting is None
        )
        return {**body, "watermark": self.service.watermark()}

    def _overview(
        self,
        reporting: str | None,
        since: date | None,
        until: date | None,
        country: str | None,
        currency: str | None,
        age: int | None,
    ) -> dict[str, Any]:
        rates = self._rates(reporting) if reporting else {}  # before the snapshot
        question = (reporting, since, until, currency, age if reporting else None)
        with self.service.snapshot():
            return self._kept_answer(question, rates, country)

    def _kept_answer(
        self, question: tuple[Any, ...], rates: dict[str, list[Rate]], country: str | None
    ) -> dict[str, Any]:
        """The answer from the parts kept per country (``supervisory_countries``)."""
        reporting, since, until, currency, age = question
        at = self.service.positions()
        chosen = [country] if country else sorted(at)
        with self.measures.days_kept(at):
            parts = self.kept.parts(
                question,
                rates,
                lambda: RateBook(reporting, rates, age) if reporting else None,
                at,
                chosen,
                lambda countries, whole, book, measured, every: self._parts(
                    countries, whole, since, until, currency, book, measured, every
                ),
            )
        shown = [c for c in chosen if parts[c].measures]
        names = {r["country"]: r["name"] for r in self.service.query(COMMITTEES_SQL)}
        federation = federation_measures([parts[c] for c in shown])
        conversion = combined(reporting, [parts[c] for c in shown]) if reporting else None
        return {
            "reporting_currency": reporting,
            "since": since,
            "until": until,
            "boundary": BOUNDARY,
            "currencies": [
                {"currency": code, **figures_text(figures(m), code)}
                for code, m in sorted(federation.items())
            ],
            "converted": converted_figures(conversion, shown, rates=True),
            "countries": [
                {
                    "country": c,
                    "name": names.get(c),
                    "currencies": parts[c].currencies,
                    "converted": parts[c].converted,
                }
                for c in shown
            ],
            # Read from the supervisory tables alone: kept across the International's own news.
            "aims": self.service.cached(
                ("aims", country), lambda: self.aims(country), projection_only=True
            ),
        }

    def _rates(self, reporting: str) -> dict[str, list[Rate]]:
        """The rates in ``reporting``, kept with the state like the answers: a question asked
        for the first time (another period) reads them again only after new events."""
        return self.service.cached(("rates", reporting), lambda: self.measures.rates(reporting))

    def _parts(
        self,
        countries: Sequence[str],
        whole: bool,
        since: date | None,
        until: date | None,
        code: str | None,
        book: RateBook | None,
        measured: dict[str, CountryPart],
        every: AllMonths,
    ) -> dict[str, CountryPart]:
        """The parts of ``countries``: read one by one, or (``whole``) all in one pass.

        Where ``measured`` holds every country of a pass (their measures are those of the
        present state, kept from an answer at other rates), only their conversion is
        computed again, from their months kept: nothing of sv_months is read again. Where
        ``every`` holds every country of a pass (all their months, kept over all time at the
        present state), the period's whole months are taken from it, not read.
        """
        out = {}
        passes: list[tuple[str | None, Sequence[str]]] = (
            [(None, countries)] if whole else [(c, [c]) for c in countries]
        )
        for country, covered in passes:
            converter = book.converter() if book else None
            again = converter is not None and all(c in measured for c in covered)
            kept = [row for c in covered for row in measured[c].months or ()] if again else None
            months: list[tuple[Any, ...]] | None = [] if converter is not None else None
            known = None if again else _all_of(every, covered)
            measures = self.measures.gather(
                since,
                until,
                country,
                code,
                converter,
                kept_months=kept,
                read_months=months,
                all_months=known,
            )
            conversions = converter.results() if converter else {}
            if again:
                for each in covered:
                    out[each] = self._converted_part(
                        each, measured[each], conversions.get(each), book
                    )
                continue
            grouped: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
            for (each, currency, measure), minor in measures.items():
                if minor:
                    grouped[each][currency][measure] = minor
            rows: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
            for row in months or ():
                rows[row[0]].append(row)
            codes = self.measures.currencies_of(country) if book else {}
            for each in covered:
                part = self._measured(
                    grouped.get(each, {}),
                    None if months is None else tuple(rows.get(each, ())),
                    tuple(codes.get(each, ())),
                )
                out[each] = self._converted_part(each, part, conversions.get(each), book)
        return out

    @staticmethod
    def _measured(
        measures: dict[str, dict[str, int]],
        months: tuple[tuple[Any, ...], ...] | None,
        codes: tuple[str, ...],
    ) -> CountryPart:
        """One country's measures as figures (not converted yet)."""
        currencies = [
            {"currency": each, **figures_text(figures(m), each)}
            for each, m in sorted(measures.items())
        ]
        return CountryPart(
            {k: dict(v) for k, v in measures.items()}, None, currencies, None, months, codes
        )

    @staticmethod
    def _converted_part(
        country: str, measured: CountryPart, conversion: Conversion | None, book: RateBook | None
    ) -> CountryPart:
        """``measured`` (the country's measures, their text and months) with ``conversion``
        (of the country alone) and its figures."""
        if book is not None and conversion is None:
            conversion = Conversion(book.reporting, {}, [], [])
        return CountryPart(
            measured.measures,
            conversion,
            measured.currencies,
            converted_figures(conversion, [country]),
            measured.months,
            measured.codes,
        )

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


def _all_of(every: AllMonths, countries: Sequence[str]) -> list[tuple[Any, ...]] | None:
    """Every month of ``countries`` from ``every``; None unless it holds them all."""
    if not every or any(c not in every for c in countries):
        return None
    return [row for c in countries for row in every[c]]


def converted_figures(
    conversion: Conversion | None, countries: list[str], rates: bool = False
) -> dict[str, Any] | None:
    """The converted figures of ``countries`` together, the rates used and what is missing."""
    if conversion is None:
        return None
    sums = conversion.of(countries)
    missing = conversion.missing_of(countries)
    code = conversion.reporting
    return {
        "currency": code,
        "complete": not missing,
        **figures_text(figures(sums), code),
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


__all__ = ["Overview", "check_period", "converted_figures", "figures_text"]
