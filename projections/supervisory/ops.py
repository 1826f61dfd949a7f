"""Two row operations the supervisory projections need beyond ``projections.rows``.

Many events do not repeat what an earlier event of the same subject said: a reversal names the
receipt, not its amount, currency or contributor; "sent" names the transfer, not its amount. The
books' ``Repost`` moves such a subject's balance inside one movements table; these two ops do the
same for any aggregate: the key and the amounts are read from the subject's row written earlier.

Both read only rows of the same upstream (the subject's own node), whose events arrive in log
order; that keeps the result independent of how the upstreams' pages interleave, so a rebuild
that replays one upstream after another gives exactly the live state.

SQL expressions in these ops are written in this package, never taken from events: event data
travels only as parameters (``Value``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple
from uuid import UUID

from projections.rows import Op, Table


@dataclass(frozen=True, slots=True)
class Value:
    """A parameter: a value from the event, bound as ``?``."""

    value: Any


# A column's value in ``AddFrom``: an SQL expression over the source row's columns, or a Value.
Expr = str | Value


@dataclass(frozen=True, slots=True)
class AddFrom:
    """Add to the aggregate row whose key is read from the ``source`` row matching ``where``.

    ``columns`` are the aggregate's non-amount columns (its key and any default), ``amounts``
    the numeric columns added to (created at zero). ``where`` maps source columns to values
    (None means IS NULL); ``guard`` is an extra fixed condition, e.g. "sent_on IS NULL", so a
    repeated event moves nothing twice. Nothing happens when no source row matches.
    """

    table: Table
    source: Table
    where: dict[str, Any]
    columns: dict[str, Expr]
    amounts: dict[str, Expr]
    guard: str = ""


@dataclass(frozen=True, slots=True)
class SetFrom:
    """Set ``column`` of the ``table`` row with ``key`` to a scalar query over rows written so far.

    Used to keep a fact as it stood at the moment of the event: the balance available when a
    transfer was initiated, the books when a period report was submitted.
    """

    table: Table
    key: dict[str, Any]
    column: str
    query: str
    params: tuple[Any, ...] = ()


class Flow(NamedTuple):
    """Add ``amount_minor`` to ``measure`` of ``country`` in ``currency`` on ``day`` (ISO).

    The writer adds it to the three aggregates of ``flows``: all time per organisation type,
    per day, per month. The most frequent op of all, so a named tuple: as immutable as the
    frozen dataclasses, made in a fifth of their time.
    """

    country: str
    currency: str
    measure: str
    organisation_type: str
    day: str
    amount_minor: int


@dataclass(frozen=True, slots=True)
class FlowFrom:
    """A ``Flow`` of the subject's row in ``source`` matching ``where`` (and ``guard``).

    The country and currency are the row's; ``measure``, ``amount``, ``day`` and
    ``organisation_type`` are SQL expressions over the row or Values from the event.
    """

    source: Table
    where: dict[str, Any]
    measure: Expr
    amount: Expr
    day: Expr
    organisation_type: Expr = "organisation_type"
    guard: str = ""


class Row(NamedTuple):
    """A ``Put`` of a whole row: ``values`` in the order of ``table``'s columns.

    The put of the most frequent events (receipts, loans): a tuple made without a dict of names,
    which the writer batches without reading the names (it writes exactly what the equal ``Put``
    writes).
    """

    table: Table
    values: tuple[Any, ...]


class Tally(NamedTuple):
    """An ``Add`` to an aggregate of only a key and amounts (``flows.PURE``), as tuples.

    ``key`` holds the values of ``table.key``, ``amounts`` those of the other columns, both in
    the table's order; the writer merges it with the equal ``Add``.
    """

    table: Table
    key: tuple[Any, ...]
    amounts: tuple[int, ...]


# Every operation a supervisory projector emits.
SvOp = Op | AddFrom | SetFrom | Flow | FlowFrom | Row | Tally


@lru_cache(maxsize=4096)
def id_text(subject_id: UUID) -> str:
    """The text of an id many events name again (a campaign, a loan issue, an agency)."""
    return str(subject_id)


def ref(event: Any) -> str:
    """The event's reference within its upstream's log: ``originator_id/version``."""
    return f"{event.originator_id}/{event.originator_version}"
