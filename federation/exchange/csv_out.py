"""Rows as CSV, for every table a node shows."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from fastapi.responses import Response


def to_csv(rows: Sequence[dict[str, Any]], columns: Sequence[str] | None = None) -> str:
    """The rows as CSV text with a header line (the columns of the first row by default)."""
    names = list(columns or (rows[0].keys() if rows else []))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=names, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(row.get(k)) for k in names})
    return out.getvalue()


def _cell(value: Any) -> Any:
    # Spreadsheets run cells that start with = + - @ as formulas: quote them as text.
    if (isinstance(value, str) and value[:1] in ("=", "+", "@")) or (
        isinstance(value, str) and value.startswith("-") and not _number(value)
    ):
        return "'" + value
    return value


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def csv_response(rows: Sequence[dict[str, Any]], filename: str) -> Response:
    """A CSV download."""
    return Response(
        to_csv(rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
