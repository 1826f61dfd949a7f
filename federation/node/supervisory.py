"""The International's supervisory view: the query service over the supervisory projection.

Every answer carries its completeness watermark: for each node, the log size the projection
includes and when that node was last synced (the follower's last success, or else the last time
its entries were ingested). Amounts are exact decimal text in their own currency; converted
figures use the International's dated rates (see ``projections.supervisory.convert``).
"""

from __future__ import annotations

import sqlite3
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pydantic_settings import BaseSettings, SettingsConfigDict

from domain.errors import InvalidInput
from federation.node.supervisory_consultations import agency_id
from federation.node.supervisory_measures import where_clause
from federation.node.supervisory_overview import Overview
from federation.node.supervisory_rules import Rules
from federation.node.supervisory_store import SupervisoryIngestor, digest, rebuild
from federation.persistence.database import Cursor, Database
from projections.sql import Filter, filtered
from projections.supervisory import NAME, Projector
from projections.supervisory.amount_text import minor_text
from projections.supervisory.lists import LISTS, ListSpec
from projections.supervisory.queries import (
    IN_TRANSIT_SQL,
    ORGANISATION_TYPES_IN_PERIOD_SQL,
    ORGANISATION_TYPES_SQL,
    WATERMARK_SQL,
)

if TYPE_CHECKING:
    from federation.node.international import InternationalApplication


# How long a request waits for the same answer being computed by another thread before it
# computes its own (an answer takes milliseconds; the findings of every node about a second).
COMPUTING_AT_MOST = 10.0


@contextmanager
def _plain_rows(cursor: sqlite3.Cursor) -> Iterator[None]:
    """Within the block, SQLite's cursor gives plain tuples (no row factory): a
    ``sqlite3.Row`` made and then turned into a tuple costs several times more, per row."""
    factory = cursor.row_factory
    cursor.row_factory = None
    try:
        yield
    finally:
        cursor.row_factory = factory


class SupervisionSettings(BaseSettings):
    """The limits the compliance rules and conversions use (AIDFED_SUPERVISION_*)."""

    model_config = SettingsConfigDict(
        env_prefix="AIDFED_SUPERVISION_", env_file=".env", extra="ignore"
    )

    transit_limit_days: int = 90
    administration_share: Decimal = Decimal("0.20")
    rate_max_age_days: int | None = 31
    # A served International computes its answers in the background this often (0: never),
    # so that a supervisor's request finds them kept (see federation.node.warm).
    warm_interval_seconds: float = 5.0


@dataclass(frozen=True, slots=True)
class Answer:
    """Rows of one list with the watermark of the state they were read from."""

    items: list[dict[str, Any]]
    watermark: dict[str, Any]
    columns: tuple[str, ...]
    limit: int = 0
    offset: int = 0


