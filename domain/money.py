"""Exact money: a Decimal amount in a currency with fixed minor units; never floats, never rounding.

The registry holds the ISO 4217 codes a federation of aid committees meets today and the
currencies of 1922-23 that ISO never coded. Historic currencies use codes from ISO's
user-assigned range (X..), so they cannot collide with a future ISO code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from domain.errors import InvalidInput, RuleBroken


@dataclass(frozen=True, slots=True)
class Currency:
    """A currency: its code, its name and how many minor units (decimal places) it has."""

    code: str
    name: str
    minor_units: int
    historic: bool = False


_CURRENCIES = [
    # ISO 4217, current.
    Currency("USD", "US dollar", 2),
    Currency("EUR", "euro", 2),
    Currency("GBP", "pound sterling", 2),
    Currency("CHF", "Swiss franc", 2),
    Currency("NOK", "Norwegian krone", 2),
    Currency("DKK", "Danish krone", 2),
    Currency("SEK", "Swedish krona", 2),
    Currency("CZK", "Czech koruna", 2),
    Currency("JPY", "yen", 0),
    Currency("RUB", "Russian rouble", 2),
    Currency("CAD", "Canadian dollar", 2),
    Currency("AUD", "Australian dollar", 2),
    Currency("PLN", "zloty", 2),
    Currency("KWD", "Kuwaiti dinar", 3),
    # ISO 4217, withdrawn: the currencies of the 1922-23 committees that ISO did code.
    Currency("FRF", "French franc", 2, historic=True),
    Currency("NLG", "Dutch guilder", 2, historic=True),
    Currency("BEF", "Belgian franc", 2, historic=True),
    Currency("ITL", "Italian lira", 0, historic=True),
    Currency("CSK", "Czechoslovak koruna", 2, historic=True),
    # Project-defined (ISO user-assigned range): never coded by ISO.
    Currency("XPM", "German paper mark (Papiermark, 1914-1923)", 2, historic=True),
    Currency("XSR", "Soviet sovznak rouble (1919-1924)", 2, historic=True),
    Currency("XCV", "Soviet chervonets (1922-1947)", 2, historic=True),
]

CURRENCIES: dict[str, Currency] = {c.code: c for c in _CURRENCIES}

# Plain decimal notation only: "1e3", "0x10", "1_000", "NaN" and "Infinity" are refused.
_AMOUNT = re.compile(r"^-?\d+(\.\d+)?$")
# The same in ASCII digits: text whose exponent is minus the number of digits after its dot.
_ASCII_AMOUNT = re.compile(r"-?[0-9]+(?:\.[0-9]+)?", re.ASCII)


def currency(code: str) -> Currency:
    """Return the registered currency for ``code`` or refuse it with an error naming the code."""
    try:
        return CURRENCIES[code]
    except KeyError:
        known = ", ".join(sorted(CURRENCIES))
        raise InvalidInput(
            "money.unknown_currency",
            f"unknown currency {code!r}; use one of: {known}",
        ) from None


def parse_amount(text: str | Decimal | int) -> Decimal:
    """Parse an amount written in plain decimal notation; exponents and floats are refused."""
    if isinstance(text, (bool, float)):
        raise InvalidInput(
            "money.invalid_amount",
            "amounts must be given as decimal strings such as '12.50', not as floats",
        )
    raw = str(text).strip()
    if not _AMOUNT.match(raw):
        raise InvalidInput(
            "money.invalid_amount",
            f"amount {raw!r} is not a plain decimal number; write it like '1000' or '12.50'",
        )
    try:
        return Decimal(raw)
    except InvalidOperation:  # pragma: no cover - the pattern above already excludes this
        raise InvalidInput("money.invalid_amount", f"amount {raw!r} is not a number") from None


@dataclass(frozen=True, slots=True)
class Money:
    """An exact amount in one currency, with no more decimals than the currency's minor units."""

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal) or not self.amount.is_finite():
            raise InvalidInput("money.invalid_amount", f"amount {self.amount!r} is not exact")
        unit = currency(self.currency)
        exponent = self.amount.as_tuple().exponent
        assert isinstance(exponent, int)  # finite decimals have an int exponent
        if -exponent > unit.minor_units and self.amount != self.amount.quantize(
            Decimal(1).scaleb(-unit.minor_units)
        ):
            raise InvalidInput(
                "money.too_precise",
                f"{self.amount} {self.currency} has more decimals than the "
                f"{unit.minor_units} the {unit.name} allows; amounts are never rounded",
            )

    @classmethod
    def of(cls, amount: str | Decimal | int, code: str) -> Money:
        """Parse ``amount`` (plain decimal text) in currency ``code``."""
        return cls(parse_amount(amount), code.strip().upper() if code else code)

    @classmethod
    def zero(cls, code: str) -> Money:
        """Zero in currency ``code``."""
        return cls(Decimal(0), code)

    @property
    def minor_units(self) -> int:
        """The currency's number of decimal places."""
        return currency(self.currency).minor_units

    def normalised(self) -> Money:
        """The same amount written with exactly the currency's minor units (1.5 -> 1.50)."""
        return Money(self.amount.quantize(Decimal(1).scaleb(-self.minor_units)), self.currency)

    def __str__(self) -> str:
        return f"{self.normalised().amount} {self.currency}"

    def _same_currency(self, other: Money) -> None:
        if self.currency != other.currency:
            raise RuleBroken(
                "money.mixed_currencies",
                f"cannot combine {self.currency} with {other.currency}: "
                "amounts in different currencies are never added or compared",
            )

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same_currency(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same_currency(other)
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        self._same_currency(other)
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        self._same_currency(other)
        return self.amount >= other.amount

    @property
    def is_positive(self) -> bool:
        """True when the amount is above zero."""
        return self.amount > 0


def money_of_text(amount: str, code: str) -> Money:
    """``Money(Decimal(amount), code)``: the same value and the same errors, in fewer steps.

    An amount in plain ASCII notation shows its exponent (minus its decimals): when the code is
    known and the decimals are within its minor units, the text alone proves every rule of
    ``Money``, and the value is built without checking them again. Anything else is built (or
    refused) by ``Money`` itself.
    """
    unit = CURRENCIES.get(code)
    if unit is not None and _ASCII_AMOUNT.fullmatch(amount):
        dot = amount.find(".")
        if dot < 0 or len(amount) - dot - 1 <= unit.minor_units:
            money = object.__new__(Money)
            object.__setattr__(money, "amount", Decimal(amount))
            object.__setattr__(money, "currency", code)
            return money
    return Money(Decimal(amount), code)


def require_positive(money: Money, what: str) -> Money:
    """Refuse zero and negative amounts, naming what the amount was for."""
    if not money.is_positive:
        raise InvalidInput(
            "money.not_positive",
            f"{what} must be above zero, got {money}",
        )
    return money


def total(amounts: list[Money], code: str) -> Money:
    """Sum ``amounts``, all of which must be in currency ``code``."""
    result = Money.zero(code)
    for amount in amounts:
        result = result + amount
    return result
