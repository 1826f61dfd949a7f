"""Queries over the view tables with optional filters, written once for SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

# A filter: a condition with ``?`` placeholders and its parameters, or None when not asked for.
Filter = tuple[str, tuple[Any, ...]] | None


def filtered(
    base: str, filters: Sequence[Filter], order: str, limit: int, offset: int
) -> tuple[str, list[Any]]:
    """``base`` narrowed by the filters that are set, ordered and paged.

    The filters apply to the columns ``base`` selects (it is wrapped as a subquery), and no
    parameter is ever compared with NULL in SQL: PostgreSQL could not infer its type.
    """
    used = [f for f in filters if f is not None]
    where = " WHERE " + " AND ".join(clause for clause, _ in used) if used else ""
    query = f"SELECT * FROM ({base}) AS q{where} ORDER BY {order} LIMIT ? OFFSET ?"
    return query, [*(p for _, params in used for p in params), limit, offset]


def equals(column: str, value: Any) -> Filter:
    """``column = value`` when a value is given."""
    return None if value is None else (f"{column} = ?", (value,))
