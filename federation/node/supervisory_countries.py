"""The overview kept country by country, recomputed only for the countries that moved.

Converting reads every month of every country (each month takes its own rate) and multiplies it
out; most of an overview's cost. A country's rows are written only by its own node's events, so
its part of the answer — its measures per currency, their conversion, and both as text — is a
function of its rows, the rates and the question. Parts are kept with the projection's position
of their country and the rates they were converted at, and computed again only when either
moves: after one node's page arrives, one country is converted, not the federation.

The federation's figures are put together from the parts exactly as the one-pass answer does:
sums per currency, converted sums added country by country in the countries' order, the rates
used and the amounts without a rate gathered from every part.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from federation.persistence.collector import ANSWER_THRESHOLD, fewer_collections
from projections.supervisory.convert import Conversion, Converter, Missing, Rate, Span
from projections.supervisory.flows import MEASURES

Question = tuple[Any, ...]  # (reporting, since, until, currency, max age)
AllMonths = dict[str, tuple[tuple[Any, ...], ...]]  # country -> every month's row
KEPT_QUESTIONS = 16
ONE_BY_ONE = 4  # beyond this many countries moved, all are read in one pass


@dataclass(frozen=True, slots=True)
class CountryPart:
    """One country's share of a converted overview."""

    measures: dict[str, dict[str, int]]  # currency -> measure -> minor units (non-zero)
    conversion: Conversion | None  # of this country alone (its subject is the country)
    currencies: list[dict[str, Any]]  # the measures as figures in text
    converted: dict[str, Any] | None  # the conversion as figures in text
    # The whole months' rows the measures were summed from (converted answers only): with
    # the measures and their text, a function of the country's rows alone, not of the rates.
    months: tuple[tuple[Any, ...], ...] | None = None
    # The currencies the country has amounts in (all time): its conversion depends on their
    # rates alone.
    codes: tuple[str, ...] = ()


@dataclass
class RateBook:
    """The spans of every currency at the rates of one question, shared by its converters."""

    reporting: str
    rates: dict[str, list[Rate]]
    max_age: int | None
    spans: dict[str, list[Span]] = field(default_factory=dict)
    starts: dict[str, list[date]] = field(default_factory=dict)
    months: dict[tuple[str, str], int] = field(default_factory=dict)
    takes: dict[tuple[str, str], Any] = field(default_factory=dict)

    def converter(self) -> Converter:
        """A converter that reads and fills the shared spans (pure functions of the rates)."""
        return Converter(
            self.reporting,
            self.rates,
            self.max_age,
            tuple(MEASURES),
            _spans=self.spans,
            _starts=self.starts,
            _months=self.months,
            _takes=self.takes,
        )


@dataclass
class _Kept:
    rates: tuple[Any, ...] | None = None  # the rates ``book`` converts at
    book: RateBook | None = None
    # Per country: its position, the rates of its currencies, its part at both.
    parts: dict[str, tuple[int, tuple[Any, ...], CountryPart]] = field(default_factory=dict)


def fingerprints(rates: dict[str, list[Rate]]) -> dict[str, tuple[Any, ...]]:
    """Each currency's rates as a value: a part converted at the same values is the same."""
    return {
        code: tuple(sorted((r.observed_on, r.rate, r.source) for r in observed))
        for code, observed in rates.items()
    }


