"""After a new rate, only the countries with amounts in its currency are converted again, from
the months kept per country (their measures do not depend on the rates): the answer equals the
one-pass answer, its figures in their own currencies are the very ones kept, the other countries'
converted figures too, and only the converted figures of the days the new rate applies to
change."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from bench.supervisory import observe_rates
from bench.supervisory_events import federation
from federation.node.ingest import RemoteEntry
from federation.node.international import InternationalApplication
from projections.supervisory.convert import month_bounds
from tests.conftest import SettingsFactory
from tests.integration.supervisory.test_findings_kept import (
    NODES,
    Delivery,
    fresh_international,
    postgres_international,
)
from tests.integration.supervisory.test_overview_kept import SUPERVISOR, check, frf_rate


@pytest.fixture(scope="module")
def history() -> Iterator[dict[str, list[RemoteEntry]]]:
    with fresh_international() as maker:
        yield federation(maker, 1200, nodes=NODES)


def answer(intl: InternationalApplication, **question: Any) -> dict[str, Any]:
    found = intl.supervisory.overview.overview(reporting_currency="USD", **question)
    return {k: v for k, v in found.items() if k != "watermark"}


def received_in(intl: InternationalApplication, country: str, first: date, last: date) -> str:
    """The country's cash received first..last in its own currency ("" when none)."""
    found = intl.supervisory.overview.overview(country=country, since=first, until=last)
    figures = [c["currencies"] for c in found["countries"]]
    return figures[0][0]["received"] if figures and figures[0] else ""


def a_month_with_receipts(intl: InternationalApplication, country: str) -> date:
    """The 2nd of the first month whose 2nd..last days hold cash received by ``country``."""
    day = date(1922, 2, 2)
    for _ in range(24):
        last = month_bounds(day.isoformat()[:7])[1]
        if received_in(intl, country, day, last).strip("0.") != "":
            return day
        day = (last + timedelta(days=1)).replace(day=2)
    raise AssertionError(f"{country} received nothing in its own currency in two years")


def test_a_new_rate_converts_again_only_the_days_it_applies_to(
    history: dict[str, list[RemoteEntry]],
) -> None:
    with fresh_international() as intl:
        Delivery(intl, history).rest()
        observe_rates(intl)
        before = answer(intl)
        by_country = {c["country"]: c for c in before["countries"]}
        country, code = next(
            (c["country"], c["currencies"][0]["currency"])
            for c in before["countries"]
            if c["currencies"] and c["currencies"][0]["currency"] != "USD"
        )
        day = a_month_with_receipts(intl, country)
        end = month_bounds(day.isoformat()[:7])[1]
        elsewhere = {"since": end + timedelta(days=1), "until": end + timedelta(days=200)}
        inside = {"since": day, "until": end}
        before_elsewhere, before_inside = answer(intl, **elsewhere), answer(intl, **inside)

        intl.observe_rate(
            SUPERVISOR,
            currency=code,
            reporting_currency="USD",
            rate=Decimal("0.5"),
            value_date=day,
            source="a new rate, mid-month",
        )
        after = answer(intl)

        check(intl)  # every question, converted and plain, equals the one-pass answer
        assert [c["country"] for c in after["countries"]] == list(by_country)
        holding = intl.supervisory.overview.measures.currencies_of(None)
        untouched = [c for c in by_country if code not in holding[c]]
        assert untouched
        assert len(untouched) < len(by_country)
        for part in after["countries"]:
            kept = by_country[part["country"]]
            # The figures in their own currencies are the ones kept, not read again.
            assert part["currencies"] is kept["currencies"]
            if part["country"] in untouched:
                # No amount in the currency of the new rate: not converted again.
                assert part["converted"] is kept["converted"]
        changed = {c["country"]: c["converted"] for c in after["countries"]}[country]
        assert changed["received"] != by_country[country]["converted"]["received"]
        new = [r for r in after["converted"]["rates_used"] if r["observed_on"] == day]
        assert new == [
            {
                "currency": code,
                "rate": "0.5",
                "observed_on": day,
                "source": "a new rate, mid-month",
                "applies_from": day,
                "applies_to": end,
            }
        ]
        # Outside the days it applies to, nothing converted changes; inside, only conversions.
        assert answer(intl, **elsewhere) == before_elsewhere
        inside_after = answer(intl, **inside)
        assert inside_after["currencies"] == before_inside["currencies"]
        assert inside_after["converted"]["received"] != before_inside["converted"]["received"]


@pytest.mark.parametrize("persistence", ["postgres"])
def test_a_new_rate_between_pages_on_postgres(
    history: dict[str, list[RemoteEntry]], node_settings: SettingsFactory, persistence: str
) -> None:
    with postgres_international(node_settings) as intl:
        delivery, names = Delivery(intl, history), sorted(history)
        observe_rates(intl)
        for step in range(3):
            delivery.page(names[step % NODES], 200)
            check(intl)
            frf_rate(
                intl,
                Decimal("0.07") + Decimal(step) / 1000,
                date(1922, 6 + step, 17),
                "a new rate, mid-month",
            )
            check(intl)  # converted again from the months kept: the one-pass answer still
        delivery.rest()
        check(intl)