def shape(row: dict[str, Any]) -> dict[str, Any]:
    """Minor units as decimal text: ``amount_minor`` becomes ``amount`` in the row's currency."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if key.endswith("_minor"):
            code = row.get("currency")
            text = None if value is None or code is None else minor_text(int(value), code)
            out[key.removesuffix("_minor")] = text
        else:
            out[key] = value
    return out


class SupervisoryService:
    """Queries of the supervisory view, its watermark, rebuild and digest."""

    def __init__(
        self, app: InternationalApplication, settings: SupervisionSettings | None = None
    ) -> None:
        self.app = app
        self.db: Database = app.db
        self.settings = settings or SupervisionSettings()
        self.projector = Projector(app.settings.node_id)
        self.overview = Overview(self)
        # The days' books follow every ingest of this process (supervisory_days).
        if isinstance(app.ingestor, SupervisoryIngestor):
            app.ingestor.flows_moved = self.overview.measures.books.advance
        self.rules = Rules(self)
        self._cache: OrderedDict[tuple[Any, ...], dict[str, Any]] = OrderedDict()
        # The answers being computed now, each by one thread: another thread asking for the
        # same waits for it (see ``cached``).
        self._computing: dict[tuple[Any, ...], tuple[int, threading.Event]] = {}
        self._lock = threading.Lock()
        self._reading = threading.local()

    def token(self) -> tuple[Any, ...]:
        """The state the answers are read from: every position of the projection and of the
        International's own records (after catching those up)."""
        self.app.view.catch_up()
        rows = self.query(
            "SELECT projection, upstream, position FROM projection_positions "
            "WHERE projection IN (?, ?)",
            [NAME, self.app.view.name],
        )
        return tuple(sorted((r["projection"], r["upstream"], int(r["position"])) for r in rows))

    def cached(
        self,
        key: tuple[Any, ...],
        compute: Callable[[], dict[str, Any]],
        projection_only: bool = False,
    ) -> dict[str, Any]:
        """``compute()``'s answer for ``key``, reused until the state token changes (only the
        projection's part of it, for an answer read from the supervisory tables alone: a new
        rate, say, leaves it as it was).

        What ``compute`` itself keeps with ``cached`` (the rates, the aims of an overview) is
        kept with the same token: the state its answer was computed for, read once.

        An answer is computed by one thread at a time: a request that asks for what another
        thread is computing (the background round, after a new rate) waits for that answer.
        Computing it beside the other, each would have taken the interpreter in turns, and
        the request about twice as long. Should the other fail, the request computes its own.
        """
        outer = getattr(self._reading, "token", None)
        token = outer if outer is not None else self.token()
        full = (tuple(t for t in token if t[0] == NAME) if projection_only else token, key)
        found, running, mine = self._kept_or_running(full)
        if running is not None:
            running.wait(COMPUTING_AT_MOST)
            found, _, mine = self._kept_or_running(full)
        if found is not None:
            return found
        self._reading.token = token
        try:
            answer = compute()
            with self._lock:  # kept before the threads waiting for it look
                self._cache[full] = answer
                while len(self._cache) > 64:
                    self._cache.popitem(last=False)
        finally:
            self._reading.token = outer
            if mine:  # this thread's to compute: done, or failed
                with self._lock:
                    self._computing.pop(full)[1].set()
        return answer

    def _kept_or_running(
        self, full: tuple[Any, ...]
    ) -> tuple[dict[str, Any] | None, threading.Event | None, bool]:
        """The answer kept for ``full``, else the event of another thread computing it, else
        neither; and whether this thread has just become the one computing it."""
        with self._lock:
            found = self._cache.get(full)
            if found is not None:
                self._cache.move_to_end(full)
                return found, None, False
            running = self._computing.get(full)
            if running is None:
                self._computing[full] = (threading.get_ident(), threading.Event())
                return None, None, True
            owner, event = running
            # Asked again within its own computation: never wait for oneself.
            return None, None if owner == threading.get_ident() else event, False

    def cache_clear(self) -> None:
        """Forget every kept answer, and the findings and overview parts kept per node."""
        with self._lock:
            self._cache.clear()
        self.rules.forget()
        self.overview.kept.clear()
        self.overview.measures.books.clear()

    @property
    def liaison(self) -> str:
        return self.app.settings.liaison_node

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Run the queries of one answer in one read transaction (this thread's): they read one
        state, and a dozen small reads do not each pay for a transaction. Nothing may write
        inside it (an in-memory SQLite database makes a writer wait for its readers)."""
        if getattr(self._reading, "cursor", None) is not None:
            yield
            return
        with self.db.reading() as cursor:
            self._reading.cursor = cursor
            try:
                yield
            finally:
                self._reading.cursor = None

    def _rows(self, sql: str, params: list[Any] | tuple[Any, ...]) -> list[Any]:
        cursor: Cursor | None = getattr(self._reading, "cursor", None)
        if cursor is None:
            with self.db.reading() as own:
                own.execute(self.db.sql(sql), tuple(params))
                return list(own.fetchall())
        cursor.execute(self.db.sql(sql), tuple(params))
        return list(cursor.fetchall())

    def records(self, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> list[Any]:
        """Rows as the driver gives them, to be read by column name only."""
        return self._rows(sql, params)

    def positions(self) -> dict[str, int]:
        """The supervisory projection's position per upstream (in the current snapshot)."""
        rows = self.records(
            "SELECT upstream, position FROM projection_positions WHERE projection = ?", [NAME]
        )
        return {r["upstream"]: int(r["position"]) for r in rows}

    def query(self, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        return [dict(row) for row in self._rows(sql, params)]

    def raw(self, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Rows as tuples, in the order the query selects (for the large reads)."""
        return self.table(sql, params)[1]

    def table(
        self, sql: str, params: list[Any] | tuple[Any, ...] = ()
    ) -> tuple[list[str], list[tuple[Any, ...]]]:
        """The column names and the rows as tuples (for the large reads).

        SQLite gives plain tuples when its cursor has no row factory: a ``sqlite3.Row`` made
        and then turned into a tuple costs several times more, per row.
        """
        cursor: Cursor | None = getattr(self._reading, "cursor", None)
        if cursor is None:
            with self.db.reading() as own:
                return self._table(own, sql, params)
        return self._table(cursor, sql, params)

    def _table(
        self, cursor: Cursor, sql: str, params: list[Any] | tuple[Any, ...]
    ) -> tuple[list[str], list[tuple[Any, ...]]]:
        inner = getattr(cursor, "sqlite_cursor", None)
        if isinstance(inner, sqlite3.Cursor):
            with _plain_rows(inner):
                inner.execute(sql, tuple(params))
                return [d[0] for d in inner.description or ()], inner.fetchall()
        cursor.execute(self.db.sql(sql), tuple(params))
        found = list(cursor.fetchall())
        names = list(found[0].keys()) if found else []
        return names, [tuple(r.values()) if isinstance(r, dict) else tuple(r) for r in found]

    def chunks(
        self, sql: str, params: list[Any] | tuple[Any, ...], size: int
    ) -> Iterator[list[tuple[Any, ...]]]:
        """The rows of ``sql`` as tuples, ``size`` at a time, in this thread's snapshot: a
        background reader that lets the requests go first between chunks (supervisory_days).

        SQLite's module lets go of the interpreter for every row it steps to, and a thread that
        does that waits for it back behind any thread running Python: a large read beside
        other work is slow, and slows the other's own reads as much. Read in chunks, the
        reader can stand aside between them.
        """
        cursor: Cursor | None = getattr(self._reading, "cursor", None)
        if cursor is None:
            raise RuntimeError("rows are read in chunks within a snapshot only")
        inner = getattr(cursor, "sqlite_cursor", None)
        if not isinstance(inner, sqlite3.Cursor):
            # PostgreSQL's driver takes the whole answer at once, without letting go per row.
            rows = self._table(cursor, sql, params)[1]
            for start in range(0, len(rows), size):
                yield rows[start : start + size]
            return
        with _plain_rows(inner):
            inner.execute(sql, tuple(params))
            while found := inner.fetchmany(size):
                yield found

    # --- watermark ------------------------------------------------------------------------

    def watermark(self) -> dict[str, Any]:
        """Per node: the log size included, what was ingested, verified, and when last synced."""
        followed = {
            r["upstream"]: r
            for r in self.query(
                "SELECT upstream, size, head, status, last_success FROM follower_state"
            )
        }
        nodes = []
        for row in self.query(WATERMARK_SQL, [NAME]):
            state = followed.get(row["upstream"], {})
            synced = state.get("last_success")
            nodes.append(
                {
                    "node": row["upstream"],
                    "included": int(row["included"] or 0),
                    "ingested": int(row["ingested"]),
                    "verified": state.get("size"),
                    "upstream_head": state.get("head"),
                    "status": state.get("status"),
                    "last_synced": synced or row["last_ingest"],
                    "synced_by": "follower" if synced else "ingest",
                }
            )
        complete = all(n["included"] == n["ingested"] for n in nodes)
        own = self.app.view.position()
        return {"nodes": nodes, "complete": complete, "international_read_to": own}

    # --- lists ----------------------------------------------------------------------------

    def rows(self, name: str, filters: dict[str, Any], limit: int = 100, offset: int = 0) -> Answer:
        """One page of the list ``name``, filtered; amounts as decimal text."""
        spec = LISTS[name]
        query, params = filtered(
            spec.sql, self._filters(name, spec, filters), spec.order, limit, offset
        )
        items = [shape(r) for r in self.query(query, params)]
        return Answer(items, self.watermark(), spec.columns, limit, offset)

    def _filters(self, name: str, spec: ListSpec, given: dict[str, Any]) -> list[Filter]:
        out: list[Filter] = []
        for key, value in given.items():
            if value is None:
                continue
            if key in ("since", "until"):
                out.append(self._period(name, spec, key, value))
                continue
            column = spec.filters.get("agency_id" if key == "agency" else key)
            if column is None:
                raise InvalidInput(
                    "supervisory.filter_not_supported",
                    f"the {name} list is not filtered by {key}; it takes "
                    + (", ".join(sorted(spec.filters)) or "no filters")
                    + (" and a period (since, until)" if spec.dated else ""),
                )
            out.append((f"{column} = ?", (self._value(key, value),)))
        return out

    @staticmethod
    def _period(name: str, spec: ListSpec, key: str, value: date) -> Filter:
        if spec.dated is None:
            raise InvalidInput(
                "supervisory.filter_not_supported", f"the {name} list has no period to filter by"
            )
        op = ">=" if key == "since" else "<="
        return (f"{spec.dated} {op} ?", (value.isoformat(),))

    @staticmethod
    def _value(key: str, value: Any) -> Any:
        if key == "agency":
            return agency_id(str(value))
        if key in ("country", "currency"):
            return str(value).strip().upper()
        return str(value)

    # --- by organisation type, and in transit -----------------------------------------

    def organisation_types(
        self,
        since: date | None,
        until: date | None,
        country: str | None,
        currency: str | None,
    ) -> list[dict[str, Any]]:
        """Per organisation type and currency: pledged, received, in kind, loan subscribed."""
        filters, params = where_clause(
            [
                ("country", country.upper() if country else None),
                ("currency", currency.upper() if currency else None),
            ],
            " AND ",
        )
        if since is None and until is None:
            rows = self.query(ORGANISATION_TYPES_SQL.format(filters=filters), params)
        else:
            low, high = (since or date.min).isoformat(), (until or date.max).isoformat()
            dated = [low, high, low, high, low, high]
            query = ORGANISATION_TYPES_IN_PERIOD_SQL.format(filters=filters)
            rows = self.query(query, [*dated, *params])
        grouped: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
        for r in rows:
            grouped[(r["organisation_type"], r["currency"])][r["measure"]] = int(r["amount_minor"])
        keep = ("pledged", "received", "in_kind", "loan_subscribed")
        return [
            {
                "organisation_type": org,
                "currency": code,
                **{k: minor_text(m.get(k, 0), code) for k in keep},
            }
            for (org, code), m in sorted(grouped.items())
        ]

    def in_transit(
        self,
        as_of: date,
        country: str | None,
        currency: str | None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[dict[str, Any]]:
        """Transfers in transit at the end of ``as_of``, oldest first, with their age in days."""
        day = as_of.isoformat()
        filters, params = where_clause(
            [
                ("country", country.upper() if country else None),
                ("currency", currency.upper() if currency else None),
            ],
            " AND ",
        )
        order = " ORDER BY sent_on, country, transfer_id LIMIT ? OFFSET ?"
        query = IN_TRANSIT_SQL + filters + order
        rows = self.query(query, [day, day, day, *params, limit, offset])
        over = self.settings.transit_limit_days
        out = []
        for r in rows:
            age = (as_of - date.fromisoformat(r["sent_on"])).days
            shaped = shape(r)
            out.append(shaped | {"age_days": age, "over_limit": age > over})
        return out

    # --- rebuild and digest ---------------------------------------------------------------

    def rebuild(self) -> dict[str, Any]:
        """Clear every supervisory table and replay every ingested entry; returns the digest."""
        replayed = rebuild(self.app, self.db, self.projector)
        self.cache_clear()
        return {"replayed": replayed, "digest": digest(self.db), "watermark": self.watermark()}

    def digest(self) -> dict[str, Any]:
        """SHA-256 over the rows of every supervisory table, with the watermark it is of."""
        return {"digest": digest(self.db), "watermark": self.watermark()}
