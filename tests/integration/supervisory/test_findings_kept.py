"""The findings kept per node are the findings of the whole history, state after state.

The events are the bench's (committees with receipts, transfers sent and confirmed, procurement
under consultations; the liaison's concurring opinions): delivered in pages of any size, in any
order of nodes, the kept findings — judged again only for the nodes that moved, and for the
consultations the liaison's new opinions are about — equal the rules judged over everything at
once (``tests.support.findings_reference``, the service's former way), after every page, for
two "as of" days. A finding disappears when a later event cures it (an opinion that arrives).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.supervisory import settings as bench_settings
from bench.supervisory_events import federation
from federation.node.ingest import RemoteEntry
from federation.node.international import InternationalApplication
from federation.settings import NodeKind
from tests.conftest import SettingsFactory
from tests.support.findings_reference import whole_history

AS_OF = (date(1923, 6, 30), date(1924, 1, 1))
NODES = 5  # four committees and the liaison


@contextmanager
def fresh_international() -> Iterator[InternationalApplication]:
    """An International on SQLite files of its own (the bench's settings), closed afterwards."""
    with tempfile.TemporaryDirectory() as folder:
        intl = InternationalApplication(bench_settings(Path(folder)))
        try:
            yield intl
        finally:
            intl.close()


@contextmanager
def postgres_international(node_settings: SettingsFactory) -> Iterator[InternationalApplication]:
    """An International on the test's PostgreSQL database, closed afterwards."""
    intl = InternationalApplication(node_settings("INTL", NodeKind.INTERNATIONAL))
    try:
        yield intl
    finally:
        intl.close()


def examples(count: int) -> settings:
    """Hypothesis's settings for a test of a whole International: ``count`` examples, no
    deadline (each delivers and judges hundreds of entries)."""
    return settings(
        max_examples=count,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


def pages_of_nodes(
    most: int, size: int = 300, least: int = 1
) -> st.SearchStrategy[list[tuple[int, int]]]:
    """Pages to deliver in turn: (the node's index among the sorted nodes, how many entries)."""
    return st.lists(
        st.tuples(st.integers(0, NODES - 1), st.integers(1, size)), min_size=least, max_size=most
    )


@pytest.fixture(scope="module")
def history() -> Iterator[dict[str, list[RemoteEntry]]]:
    with fresh_international() as maker:
        yield federation(maker, 1200, nodes=NODES)


class Delivery:
    """The International and how far each node's entries have been delivered to it."""

    def __init__(self, intl: InternationalApplication, history: dict[str, list[RemoteEntry]]):
        self.intl, self.history = intl, history
        self.at = dict.fromkeys(history, 0)

    def page(self, upstream: str, size: int) -> int:
        entries = self.history[upstream][self.at[upstream] : self.at[upstream] + size]
        self.at[upstream] += len(entries)
        return self.intl.ingestor.ingest(upstream, entries) if entries else 0

    def rest(self, but: str = "") -> None:
        for upstream, entries in self.history.items():
            if upstream != but:
                self.page(upstream, len(entries))

    def check(self) -> int:
        """Assert the kept findings equal the whole history's; returns how many there are."""
        service = self.intl.supervisory
        for day in AS_OF:
            expected = whole_history(service, day)
            assert service.rules.findings(day) == expected
        page = service.rules.exceptions(as_of=AS_OF[1], offset=3, limit=20)
        assert [r["exception_id"] for r in page] == [str(f.exception_id) for f in expected[3:23]]
        node = sorted(self.history)[1]
        mine = [str(f.exception_id) for f in expected if f.node == node][:10]
        found = service.rules.exceptions(as_of=AS_OF[1], country=node, limit=10)
        assert [r["exception_id"] for r in found] == mine
        return len(expected)


@examples(6)
@given(pages=pages_of_nodes(8))
def test_kept_findings_equal_the_whole_history_after_every_page(
    history: dict[str, list[RemoteEntry]], pages: list[tuple[int, int]]
) -> None:
    with fresh_international() as intl:
        delivery, names = Delivery(intl, history), sorted(history)
        for index, size in pages:
            delivery.page(names[index], size)
            delivery.check()
        # Then the committees' news, and the liaison's opinions last, a few at a time.
        delivery.rest(but="RU-LIAISON")
        delivery.check()
        while delivery.page("RU-LIAISON", 3):
            delivery.check()
        assert delivery.check() > 0
        before = intl.supervisory.rules.findings(AS_OF[1])
        intl.supervisory.rebuild()
        assert intl.supervisory.rules.findings(AS_OF[1]) == before


def test_an_opinion_that_arrives_cures_the_findings_of_its_procurement(
    history: dict[str, list[RemoteEntry]],
) -> None:
    with fresh_international() as intl:
        delivery = Delivery(intl, history)
        delivery.rest(but="RU-LIAISON")
        rule = "procurement.without_concurring_consultation"
        uncovered = len(intl.supervisory.rules.findings(AS_OF[1], rule))
        assert uncovered > 0
        # The agencies first, then all but the last two opinions, then those.
        delivery.page("RU-LIAISON", len(history["RU-LIAISON"]) - 2)
        fewer = len(intl.supervisory.rules.findings(AS_OF[1], rule))
        assert 0 < fewer < uncovered
        delivery.check()
        delivery.rest()
        assert len(intl.supervisory.rules.findings(AS_OF[1], rule)) < fewer
        assert delivery.check() > 0


@pytest.mark.parametrize("persistence", ["postgres"])
def test_kept_findings_equal_the_whole_history_on_postgres(
    history: dict[str, list[RemoteEntry]], node_settings: SettingsFactory, persistence: str
) -> None:
    with postgres_international(node_settings) as intl:
        delivery, names = Delivery(intl, history), sorted(history)
        for step in range(6):
            delivery.page(names[step % NODES], 150)
            delivery.check()
        delivery.rest()
        assert delivery.check() > 0


@examples(5)
@given(pages=pages_of_nodes(5), meanwhile=pages_of_nodes(4, size=150, least=0))
def test_findings_judged_node_by_node_while_pages_arrive_equal_the_whole_history(
    history: dict[str, list[RemoteEntry]],
    pages: list[tuple[int, int]],
    meanwhile: list[tuple[int, int]],
) -> None:
    """The background round judges the nodes that moved one per step, each at the state it
    reads; pages arrive between its steps (the liaison's too). What is kept then answers as the
    whole history does."""
    with fresh_international() as intl:
        delivery, names = Delivery(intl, history), sorted(history)
        kept = intl.supervisory.rules.kept
        for index, size in pages:
            delivery.page(names[index], size)
            arriving = iter(meanwhile)

            def step(arriving: Iterator[tuple[int, int]] = arriving) -> None:
                news = next(arriving, None)
                if news is not None:
                    delivery.page(names[news[0]], news[1])

            kept.judge_moved(step)
            delivery.check()
        before = dict(delivery.at)
        delivery.rest(but="RU-LIAISON")
        moved = [name for name in names if delivery.at[name] != before[name]]
        assert kept.judge_moved(lambda: None) == len(moved)
        assert kept.judge_moved(lambda: None) == 0  # each judged at its position: none left
        while delivery.page("RU-LIAISON", 3):
            kept.judge_moved(lambda: delivery.page("RU-LIAISON", 2))
            delivery.check()
        assert delivery.check() > 0


def test_a_node_judged_from_its_new_entries_still_follows_the_liaisons_opinions(
    history: dict[str, list[RemoteEntry]],
) -> None:
    """The liaison's opinions arrive, then a committee's last page (judged from its new
    entries, not in full): its other consultations' cover is judged again all the same."""
    with fresh_international() as intl:
        delivery, names = Delivery(intl, history), sorted(history)
        for name in names:
            if name != "RU-LIAISON":
                delivery.page(name, len(history[name]) - 5)
        delivery.check()
        delivery.page("RU-LIAISON", len(history["RU-LIAISON"]))  # no answer asked meanwhile
        for name in names:
            delivery.page(name, 5)  # a small page each: judged from the new entries
        assert delivery.check() > 0


def test_nodes_followed_to_different_liaison_positions_answer_as_the_whole_history(
    history: dict[str, list[RemoteEntry]],
) -> None:
    """The background round brings node after node to the liaison's position as it is then;
    the liaison records between its steps, so the nodes keep different positions of it. The
    next answer brings each from its own."""
    with fresh_international() as intl:
        delivery = Delivery(intl, history)
        delivery.rest(but="RU-LIAISON")
        delivery.check()
        delivery.page("RU-LIAISON", 1)
        # Two of the liaison's entries before each node's step: each node is brought to
        # another position of the liaison (its agencies first, then its opinions).
        brought = intl.supervisory.rules.kept.judge_moved(lambda: delivery.page("RU-LIAISON", 2))
        assert brought == NODES
        assert delivery.at["RU-LIAISON"] == len(history["RU-LIAISON"])
        assert delivery.check() > 0
