"""Converting amounts to a reporting currency at the rate of each value date.

The rate of a value date is the International's latest observation of that currency in the
reporting currency on or before that date, and no older than ``max_age_days`` (a rate of the
paper mark from three months earlier is no rate at all in 1923). Where there is none, the amount
is not converted: it is reported as missing, with its currency and dates, and every total it
belongs to is left without a converted figure — never a zero, never today's rate.

Sums are exact: the amounts of the days one rate applies to are added in minor units, multiplied
by the rate as a Decimal, and a converted total is rounded once, at the end, to the reporting
currency's minor units (half to even).
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from itertools import repeat
from operator import add, mul
from typing import Any

from projections.supervisory.amount_text import minor_units


@dataclass(frozen=True, slots=True)
class Rate:
    """One observation: a unit of ``currency`` is worth ``rate`` of the reporting currency."""

    currency: str
    rate: Decimal
    observed_on: date
    source: str = ""


@dataclass(frozen=True, slots=True)
class Span:
    """The days ``start``..``end`` (inclusive) that take one rate, or none (``rate`` is None)."""

    start: date
    end: date
    rate: Rate | None


def month_of(day: date) -> str:
    """'1922-03' for any day of March 1922."""
    return day.isoformat()[:7]


@cache
def month_bounds(month: str) -> tuple[date, date]:
    """The first and last day of a month written '1922-03'."""
    first = date.fromisoformat(f"{month}-01")
    if first.year == date.max.year and first.month == 12:
        return first, date.max
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return first, following - timedelta(days=1)


def spans(rates: Sequence[Rate], max_age_days: int | None) -> list[Span]:
    """The spans covering every day: before the first rate none, then each rate until the next
    one or until it is ``max_age_days`` old."""
    ordered = sorted(rates, key=lambda r: r.observed_on)
    out: list[Span] = []
    cursor = date.min
    for n, rate in enumerate(ordered):
        if rate.observed_on > cursor:
            out.append(Span(cursor, rate.observed_on - timedelta(days=1), None))
        following = ordered[n + 1].observed_on if n + 1 < len(ordered) else date.max
        end = following - timedelta(days=1) if following != date.max else date.max
        if max_age_days is not None and rate.observed_on + timedelta(days=max_age_days) < end:
            end = rate.observed_on + timedelta(days=max_age_days)
        out.append(Span(rate.observed_on, end, rate))
        cursor = end + timedelta(days=1) if end != date.max else date.max
    if cursor != date.max and (not out or out[-1].end != date.max):
        out.append(Span(cursor, date.max, None))
    return out


@dataclass
class Converter:
    """Accumulates amounts per (subject, measure) and converts them at the spans' rates.

    ``rates`` holds, per currency, its observations in the reporting currency. Feed it whole
    months where ``whole_month`` says a month takes one rate (``add_month``, one amount per
    measure named in ``measures``), days otherwise (``add_day``).

    Sums are kept as integers: a minor-unit amount times a rate's digits, per power of ten;
    only the final sums become Decimals, so the arithmetic is exact and cheap.
    """

    reporting: str
    rates: Mapping[str, Sequence[Rate]]
    max_age_days: int | None = None
    measures: tuple[str, ...] = ()
    _spans: dict[str, list[Span]] = field(default_factory=dict)
    _starts: dict[str, list[date]] = field(default_factory=dict)
    _days: dict[tuple[Any, str, str, int], int] = field(default_factory=lambda: defaultdict(int))
    _months: dict[tuple[str, str], int] = field(default_factory=dict)
    # Whole months are multiplied out as they arrive: per (subject, power of ten) the sums of
    # minor units times rate digits, per measure; what has no rate, and the spans used.
    _scaled: dict[tuple[Any, int], list[int]] = field(default_factory=dict)
    _unrated: dict[tuple[Any, str, str, int], int] = field(default_factory=lambda: defaultdict(int))
    # The spans used, per subject: one pass over many subjects splits into one per subject.
    _used: dict[tuple[Any, str, int], Span] = field(default_factory=dict)
    # ``add_months``: per (subject, digits, shift) the months' amounts as they are, the
    # (subject, shift) in the order they came, and what each (currency, month) takes.
    _raw: dict[tuple[Any, tuple[int, int]], list[int]] = field(default_factory=dict)
    _order: dict[tuple[Any, int], None] = field(default_factory=dict)
    _takes: dict[tuple[Any, ...], tuple[int, tuple[int, int] | None]] = field(default_factory=dict)

    def spans_of(self, code: str) -> list[Span]:
        """The spans of currency ``code`` (one span of rate 1 for the reporting currency)."""
        if code not in self._spans:
            if code == self.reporting:
                found = [Span(date.min, date.max, Rate(code, Decimal(1), date.min, "identity"))]
            else:
                found = spans(self.rates.get(code, ()), self.max_age_days)
            self._spans[code] = found
            self._starts[code] = [s.start for s in found]
        return self._spans[code]

    def _index(self, code: str, day: date) -> int:
        self.spans_of(code)
        return bisect.bisect_right(self._starts[code], day) - 1

    def _month(self, code: str, month: str) -> int:
        """The span of every day of ``month``, or -1 when the rate changes within it."""
        found = self._months.get((code, month))
        if found is None:
            first, last = month_bounds(month)
            index = self._index(code, first)
            found = index if index == self._index(code, last) else -1
            self._months[(code, month)] = found
        return found

    def whole_month(self, code: str, month: str) -> bool:
        """True when every day of ``month`` takes the same span."""
        return self._month(code, month) >= 0

    def add_month(self, subject: Any, code: str, month: str, amounts: Sequence[int]) -> None:
        """Add a whole month's amounts, one per measure of ``measures``."""
        index = self._month(code, month)
        span = self._spans[code][index]
        if span.rate is None:
            for measure, minor in zip(self.measures, amounts, strict=True):
                if minor:
                    self._unrated[(subject, code, measure, index)] += minor
            return
        digits, shift = _scale(span.rate.rate, code)
        held = self._scaled.get((subject, shift))
        self._order.setdefault((subject, shift), None)
        if held is None:
            self._scaled[(subject, shift)] = [minor * digits for minor in amounts]
        else:
            held[:] = map(add, held, map(mul, amounts, repeat(digits)))
        if code != self.reporting and (subject, code, index) not in self._used and any(amounts):
            self._used[(subject, code, index)] = span

    def add_months(self, rows: Iterable[tuple[Any, ...]]) -> set[tuple[str, str]]:
        """Add whole months' rows ``(subject, currency, month, *amounts)``, as ``add_month``
        each; returns the (currency, month) of the rows left out: those whose month changes
        rate (to be added day by day).

        The same sums as ``add_month`` row by row, cheaper: what a (currency, month) takes is
        looked up once, and a row's amounts are added as they are, per (subject, rate); they
        are multiplied by the rate's digits once per rate, in ``_converted`` (integers: the
        same products).
        """
        split: set[tuple[str, str]] = set()
        takes, raw, used, order = self._takes, self._raw, self._used, self._order
        reporting, spans = self.reporting, self._spans
        for row in rows:
            # row[1:3] is (currency, month); row[3:] the amounts, one per measure.
            take = takes.get(row[1:3])
            if take is None:
                take = takes[row[1:3]] = self._take(row[1], row[2])
            index, scale = take
            if scale is not None:
                key = (row[0], scale)
                held = raw.get(key)
                if held is None:
                    raw[key] = list(row[3:])
                    order.setdefault((row[0], scale[1]), None)
                else:
                    held[:] = map(add, held, row[3:])
                if row[1] != reporting:
                    spent = (row[0], row[1], index)
                    if spent not in used and any(row[3:]):
                        used[spent] = spans[row[1]][index]
            elif index < 0:
                split.add((row[1], row[2]))
            else:
                for measure, minor in zip(self.measures, row[3:], strict=True):
                    if minor:
                        self._unrated[(row[0], row[1], measure, index)] += minor
        return split

    def _take(self, code: str, month: str) -> tuple[int, tuple[int, int] | None]:
        """What every day of ``month`` takes: its span's index (-1 when the rate changes
        within the month) and the span's rate as (digits, shift) (None: no rate). Plain
        numbers: kept for every (currency, month), they give the collector nothing to walk."""
        found = self.spans_of(code)
        first, last = month_bounds(month)
        index = bisect.bisect_right(self._starts[code], first) - 1
        span = found[index]
        if span.end < last:  # the spans follow one another: the next one starts within
            return -1, None
        return index, None if span.rate is None else _scale(span.rate.rate, code)

    def add_day(self, subject: Any, code: str, measure: str, day: date, minor: int) -> None:
        """Add a day's amount."""
        self._days[(subject, code, measure, self._index(code, day))] += minor

    def result(self) -> Conversion:
        """The converted sums per (subject, measure), the rates used and what could not convert."""
        converted, used, missing = self._converted()
        spans = {(code, index): span for (_, code, index), span in used.items()}
        return Conversion(self.reporting, dict(converted), _in_order(spans.values()), missing)

    def results(self) -> dict[Any, Conversion]:
        """``result`` per subject: each as a converter of that subject's amounts alone gives."""
        converted, used, missing = self._converted()
        sums: dict[Any, dict[tuple[Any, str], Decimal]] = defaultdict(dict)
        for (subject, measure), value in converted.items():
            sums[subject][(subject, measure)] = value
        # A subject's spans by currency and index: by currency and first day (``_in_order``),
        # as the spans of a currency follow one another.
        keys: dict[Any, list[tuple[str, int]]] = defaultdict(list)
        for subject, code, index in used:
            keys[subject].append((code, index))
        unrated: dict[Any, list[Missing]] = defaultdict(list)
        for m in missing:
            unrated[m.subject].append(m)
        out = {}
        for subject in {*sums, *keys, *unrated}:
            held = sorted(keys.get(subject, ()))
            spans = [used[(subject, code, index)] for code, index in held]
            out[subject] = Conversion(self.reporting, sums[subject], spans, unrated[subject])
        return out

    def _converted(
        self,
    ) -> tuple[dict[tuple[Any, str], Decimal], dict[tuple[Any, str, int], Span], list[Missing]]:
        unconverted: dict[tuple[Any, str, str, int], int] = defaultdict(int, self._unrated)
        used = dict(self._used)
        converted: dict[tuple[Any, str], Decimal] = defaultdict(Decimal)
        for (subject, code, measure, index), minor in self._days.items():
            span = self._spans[code][index]
            if span.rate is None:
                unconverted[(subject, code, measure, index)] += minor
            elif minor:
                digits, shift = _scale(span.rate.rate, code)
                converted[(subject, measure)] += Decimal(minor * digits).scaleb(shift)
                if code != self.reporting:
                    used[(subject, code, index)] = span
        scaled = self._scaled_sums()
        for (subject, shift), sums in scaled.items():
            for measure, value in zip(self.measures, sums, strict=True):
                if value:
                    converted[(subject, measure)] += Decimal(value).scaleb(shift)
        missing = [
            Missing(subject, code, measure, minor, span.start, span.end)
            for (subject, code, measure, index), minor in unconverted.items()
            if minor and (span := self._spans[code][index])
        ]
        missing.sort(key=lambda m: (str(m.subject), m.currency, m.measure, m.start))
        return converted, used, missing

    def _scaled_sums(self) -> dict[tuple[Any, int], list[int]]:
        """Per (subject, shift), in the order they came, the sums of minor units times rate
        digits of ``add_month`` and ``add_months`` together (exact integers)."""
        if not self._raw:
            return self._scaled
        out = {
            key: list(self._scaled.get(key, ())) or [0] * len(self.measures) for key in self._order
        }
        for (subject, (digits, shift)), amounts in self._raw.items():
            out[(subject, shift)][:] = map(
                add, out[(subject, shift)], map(mul, amounts, repeat(digits))
            )
        return out


