"""Amounts as text: minor units and exact converted sums written with their currency's decimals.

Every figure of the supervisory view is text (never a float); an overview writes a few thousand
of them, so these build no Money and keep each currency's decimals at hand.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_EVEN, Decimal
from functools import cache

from domain.money import currency as currency_of


@cache
def minor_units(code: str) -> int:
    return currency_of(code).minor_units


def minor_text(minor: int, code: str) -> str:
    """Minor units as decimal text with the currency's decimals (1250 USD -> "12.50").

    The same text as ``projections.rows.amount_text``, without building Money: answers format
    thousands of amounts.
    """
    places = minor_units(code)
    if places == 0:
        return str(minor)
    whole, part = divmod(abs(minor), 10**places)
    return f"{'-' if minor < 0 else ''}{whole}.{part:0{places}d}"


@cache
def figure_text(code: str) -> Callable[[int | Decimal | None], str | None]:
    """The text of one figure in ``code``: minor units (int) as ``minor_text``, an exact
    converted sum (Decimal) as ``rounded``, None (no rate) as None.

    One function per currency, with its decimals at hand: an overview formats a few thousand
    figures, and most are whole amounts of at least one major unit, cut as text.
    """
    places = minor_units(code)
    unit = 10**places
    step = quantum(code)
    zero = minor_text(0, code)

    def text(value: int | Decimal | None) -> str | None:
        if value is None:
            return None
        if type(value) is int:
            if value >= unit and places:
                digits = str(value)
                return f"{digits[:-places]}.{digits[-places:]}"
            return zero if value == 0 else minor_text(value, code)
        if isinstance(value, Decimal):
            return str(value.quantize(step, rounding=ROUND_HALF_EVEN))
        return minor_text(int(value), code)

    return text


@cache
def quantum(code: str) -> Decimal:
    """The currency's smallest unit as a Decimal (0.01 for two decimals)."""
    return Decimal(1).scaleb(-minor_units(code))


def rounded(amount: Decimal, code: str) -> str:
    """An exact converted sum rounded once to the currency's minor units, as text."""
    return str(amount.quantize(quantum(code), rounding=ROUND_HALF_EVEN))
