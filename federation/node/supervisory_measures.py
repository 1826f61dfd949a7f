"""The measures behind the overview: all time from sv_totals, or, over a period or converted,
from whole months (sv_months) and the days around them (sv_flows, or the countries' days'
books where a served International keeps them: ``supervisory_days``); converted at the dated
rates on the way."""

from __future__ import annotations

import threading
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from operator import add
from typing import TYPE_CHECKING, Any

from federation.node.supervisory_days import DayBooks
from projections.supervisory.convert import (
    Conversion,
    Converter,
    Rate,
    decompose,
    month_bounds,
    month_of,
)
from projections.supervisory.flows import MEASURES
from projections.supervisory.queries import MONTH_SUMS_SQL, MONTHS_SQL, TOTALS_SQL

if TYPE_CHECKING:
    from federation.node.supervisory import SupervisoryService

ONE_DAY = timedelta(days=1)
DAYS_KEPT = 512  # reads of days kept for one state (a period reads a few dozen)
Measures = dict[tuple[str, str, str], int]  # (country, currency, measure) -> minor units


def where_clause(conditions: list[tuple[str, Any]], lead: str = " WHERE ") -> tuple[str, list[Any]]:
    used = [(c, v) for c, v in conditions if v is not None]
    if not used:
        return "", []
    return lead + " AND ".join(f"{c} = ?" for c, _ in used), [v for _, v in used]


