"""Money is exact: no floats, no exponents, no silent rounding, no mixed currencies."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import InvalidInput, RuleBroken
from domain.money import CURRENCIES, Money, money_of_text, parse_amount, require_positive


def test_amounts_are_exact_decimals() -> None:
    assert Money.of("12.50", "USD").amount == Decimal("12.50")
    assert str(Money.of("25", "FRF")) == "25.00 FRF"
    assert str(Money.of("1000", "JPY")) == "1000 JPY"


@pytest.mark.parametrize(
    "text", ["1e3", "1E3", "0x10", "NaN", "Infinity", "1_000", "", " ", "1.", ".5", "1,5"]
)
def test_amounts_not_in_plain_decimal_notation_are_refused(text: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        Money.of(text, "USD")
    assert refused.value.code == "money.invalid_amount"


def test_floats_are_refused_even_when_exact() -> None:
    with pytest.raises(InvalidInput, match="decimal strings"):
        parse_amount(0.5)  # type: ignore[arg-type]


def test_more_decimals_than_the_currency_allows_is_refused_not_rounded() -> None:
    with pytest.raises(InvalidInput) as refused:
        Money.of("0.105", "USD")
    assert refused.value.code == "money.too_precise"
    assert "never rounded" in refused.value.message
    with pytest.raises(InvalidInput):
        Money.of("1.5", "JPY")
    assert Money.of("0.105", "KWD").amount == Decimal("0.105")


def test_trailing_zeros_are_not_extra_precision() -> None:
    assert Money.of("1.500", "USD") == Money.of("1.5", "USD")


def test_unknown_currencies_are_refused_with_the_known_ones_listed() -> None:
    with pytest.raises(InvalidInput) as refused:
        Money.of("1", "ZZZ")
    assert refused.value.code == "money.unknown_currency"
    assert "XPM" in refused.value.message


def test_the_currencies_of_1922_are_registered() -> None:
    assert CURRENCIES["XPM"].historic
    assert "Papiermark" in CURRENCIES["XPM"].name
    assert "sovznak" in CURRENCIES["XSR"].name
    assert CURRENCIES["FRF"].minor_units == 2


def test_different_currencies_are_never_added_or_compared() -> None:
    with pytest.raises(RuleBroken) as refused:
        Money.of("1", "USD") + Money.of("1", "FRF")
    assert refused.value.code == "money.mixed_currencies"
    with pytest.raises(RuleBroken):
        _ = Money.of("1", "USD") < Money.of("1", "FRF")


def test_zero_and_negative_amounts_are_refused_where_positive_is_required() -> None:
    for text in ("0", "-5.00"):
        with pytest.raises(InvalidInput) as refused:
            require_positive(Money.of(text, "USD"), "the amount received")
        assert refused.value.code == "money.not_positive"
    assert require_positive(Money.of("0.01", "USD"), "x").amount == Decimal("0.01")


def built(make: Any, amount: str, code: str) -> tuple[str, str, str]:
    """What building Money gave: its value, its type and currency, or the error's kind and text."""
    try:
        money = make(amount, code)
    except Exception as error:  # the error is the outcome compared
        return ("refused", type(error).__name__, str(error))
    return (repr(money), type(money).__name__, money.currency)


def general(amount: str, code: str) -> Money:
    return Money(Decimal(amount), code)


amount_texts = st.one_of(
    st.from_regex(r"-?[0-9]{1,30}(\.[0-9]{0,5})?", fullmatch=True),  # near the shortcut's edge
    st.sampled_from(
        [
            "1E+3",
            "1e-2",
            "-0",
            "0.000",
            "1.",
            ".5",
            " 5",
            "5 ",
            "1_000",
            "NaN",
            "-Infinity",
            "\u0661\u066b\u0665",
            "\u0661.\u0665\u0660",
            "\u00b2",
            "12.50\n",
            "--1",
            "+1",
            "",
        ]
    ),
    st.text(max_size=8),
)


@given(amount_texts, st.sampled_from([*CURRENCIES, "ZZZ", "usd", "", "JPY "]))
def test_money_read_from_text_is_what_money_builds_from_the_decimal(amount: str, code: str) -> None:
    assert built(money_of_text, amount, code) == built(general, amount, code)


@pytest.mark.parametrize(
    ("amount", "code"),
    [("526.32", "FRF"), ("1000", "JPY"), ("0.105", "KWD"), ("1.5", "JPY"), ("0.105", "USD"),
     ("1.50", "XPM"), ("1E+3", "USD"), ("-12.5", "USD"), ("1.50", "ZZZ"), ("1.5.0", "USD")],
)  # fmt: skip
def test_the_amounts_of_stored_events_read_as_money_builds_them(amount: str, code: str) -> None:
    assert built(money_of_text, amount, code) == built(general, amount, code)
