"""A country's days as running sums give, for any range of days, what sv_flows summed and
grouped over those days gives (less the sums of zero); the books answer only at the position
they were read at."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from federation.node.supervisory_days import CountryDays, DayBooks

FIRST = date(1922, 1, 1)
day = st.integers(0, 60).map(lambda n: (FIRST + timedelta(days=n)).isoformat())
row = st.tuples(
    st.sampled_from(["FRF", "USD", "XPM"]),
    day,
    st.sampled_from(["pledged", "received", "spent_procurement"]),
    # Amounts of either sign: a reversal takes a receipt out, a day may sum to zero.
    st.integers(-5, 5).map(lambda n: n * 10**12),
)
rows = st.lists(row, max_size=80, unique_by=lambda r: r[:3])  # sv_flows's key, per country


def grouped(
    country: str, found: list[tuple[str, str, str, int]], first: str, last: str, codes: set[str]
) -> list[tuple[str, str, str, int]]:
    """What ``SELECT SUM(amount) ... GROUP BY country, currency, measure`` gives over the days
    first..last, in its order, without the groups that sum to zero."""
    sums: dict[tuple[str, str], int] = defaultdict(int)
    for code, on, measure, minor in found:
        if code in codes and first <= on <= last:
            sums[(code, measure)] += minor
    return [(country, c, m, s) for (c, m), s in sorted(sums.items()) if s]


def book(position: int, found: list[tuple[str, str, str, int]]) -> CountryDays:
    # In sv_flows's key's order (currency, value_date, then measure), as the book reads them.
    return CountryDays.of(position, sorted(found, key=lambda r: (r[0], r[1], r[2])))


@given(found=rows, ends=st.tuples(day, day).map(sorted), codes=st.sets(st.sampled_from(
    ["FRF", "USD", "XPM", "GBP"])))  # fmt: skip
def test_any_range_of_days_sums_as_the_table_grouped(
    found: list[tuple[str, str, str, int]], ends: list[str], codes: set[str]
) -> None:
    first, last = ends
    days = book(7, found)
    assert list(days.sums("C01", first, last, frozenset(codes))) == grouped(
        "C01", found, first, last, codes
    )


@given(found=rows)
def test_ranges_before_and_after_every_day_sum_nothing(
    found: list[tuple[str, str, str, int]],
) -> None:
    days = book(1, found)
    codes = frozenset({"FRF", "USD", "XPM"})
    assert list(days.sums("C01", "1921-01-01", "1921-12-31", codes)) == []
    assert list(days.sums("C01", "1922-03-03", "1925-01-01", codes)) == []


def test_the_books_answer_only_at_the_positions_of_the_state_read() -> None:
    books = DayBooks()
    found = [("USD", "1922-01-05", "received", 500), ("USD", "1922-01-09", "received", 700)]
    books._books.update({"C01": book(10, found), "C02": book(4, [])})
    everyone = ["C01", "C02"]
    expected = [("C01", "USD", "received", 1200)]

    assert books.sums("1922-01-01", "1922-01-31", ["USD"], everyone, {"C01": 10, "C02": 4}) == (
        expected
    )
    assert books.serve(everyone, {"C01": 10, "C02": 4})
    # C01 has moved since its book was read: nothing is answered from the books.
    assert books.sums("1922-01-01", "1922-01-31", ["USD"], everyone, {"C01": 11, "C02": 4}) is None
    assert not books.serve(everyone, {"C01": 11, "C02": 4})
    # A country with no book yet (a node new to the International).
    assert books.sums("1922-01-01", "1922-01-31", ["USD"], ["C03"], {"C03": 1}) is None
    # A country with no position has no rows (nothing of its node is projected).
    assert books.sums("1922-01-01", "1922-01-31", ["USD"], ["XX"], {"C01": 10}) == []
    # One country asked about: only its book need be at its position.
    assert books.sums("1922-01-06", "1922-01-31", ["USD"], ["C01"], {"C01": 10, "C02": 9}) == [
        ("C01", "USD", "received", 700)
    ]


@given(
    found=rows,
    added=st.lists(row, max_size=30),
    ends=st.tuples(day, day).map(sorted),
)
def test_a_book_moved_by_an_ingests_additions_sums_as_one_read_after_it(
    found: list[tuple[str, str, str, int]],
    added: list[tuple[str, str, str, int]],
    ends: list[str],
) -> None:
    first, last = ends
    codes = frozenset({"FRF", "USD", "XPM"})
    moved = book(7, found).moved(9, added)
    # sv_flows after the ingest: each addition added to its row (made if new).
    after: dict[tuple[str, str, str], int] = defaultdict(int)
    for code, on, measure, minor in [*found, *added]:
        after[(code, on, measure)] += minor
    read = book(9, [(*key, minor) for key, minor in after.items()])
    assert moved.position == 9
    assert list(moved.sums("C01", first, last, codes)) == list(read.sums("C01", first, last, codes))
    assert list(moved.sums("C01", first, last, codes)) == grouped(
        "C01", [(*key, minor) for key, minor in after.items()], first, last, set(codes)
    )


def test_the_books_follow_an_ingest_only_from_the_position_they_hold() -> None:
    books = DayBooks()
    books._books["C01"] = book(10, [("USD", "1922-01-05", "received", 500)])
    added = [(("C01", "USD", "1922-01-07", "received"), [200])]
    books.advance("C01", 10, 12, added)  # not yet following: no round has read the books
    assert books._books["C01"].position == 10
    books.following = True

    books.advance("C01", 9, 12, added)  # not from the position held: left as it was
    assert books._books["C01"].position == 10
    books.advance("C01", 10, 12, added)
    assert books.sums("1922-01-01", "1922-01-31", ["USD"], ["C01"], {"C01": 12}) == [
        ("C01", "USD", "received", 700)
    ]
    # A node's first entries: its book starts from nothing.
    books.advance("C02", 0, 3, [(("C02", "FRF", "1922-02-01", "pledged"), [40])])
    assert books.sums("1922-01-01", "1922-12-31", ["FRF"], ["C02"], {"C02": 3}) == [
        ("C02", "FRF", "pledged", 40)
    ]
    # A backlog's batch: the book is left for the round to read again.
    books.advance("C02", 3, 3 + 1001, [(("C02", "FRF", "1922-02-01", "pledged"), [40])])
    assert books.sums("1922-01-01", "1922-12-31", ["FRF"], ["C02"], {"C02": 1004}) is None
    # Rows of another country among the additions: the book is no longer trusted.
    books.advance("C01", 12, 13, [(("C09", "USD", "1922-01-07", "received"), [1])])
    assert books.sums("1922-01-01", "1922-01-31", ["USD"], ["C01"], {"C01": 13}) is None
