"""Row operations that projections emit, and table definitions; the federation layer runs them.

Projections stay pure: an event goes in, a list of operations comes out. Money is stored as an
integer count of the currency's minor units, so SQL sums are exact in SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from domain.money import Money, currency


@dataclass(frozen=True, slots=True)
class Table:
    """A view table: its name, its columns with SQL types, and its key columns."""

    name: str
    columns: dict[str, str]
    key: tuple[str, ...]
    indexes: tuple[tuple[str, ...], ...] = ()

    def ddl(self, dialect: str = "sqlite") -> list[str]:
        """CREATE statements for SQLite or PostgreSQL (which spells BLOB as BYTEA)."""
        types = {"BLOB": "BYTEA"} if dialect == "postgres" else {}
        cols = ", ".join(f"{name} {types.get(kind, kind)}" for name, kind in self.columns.items())
        statements = [
            f"CREATE TABLE IF NOT EXISTS {self.name} ({cols}, PRIMARY KEY ({', '.join(self.key)}))"
        ]
        for index in self.indexes:
            name = f"ix_{self.name}_{'_'.join(index)}"
            statements.append(
                f"CREATE INDEX IF NOT EXISTS {name} ON {self.name} ({', '.join(index)})"
            )
        return statements


@dataclass(frozen=True, slots=True)
class Put:
    """Insert the row, or replace its non-key columns if the key exists."""

    table: Table
    row: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Change:
    """Set columns of the row with this key (nothing happens if there is none)."""

    table: Table
    key: dict[str, Any]
    values: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Add:
    """Add amounts to numeric columns of the row with this key, creating it at zero if missing."""

    table: Table
    key: dict[str, Any]
    amounts: dict[str, int]
    defaults: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Repost:
    """Move a subject's whole balance in one measure to another (or out, when ``to`` is None).

    Events like "sent" or "reversed" do not repeat the amount: the amount is whatever the
    subject's earlier events put in ``source``. Two rows are written under ``key``: the
    source less that sum and, if ``to`` is given, the target plus it.
    """

    table: Table
    key: str
    subject_id: str
    source: str
    to: str | None
    value_date: str | None = None


Op = Put | Change | Add | Repost


def to_minor(money: Money) -> int:
    """The amount as a whole number of minor units (12.50 USD -> 1250)."""
    scaled = money.amount.scaleb(currency(money.currency).minor_units)
    assert scaled == scaled.to_integral_value(), "Money never has more decimals than allowed"
    return int(scaled)


def from_minor(minor: int, code: str) -> Money:
    """The inverse of ``to_minor``."""
    return Money(Decimal(minor).scaleb(-currency(code).minor_units), code).normalised()


def amount_text(minor: int, code: str) -> str:
    """Minor units written as a decimal amount with the currency's decimals ("1250" -> "12.50")."""
    return str(from_minor(minor, code).amount)
