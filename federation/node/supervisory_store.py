"""Where the supervisory projection is written: its row writer, its ingestor, rebuild and digest.

The projection runs as a remote projector of the International's node: the Ingestor stores other
nodes' entries and runs it in the same transaction, moving its position per upstream with them.
``SupervisoryIngestor`` is that Ingestor with a writer that also runs ``AddFrom`` and ``SetFrom``
(and caches the text of every statement), and it notes when each upstream was last ingested.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, cast
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import StoredEvent

from federation.node.ingest import Ingestor, RemoteEntry, RemoteProjector
from federation.node.projection import RowWriter, write_position
from federation.persistence.database import Cursor, Database
from projections.rows import Add, Change, Put, Table
from projections.supervisory import NAME, PARTIAL_INDEXES, TABLES
from projections.supervisory.flows import FLOWS, MONTHS, PURE, TOTALS
from projections.supervisory.ops import AddFrom, Flow, FlowFrom, SetFrom, SvOp, Value

SYNCS = Table(
    "supervisory_syncs",
    {"upstream": "TEXT", "last_ingest": "TEXT"},
    ("upstream",),
)


def _cast(value: Any) -> str:
    # PostgreSQL cannot infer the type of a bare parameter in a select list.
    return "CAST(? AS BIGINT)" if isinstance(value, int) else "CAST(? AS TEXT)"


class _Pending(threading.local):
    """Writes held back within one thread's transaction, per table: rows to put, additions."""

    def __init__(self) -> None:
        self.puts: dict[str, dict[str, list[tuple[Any, ...]]]] = {}
        self.adds: dict[str, dict[str, dict[tuple[Any, ...], list[int]]]] = {}


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
        self._pending = _Pending()
        self._flow_sql = tuple(
            db.sql(self._add_sql(Add(table, dict.fromkeys(key, ""), {"amount_minor": 0})))
            for table, key in (
                (TOTALS, ("country", "currency", "measure", "organisation_type")),
                (FLOWS, ("country", "currency", "value_date", "measure")),
                (MONTHS, ("country", "currency", "month", "measure")),
            )
        )

    def reset(self) -> None:
        """Forget held-back writes (a new transaction starts)."""
        self._pending.puts.clear()
        self._pending.adds.clear()

    def flush(self, cursor: Cursor) -> None:
        """Write everything held back, in the caller's transaction."""
        for table in list(self._pending.puts):
            self._flush_puts(cursor, table)
        self._flush_adds(cursor)

    def _flush_puts(self, cursor: Cursor, table: str) -> None:
        for sql, rows in self._pending.puts.pop(table, {}).items():
            cursor.executemany(sql, rows)

    def _flush_adds(self, cursor: Cursor) -> None:
        for by_sql in self._pending.adds.values():
            for sql, merged in by_sql.items():
                cursor.executemany(sql, [(*key, *amounts) for key, amounts in merged.items()])
        self._pending.adds.clear()

    def apply(self, cursor: Cursor, ops: Iterable[Any]) -> None:
        ops = list(ops)
        n = 0
        while n < len(ops):
            op = ops[n]
            kind = type(op)
            if kind is Flow:
                self._hold_flow(op.country, op.currency, op.measure, op.organisation_type,
                                op.day, op.amount_minor)  # fmt: skip
                n += 1
                continue
            if kind is FlowFrom or (kind is AddFrom and op.table.name in PURE):
                group = [op]
                while n + len(group) < len(ops) and _same_source(op, ops[n + len(group)]):
                    group.append(ops[n + len(group)])
                self._hold_from(cursor, group)
                n += len(group)
                continue
            n += 1
            if kind is Put:
                key = ("put", op.table.name, *op.row)
                sql = self._sql.get(key) or self._remember(key, self._put_sql(op))
                rows = self._pending.puts.setdefault(op.table.name, {}).setdefault(sql, [])
                rows.append(tuple(op.row.values()))
            elif kind is Add and op.table.name in PURE and not op.defaults:
                self._hold_add(op)
            elif kind is AddFrom:
                self._flush_puts(cursor, op.source.name)
                self._add_from(cursor, op)
            elif kind is SetFrom:
                self._flush_puts(cursor, op.table.name)
                self._flush_adds(cursor)
                key = ("set", op.table.name, op.column, op.query, *op.key)
                self._run(cursor, key, self._set_sql, op, (*op.params, *op.key.values()))
            elif kind in (Change, Add):
                self._flush_puts(cursor, op.table.name)
                self._now(cursor, op)
            else:
                self.flush(cursor)
                super().apply(cursor, [op])

    def _remember(self, key: tuple[Any, ...], sql: str) -> str:
        self._sql[key] = self.db.sql(sql)
        return self._sql[key]

    def _hold_add(self, op: Add) -> None:
        key = ("add", op.table.name, *op.key, "|", *op.amounts)
        sql = self._sql.get(key) or self._remember(key, self._add_sql(op))
        merged = self._pending.adds.setdefault(op.table.name, {}).setdefault(sql, {})
        amounts = merged.get(row := tuple(op.key.values()))
        if amounts is None:
            merged[row] = list(op.amounts.values())
        else:
            for n, value in enumerate(op.amounts.values()):
                amounts[n] += value

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
    def _put_sql(op: Put) -> str:
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
        adds = ", ".join(f"{c} = {name}.{c} + excluded.{c}" for c in op.amounts)
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
        adds = self._pending.adds
        for table, sql, key in (
            (TOTALS.name, self._flow_sql[0], (country, code, measure, org)),
            (FLOWS.name, self._flow_sql[1], (country, code, day, measure)),
            (MONTHS.name, self._flow_sql[2], (country, code, day[:7], measure)),
        ):
            merged = adds.setdefault(table, {}).setdefault(sql, {})
            held = merged.get(key)
            if held is None:
                merged[key] = [amount]
            else:
                held[0] += amount

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
            self._hold_add(Add(op.table, columns, amounts))

    @staticmethod
    def _read_sql(op: AddFrom, wanted: dict[str, str], where: tuple[tuple[str, bool], ...]) -> str:
        conditions = [f"{c} IS NULL" if null else f"{c} = ?" for c, null in where]
        if op.guard:
            conditions.append(f"({op.guard})")
        selected = ", ".join(f"{e} AS {alias}" for e, alias in wanted.items()) or "1 AS e"
        return f"SELECT {selected} FROM {op.source.name} WHERE {' AND '.join(conditions)}"

    def _add_from(self, cursor: Cursor, op: AddFrom) -> None:
        exprs = {**op.columns, **op.amounts}
        shape = tuple((c, e if isinstance(e, str) else _cast(e.value)) for c, e in exprs.items())
        where = tuple((c, v is None) for c, v in op.where.items())
        key = ("from", op.table.name, op.source.name, shape, tuple(op.amounts), where, op.guard)
        sql = self._sql.get(key)
        if sql is None:
            sql = self._sql[key] = self.db.sql(self._add_from_sql(op, shape, where))
        params = [e.value for e in exprs.values() if isinstance(e, Value)]
        params += [v for v in op.where.values() if v is not None]
        cursor.execute(sql, tuple(params))

    @staticmethod
    def _add_from_sql(
        op: AddFrom, shape: tuple[tuple[str, str], ...], where: tuple[tuple[str, bool], ...]
    ) -> str:
        name = op.table.name
        conditions = [f"{c} IS NULL" if null else f"{c} = ?" for c, null in where]
        if op.guard:
            conditions.append(f"({op.guard})")
        adds = ", ".join(f"{c} = {name}.{c} + excluded.{c}" for c in op.amounts)
        return (
            f"INSERT INTO {name} ({', '.join(c for c, _ in shape)}) "
            f"SELECT {', '.join(e for _, e in shape)} FROM {op.source.name} "
            f"WHERE {' AND '.join(conditions)} "
            f"ON CONFLICT ({', '.join(op.table.key)}) DO UPDATE SET {adds}"
        )


