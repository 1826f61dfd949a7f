"""Conversion at the rate of each value date: spans of one rate, whole months, exact sums."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from projections.supervisory.amount_text import rounded
from projections.supervisory.convert import Converter, Rate, Span, decompose, spans

MARK_JANUARY = Rate("XPM", Decimal("0.0030"), date(1922, 1, 1), "Berlin")
MARK_MARCH = Rate("XPM", Decimal("0.0020"), date(1922, 3, 16), "Berlin")


def test_each_rate_serves_until_the_next_or_until_it_is_too_old() -> None:
    assert spans([MARK_MARCH, MARK_JANUARY], max_age_days=None) == [
        Span(date.min, date(1921, 12, 31), None),
        Span(date(1922, 1, 1), date(1922, 3, 15), MARK_JANUARY),
        Span(date(1922, 3, 16), date.max, MARK_MARCH),
    ]
    assert spans([MARK_JANUARY, MARK_MARCH], max_age_days=31) == [
        Span(date.min, date(1921, 12, 31), None),
        Span(date(1922, 1, 1), date(1922, 2, 1), MARK_JANUARY),
        Span(date(1922, 2, 2), date(1922, 3, 15), None),
        Span(date(1922, 3, 16), date(1922, 4, 16), MARK_MARCH),
        Span(date(1922, 4, 17), date.max, None),
    ]


def test_without_rates_nothing_converts() -> None:
    assert spans([], max_age_days=31) == [Span(date.min, date.max, None)]


def test_a_period_is_whole_months_and_the_days_around_them() -> None:
    assert decompose(None, None) == (("0001-01", "9999-12"), [])
    assert decompose(date(1922, 3, 5), date(1922, 6, 10)) == (
        ("1922-04", "1922-05"),
        [(date(1922, 3, 5), date(1922, 3, 31)), (date(1922, 6, 1), date(1922, 6, 10))],
    )
    assert decompose(date(1922, 3, 1), date(1922, 3, 31)) == (("1922-03", "1922-03"), [])
    assert decompose(date(1922, 3, 5), date(1922, 3, 9)) == (
        None,
        [(date(1922, 3, 5), date(1922, 3, 9))],
    )
    assert decompose(date(1922, 2, 1), date(1922, 2, 28)) == (("1922-02", "1922-02"), [])
    assert decompose(date(1922, 5, 1), date(1922, 4, 1)) == (None, [])


def test_a_month_with_a_change_of_rate_is_not_whole() -> None:
    converter = Converter("USD", {"XPM": [MARK_JANUARY, MARK_MARCH]})
    assert converter.whole_month("XPM", "1922-02")
    assert not converter.whole_month("XPM", "1922-03")
    assert converter.whole_month("USD", "1922-03")


def test_sums_are_exact_and_rounded_once() -> None:
    francs = Rate("FRF", Decimal("0.075"), date(1922, 7, 1))
    converter = Converter("USD", {"FRF": [francs]})
    converter.add_day("FR", "FRF", "loan_subscribed", date(1922, 10, 1), 15000)
    converter.add_day("FR", "FRF", "loan_subscribed", date(1922, 10, 2), 2500)
    converter.add_day("FR", "FRF", "loan_redeemed", date(1922, 12, 1), 2500)
    result = converter.result()
    assert result.figure("FR", "loan_subscribed") == Decimal("13.125")
    assert rounded(Decimal("13.125"), "USD") == "13.12"
    assert rounded(Decimal("1.875"), "USD") == "1.88"
    assert rounded(Decimal("13.125") - Decimal("1.875"), "USD") == "11.25"
    assert [s.rate for s in result.used] == [francs]


def test_an_amount_without_a_rate_is_missing_never_zero() -> None:
    converter = Converter("USD", {"XPM": [MARK_JANUARY]}, max_age_days=31)
    converter.add_day("DE", "XPM", "received", date(1922, 1, 10), 40000000)
    converter.add_day("DE", "XPM", "received", date(1922, 3, 20), 10000000)
    result = converter.result()
    assert result.figure("DE", "received") is None
    [missing] = result.missing
    assert (missing.currency, missing.amount_minor, missing.start) == (
        "XPM",
        10000000,
        date(1922, 2, 2),
    )
    assert result.sums[("DE", "received")] == Decimal("1200.0000")


def test_what_cancels_out_within_one_rate_needs_no_rate() -> None:
    converter = Converter("USD", {})
    converter.add_day("DE", "XPM", "received", date(1922, 3, 10), 5000000)
    converter.add_day("DE", "XPM", "received", date(1922, 3, 10), -5000000)
    assert converter.result().missing == []


def test_the_reporting_currency_converts_at_one() -> None:
    converter = Converter("USD", {}, measures=("received", "in_kind"))
    converter.add_month("US", "USD", "1922-01", [5000000, 0])
    assert converter.result().figure("US", "received") == Decimal("50000.00")