def month_sums(rows: Iterable[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Months' rows ``(country, currency, month, *amounts)`` added up per country and
    currency, as MONTH_SUMS_SQL gives them: ``(country, currency, *sums)``."""
    sums: dict[tuple[Any, ...], list[int]] = {}
    for row in rows:
        held = sums.get(row[:2])
        if held is None:
            sums[row[:2]] = list(row[3:])
        else:
            held[:] = map(add, held, row[3:])
    return [(*key, *amounts) for key, amounts in sums.items()]


class Gatherer:
    """Reads the measures of every country and currency, and feeds a converter with them."""

    def __init__(self, service: SupervisoryService) -> None:
        self.service = service
        # The days' reads (sv_flows, and the months read to subtract days from), keyed by the
        # state of the projection they were read at (see ``days_kept``); the least used first.
        self._days: OrderedDict[tuple[Any, ...], list[tuple[Any, ...]]] = OrderedDict()
        self._state = threading.local()
        self._lock = threading.Lock()
        # The countries' days as running sums: read by the background round, then moved by
        # this process's ingests (supervisory_days).
        self.books = DayBooks()

    @contextmanager
    def days_kept(self, positions: dict[str, int]) -> Iterator[None]:
        """Within the block, the days read around a period's whole months are kept with
        ``positions`` (the projection's, read in the same snapshot as the block's reads) and
        read again only once it moves: after a new rate a period's parts are converted again
        from the months kept, and its days need not be read again either. Every sv_ table is
        written by the projection alone, so the same positions are the same rows."""
        # The reads of earlier states are never found again (keys hold the state) and go as the
        # oldest, one at a time: dropping hundreds at once freed their rows in one go, ~12 ms.
        self._state.at = tuple(sorted(positions.items()))
        self._state.positions = positions
        self._state.everyone = sorted(positions)
        try:
            yield
        finally:
            self._state.at = None
            self._state.positions = None
            self._state.everyone = None

    def _day_rows(self, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
        """``service.raw(sql, params)``, kept within ``days_kept``."""
        return self._kept((sql, *params), lambda: self.service.raw(sql, params))

    def _kept(
        self, what: tuple[Any, ...], read: Callable[[], list[tuple[Any, ...]]]
    ) -> list[tuple[Any, ...]]:
        """``read()``, kept as ``what`` within ``days_kept``."""
        state = getattr(self._state, "at", None)
        if state is None:
            return read()
        key = (state, *what)
        with self._lock:
            found = self._days.get(key)
            if found is not None:
                self._days.move_to_end(key)
                return found
        found = read()
        with self._lock:
            self._days[key] = found
            while len(self._days) > DAYS_KEPT:
                self._days.popitem(last=False)  # one at a time, the oldest first
        return found

    def __call__(
        self, since: date | None, until: date | None, country: str | None, code: str | None
    ) -> Measures:
        """Every measure per country and currency, over all time or the days since..until."""
        return self.gather(since, until, country, code, None)

    def gather(
        self,
        since: date | None,
        until: date | None,
        country: str | None,
        code: str | None,
        converter: Converter | None,
        *,
        kept_months: Sequence[tuple[Any, ...]] | None = None,
        read_months: list[tuple[Any, ...]] | None = None,
        all_months: Sequence[tuple[Any, ...]] | None = None,
    ) -> Measures:
        """Every measure per country and currency over since..until, in one pass over whole
        months (sv_months) and the days around them (sv_flows), feeding ``converter`` too.

        With a converter, the whole months' rows feed it: ``kept_months`` when given (kept
        from a read of the same state; they are not read again, and the measures returned lack
        their sums: the caller has them), else those read, which ``read_months`` (a list)
        receives. ``all_months``: every month's rows of the countries asked about, kept from a
        read of the same state (an answer over all time): the period's whole months are taken
        from them and added up here, not read.
        """
        if since is None and until is None and converter is None:
            return self._totals(country, code)
        out: Measures = defaultdict(int)
        span, days = decompose(since, until)
        filters, params = where_clause([("country", country), ("currency", code)], " AND ")
        split: set[tuple[str, str]] = set()
        in_span: Sequence[tuple[Any, ...]] | None = None
        if span and kept_months is None and all_months is not None:
            start, end = span  # months as text ('1922-03'): their order is the calendar's
            in_span = [row for row in all_months if start <= row[2] <= end]
        if span and converter is not None:
            rows = kept_months if kept_months is not None else in_span
            if rows is None:
                rows = self.service.raw(MONTHS_SQL.format(filters=filters), [*span, *params])
            if kept_months is None and read_months is not None:
                read_months.extend(rows)
            split = converter.add_months(rows)
        if span and kept_months is None:
            # The months' sums: added up here from the rows kept, else by the database
            # (cheaper than reading the rows to add them here).
            sums = (
                month_sums(in_span)
                if in_span is not None
                else self.service.raw(MONTH_SUMS_SQL.format(filters=filters), [*span, *params])
            )
            for country_, code_, *amounts in sums:
                for measure, minor in zip(MEASURES, amounts, strict=True):
                    if minor:
                        out[(country_, code_, measure)] += int(minor)
        codes = ([code] if code else self._currencies(country)) if days else []
        # With the days' books, any range of days is as cheap as a few: no month less its days.
        booked = bool(days) and self._booked(country)
        for first, last in days:
            rest = (
                codes
                if booked
                else self._by_complement(first, last, codes, country, converter, out)
            )
            for low, high in self._pieces(first, last, rest, converter):
                for country_, code_, measure, minor in self._sums(low, high, rest, country):
                    out[(country_, code_, measure)] += int(minor)
                    if converter is not None:
                        converter.add_day(country_, code_, measure, low, int(minor))
        for each, month in sorted(split):
            assert converter is not None
            for low, high in self._pieces(*month_bounds(month), [each], converter):
                for country_, code_, measure, minor in self._sums(low, high, [each], country):
                    converter.add_day(country_, code_, measure, low, int(minor))
        return out

    def _by_complement(
        self,
        first: date,
        last: date,
        codes: list[str],
        country: str | None,
        converter: Converter | None,
        out: Measures,
    ) -> list[str]:
        """Add most of a month as the whole month less the days around first..last.

        A month's row is the sum of its days (the writer adds both in one transaction), so
        March 5th to 31st is March less its first four days: a few days are read instead of
        most of the month. Only for the currencies that take one rate the whole month (the
        month and its days convert alike); returns the currencies left to add day by day.
        """
        month = month_of(first)
        start, end = month_bounds(month)
        around = [(a, b) for a, b in ((start, first - ONE_DAY), (last + ONE_DAY, end)) if a <= b]
        outside = sum((b - a).days + 1 for a, b in around)
        if month_of(last) != month or outside >= (last - first).days + 1:
            return codes
        whole = [c for c in codes if converter is None or converter.whole_month(c, month)]
        if not whole:
            return codes
        key = ("complement", first, last, country, *whole)
        for country_, code_, measure, minor in self._kept(
            key, lambda: self._complement(month, around, whole, country)
        ):
            out[(country_, code_, measure)] += minor
            if converter is not None:
                converter.add_day(country_, code_, measure, first, minor)
        return [c for c in codes if c not in whole]

    def _complement(
        self, month: str, around: list[tuple[date, date]], whole: list[str], country: str | None
    ) -> list[tuple[Any, ...]]:
        """(country, currency, measure, amount) of ``month`` less the days ``around``."""
        marks = ", ".join("?" for _ in whole)
        also, params = where_clause([("country", country)], " AND ")
        query = MONTHS_SQL.format(filters=f" AND currency IN ({marks}){also}")
        piece: Measures = defaultdict(int)
        for country_, code_, _, *amounts in self.service.raw(
            query, [month, month, *whole, *params]
        ):
            for measure, minor in zip(MEASURES, amounts, strict=True):
                if minor:
                    piece[(country_, code_, measure)] += int(minor)
        for low, high in around:
            for country_, code_, measure, minor in self._sums(low, high, whole, country):
                piece[(country_, code_, measure)] -= int(minor)
        return [(*where, minor) for where, minor in piece.items() if minor]

    def _asked(self, country: str | None) -> tuple[list[str], dict[str, int]] | None:
        """Within ``days_kept``, the countries a question is about (``country``, or every
        one) and the positions read; else None."""
        positions = getattr(self._state, "positions", None)
        if positions is None:
            return None
        return ([country] if country else self._state.everyone), positions

    def _booked(self, country: str | None) -> bool:
        """Whether the days' books serve ``country`` (or every country) in the state read."""
        asked = self._asked(country)
        return asked is not None and self.books.serve(*asked)

    def _totals(self, country: str | None, code: str | None) -> Measures:
        out: Measures = defaultdict(int)
        where, params = where_clause([("country", country), ("currency", code)])
        for r in self.service.query(TOTALS_SQL.format(where=where), params):
            out[(r["country"], r["currency"], r["measure"])] += int(r["amount_minor"])
        return out

    def _currencies(self, country: str | None) -> list[str]:
        """The currencies there are amounts in (of ``country``): every flow is in sv_totals too,
        and fewer currencies read fewer days of sv_flows."""
        where, params = where_clause([("country", country)])
        rows = self.service.query(f"SELECT DISTINCT currency FROM sv_totals{where}", params)
        return sorted(r["currency"] for r in rows)

    def currencies_of(self, country: str | None) -> dict[str, list[str]]:
        """Per country (or of ``country``), the currencies it has amounts in, all time."""
        where, params = where_clause([("country", country)])
        out: dict[str, list[str]] = defaultdict(list)
        for country_, code in self.service.raw(
            f"SELECT DISTINCT country, currency FROM sv_totals{where} ORDER BY 1, 2", params
        ):
            out[country_].append(code)
        return out

    def _sums(
        self, first: date, last: date, codes: list[str], country: str | None
    ) -> list[tuple[Any, ...]]:
        """(country, currency, measure, amount) summed over the days first..last.

        ``currency IN (...)`` with the value-date range lets the (currency, value_date) index
        serve every currency in one query.
        """
        if not codes:
            return []
        asked = self._asked(country)
        if asked is not None:
            found = self.books.sums(first.isoformat(), last.isoformat(), codes, *asked)
            if found is not None:
                return found
        marks = ", ".join("?" for _ in codes)
        also, params = where_clause([("country", country)], " AND ")
        query = (
            "SELECT country, currency, measure, SUM(amount_minor) FROM sv_flows "
            f"WHERE currency IN ({marks}) AND value_date >= ? AND value_date <= ?{also} "
            "GROUP BY country, currency, measure"
        )
        return self._day_rows(query, [*codes, first.isoformat(), last.isoformat(), *params])

    @staticmethod
    def _pieces(
        first: date, last: date, codes: list[str], converter: Converter | None
    ) -> list[tuple[date, date]]:
        """first..last cut where any of the currencies' rates changes: one rate per piece."""
        if converter is None:
            return [(first, last)]
        cuts = sorted(
            {s.start for code in codes for s in converter.spans_of(code) if first < s.start <= last}
        )
        starts = [first, *cuts]
        ends = [*(c - timedelta(days=1) for c in cuts), last]
        return list(zip(starts, ends, strict=True))

    # --- conversion -----------------------------------------------------------------------

    def rates(self, reporting: str) -> dict[str, list[Rate]]:
        """The International's observations in ``reporting``, per currency."""
        self.service.app.view.catch_up()
        rows = self.service.raw(
            "SELECT currency, rate, value_date, source FROM intl_rates "
            "WHERE reporting_currency = ?",
            [reporting],
        )
        out: dict[str, list[Rate]] = defaultdict(list)
        for code, rate, day, source in rows:
            out[code].append(Rate(code, Decimal(rate), date.fromisoformat(day), source))
        return out

    def convert(
        self,
        reporting: str,
        since: date | None,
        until: date | None,
        country: str | None,
        code: str | None,
        max_age: int | None,
    ) -> Conversion:
        """Every measure per country converted at the rate of each value date."""
        converter = Converter(reporting, self.rates(reporting), max_age, tuple(MEASURES))
        self.gather(since, until, country, code, converter)
        return converter.result()