def _expressions(op: Any) -> tuple[Any, ...]:
    if isinstance(op, FlowFrom):
        return ("country", "currency", op.measure, op.amount, op.day, op.organisation_type)
    return (*op.columns.values(), *op.amounts.values())


def _same_source(first: Any, op: Any) -> bool:
    return (
        (type(op) is FlowFrom or (type(op) is AddFrom and op.table.name in PURE))
        and op.source.name == first.source.name
        and op.where == first.where
        and op.guard == first.guard
    )


def _value(expr: Any, row: Any, wanted: dict[str, str]) -> Any:
    return expr.value if isinstance(expr, Value) else row[wanted[expr]]


def note_sync(db: Database, cursor: Cursor, upstream: str) -> None:
    """Note that ``upstream``'s log was ingested up to date now (in the caller's transaction)."""
    now = datetime.now(UTC).isoformat(timespec="seconds")
    cursor.execute(
        db.sql(
            "INSERT INTO supervisory_syncs (upstream, last_ingest) VALUES (?, ?) "
            "ON CONFLICT (upstream) DO UPDATE SET last_ingest = excluded.last_ingest"
        ),
        (upstream, now),
    )


class SupervisoryIngestor(Ingestor):
    """The node's Ingestor, writing with ``SupervisoryWriter`` and noting each ingest's time."""

    def __init__(
        self, app: Application[Any], db: Database, projectors: dict[str, RemoteProjector]
    ) -> None:
        super().__init__(app, db, projectors)
        self.batch = SupervisoryWriter(db)
        self.writer = self.batch
        tables = [s for t in TABLES for s in t.ddl(db.dialect)]
        db.execute_script([*SYNCS.ddl(db.dialect), *tables, *PARTIAL_INDEXES])

    def ingest(
        self,
        upstream: str,
        entries: Sequence[RemoteEntry],
        also: Callable[[Cursor], None] | None = None,
    ) -> int:
        def noted(cursor: Cursor) -> None:
            self.batch.flush(cursor)
            note_sync(self.db, cursor, upstream)
            if also is not None:
                also(cursor)

        self.batch.reset()
        return super().ingest(upstream, entries, noted)


