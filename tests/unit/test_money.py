"""Money is exact: no floats, no exponents, no silent rounding, no mixed currencies."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.errors import InvalidInput, RuleBroken
from domain.money import CURRENCIES, Money, parse_amount, require_positive


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
