"""Each country's daily flows as running sums, kept in memory at the country's position.

A period's edges (the days around its whole months, ``supervisory_measures``) were read from
sv_flows: the range of days of every country and currency, grouped, some thousands of rows and
about a millisecond a read; a new period reads one or two such ranges, and that was a quarter
of its answer. A country's sv_flows rows are written only by its own node's events, so at the
country's position in the projection they are known: kept here per currency and measure as the
days that have a row and the running sum through each, the sum over any range of days is two
bisections.

The background round reads the books (``federation.node.warm``: one country a step, in
chunks between requests); from its first round on, the books follow this process's ingests:
what an ingest added to sv_flows (the writer says, ``SupervisoryWriter.moved_flows``) moves the
country's book to the ingest's position, its days from the first one changed made again. So a
new period is summed from the books right after new entries, and the round reads again only
the books of countries moved by another process's ingest, or by a backlog's large batches. A
request never reads a book: it sums from the books only when every country it asks about has
its book at the position of the state it reads, and else reads sv_flows as before. The answers
are the same either way (the same sums, in the same order; none that sum to zero, which add
nothing). At a million events the books of fifty countries hold ~190,000 days (some 12 MB).
"""

from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import groupby
from operator import add, itemgetter
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from federation.node.supervisory import SupervisoryService
    from federation.node.supervisory_store import FlowsMoved

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
    def of(
        cls,
        position: int,
        rows: Iterable[Sequence[Any]],
        pause: Callable[[], None] = lambda: None,
    ) -> CountryDays:
        """The book of rows ``(currency, value_date, measure, amount)`` by currency and day;
        ``pause()`` after each currency's series is made."""
        series = {}
        for code, found in groupby(rows, key=itemgetter(0)):
            series[code] = _series(list(found))
            pause()
        return cls(position, series)

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

    def moved(self, position: int, added: Iterable[tuple[str, str, str, int]]) -> CountryDays:
        """This book after ``added`` (currency, value_date, measure, amount): the country's
        next rows, at ``position``. Each changed currency's running sums move from its first
        changed day on (an ingest's days are mostly its last ones)."""
        changes: dict[str, list[tuple[str, str, int]]] = {}
        for code, day, measure, minor in added:
            changes.setdefault(code, []).append((day, measure, minor))
        series = dict(self.series)
        for code, changed in changes.items():
            series[code] = _changed(self.series.get(code), changed)
        return CountryDays(position, dict(sorted(series.items())))


def _changed(series: Series | None, changes: list[tuple[str, str, int]]) -> Series:
    """``series`` (None: a currency new to the country) with the days' ``changes`` added."""
    measures = series.measures if series else ()
    wanted = tuple(sorted({*measures, *(m for _, m, _ in changes)}))
    if series is None or wanted != measures:  # a measure new to the currency: made again
        rows = [(day, m, b - a) for day, m, a, b in _amounts(series)] if series else []
        rows.extend(changes)
        return _series([("", day, m, minor) for day, m, minor in sorted(rows)])
    place = {m: i for i, m in enumerate(measures)}
    deltas: dict[str, list[int]] = {}
    for day, measure, minor in changes:
        deltas.setdefault(day, [0] * len(measures))[place[measure]] += minor
    days, sums = series.days, series.sums
    # The days before the first one changed keep their running sums. From it on, each day's
    # sums are those through the last old day up to it (``base``: the day's own, or for a new
    # day the day's before it) plus what was added up to it (``carry``).
    keep = bisect_left(days, min(deltas))
    old = {day: i for i, day in enumerate(days[keep:], keep)}
    new_days, new_sums = days[:keep], sums[: keep + 1]
    base, carry = sums[keep], [0] * len(measures)
    for day in sorted(old.keys() | deltas.keys()):
        if day in deltas:
            carry = list(map(add, carry, deltas[day]))
        if day in old:
            base = sums[old[day] + 1]
        new_days.append(day)
        new_sums.append(tuple(map(add, base, carry)))
    return Series(measures, new_days, new_sums)


def _amounts(series: Series) -> Iterator[tuple[str, str, int, int]]:
    """(day, measure, running sum before, after) of every day and measure of ``series``."""
    for i, day in enumerate(series.days):
        for measure, a, b in zip(series.measures, series.sums[i], series.sums[i + 1], strict=True):
            yield day, measure, a, b


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
CHUNK = 256  # rows read between two pauses of the round (some tenths of a millisecond)
# An ingest of more entries than this (a backlog's batch) is not followed: the country's book
# is read again by the round, once the backlog is applied.
FOLLOW_AT_MOST = 1000


class DayBooks:
    """The books of the countries, each at the position it was read at."""

    def __init__(self) -> None:
        self._books: dict[str, CountryDays] = {}
        self._lock = threading.Lock()
        # Set by the first round: from then on the books follow this process's ingests.
        self.following = False

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

    def advance(self, country: str, before: int, after: int, added: FlowsMoved) -> None:
        """Follow an ingest of ``country``'s entries that committed (``before`` -> ``after``)
        and ``added`` these to sv_flows: its book, if kept at ``before``, moves to ``after``
        with them; else it is left for the round to read again."""
        if not self.following:
            return
        with self._lock:
            book = self._books.get(country) or (NOTHING if before == 0 else None)
            if book is not None and after - before > FOLLOW_AT_MOST:
                # A backlog's batch: made again by the round once it is applied (cheaper
                # than moving most of the book's days with every batch).
                self._books.pop(country, None)
                return
        if book is None or book.position != before:
            return
        if any(key[0] != country for key, _ in added):
            # Another country's rows moved too (never, by the projection's design): nothing
            # kept of this one is trusted.
            with self._lock:
                self._books.pop(country, None)
            return
        moved = book.moved(after, [(*key[1:], sum(amounts)) for key, amounts in added])
        with self._lock:
            if (self._books.get(country) or NOTHING) is book:
                self._books[country] = moved

    def keep_up(self, service: SupervisoryService, step: Callable[[], None]) -> list[str]:
        """Bring the book of every country whose position moved to its present position, one
        country a step (``step()`` before each: the round lets requests go first); drop the
        books of countries no longer projected. Returns the countries read."""
        self.following = True
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
            book = read_book(service, country, step)
            with self._lock:
                held = self._books.get(country)
                if held is None or held.position < book.position:  # an ingest may be ahead
                    self._books[country] = book
        return moved


def read_book(
    service: SupervisoryService, country: str, pause: Callable[[], None] = lambda: None
) -> CountryDays:
    """The book of ``country`` at its present position (both read in one snapshot), read
    ``CHUNK`` rows at a time with ``pause()`` between chunks: the round lets requests go first
    (see ``SupervisoryService.chunks``; read whole, beside a request, each slowed the other
    about four times)."""
    with service.snapshot():
        position = service.positions().get(country, 0)
        codes = service.overview.measures.currencies_of(country).get(country, [])
        if not codes:
            return CountryDays(position, {})
        # ``currency IN`` lets the key (currency, value_date, ...) find the country's rows
        # among its currencies' (~6 ms a country at a million events; by country alone, a
        # scan of the table, twice as long).
        marks = ", ".join("?" for _ in codes)
        sql = DAYS_OF_COUNTRY_SQL.format(marks=marks)

        def rows() -> Iterator[tuple[Any, ...]]:
            for chunk in service.chunks(sql, [*codes, country], CHUNK):
                yield from chunk
                pause()

        return CountryDays.of(position, rows(), pause)


__all__ = ["CountryDays", "DayBooks", "read_book"]