def rebuild(
    app: Application[Any], db: Database, project: Callable[[str, Any], list[SvOp]], page: int = 2000
) -> int:
    """Clear the projection and replay every ingested entry, upstream by upstream, in log order.

    One transaction: ingestion waits, and a failure leaves the live projection as it was.
    Returns how many entries were replayed.
    """
    writer = SupervisoryWriter(db)
    replayed = 0
    with db.transaction() as cursor:
        for table in TABLES:
            cursor.execute(f"DELETE FROM {table.name}")
        cursor.execute(db.sql("DELETE FROM projection_positions WHERE projection = ?"), (NAME,))
        cursor.execute("SELECT DISTINCT upstream FROM ingested_entries")
        upstreams = sorted(row["upstream"] for row in cursor.fetchall())
        for upstream in upstreams:
            after = 0
            while rows := _page(db, cursor, upstream, after, page):
                for row in rows:
                    writer.apply(cursor, project(upstream, _event(app, row)))
                after = int(rows[-1]["position"])
                replayed += len(rows)
            writer.flush(cursor)
            write_position(db, cursor, NAME, upstream, 0, after)
    return replayed


def _page(db: Database, cursor: Cursor, upstream: str, after: int, limit: int) -> list[Any]:
    cursor.execute(
        db.sql(
            "SELECT position, originator_id, originator_version, topic, state "
            "FROM ingested_entries WHERE upstream = ? AND position > ? ORDER BY position LIMIT ?"
        ),
        (upstream, after, limit),
    )
    return list(cursor.fetchall())


def _event(app: Application[Any], row: Any) -> Any:
    stored = StoredEvent(
        UUID(str(row["originator_id"])),
        int(row["originator_version"]),
        row["topic"],
        bytes(row["state"]),
    )
    return app.mapper.to_domain_event(stored)


def digest(db: Database) -> str:
    """SHA-256 over every projection table's rows, in key order, written canonically."""
    hasher = hashlib.sha256()
    collate = ' COLLATE "C"' if db.dialect == "postgres" else ""
    with db.reading() as cursor:
        for table in sorted(TABLES, key=lambda t: t.name):
            cols = list(table.columns)
            order = ", ".join(
                f"{k}{collate if table.columns[k] == 'TEXT' else ''}" for k in table.key
            )
            cursor.execute(f"SELECT {', '.join(cols)} FROM {table.name} ORDER BY {order}")
            hasher.update(f"{table.name} {' '.join(cols)}\n".encode())
            # eventsourcing's SQLite cursor hides fetchmany; the sqlite3 cursor inside has it.
            fetch = cast(Any, getattr(cursor, "sqlite_cursor", cursor)).fetchmany
            while rows := fetch(5000):
                for row in rows:
                    line = json.dumps([row[c] for c in cols], ensure_ascii=False)
                    hasher.update(line.encode() + b"\n")
    return hasher.hexdigest()


__all__ = ["RemoteEntry", "SupervisoryIngestor", "SupervisoryWriter", "digest", "rebuild"]
