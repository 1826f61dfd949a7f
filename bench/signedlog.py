"""The signed log: integration speed beside raw SHA-256, and what the log costs event appends.

Everything runs on SQLite files in one temporary folder in the same run, so the ratios hold on
any machine. The events are real committee events (cash receipts mapped by the node's own
mapper), copied under fresh aggregate ids to reach N. The logged recorder batches its inserts
(executemany) where eventsourcing's recorder inserts row by row, which can hide the log's cost
in the plain comparison; the table therefore also shows what numbering the positions costs on
its own, as a share of a logged append.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from uuid import uuid4

from eventsourcing.persistence import ApplicationRecorder, StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteDatastore

from bench.table import print_table, timed
from domain.committee import OrganisationType
from domain.money import Money
from domain.receipt import CashReceipt
from domain.roles import Actor, Role
from federation.node.committee import CommitteeApplication
from federation.node.locks import NodeLocks
from federation.persistence.database import Database
from federation.persistence.records import LOG_POSITIONS_TABLE
from federation.persistence.sqlite import LoggedSQLiteApplicationRecorder
from federation.settings import Settings
from federation.signedlog.integrator import entry_bytes
from federation.signedlog.log import SignedLog
from federation.signedlog.note import NoteSigner, generate_key

N = int(os.environ.get("BENCH_LOG_EVENTS", "200000"))
BATCH = 1000  # events per append transaction
ROUNDS = 4  # appends alternate between the two recorders, to share any drift of the machine
TREASURER = Actor("Alfred Wagenknecht", Role.TREASURER)


def synthetic_events(count: int) -> list[StoredEvent]:
    """`count` stored cash-receipt events, as the committee node maps them."""
    app = CommitteeApplication(Settings(node_id="US", database="memory", mode="test"))
    try:
        templates = [_receipt_state(app, n) for n in range(500)]
    finally:
        app.close()
    return [
        StoredEvent(uuid4(), 1, topic, state)
        for topic, state in (templates[n % len(templates)] for n in range(count))
    ]


def _receipt_state(app: CommitteeApplication, n: int) -> tuple[str, bytes]:
    receipt = CashReceipt.receive(
        receipt_id=uuid4(),
        campaign_id=uuid4(),
        contributor=f"Local {n} of the Amalgamated Clothing Workers",
        organisation_type=OrganisationType.TRADE_UNION,
        amount=Money.of(f"{n % 90 + 10}.25", "USD"),
        value_date=date(1922, 3, 1),
        actor=TREASURER,
        reference=f"list-{n}",
    )
    stored = app.mapper.to_stored_event(receipt.collect_events()[0])
    return stored.topic, stored.state


def _append(recorder: ApplicationRecorder, events: Sequence[StoredEvent]) -> int:
    for start in range(0, len(events), BATCH):
        recorder.insert_events(events[start : start + BATCH])
    return len(events)


def _recorder(kind: type[SQLiteApplicationRecorder], path: Path) -> SQLiteApplicationRecorder:
    recorder = kind(SQLiteDatastore(str(path), pool_size=2))
    recorder.create_table()
    return recorder


def append_rates(folder: Path, events: list[StoredEvent]) -> tuple[float, float]:
    """Events per second appended by the plain and by the logged recorder, same events."""
    plain = _recorder(SQLiteApplicationRecorder, folder / "plain.sqlite")
    logged = _recorder(LoggedSQLiteApplicationRecorder, folder / "logged.sqlite")
    seconds = {"plain": 0.0, "logged": 0.0}
    step = len(events) // ROUNDS
    for start in range(0, step * ROUNDS, step):
        chunk = events[start : start + step]
        seconds["plain"] += timed(lambda c=chunk: _append(plain, c))[1]  # type: ignore[misc]
        seconds["logged"] += timed(lambda c=chunk: _append(logged, c))[1]  # type: ignore[misc]
    plain.datastore.close()
    logged.datastore.close()
    appended = step * ROUNDS
    return appended / seconds["plain"], appended / seconds["logged"]


def numbering_rate(path: Path, count: int) -> float:
    """Positions per second, numbered alone the way the logged recorder numbers each batch."""
    datastore = SQLiteDatastore(str(path), pool_size=1)
    try:
        with datastore.transaction(commit=True) as cursor:
            cursor.execute(
                f"CREATE TABLE {LOG_POSITIONS_TABLE} "
                "(position INTEGER PRIMARY KEY, notification_id INTEGER NOT NULL)"
            )

        def number() -> int:
            # One transaction for all batches: the commit is paid by the events, not the log.
            with datastore.transaction(commit=True) as cursor:
                for start in range(0, count, BATCH):
                    cursor.execute(f"SELECT COALESCE(MAX(position), 0) FROM {LOG_POSITIONS_TABLE}")
                    head = int(cursor.fetchone()[0])
                    rows = [(head + i, start + i) for i in range(1, min(BATCH, count - start) + 1)]
                    cursor.executemany(
                        f"INSERT INTO {LOG_POSITIONS_TABLE} (position, notification_id) "
                        "VALUES (?, ?)",
                        rows,
                    )
            return count

        numbered, seconds = timed(number)
        return numbered / seconds
    finally:
        datastore.close()


def integration_rates(path: Path) -> tuple[int, float, float]:
    """Entries integrated per second, and raw SHA-256 per second over the same entry bytes."""
    datastore = SQLiteDatastore(str(path), pool_size=2)
    try:
        signer = NoteSigner("aidfed.example/US", generate_key())
        log = SignedLog(Database(datastore), NodeLocks(None), "stored_events", "US", signer)
        size, seconds = timed(log.integrate)
        with log.store.db.reading() as cursor:
            rows = log.store.select_events(cursor, 0, size)
        entries = [entry_bytes(log.integrator.build, row) for row in rows]
        sha256 = hashlib.sha256
        hashed, hash_seconds = timed(lambda: len([sha256(b"\0" + e).digest() for e in entries]))
        return size, size / seconds, hashed / hash_seconds
    finally:
        datastore.close()


def main() -> None:
    """Print the signed log's table."""
    events = synthetic_events(N)
    size = sum(len(e.state) for e in events) // len(events)
    with tempfile.TemporaryDirectory(prefix="aidfed-bench-log-") as tmp:
        folder = Path(tmp)
        plain, logged = append_rates(folder, events)
        integrated, integration, hashing = integration_rates(folder / "logged.sqlite")
        numbering = numbering_rate(folder / "positions.sqlite", len(events))
    cost = plain / logged - 1
    share = logged / numbering
    rows = [
        ["raw hashlib SHA-256 over the entry bytes", f"{hashing:,.0f}", "baseline", ""],
        [
            "log integration (read, encode, hash, tiles)",
            f"{integration:,.0f}",
            ">= 100,000",
            "ok" if integration >= 100_000 else "MISSED",
        ],
        ["appends, plain eventsourcing recorder", f"{plain:,.0f}", "baseline", ""],
        ["appends, logged recorder (+ positions)", f"{logged:,.0f}", "", ""],
        ["cost of the log on appends", f"{cost:+.1%}", "< 10 %", "ok" if cost < 0.10 else "MISSED"],
        ["log positions numbered alone", f"{numbering:,.0f}", "", ""],
        [
            "share of a logged append spent numbering",
            f"{share:.1%}",
            "< 10 %",
            "ok" if share < 0.10 else "MISSED",
        ],
    ]
    title = (
        f"signed log: {integrated:,} committee events (~{size} bytes of state each), "
        f"appends in batches of {BATCH}"
    )
    print_table(title, ["measure", "per second", "goal", ""], rows)


if __name__ == "__main__":
    main()
