"""A period's days summed from the countries' books (``supervisory_days``) instead of read
from sv_flows: the answer equals the one-pass answer for any period, currency and country; a
book follows every ingest of the process that keeps it; a country moved by an ingest it did not
follow (another process's) is read from sv_flows again, still equal, until the round reads its
book again: the round reads the books of the countries whose book is behind, only those."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bench.supervisory import observe_rates
from federation.node.ingest import RemoteEntry
from federation.node.international import InternationalApplication
from federation.node.supervisory_store import SupervisoryIngestor
from federation.node.warm import KeepWarm
from tests.conftest import SettingsFactory
from tests.integration.supervisory.test_findings_kept import (
    Delivery,
    examples,
    fresh_international,
    pages_of_nodes,
    postgres_international,
)
from tests.integration.supervisory.test_overview_new_period import days, history, one_node_late
from tests.support.overview_reference import one_pass, reads_counted

__all__ = ["history"]  # the module's fixture: the bench's events of five nodes


def keep_up(intl: InternationalApplication) -> list[str]:
    """What a round does first: bring the books of the countries that moved up."""
    service = intl.supervisory
    return service.overview.measures.books.keep_up(service, lambda: None)


def read_again(intl: InternationalApplication) -> list[str]:
    """Every book forgotten, then read by a round."""
    intl.supervisory.overview.measures.books.clear()
    return keep_up(intl)


def asked(intl: InternationalApplication, **question: Any) -> tuple[dict[str, Any], int]:
    """The overview for ``question`` (nothing kept but the books), and how many reads of
    sv_flows it made."""
    service = intl.supervisory
    books = service.overview.measures.books._books.copy()
    service.cache_clear()
    service.overview.measures.books._books.update(books)
    with reads_counted(service, lambda sql: "FROM sv_flows" in sql) as reads:
        found = service.overview.overview(**question)
    found.pop("watermark")
    return found, reads[0]


def expected(intl: InternationalApplication, **question: Any) -> dict[str, Any]:
    reporting = question.pop("reporting_currency")
    return one_pass(intl.supervisory, reporting, **question)


@pytest.fixture(scope="module")
def booked(history: dict[str, list[RemoteEntry]]) -> Iterator[InternationalApplication]:
    """Every node's history delivered, rates observed, every country's book kept."""
    with fresh_international() as intl:
        Delivery(intl, history).rest()
        observe_rates(intl)
        assert read_again(intl) == sorted(history)
        yield intl


@examples(40)
@given(
    ends=st.tuples(days, days).map(sorted),
    open_end=st.sampled_from(["", "since", "until"]),
    reporting=st.sampled_from(["USD", None]),
    currency=st.sampled_from([None, "FRF", "XPM"]),
    country=st.sampled_from([None, "C02", "RU-LIAISON", "XX"]),  # XX: no such node
)
def test_a_period_summed_from_the_books_equals_the_one_pass_answer(
    booked: InternationalApplication,
    ends: list[date],
    open_end: str,
    reporting: str | None,
    currency: str | None,
    country: str | None,
) -> None:
    since, until = ends
    question: dict[str, Any] = {
        "reporting_currency": reporting,
        "since": None if open_end == "since" else since,
        "until": None if open_end == "until" else until,
        "currency": currency,
        "country": country,
    }
    found, reads = asked(booked, **question)
    assert reads == 0  # every day came from the books
    assert found == expected(booked, **question)


PERIODS: list[dict[str, Any]] = [
    {"reporting_currency": "USD", "since": date(1922, 4, 9), "until": date(1923, 5, 20)},
    {"reporting_currency": None, "since": date(1922, 1, 20), "until": date(1922, 2, 3)},
    {"reporting_currency": "USD", "since": date(1923, 6, 2), "until": None},
]


@examples(5)
@given(pages=pages_of_nodes(6, size=60))
def test_the_books_follow_every_ingest_of_this_process(
    history: dict[str, list[RemoteEntry]], pages: list[tuple[int, int]]
) -> None:
    with fresh_international() as intl:
        delivery = Delivery(intl, history)
        observe_rates(intl)
        nodes = sorted(history)
        for node in nodes:
            delivery.page(node, len(history[node]) // 2)
        assert keep_up(intl) == nodes  # the first round: books read, followed from now on
        for index, size in pages:
            delivery.page(nodes[index], size)
            for period in PERIODS:
                found, reads = asked(intl, **period)
                assert reads == 0  # the books moved with the ingest
                assert found == expected(intl, **period)
        assert keep_up(intl) == []  # nothing left for the round to read


def test_a_country_moved_by_an_ingest_the_books_did_not_follow_is_read_again(
    history: dict[str, list[RemoteEntry]],
) -> None:
    with fresh_international() as intl:
        delivery = Delivery(intl, history)
        late = one_node_late(delivery, 1, 40)
        assert keep_up(intl) == sorted(history)
        # As another process's ingest into the same database: this one's books are not told.
        ingestor = intl.ingestor
        assert isinstance(ingestor, SupervisoryIngestor)
        ingestor.flows_moved = None
        delivery.page(late, 40)
        period = PERIODS[0]
        found, reads = asked(intl, **period)
        assert reads > 0
        assert found == expected(intl, **period)

        assert keep_up(intl) == [late]  # the round reads the one that moved
        assert keep_up(intl) == []
        found, reads = asked(intl, **period)
        assert reads == 0
        assert found == expected(intl, **period)


def test_a_round_keeps_the_books_and_forgetting_drops_them(
    history: dict[str, list[RemoteEntry]],
) -> None:
    with fresh_international() as intl:
        Delivery(intl, history).rest()
        books = intl.supervisory.overview.measures.books
        assert len(books) == 0
        KeepWarm(intl).round()
        assert len(books) == len(history)
        intl.supervisory.cache_clear()
        assert len(books) == 0


@pytest.mark.parametrize("persistence", ["postgres"])
def test_a_period_from_the_books_on_postgres(
    history: dict[str, list[RemoteEntry]], node_settings: SettingsFactory, persistence: str
) -> None:
    with postgres_international(node_settings) as intl:
        delivery = Delivery(intl, history)
        late = one_node_late(delivery, 0, 40)
        assert keep_up(intl) == sorted(history)
        delivery.page(late, 40)  # followed by the books
        for since, until in [
            (date(1922, 3, 5), date(1923, 2, 20)),
            (date(1923, 6, 16), date(1923, 6, 30)),
            (date(1922, 1, 9), date(1922, 1, 9)),
        ]:
            question = {"reporting_currency": "USD", "since": since, "until": until}
            found, reads = asked(intl, **question)
            assert reads == 0
            assert found == expected(intl, **question)