class KeptCountries:
    """Country parts per question, each with its country's position and the rates of its
    currencies (see the module).

    A part's conversion depends only on the rates of the currencies its country has amounts
    in: after a new rate, only the countries with amounts in that currency are converted
    again. A part's measures (the months read and summed, and their text) depend on no rate:
    the latest part of each country is also kept per question without its reporting currency
    and rates, so that those countries are converted again from the months kept, not read.
    """

    def __init__(self) -> None:
        self._questions: OrderedDict[Question, _Kept] = OrderedDict()
        self._measured: OrderedDict[Question, dict[str, tuple[int, CountryPart]]] = OrderedDict()
        # Rate books by (reporting currency, maximum age, rates): every question at the same
        # rates shares one, so a new period finds the spans and months' rates worked out.
        self._books: OrderedDict[tuple[Any, ...], RateBook | None] = OrderedDict()
        self._lock = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self._questions.clear()
            self._measured.clear()
            self._books.clear()

    def __len__(self) -> int:
        """How many questions (reporting currency, period...) have their parts kept."""
        with self._lock:
            return len(self._questions)

    def parts(
        self,
        question: Question,
        rates: dict[str, list[Rate]],
        book: Callable[[], RateBook | None],
        positions: dict[str, int],
        countries: Sequence[str],
        compute: Callable[
            [Sequence[str], bool, RateBook | None, dict[str, CountryPart], AllMonths],
            dict[str, CountryPart],
        ],
    ) -> dict[str, CountryPart]:
        """The parts of ``countries`` for ``question`` (reporting currency, since, until,
        currency, maximum age) at ``rates``, computed where their position or the rates of
        their currencies moved.

        ``compute(countries, whole, book, measured, every)`` gives the parts of those
        countries: one by one, or (``whole``) all read in one pass; ``measured`` holds, of those
        countries, the parts computed at their present position (their months and measures
        hold); ``every``, for a question over a period, every month of those countries where an
        answer over all time (in any reporting currency) kept them at their present positions:
        the period's whole months are among them and need not be read. Call it inside one read
        transaction with ``positions`` read in it: the parts kept are those of the state read.
        """
        prints = fingerprints(rates) if question[0] else {}

        def rated(part: CountryPart) -> tuple[Any, ...]:
            return tuple((code, prints.get(code, ())) for code in part.codes) if prints else ()

        with self._lock:
            kept = self._questions.get(question)
            if kept is None:
                kept = self._questions[question] = _Kept()
                while len(self._questions) > KEPT_QUESTIONS:
                    self._questions.popitem(last=False)
            self._questions.move_to_end(question)
            every = tuple(sorted(prints.items()))
            if kept.rates != every or kept.book is None:
                kept.rates, kept.book = every, self._book((question[0], question[4], every), book)
            stale = []
            for c in countries:
                held = kept.parts.get(c)
                if held is None or held[0] != positions.get(c, 0) or held[1] != rated(held[2]):
                    stale.append(c)
            if stale:
                measured = self._measured_at(question[1:4], positions, stale)
                # Many moved (or nothing is kept yet): one pass over every country is quicker;
                # only over those stale when all their months are kept (a new rate).
                whole = len(stale) > ONE_BY_ONE
                todo = countries if whole and len(measured) < len(stale) else stale
                # A pass over every country makes some hundred thousand short-lived objects:
                # bulk work, during which the collector's walks only lengthen the answer
                # (its p99 by 5-25 ms at a million events; see persistence/collector.py).
                over_a_period = question[1:3] != (None, None)
                months = self._all_time(question, positions, todo) if over_a_period else {}
                with fewer_collections(ANSWER_THRESHOLD):
                    computed = compute(todo, whole, kept.book, measured, months)
                for c, part in computed.items():
                    kept.parts[c] = (positions.get(c, 0), rated(part), part)
                    if part.months is not None:
                        self._measured[question[1:4]][c] = (positions.get(c, 0), part)
            return {c: kept.parts[c][2] for c in countries}

    def _book(self, key: tuple[Any, ...], book: Callable[[], RateBook | None]) -> RateBook | None:
        """The rate book of ``key`` (reporting currency, maximum age, rates), made once."""
        if key not in self._books:
            self._books[key] = book()
            while len(self._books) > KEPT_QUESTIONS:
                self._books.popitem(last=False)
        self._books.move_to_end(key)
        return self._books[key]

    def _all_time(
        self, question: Question, positions: dict[str, int], countries: Sequence[str]
    ) -> AllMonths:
        """Every month of ``countries`` (of the question's currency) where an answer over all
        time kept them at their present positions; {} unless all of them have theirs."""
        key = (None, None, question[3])
        measured = self._measured.get(key)
        if measured is None:
            return {}
        self._measured.move_to_end(key)  # the months every period is taken from: kept longest
        out = {}
        for c in countries:
            held = measured.get(c)
            if held is None or held[0] != positions.get(c, 0) or held[1].months is None:
                return {}
            out[c] = held[1].months
        return out

    def _measured_at(
        self, question: Question, positions: dict[str, int], countries: Sequence[str]
    ) -> dict[str, CountryPart]:
        """The parts of ``countries`` kept for ``question`` (since, until, currency) at their
        present positions."""
        measured = self._measured.get(question)
        if measured is None:
            measured = self._measured[question] = {}
            while len(self._measured) > KEPT_QUESTIONS:
                self._measured.popitem(last=False)
        self._measured.move_to_end(question)
        out = {}
        for c in countries:
            held = measured.get(c)
            if held is not None and held[0] == positions.get(c, 0):
                out[c] = held[1]
        return out


def combined(reporting: str, parts: Sequence[CountryPart]) -> Conversion:
    """One conversion of all the parts' countries, as one converter over them all gives it."""
    sums = {}
    # A span is its currency's from its first day (hashing the spans themselves is slower).
    used: dict[tuple[str, date], Span] = {}
    missing: list[Missing] = []
    for part in parts:  # in the countries' order: ``missing`` stays sorted by country
        if part.conversion is None:
            continue
        sums.update(part.conversion.sums)
        for span in part.conversion.used:
            used[(span.rate.currency if span.rate else "", span.start)] = span
        missing.extend(part.conversion.missing)
    return Conversion(reporting, sums, [used[k] for k in sorted(used)], missing)


def federation_measures(parts: Sequence[CountryPart]) -> dict[str, dict[str, int]]:
    """The parts' measures added per currency."""
    out: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for part in parts:
        for code, measures in part.measures.items():
            for measure, minor in measures.items():
                out[code][measure] += minor
    return out


__all__ = [
    "CountryPart",
    "KeptCountries",
    "RateBook",
    "combined",
    "federation_measures",
    "fingerprints",
]
