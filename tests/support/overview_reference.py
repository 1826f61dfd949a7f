"""The overview read in one pass over every country, as the service answered before the parts
were kept per country (and still does, in one pass, when nothing is kept). The tests compare the
kept answer with this one, state after state."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from federation.node.supervisory import SupervisoryService
from federation.node.supervisory_overview import converted_figures, figures_text
from projections.supervisory.convert import Converter
from projections.supervisory.flows import MEASURES
from projections.supervisory.queries import BOUNDARY, COMMITTEES_SQL, figures


def one_pass(
    service: SupervisoryService,
    reporting: str | None,
    since: date | None = None,
    until: date | None = None,
    country: str | None = None,
    currency: str | None = None,
    rate_max_age_days: int | None = None,
) -> dict[str, Any]:
    """The overview (converted to ``reporting``) of every country, read and converted at once."""
    overview = service.overview
    age = rate_max_age_days
    if age is None:
        age = service.settings.rate_max_age_days
    converter = None
    if reporting:
        rates = overview.measures.rates(reporting)
        converter = Converter(reporting, rates, age, tuple(MEASURES))
    with service.snapshot():
        measures = overview.measures.gather(since, until, country, currency, converter)
        conversion = converter.result() if converter else None
        per_country: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
        federation: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for (c, code, measure), minor in measures.items():
            if minor:
                per_country[c][code][measure] = minor
                federation[code][measure] += minor
        names = {r["country"]: r["name"] for r in service.query(COMMITTEES_SQL)}
        countries = [
            {
                "country": c,
                "name": names.get(c),
                "currencies": [
                    {"currency": code, **figures_text(figures(m), code)}
                    for code, m in sorted(per_country[c].items())
                ],
                "converted": converted_figures(conversion, [c]),
            }
            for c in sorted(per_country)
        ]
        return {
            "reporting_currency": conversion.reporting if conversion else None,
            "since": since,
            "until": until,
            "boundary": BOUNDARY,
            "currencies": [
                {"currency": code, **figures_text(figures(m), code)}
                for code, m in sorted(federation.items())
            ],
            "converted": converted_figures(conversion, sorted(per_country), rates=True),
            "countries": countries,
            "aims": overview.aims(country),
        }


@contextmanager
def reads_counted(
    service: SupervisoryService, counts: Callable[[str], bool]
) -> Iterator[list[int]]:
    """Within the block, how many of the service's large reads (``raw``) ``counts`` counts:
    ``[n]``, up to date at any moment."""
    found = [0]
    read = service.raw

    def counting(sql: str, params: Any = ()) -> list[tuple[Any, ...]]:
        found[0] += counts(sql)
        return read(sql, params)

    service.raw = counting  # type: ignore[method-assign]
    try:
        yield found
    finally:
        del service.raw  # the service's own method again
