"""The overview put together from the parts kept per country equals the one-pass answer (every
country read and converted at once, the service's former way), state after state: pages of any
node in any order (one node moved, or many: the parts are then read in one pass), rates observed
between them, plain and converted, all time and periods, one country or one currency, and
amounts that have no rate (flagged, never converted)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bench.supervisory import observe_rates
from bench.supervisory_events import federation
from domain.roles import Actor, Role
from federation.node.base import Context
from federation.node.ingest import RemoteEntry
from federation.node.international import InternationalApplication
from tests.integration.supervisory.test_findings_kept import (
    NODES,
    Delivery,
    examples,
    fresh_international,
    pages_of_nodes,
)
from tests.support.overview_reference import one_pass

SUPERVISOR = Context(Actor("Willi Münzenberg", Role.SUPERVISOR))
QUESTIONS: list[dict[str, Any]] = [
    {},
    {"since": date(1922, 3, 5), "until": date(1923, 2, 20)},
    {"since": date(1923, 7, 1)},
    {"country": "C02"},
    {"currency": "FRF", "until": date(1922, 11, 14)},
    {"rate_max_age_days": 10},
]


@pytest.fixture(scope="module")
def history() -> Iterator[dict[str, list[RemoteEntry]]]:
    with fresh_international() as maker:
        yield federation(maker, 1200, nodes=NODES)


def frf_rate(intl: InternationalApplication, rate: Decimal, day: date, source: str) -> None:
    """Observe a rate of the French franc in USD."""
    intl.observe_rate(
        SUPERVISOR,
        currency="FRF",
        reporting_currency="USD",
        rate=rate,
        value_date=day,
        source=source,
    )


def check(intl: InternationalApplication) -> None:
    for reporting in ("USD", None):
        for q in QUESTIONS:
            kept = intl.supervisory.overview.overview(reporting_currency=reporting, **q)
            kept.pop("watermark")
            assert kept == one_pass(intl.supervisory, reporting, **q), (reporting, q)


@examples(5)
@given(pages=pages_of_nodes(6), rated_after=st.integers(0, 6))
def test_the_kept_converted_overview_equals_the_one_pass_answer(
    history: dict[str, list[RemoteEntry]], pages: list[tuple[int, int]], rated_after: int
) -> None:
    with fresh_international() as intl:
        delivery, names = Delivery(intl, history), sorted(history)
        for step, (index, size) in enumerate(pages):
            if step == rated_after:
                observe_rates(intl)
            delivery.page(names[index], size)
            check(intl)
        delivery.rest()
        frf_rate(intl, Decimal("0.0712"), date(1922, 6, 17), "a correction, mid-month")
        check(intl)
        answer = intl.supervisory.overview.overview(reporting_currency="USD")
        assert answer["countries"]
        assert answer["converted"]["rates_used"]


def test_an_amount_without_a_rate_is_flagged_in_its_country_and_the_federation(
    history: dict[str, list[RemoteEntry]],
) -> None:
    with fresh_international() as intl:
        delivery = Delivery(intl, history)
        delivery.rest()
        answer = intl.supervisory.overview.overview(reporting_currency="USD")
        missing = answer["converted"]["missing_rates"]
        assert missing
        assert answer["converted"]["complete"] is False
        countries = {c["country"]: c["converted"] for c in answer["countries"]}
        assert {m["country"] for m in missing} <= set(countries)
        for m in missing:
            assert m in countries[m["country"]]["missing_rates"]
        observe_rates(intl)
        check(intl)
