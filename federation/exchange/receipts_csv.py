"""A collection list as CSV: every line validated, errors reported by line number and reason.

Columns (a header line is required, in any order):

    reference,campaign_code,contributor,organisation_type,amount,currency,value_date
    KAH-1922-0001,hungerhilfe-1921,Metallarbeiter Neukölln,trade_union,1500.00,XPM,1922-04-01

``reference`` is the line's number on the paper list: unique, it makes importing the same file
twice record each line once.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from domain.committee import OrganisationType
from domain.errors import DomainError
from domain.money import Money, require_positive
from federation.node.committee_books import CashReceiptLine

COLUMNS = (
    "reference",
    "campaign_code",
    "contributor",
    "organisation_type",
    "amount",
    "currency",
    "value_date",
)
MAX_LINES = 50_000


@dataclass(frozen=True, slots=True)
class LineError:
    """What is wrong with one line of the file."""

    line: int
    reason: str


def parse(text: str) -> tuple[list[tuple[int, CashReceiptLine]], list[LineError]]:
    """The good lines of a collection list (with their numbers) and every bad line's error."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        return [], [
            LineError(
                1,
                f"the header lacks the column(s) {', '.join(missing)}; "
                f"expected {','.join(COLUMNS)}",
            )
        ]
    lines: list[tuple[int, CashReceiptLine]] = []
    errors: list[LineError] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(reader, start=2):
        if number > MAX_LINES + 1:
            errors.append(LineError(number, f"a file holds at most {MAX_LINES} lines"))
            break
        try:
            line = _line(row)
        except (DomainError, ValueError) as error:
            errors.append(LineError(number, _reason(error)))
            continue
        reference = line.reference or ""
        if reference in seen:
            errors.append(
                LineError(number, f"reference {reference!r} is also on line {seen[reference]}")
            )
            continue
        seen[reference] = number
        lines.append((number, line))
    return lines, errors


def _line(row: dict[str, str | None]) -> CashReceiptLine:
    values = {c: (row.get(c) or "").strip() for c in COLUMNS}
    for column in ("reference", "campaign_code", "contributor"):
        if not values[column]:
            raise ValueError(f"{column} is empty")
    try:
        organisation_type = OrganisationType(values["organisation_type"])
    except ValueError:
        kinds = ", ".join(t.value for t in OrganisationType)
        raise ValueError(
            f"organisation_type {values['organisation_type']!r} is not one of {kinds}"
        ) from None
    try:
        value_date = date.fromisoformat(values["value_date"])
    except ValueError:
        raise ValueError(
            f"value_date {values['value_date']!r} is not a date like 1922-04-01"
        ) from None
    amount = require_positive(Money.of(values["amount"], values["currency"]), "the amount")
    return CashReceiptLine(
        values["campaign_code"],
        values["contributor"],
        organisation_type,
        amount,
        value_date,
        values["reference"],
    )


def _reason(error: Exception) -> str:
    return error.message if isinstance(error, DomainError) else str(error)
