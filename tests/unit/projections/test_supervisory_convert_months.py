"""The cheap paths of conversion give what the plain ones give: whole months added in bulk
(``add_months``) as one by one (``add_month``), and a figure's text (``figure_text``) as
``minor_text`` / ``rounded``."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from projections.supervisory.amount_text import figure_text, minor_text, rounded
from projections.supervisory.convert import Converter, Rate

MEASURES = ("received", "in_kind", "pledged")
RATES = {
    # A rate per month start, one mid-month, with gaps longer than the maximum age.
    "XPM": [
        Rate("XPM", Decimal("0.0030"), date(1922, 1, 1), "Berlin"),
        Rate("XPM", Decimal("0.0030"), date(1922, 2, 1), "Berlin"),
        Rate("XPM", Decimal("0.0001304347826086956521739130435"), date(1922, 3, 1), "Berlin"),
        Rate("XPM", Decimal("0.00001"), date(1922, 3, 16), "Berlin, mid-month"),
        Rate("XPM", Decimal("0.0020"), date(1922, 6, 1), "Berlin"),
    ],
    "FRF": [
        Rate("FRF", Decimal("0.075"), date(1922, 1, 1), "Paris"),
        Rate("FRF", Decimal("0.0712"), date(1922, 4, 1), "Paris"),
    ],
    "JPY": [Rate("JPY", Decimal("0.48"), date(1922, 2, 1), "Tokyo")],
}
MONTHS = [f"1922-{m:02d}" for m in range(1, 9)]

rows = st.lists(
    st.tuples(
        st.sampled_from(["DE", "FR", "JP"]),
        st.sampled_from(["XPM", "FRF", "JPY", "USD", "SEK"]),
        st.sampled_from(MONTHS),
        st.lists(
            st.one_of(st.just(0), st.integers(-(10**12), 10**12)),
            min_size=len(MEASURES),
            max_size=len(MEASURES),
        ),
    ),
    max_size=40,
)


def converter(max_age: int | None) -> Converter:
    return Converter("USD", RATES, max_age, MEASURES)


@settings(max_examples=200, deadline=None)
@given(rows=rows, max_age=st.sampled_from([None, 31, 45]))
def test_months_added_in_bulk_convert_as_one_by_one(
    rows: list[tuple[str, str, str, list[int]]], max_age: int | None
) -> None:
    one_by_one, bulk = converter(max_age), converter(max_age)
    left_out = set()
    for subject, code, month, amounts in rows:
        if one_by_one.whole_month(code, month):
            one_by_one.add_month(subject, code, month, amounts)
        else:
            left_out.add((code, month))
    assert bulk.add_months([(s, c, m, *a) for s, c, m, a in rows]) == left_out
    assert bulk.result() == one_by_one.result()
    assert bulk.results() == one_by_one.results()
    # The same Decimals, digit for digit (equal values may differ in exponent).
    assert {k: str(v) for k, v in bulk.result().sums.items()} == {
        k: str(v) for k, v in one_by_one.result().sums.items()
    }


def test_a_month_whose_rate_changes_is_left_out_to_be_added_by_day() -> None:
    bulk = converter(31)
    split = bulk.add_months(
        [("DE", "XPM", "1922-03", 100, 0, 0), ("DE", "XPM", "1922-02", 5, 0, 0)]
    )
    assert split == {("XPM", "1922-03")}
    assert bulk.result().figure("DE", "received") == Decimal("0.00015")


@settings(max_examples=300, deadline=None)
@given(
    code=st.sampled_from(["USD", "JPY", "KWD", "XPM"]),
    minor=st.one_of(st.integers(-(10**15), 10**15), st.integers(-1000, 1000)),
    exponent=st.integers(-30, 2),
)
def test_a_figure_reads_as_its_minor_units_or_its_rounded_sum(
    code: str, minor: int, exponent: int
) -> None:
    text = figure_text(code)
    assert text(minor) == minor_text(minor, code)
    exact = Decimal(minor).scaleb(exponent)
    assert text(exact) == rounded(exact, code)
    assert text(None) is None
