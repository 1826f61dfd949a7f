"""The supervisory projection's row writer: the ops of ``projections.rows`` and of
``projections.supervisory.ops``, written in batches."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

from federation.node.projection import RowWriter
from federation.persistence.batch import insert_rows
from federation.persistence.database import Cursor, Database
from projections.rows import Add, Change, Put, Table
from projections.supervisory import TABLES
from projections.supervisory.flows import (
    FLOWS,
    MEASURE_INDEX,
    MONTH_COLUMNS,
    MONTHS,
    PURE,
    TOTALS,
)
from projections.supervisory.ops import AddFrom, Flow, FlowFrom, Row, SetFrom, Tally, Value

TABLES_BY_NAME = {t.name: t for t in TABLES}
_FLOW_TABLES = frozenset({TOTALS.name, FLOWS.name, MONTHS.name})


class _Pending(threading.local):
    """Writes held back within one thread's transaction, per table: rows to put, additions."""

    def __init__(self) -> None:
        self.puts: dict[str, dict[str, list[tuple[Any, ...]]]] = {}
        self.adds: dict[str, dict[str, dict[tuple[Any, ...], list[int]]]] = {}
        # The held additions of the three flow aggregates (the dicts in ``adds``), while held.
        self.flows: tuple[dict[tuple[Any, ...], list[int]], ...] | None = None
        # What the transaction added to sv_flows, as written: ((country, currency, value_date,
        # measure), [amount]) (see ``moved_flows``).
        self.moved: list[tuple[tuple[Any, ...], list[int]]] = []


