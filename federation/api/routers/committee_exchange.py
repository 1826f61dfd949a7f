"""A committee's files: collection lists imported as receipts, the books exported as CSV."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends
from fastapi.responses import JSONResponse, Response

from federation.api.deps import ActorDep, IdempotencyKey, get_app
from federation.api.errors import ERROR_RESPONSES
from federation.exchange import receipts_csv
from federation.exchange.csv_out import csv_response
from federation.node.base import Context
from federation.node.committee import CommitteeApplication
from federation.node.idempotency import Idempotency, previous_result
from projections import books

AppDep = Annotated[CommitteeApplication, Depends(get_app)]
router = APIRouter(prefix="/v1", responses=ERROR_RESPONSES)
MAX_FILE = 5_000_000  # bytes of CSV in one import
TABLES = {t.name.removeprefix("books_"): t.name for t in books.TABLES}


@router.post("/receipts/import", tags=["receipts"], status_code=201)
def import_receipts(
    app: AppDep,
    actor: ActorDep,
    csv_text: Annotated[str, Body(media_type="text/csv", description="the collection list")],
    key: IdempotencyKey = None,
) -> Any:
    """Import a collection list (CSV): all lines are checked first; one bad line records nothing.

    The answer lists every bad line with its number and reason. Lines whose reference was
    recorded before are skipped, so importing the same file twice records each line once.
    """
    if len(csv_text.encode()) > MAX_FILE:
        return _invalid([{"line": 0, "reason": f"the file is over {MAX_FILE} bytes; split it"}])
    ctx = Context(actor, Idempotency.of(key, "import_receipts", csv_text) if key else None)
    if ctx.idempotency and (done := previous_result(app.db, ctx.idempotency)) is not None:
        return done
    numbered, errors = receipts_csv.parse(csv_text)
    lines = [line for _, line in numbered]
    problems = [{"line": e.line, "reason": e.reason} for e in errors]
    problems += [{"line": numbered[i][0], "reason": why} for i, why in app.check_import(lines)]
    if problems:
        return _invalid(sorted(problems, key=lambda p: int(str(p["line"]))))
    return app.import_cash_receipts(ctx, lines)


def _invalid(lines: list[dict[str, object]]) -> JSONResponse:
    message = f"{len(lines)} line(s) of the file are wrong; nothing was recorded"
    error = {"code": "import.invalid_lines", "message": message, "kind": "input"}
    return JSONResponse(status_code=422, content={"error": error, "lines": lines})


@router.get("/books/{table}.csv", tags=["books"], response_class=Response)
def books_csv(table: str, app: AppDep, actor: ActorDep) -> Response:
    """The committee's books as CSV: receipts, pledges, transfers, campaigns, procurements, ..."""
    if table == "balances":
        return csv_response(app.balances(), "balances.csv")
    if table not in TABLES:
        known = ", ".join(sorted(TABLES))
        message = f"no table {table!r}; use balances or one of {known}"
        error = {"code": "books.unknown_table", "kind": "not_found", "message": message}
        return JSONResponse(status_code=404, content={"error": error})
    rows = app.list_rows(TABLES[table], "1", 1_000_000, 0)
    return csv_response(rows, f"{table}.csv")
