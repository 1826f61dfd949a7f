"""A replay writes its read model without the secondary indexes and builds them at the end:
no statement it runs meanwhile scans a table for want of one, and the finished read model has
every index the live International has."""

from __future__ import annotations

import sqlite3

from federation.audit.indexes import INDEXED, names, without_indexes
from federation.audit.readmodel import ReadModel
from federation.audit.replay import replay
from federation.audit.source import bundle_records
from projections.audit.moment import Moment
from tests.integration.audit.history import History

READ_OR_WRITE = ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")


def index_names(model: ReadModel) -> set[str]:
    rows = model.app.db.query("SELECT name FROM sqlite_master WHERE type = 'index'")
    return {str(r["name"]) for r in rows if not str(r["name"]).startswith("sqlite_autoindex")}


def test_no_statement_of_a_replay_scans_a_table_without_the_indexes(history: History) -> None:
    _, records = bundle_records(history.bundle)
    statements: set[str] = set()
    with ReadModel("INTL") as model:
        live = index_names(model)  # a fresh International's tables, with every index
        with model.sqlite_connection() as raw:
            # Expanded statements, values bound: each can be explained as it ran.
            raw.set_trace_callback(statements.add)
        replay(records, model, Moment(), parts=1)
        assert index_names(model) == live
        written = [s for s in statements if s.lstrip().upper().startswith(READ_OR_WRITE)]
        assert any(s.startswith("INSERT INTO sv_receipts") for s in written)
        assert any(s.startswith("UPDATE sv_transfers") for s in written)
        without_indexes(model.app.db)  # the tables as the replay wrote them
        with model.sqlite_connection() as raw:
            raw.set_trace_callback(None)
            scans = {s: _scans(raw, s) for s in written}
    assert {s: found for s, found in scans.items() if found} == {}
    assert set(names("sqlite")) <= live


def _scans(raw: sqlite3.Connection, statement: str) -> list[str]:
    plan = [str(row[3]) for row in raw.execute("EXPLAIN QUERY PLAN " + statement)]
    # A scan of a whole table of the read model, as opposed to a search by a key.
    return [step for step in plan if step.split(" ")[:2] in SCANNED]


SCANNED = [["SCAN", table.name] for table in INDEXED]