def _in_order(spans: Iterable[Span]) -> list[Span]:
    """Spans by currency and first day."""
    return sorted(spans, key=lambda s: (s.rate.currency if s.rate else "", s.start))


@cache
def _scale(rate: Decimal, code: str) -> tuple[int, int]:
    """A rate as integer digits and the power of ten that turns minor units times them into
    reporting-currency units: minor x rate = minor x digits x 10**shift."""
    sign, digits, exponent = rate.as_tuple()
    assert isinstance(exponent, int)
    value = int("".join(map(str, digits)) or "0")
    return (-value if sign else value), exponent - minor_units(code)


@dataclass(frozen=True, slots=True)
class Missing:
    """An amount that has no rate: its subject, currency, measure and the days it falls in."""

    subject: Any
    currency: str
    measure: str
    amount_minor: int
    start: date
    end: date


@dataclass(frozen=True, slots=True)
class Conversion:
    """Converted sums (exact), the spans whose rates were used, and the amounts left unconverted."""

    reporting: str
    sums: dict[tuple[Any, str], Decimal]
    used: list[Span]
    missing: list[Missing]
    _grouped: dict[Any, dict[str, Decimal | None]] = field(default_factory=dict)
    _missing: dict[Any, list[Missing]] = field(default_factory=dict)

    def incomplete(self, subject: Any) -> set[str]:
        """The measures of ``subject`` with an amount that could not be converted."""
        return {m.measure for m in self.missing if m.subject == subject}

    def figure(self, subject: Any, measure: str) -> Decimal | None:
        """The converted sum, or None when part of it has no rate."""
        if measure in self.incomplete(subject):
            return None
        return self.sums.get((subject, measure), Decimal(0))

    def of(self, subjects: Iterable[Any]) -> dict[str, Decimal | None]:
        """The subjects' converted sums together per measure; None where a part has no rate."""
        by_subject = self._by_subject()
        out: dict[str, Decimal | None] = {}
        for subject in subjects:
            for measure, value in by_subject.get(subject, {}).items():
                held = out.get(measure, Decimal(0))
                out[measure] = None if held is None or value is None else held + value
        return out

    def missing_of(self, subjects: Iterable[Any]) -> list[Missing]:
        """The amounts of the subjects that have no rate."""
        if not self._missing and self.missing:
            for m in self.missing:
                self._missing.setdefault(m.subject, []).append(m)
        return [m for subject in subjects for m in self._missing.get(subject, [])]

    def _by_subject(self) -> dict[Any, dict[str, Decimal | None]]:
        if not self._grouped:
            grouped: dict[Any, dict[str, Decimal | None]] = defaultdict(dict)
            for (subject, measure), value in self.sums.items():
                grouped[subject][measure] = value
            for m in self.missing:
                grouped[m.subject][m.measure] = None
            self._grouped.update(grouped)
        return self._grouped


def decompose(
    since: date | None, until: date | None
) -> tuple[tuple[str, str] | None, list[tuple[date, date]]]:
    """Split the days ``since``..``until`` into a run of whole months and the days around it.

    Returns ((first month, last month) or None, [(first day, last day), ...]); an open end
    (None) reaches as far as there are months.
    """
    low, high = since or date.min, until or date.max
    if low > high:
        return None, []
    first_whole = low if low.day == 1 else month_bounds(month_of(low))[1] + timedelta(days=1)
    start_of_last = month_bounds(month_of(high))[0]
    last_whole = high if high == month_bounds(month_of(high))[1] else start_of_last - timedelta(1)
    if first_whole > last_whole:
        return None, [(low, high)]
    days: list[tuple[date, date]] = []
    if low < first_whole:
        days.append((low, first_whole - timedelta(days=1)))
    if last_whole < high:
        days.append((last_whole + timedelta(days=1), high))
    return (month_of(first_whole), month_of(last_whole)), days
