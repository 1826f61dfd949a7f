"""The supervisory writer holds additions back and writes them in batches: however a run of ops
falls into transactions, the rows end as if every op had run on its own.

Found by the audit replay: an addition naming only some amount columns ("paid") held back in
the same transaction as one naming all of them ("committed") for a new key could create the
row first, leaving the others NULL — and NULL plus anything stays NULL.
"""

from __future__ import annotations

from typing import Any

import pytest

from federation.node.international import InternationalApplication
from federation.node.supervisory_writer import SupervisoryWriter
from federation.settings import NodeKind
from projections.rows import Add, Put
from projections.supervisory.flows import CONTRIBUTORS
from projections.supervisory.loans import LOANS
from projections.supervisory.ops import Row, Tally
from projections.supervisory.resolution import PROCUREMENT_TOTALS
from tests.conftest import SettingsFactory

MACHINES = {"country": "DE", "currency": "USD", "category": "machines", "agency_id": "a"}
TOOLS = {"country": "DE", "currency": "USD", "category": "tools", "agency_id": "b"}


def committed(key: dict[str, str], minor: int) -> Add:
    return Add(
        PROCUREMENT_TOTALS, key, {"procurements": 1, "committed_minor": minor, "paid_minor": 0}
    )


def paid(key: dict[str, str], minor: int) -> Add:
    return Add(PROCUREMENT_TOTALS, key, {"paid_minor": minor})


OPS = [committed(MACHINES, 100), paid(MACHINES, 100), committed(TOOLS, 50), paid(TOOLS, 50)]


def written(settings: SettingsFactory, name: str, chunks: list[list[Any]]) -> list[Any]:
    app = InternationalApplication(settings(name, NodeKind.INTERNATIONAL))
    try:
        writer = SupervisoryWriter(app.db)
        for chunk in chunks:
            with app.db.transaction() as cursor:
                writer.reset()
                writer.apply(cursor, chunk)
                writer.flush(cursor)
        return [
            tuple(r.values())
            for r in app.db.query(
                "SELECT category, procurements, committed_minor, paid_minor "
                "FROM sv_procurement_totals ORDER BY category"
            )
        ]
    finally:
        app.close()


@pytest.mark.parametrize("persistence", ["sqlite", "postgres"], indirect=True)
def test_rows_do_not_depend_on_how_ops_fall_into_transactions(
    node_settings: SettingsFactory,
) -> None:
    one_by_one = written(node_settings, "INTL", [[op] for op in OPS])
    assert one_by_one == [("machines", 1, 100, 100), ("tools", 1, 50, 50)]
    for split in range(len(OPS) + 1):
        name = f"INTL{split}"
        assert written(node_settings, name, [OPS[:split], OPS[split:]]) == one_by_one, split


DMV = ("DE", "Deutscher Metallarbeiter-Verband", "trade_union")
DMV_KEY = {"country": "DE", "contributor": DMV[1], "organisation_type": DMV[2]}


def loan_row(subscription: str, principal: int) -> dict[str, Any]:
    return dict.fromkeys(LOANS.columns, 0) | {
        "country": "DE",
        "subscription_id": subscription,
        "subscriber": "Clara Zetkin",
        "currency": "XPM",
        "principal_minor": principal,
    }


def table_rows(settings: SettingsFactory, name: str, ops: list[Any], sql: str) -> list[Any]:
    app = InternationalApplication(settings(name, NodeKind.INTERNATIONAL))
    try:
        with app.db.transaction() as cursor:
            writer = SupervisoryWriter(app.db)
            writer.reset()
            writer.apply(cursor, ops)
            writer.flush(cursor)
        return [tuple(r.values()) for r in app.db.query(sql)]
    finally:
        app.close()


@pytest.mark.parametrize("persistence", ["sqlite", "postgres"], indirect=True)
def test_tuple_ops_write_what_the_named_ops_write(node_settings: SettingsFactory) -> None:
    """A Row is a Put of every column and a Tally an Add; mixed, they merge in their order."""
    first, again = loan_row("s1", 100), loan_row("s1", 250)
    puts = [Put(LOANS, first), Put(LOANS, loan_row("s2", 7)), Put(LOANS, again)]
    rows = [Row(LOANS, tuple(first.values())), puts[1], Row(LOANS, tuple(again.values()))]
    loans = "SELECT subscription_id, principal_minor FROM sv_loans ORDER BY subscription_id"
    assert table_rows(node_settings, "INTL", puts, loans) == [("s1", 250), ("s2", 7)]
    assert table_rows(node_settings, "INTL2", rows, loans) == [("s1", 250), ("s2", 7)]
    counted = [Tally(CONTRIBUTORS, DMV, (1,)), Add(CONTRIBUTORS, DMV_KEY, {"receipts": 2})]
    contributors = "SELECT contributor, receipts FROM sv_contributors"
    assert table_rows(node_settings, "INTL3", counted, contributors) == [(DMV[1], 3)]
