"""Each country's daily flows as running sums, kept in memory at the country's position.

A period's edges (the days around its whole months, ``supervisory_measures``) were read from
sv_flows: the range of days of every country and currency, grouped, some thousands of rows and
about a millisecond a read; a new period reads one or two such ranges, and that was a quarter
of its answer. A country's sv_flows rows are written only by its own node's events, so at the
country's position in the projection they are known: kept here per currency and measure as the
days that have a row and the running sum through each, the sum over any range of days is two
bisections.

Only the background round builds books (``federation.node.warm``: one country a step, the
countries whose position moved); a request never does. A request reads from the books only
when every country it asks about has its book at the position of the state it reads, and else
reads sv_flows as before: the answers are the same either way (the same sums, rows and order).
At a million events the books of fifty countries hold ~190,000 days (some 10 MB).
"""

from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from federation.node.supervisory import SupervisoryService

DAYS_OF_COUNTRY_SQL = (
    "SELECT currency, value_date, measure, amount_minor FROM sv_flows "
    "WHERE currency IN ({marks}) AND country = ? ORDER BY currency, value_date"
)


@dataclass(frozen=True, slots=True)
class Series:
    """One currency's days of a country: the days that have a row (ISO text, in order) and,
    per measure, the running sums through each (``sums[0]``: all zero, before the first)."""

    measures: tuple[str, ...]
    days: list[str]
    sums: list[tuple[int, ...]]


@dataclass(frozen=True, slots=True)
class CountryDays:
    """One country's sv_flows at ``position``, a series per currency (in their order)."""

    position: int
    series: dict[str, Series]

    @classmethod
    def of(cls, position: int, rows: Iterable[Sequence[Any]]) -> CountryDays:
        """The book of rows ``(currency, value_date, measure, amount)`` by currency and day."""
        by_code: dict[str, list[Sequence[Any]]] = {}
        for row in rows:
            by_code.setdefault(row[0], []).append(row)
        return cls(position, {code: _series(found) for code, found in by_code.items()})

    def sums(
        self, country: str, first: str, last: str, codes: frozenset[str]
    ) -> Iterator[tuple[str, str, str, int]]:
        """(country, currency, measure, sum) over the days first..last (ISO text), for each
        currency of ``codes`` and measure whose sum there is not zero: the rows sv_flows gives
        grouped, less those of zero (which add nothing to a measure nor to a conversion)."""
        for code, series in self.series.items():
            if code not in codes:
                continue
            days = series.days
            low, high = bisect_left(days, first), bisect_right(days, last)
            if high > low:
                after, before = series.sums[high], series.sums[low]
                for measure, a, b in zip(series.measures, after, before, strict=True):
                    if a != b:
                        yield country, code, measure, a - b


def _series(rows: list[Sequence[Any]]) -> Series:
    """The series of one currency's rows, by day."""
    measures = tuple(sorted({row[2] for row in rows}))
    place = {m: i for i, m in enumerate(measures)}
    days: list[str] = []
    running = [0] * len(measures)
    sums = [tuple(running)]
    for _, day, measure, minor in rows:
        if days and days[-1] != day:
            sums.append(tuple(running))
        if not days or days[-1] != day:
            days.append(day)
        running[place[measure]] += int(minor)
    if days:
        sums.append(tuple(running))
    return Series(measures, days, sums)


NOTHING = CountryDays(0, {})


class DayBooks:
    """The books of the countries, each at the position it was read at."""

    def __init__(self) -> None:
        self._books: dict[str, CountryDays] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._books)

    def clear(self) -> None:
        with self._lock:
            self._books.clear()

    def sums(
        self,
        first: str,
        last: str,
        codes: Sequence[str],
        countries: Sequence[str],
        positions: dict[str, int],
    ) -> list[tuple[str, str, str, int]] | None:
        """What ``SUM ... GROUP BY country, currency, measure`` over sv_flows gives for the
        days first..last of ``countries`` (in order) and ``codes``; None unless every one of
        those countries has its book at its position in ``positions``."""
        with self._lock:
            books = [self._book(c, positions) for c in countries]
        if any(book is None for book in books):
            return None
        wanted = frozenset(codes)
        out: list[tuple[str, str, str, int]] = []
        for country, book in zip(countries, books, strict=True):
            assert book is not None
            out.extend(book.sums(country, first, last, wanted))
        return out

    def serve(self, countries: Sequence[str], positions: dict[str, int]) -> bool:
        """Whether every one of ``countries`` has its book at its position."""
        with self._lock:
            return all(self._book(c, positions) is not None for c in countries)

    def _book(self, country: str, positions: dict[str, int]) -> CountryDays | None:
        """The book of ``country`` at its position; None unless kept. A country with no
        position has no rows (a node's rows are written by its entries, projected)."""
        at = positions.get(country, 0)
        book = self._books.get(country)
        if book is None:
            return NOTHING if at == 0 else None
        return book if book.position == at else None

    def keep_up(self, service: SupervisoryService, step: Callable[[], None]) -> list[str]:
        """Bring the book of every country whose position moved to its present position, one
        country a step (``step()`` before each: the round lets requests go first); drop the
        books of countries no longer projected. Returns the countries read."""
        with service.snapshot():
            positions = service.positions()
        with self._lock:
            for gone in set(self._books) - set(positions):
                del self._books[gone]
            moved = [
                c
                for c, at in sorted(positions.items())
                if (book := self._books.get(c)) is None or book.position != at
            ]
        for country in moved:
            step()
            book = read_book(service, country)
            with self._lock:
                self._books[country] = book
        return moved


def read_book(service: SupervisoryService, country: str) -> CountryDays:
    """The book of ``country`` at its present position (both read in one snapshot)."""
    with service.snapshot():
        position = service.positions().get(country, 0)
        codes = service.overview.measures.currencies_of(country).get(country, [])
        if not codes:
            return CountryDays(position, {})
        # ``currency IN`` lets the key (currency, value_date, ...) find the country's rows
        # among its currencies' (~6 ms a country at a million events; by country alone, a
        # scan of the table, twice as long).
        marks = ", ".join("?" for _ in codes)
        rows = service.raw(DAYS_OF_COUNTRY_SQL.format(marks=marks), [*codes, country])
    return CountryDays.of(position, rows)


__all__ = ["CountryDays", "DayBooks", "read_book"]
