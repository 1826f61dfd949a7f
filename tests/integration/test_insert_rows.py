"""Many rows in one INSERT end exactly as one statement per row would leave them (SQLite file)."""

from __future__ import annotations

from pathlib import Path

from eventsourcing.sqlite import SQLiteDatastore
from hypothesis import given
from hypothesis import strategies as st

from federation.persistence.batch import _chunks, insert_rows
from federation.persistence.database import Database
from projections.rows import Table

TALLIES = Table("tallies", {"contributor": "TEXT", "receipts": "BIGINT"}, ("contributor",))
# Each update depends on the one before: rows applied out of order would end differently.
SQL = (
    "INSERT INTO {table} (contributor, receipts) VALUES (?, ?) ON CONFLICT (contributor) "
    "DO UPDATE SET receipts = ({table}.receipts * 10 + excluded.receipts) % 1000003"
)


@given(st.integers(min_value=0, max_value=5000), st.integers(min_value=-3, max_value=4000))
def test_rows_go_in_statements_of_a_power_of_two_rows_at_most_as_many_as_allowed(
    count: int, most: int
) -> None:
    chunks = _chunks(count, most)
    assert sum(chunks) == count
    assert all(size & (size - 1) == 0 and size <= max(1, most) for size in chunks)
    assert len(set(chunks)) <= max(1, most).bit_length()  # a dozen statements, whatever the count


def test_rows_split_into_several_statements_end_as_one_statement_per_row(tmp_path: Path) -> None:
    db = Database(SQLiteDatastore(str(tmp_path / "rows.sqlite")))
    # Keys met again and again, in an order where applying the rows out of order would show.
    rows = [(f"Organisation {n % 37}", n % 10) for n in range(1357)]
    with db.transaction() as cursor:
        for table in ("tallies", "one_by_one"):
            cursor.execute(f"CREATE TABLE {table} (contributor TEXT PRIMARY KEY, receipts BIGINT)")
        insert_rows(db, cursor, SQL.format(table="tallies"), rows, TALLIES)
        for row in rows:
            cursor.execute(SQL.format(table="one_by_one"), row)
    with db.reading() as cursor:
        cursor.execute("SELECT contributor, receipts FROM tallies ORDER BY contributor")
        batched = [tuple(r) for r in cursor.fetchall()]
        cursor.execute("SELECT contributor, receipts FROM one_by_one ORDER BY contributor")
        assert batched == [tuple(r) for r in cursor.fetchall()]
    assert len(batched) == 37
