"""A period asked for the first time is answered from the months an answer over all time kept
(``KeptCountries._all_time``): the period's whole months are taken from them, only the days
around them are read. Its answer equals the one-pass answer for any period, whatever was asked
before; after new events of one node, that node's months are no longer the kept ones and the
period is read again, still equal."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.supervisory import observe_rates
from bench.supervisory_events import federation
from federation.node.ingest import RemoteEntry
from federation.node.international import InternationalApplication
from projections.supervisory.queries import MONTH_SUMS_SQL
from tests.conftest import SettingsFactory
from tests.integration.supervisory.test_findings_kept import (
    NODES,
    Delivery,
    fresh_international,
    postgres_international,
)
from tests.support.overview_reference import one_pass, reads_counted

FIRST, LAST = date(1921, 12, 1), date(1924, 3, 31)  # the bench's history is 1922 and 1923
days = st.integers(0, (LAST - FIRST).days).map(lambda n: FIRST + timedelta(days=n))


@pytest.fixture(scope="module")
def history() -> Iterator[dict[str, list[RemoteEntry]]]:
    with fresh_international() as maker:
        yield federation(maker, 1200, nodes=NODES)


@pytest.fixture(scope="module")
def delivered(history: dict[str, list[RemoteEntry]]) -> Iterator[Delivery]:
    """Every node's history but the last 40 entries of one, delivered; rates observed."""
    with fresh_international() as intl:
        delivery = Delivery(intl, history)
        one_node_late(delivery, 2, 40)
        yield delivery


def counted(intl: InternationalApplication, **question: Any) -> tuple[dict[str, Any], int]:
    """The USD overview for ``question``, and how often it read months summed by the
    database: a period answered from the months kept reads none."""
    prefix = MONTH_SUMS_SQL.split("{")[0][:60]
    with reads_counted(intl.supervisory, lambda sql: sql.startswith(prefix)) as count:
        return answer(intl, **question), count[0]


def all_but_the_last(delivery: Delivery, node: str, count: int) -> None:
    """Every node's history delivered but the last ``count`` entries of ``node``."""
    delivery.rest(but=node)
    delivery.page(node, len(delivery.history[node]) - count)


def one_node_late(delivery: Delivery, index: int, count: int) -> str:
    """Rates observed, then every node's history delivered but the last ``count`` entries of
    the ``index``-th node (in sorted order); returns that node."""
    observe_rates(delivery.intl)
    late = sorted(delivery.history)[index]
    all_but_the_last(delivery, late, count)
    return late


def answer(intl: InternationalApplication, **question: Any) -> dict[str, Any]:
    found = intl.supervisory.overview.overview(reporting_currency="USD", **question)
    found.pop("watermark")
    return found


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    ends=st.tuples(days, days).map(sorted),
    open_end=st.sampled_from(["", "since", "until"]),
    currency=st.sampled_from([None, "FRF", "XPM"]),
)
def test_a_new_period_taken_from_the_kept_months_equals_the_one_pass_answer(
    delivered: Delivery, ends: list[date], open_end: str, currency: str | None
) -> None:
    intl = delivered.intl
    since, until = ends
    question: dict[str, Any] = {
        "since": None if open_end == "since" else since,
        "until": None if open_end == "until" else until,
        "currency": currency,
    }
    intl.supervisory.cache_clear()
    answer(intl, currency=currency)  # over all time: every month of every country kept
    found, summed = counted(intl, **question)
    assert summed == 0  # the whole months came from those kept, not from the database
    assert found == one_pass(intl.supervisory, "USD", **question)


def test_after_new_events_of_one_node_the_period_is_read_again_and_still_equal(
    history: dict[str, list[RemoteEntry]],
) -> None:
    with fresh_international() as intl:
        delivery = Delivery(intl, history)
        late = one_node_late(delivery, 0, 30)
        period: dict[str, Any] = {"since": date(1922, 4, 9), "until": date(1923, 5, 20)}
        answer(intl)  # over all time, at this state
        delivery.page(late, 30)  # the late node's months kept are now those of an older state
        found, summed = counted(intl, **period)
        assert summed == 1  # read, not taken from months of another state
        assert found == one_pass(intl.supervisory, "USD", **period)
        # Asked over all time at the new state, a next period is taken from its months again.
        answer(intl)
        next_one: dict[str, Any] = {"since": date(1922, 2, 11), "until": date(1923, 9, 2)}
        later, summed = counted(intl, **next_one)
        assert summed == 0
        assert later == one_pass(intl.supervisory, "USD", **next_one)


@pytest.mark.parametrize("persistence", ["postgres"])
def test_a_new_period_from_the_kept_months_on_postgres(
    history: dict[str, list[RemoteEntry]], node_settings: SettingsFactory, persistence: str
) -> None:
    with postgres_international(node_settings) as intl:
        delivery = Delivery(intl, history)
        observe_rates(intl)
        delivery.rest()
        answer(intl)  # over all time
        for since, until in [
            (date(1922, 3, 5), date(1923, 2, 20)),
            (date(1922, 1, 1), date(1922, 12, 31)),
            (date(1923, 6, 16), date(1923, 6, 30)),
        ]:
            found, summed = counted(intl, since=since, until=until)
            assert summed == 0
            assert found == one_pass(intl.supervisory, "USD", since=since, until=until)