class SupervisoryWriter(RowWriter):
    """Runs every op of ``projections.rows`` and ``projections.supervisory.ops``, in batches.

    Puts, and additions to aggregates of only a key and amounts (``flows.PURE``, merged per
    key), are held back and written with ``executemany`` — a table's held-back rows just before
    an op reads or changes that table, the additions before a query reads them (``SetFrom``),
    everything when the transaction ends (``flush``). Additions commute and nothing else
    touches those rows in between, so the rows end exactly as if every op had run one by one.
    Held-back writes belong to the thread's transaction: ``reset`` drops them when one starts.
    """

    def __init__(self, db: Database) -> None:
        super().__init__(db)
        self._sql: dict[tuple[Any, ...], str] = {}
        # Per table, the SQL of its puts per tuple of column names (in the row's order).
        self._put_sql: dict[str, dict[tuple[str, ...], str]] = {}
        self._put_keys: dict[str, tuple[int, ...]] = {}  # the key's places in a put's row
        self._pending = _Pending()
        # Per table, the SQL of a Row (a Put of every column) and of a Tally.
        self._row_sql: dict[str, str] = {}
        self._tally_sql: dict[str, str] = {}
        self._flow_sql = (
            *(
                db.sql(self._add_sql(Add(table, dict.fromkeys(key, ""), {"amount_minor": 0})))
                for table, key in (
                    (TOTALS, ("country", "currency", "measure", "organisation_type")),
                    (FLOWS, ("country", "currency", "value_date", "measure")),
                )
            ),
            db.sql(
                self._add_sql(
                    Add(
                        MONTHS,
                        dict.fromkeys(("country", "currency", "month"), ""),
                        dict.fromkeys(MONTH_COLUMNS, 0),
                    )
                )
            ),
        )

    def reset(self) -> None:
        """Forget held-back writes (a new transaction starts)."""
        self._pending.puts.clear()
        self._pending.adds.clear()
        self._pending.flows = None
        self._pending.moved = []

    def moved_flows(self) -> list[tuple[tuple[Any, ...], list[int]]]:
        """What this thread's transaction added to sv_flows so far: ((country, currency,
        value_date, measure), [amount]) per write (a key may come more than once). The days'
        books of a served International follow the ingest with them (``supervisory_days``)."""
        return self._pending.moved

    def flush(self, cursor: Cursor) -> None:
        """Write everything held back, in the caller's transaction."""
        for table in list(self._pending.puts):
            self._flush_puts(cursor, table)
        self._flush_adds(cursor)

    def _flush_puts(self, cursor: Cursor, table: str) -> None:
        for sql, rows in self._pending.puts.pop(table, {}).items():
            if self.db.dialect == "postgres":  # one statement may not upsert a key twice
                key = self._put_keys[sql]
                rows = list({tuple(row[n] for n in key): row for row in rows}.values())
            insert_rows(self.db, cursor, sql, rows, TABLES_BY_NAME[table])

    def _flush_adds(self, cursor: Cursor, reader: str | None = None) -> None:
        """Write the held-back additions (only to the tables ``reader``'s SQL names, if given)."""
        for table in list(self._pending.adds):
            if reader is None or table in reader:
                if table in _FLOW_TABLES:
                    self._pending.flows = None
                for sql, merged in self._pending.adds.pop(table).items():
                    rows = [(*key, *amounts) for key, amounts in merged.items()]
                    insert_rows(self.db, cursor, sql, rows, TABLES_BY_NAME[table])
                    if table == FLOWS.name:
                        self._pending.moved.extend(merged.items())

    def apply(self, cursor: Cursor, ops: Iterable[Any]) -> None:
        ops = ops if isinstance(ops, list) else list(ops)
        puts = self._pending.puts
        n, end = 0, len(ops)
        while n < end:
            op = ops[n]
            kind = type(op)
            n += 1
            # The frequent kinds first, each as directly as it goes.
            if kind is Row:
                name = op.table.name
                sql = self._row_sql.get(name) or self._remember_row(op.table)
                held = puts.get(name)
                if held is None:
                    held = puts[name] = {}
                rows = held.get(sql)
                if rows is None:
                    held[sql] = [op.values]
                else:
                    rows.append(op.values)
            elif kind is Flow:
                self._hold_flow(*op)
            elif kind is Tally:
                self._hold_tally(op)
            elif kind is FlowFrom or kind is AddFrom:
                group = [op]
                while n < end and _same_source(op, ops[n]):
                    group.append(ops[n])
                    n += 1
                self._hold_from(cursor, group)
            elif kind is Put:
                # The SQL of a table's puts of these columns: one lookup by the column names.
                name, row = op.table.name, op.row
                by_columns = self._put_sql.get(name)
                found = None if by_columns is None else by_columns.get(tuple(row))
                sql = self._remember_put(op) if found is None else found
                held = puts.get(name)
                if held is None:
                    held = puts[name] = {}
                rows = held.get(sql)
                if rows is None:
                    held[sql] = [tuple(row.values())]
                else:
                    rows.append(tuple(row.values()))
            elif kind is Add and op.table.name in PURE and not op.defaults:
                self._hold_add(op)
            elif kind is SetFrom:
                for table in [op.table.name, *puts]:
                    if table == op.table.name or table in op.query:
                        self._flush_puts(cursor, table)
                self._flush_adds(cursor, op.query)
                key = ("set", op.table.name, op.column, op.query, *op.key)
                self._run(cursor, key, self._set_sql, op, (*op.params, *op.key.values()))
            elif kind in (Change, Add):
                self._flush_puts(cursor, op.table.name)
                self._now(cursor, op)
            else:
                self.flush(cursor)
                super().apply(cursor, [op])

    def _remember_row(self, table: Table) -> str:
        """The SQL of a Row: the same as a Put's of every column in the table's order."""
        put = Put(table, dict.fromkeys(table.columns))
        by_columns = self._put_sql.get(table.name, {})
        sql = by_columns.get(tuple(put.row)) or self._remember_put(put)
        self._row_sql[table.name] = sql
        return sql

    def _hold_tally(self, op: Tally) -> None:
        table = op.table
        sql = self._tally_sql.get(table.name)
        if sql is None:
            columns = [c for c in table.columns if c not in table.key]
            add = Add(table, dict.fromkeys(table.key), dict.fromkeys(columns, 0))
            sql = self._tally_sql[table.name] = self.db.sql(self._add_sql(add))
        merged = self._held_adds(table.name, sql)
        amounts = merged.get(op.key)
        if amounts is None:
            merged[op.key] = list(op.amounts)
        else:
            for n, value in enumerate(op.amounts):
                amounts[n] += value

    def _remember_put(self, op: Put) -> str:
        sql = self.db.sql(self._upsert_sql(op))
        columns = tuple(op.row)
        self._put_sql.setdefault(op.table.name, {})[columns] = sql
        self._put_keys[sql] = tuple(columns.index(c) for c in op.table.key)
        return sql

    def _remember(self, key: tuple[Any, ...], sql: str) -> str:
        self._sql[key] = self.db.sql(sql)
        return self._sql[key]

    def _hold_add(self, op: Add) -> None:
        key = ("add", op.table.name, *op.key, "|", *op.amounts)
        sql = self._sql.get(key) or self._remember(key, self._add_sql(op))
        merged = self._held_adds(op.table.name, sql)
        amounts = merged.get(row := tuple(op.key.values()))
        if amounts is None:
            merged[row] = list(op.amounts.values())
        else:
            for n, value in enumerate(op.amounts.values()):
                amounts[n] += value

    def _held_adds(self, table: str, sql: str) -> dict[tuple[Any, ...], list[int]]:
        """The additions held back for ``table`` with ``sql``, merged per key."""
        by_sql = self._pending.adds.get(table)
        if by_sql is None:
            by_sql = self._pending.adds[table] = {}
        merged = by_sql.get(sql)
        if merged is None:
            merged = by_sql[sql] = {}
        return merged

    def _now(self, cursor: Cursor, op: Change | Add) -> None:
        if isinstance(op, Add):
            self._add_fast(cursor, op)
        else:
            params = (*op.values.values(), *op.key.values())
            key = ("change", op.table.name, *op.values, "|", *op.key)
            self._run(cursor, key, self._change_sql, op, params)

    def _run(
        self,
        cursor: Cursor,
        key: tuple[Any, ...],
        build: Callable[[Any], str],
        op: Any,
        params: Any,
    ) -> None:
        sql = self._sql.get(key)
        if sql is None:
            sql = self._sql[key] = self.db.sql(build(op))
        cursor.execute(sql, tuple(params.values()) if isinstance(params, dict) else params)

    @staticmethod
    def _upsert_sql(op: Put) -> str:
        cols = list(op.row)
        updates = [c for c in cols if c not in op.table.key]
        conflict = (
            "DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in updates)
            if updates
            else "DO NOTHING"
        )
        return (
            f"INSERT INTO {op.table.name} ({', '.join(cols)}) "
            f"VALUES ({', '.join('?' for _ in cols)}) "
            f"ON CONFLICT ({', '.join(op.table.key)}) {conflict}"
        )

    def _add_fast(self, cursor: Cursor, op: Add) -> None:
        row = {**op.key, **op.defaults, **op.amounts}
        key = ("add", op.table.name, *op.key, "|", *op.defaults, "|", *op.amounts)
        self._run(cursor, key, self._add_sql, op, row)

    @staticmethod
    def _add_sql(op: Add) -> str:
        cols = [*op.key, *op.defaults, *op.amounts]
        name = op.table.name
        # COALESCE: held-back additions of different column sets to one new key may reach the
        # table in either order; the first may create the row with the others' columns NULL.
        adds = ", ".join(f"{c} = COALESCE({name}.{c}, 0) + excluded.{c}" for c in op.amounts)
        return (
            f"INSERT INTO {name} ({', '.join(cols)}) "
            f"VALUES ({', '.join('?' for _ in cols)}) "
            f"ON CONFLICT ({', '.join(op.table.key)}) DO UPDATE SET {adds}"
        )

    @staticmethod
    def _change_sql(op: Change) -> str:
        sets = ", ".join(f"{c} = ?" for c in op.values)
        where = " AND ".join(f"{c} = ?" for c in op.key)
        return f"UPDATE {op.table.name} SET {sets} WHERE {where}"

    @staticmethod
    def _set_sql(op: SetFrom) -> str:
        where = " AND ".join(f"{c} = ?" for c in op.key)
        return f"UPDATE {op.table.name} SET {op.column} = ({op.query}) WHERE {where}"

    def _hold_flow(
        self, country: str, code: str, measure: str, org: str, day: str, amount: int
    ) -> None:
        held_flows = self._pending.flows
        if held_flows is None:
            held_flows = self._pending.flows = tuple(
                self._held_adds(table.name, sql)
                for table, sql in zip((TOTALS, FLOWS, MONTHS), self._flow_sql, strict=True)
            )
        totals, flows, months = held_flows
        held = totals.get(key := (country, code, measure, org))
        if held is None:
            totals[key] = [amount]
        else:
            held[0] += amount
        held = flows.get(key := (country, code, day, measure))
        if held is None:
            flows[key] = [amount]
        else:
            held[0] += amount
        vector = months.get(month := (country, code, day[:7]))
        if vector is None:
            vector = months[month] = [0] * len(MONTH_COLUMNS)
        vector[MEASURE_INDEX[measure]] += amount

    def _hold_from(self, cursor: Cursor, group: list[Any]) -> None:
        """Additions read from one source row: one read, then held back like the others."""
        first = group[0]
        self._flush_puts(cursor, first.source.name)
        exprs = [e for op in group for e in _expressions(op) if isinstance(e, str)]
        wanted = {e: f"e{n}" for n, e in enumerate(dict.fromkeys(exprs))}
        where = tuple((c, v is None) for c, v in first.where.items())
        key = ("read", first.source.name, tuple(wanted), where, first.guard)
        sql = self._sql.get(key) or self._remember(key, self._read_sql(first, wanted, where))
        cursor.execute(sql, tuple(v for v in first.where.values() if v is not None))
        row = cursor.fetchone()
        if row is None:
            return
        for op in group:
            if isinstance(op, FlowFrom):
                self._hold_flow(
                    row[wanted["country"]],
                    row[wanted["currency"]],
                    _value(op.measure, row, wanted),
                    _value(op.organisation_type, row, wanted),
                    _value(op.day, row, wanted),
                    int(_value(op.amount, row, wanted)),
                )
                continue
            columns = {c: _value(e, row, wanted) for c, e in op.columns.items()}
            amounts = {c: int(_value(e, row, wanted)) for c, e in op.amounts.items()}
            if op.table.name in PURE:
                self._hold_add(Add(op.table, columns, amounts))
            else:
                self._flush_puts(cursor, op.table.name)
                self._add_fast(cursor, Add(op.table, columns, amounts))

    @staticmethod
    def _read_sql(op: AddFrom, wanted: dict[str, str], where: tuple[tuple[str, bool], ...]) -> str:
        conditions = [f"{c} IS NULL" if null else f"{c} = ?" for c, null in where]
        if op.guard:
            conditions.append(f"({op.guard})")
        selected = ", ".join(f"{e} AS {alias}" for e, alias in wanted.items()) or "1 AS e"
        return f"SELECT {selected} FROM {op.source.name} WHERE {' AND '.join(conditions)}"


def _expressions(op: Any) -> tuple[Any, ...]:
    if isinstance(op, FlowFrom):
        return ("country", "currency", op.measure, op.amount, op.day, op.organisation_type)
    return (*op.columns.values(), *op.amounts.values())


def _same_source(first: Any, op: Any) -> bool:
    return (
        type(op) in (FlowFrom, AddFrom)
        and op.source.name == first.source.name
        and op.where == first.where
        and op.guard == first.guard
    )


def _value(expr: Any, row: Any, wanted: dict[str, str]) -> Any:
    return expr.value if isinstance(expr, Value) else row[wanted[expr]]
