"""Recording receipts through the committee application vs bare eventsourcing vs raw sqlite3.

All three write to SQLite files in the same run, so the ratios hold on any machine.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from datetime import date
from pathlib import Path
from typing import Any
from uuid import uuid4

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate

from bench.table import best_of, print_table
from domain.campaign import CampaignKind
from domain.committee import OrganisationType
from domain.money import Money
from domain.roles import Actor, Role
from federation.node.base import Context
from federation.node.committee import CashReceiptLine, CommitteeApplication
from federation.settings import Settings

N = int(os.environ.get("BENCH_RECEIPTS", "20000"))
BATCH = 100
SECRETARY = Context(Actor("Caleb Harrison", Role.SECRETARY))
TREASURER = Context(Actor("Alfred Wagenknecht", Role.TREASURER))


class Minimal(Aggregate):
    """The smallest aggregate eventsourcing can save."""

    class Created(Aggregate.Created):
        note: str

    def __init__(self, note: str) -> None:
        self.note = note


def committee(folder: Path) -> CommitteeApplication:
    app = CommitteeApplication(Settings(node_id="US", data_dir=folder, database="sqlite"))
    app.constitute(SECRETARY, name="FSR", national_section="WPA", on=date(1921, 8, 9))
    app.open_campaign(
        SECRETARY,
        code="famine",
        title="Famine relief",
        kind=CampaignKind.COLLECTION,
        national_section=None,
        on=date(1921, 8, 9),
    )
    return app


def line(n: int) -> CashReceiptLine:
    return CashReceiptLine(
        "famine",
        f"Contributor {n}",
        OrganisationType.TRADE_UNION,
        Money.of(f"{n % 997 + 1}.25", "USD"),
        date(1922, 1, 5),
    )


def domain_run(folder: Path, batch: int) -> int:
    # Parsing the input is the client's work (the HTTP layer's): prepared before the clock runs.
    batches = [
        [line(n) for n in range(start, min(start + batch, N))] for start in range(0, N, batch)
    ]
    app = committee(folder)
    for lines in batches:
        if batch == 1:
            app.record_cash_receipt(TREASURER, lines[0])
        else:
            app.record_cash_receipts(TREASURER, lines)
    app.close()
    return N


def bare_run(folder: Path, batch: int) -> int:
    app: Application[Any] = Application(
        env={
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(folder / "bare.sqlite"),
        }
    )
    for start in range(0, N, batch):
        app.save(*[Minimal(note=f"n{n}") for n in range(start, min(start + batch, N))])
    app.close()
    return N


def stored_state_size(folder: Path) -> int:
    app = committee(folder)
    app.record_cash_receipt(TREASURER, line(1))
    [notification] = app.recorder.select_notifications(start=3, limit=1)
    app.close()
    return len(notification.state)


def raw_run(folder: Path, size: int) -> int:
    db = sqlite3.connect(folder / "raw.sqlite", isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute(
        "CREATE TABLE IF NOT EXISTS e (id TEXT, v INTEGER, topic TEXT, state BLOB, "
        "PRIMARY KEY (id, v))"
    )
    payload = b"x" * size
    for start in range(0, N, BATCH):
        rows = [
            (uuid4().hex, 1, "domain.receipt:CashReceipt.Received", payload)
            for _ in range(start, min(start + BATCH, N))
        ]
        db.execute("BEGIN")
        db.executemany("INSERT INTO e VALUES (?,?,?,?)", rows)
        db.execute("COMMIT")
    db.close()
    return N


def fresh(run: Any, *args: Any) -> Any:
    def go() -> int:
        with tempfile.TemporaryDirectory() as d:
            return int(run(Path(d), *args))

    return go


def main() -> None:
    with tempfile.TemporaryDirectory() as d:
        size = stored_state_size(Path(d))
    rates = {
        "domain-batch": best_of(2, fresh(domain_run, BATCH)),
        "bare-batch": best_of(2, fresh(bare_run, BATCH)),
        "domain-single": best_of(1, fresh(domain_run, 1)),
        "bare-single": best_of(1, fresh(bare_run, 1)),
        "raw": best_of(2, fresh(raw_run, size)),
    }
    rows = [
        [
            "committee app, cash receipts, 100 per save",
            f"{rates['domain-batch']:,.0f}",
            f"{rates['domain-batch'] / rates['bare-batch']:.0%}",
        ],
        [
            "bare eventsourcing, minimal aggregates, 100 per save",
            f"{rates['bare-batch']:,.0f}",
            "100%",
        ],
        [
            "committee app, cash receipts, 1 per save",
            f"{rates['domain-single']:,.0f}",
            f"{rates['domain-single'] / rates['bare-single']:.0%}",
        ],
        [
            "bare eventsourcing, minimal aggregates, 1 per save",
            f"{rates['bare-single']:,.0f}",
            "100%",
        ],
        [
            f"raw sqlite3.executemany, {size}-byte rows, 100 per txn",
            f"{rates['raw']:,.0f}",
            f"{rates['raw'] / rates['bare-batch']:.0%}",
        ],
    ]
    print_table(
        f"Recording receipts on SQLite ({N:,} events each; ratio to bare eventsourcing)",
        ["what", "events/s", "ratio"],
        rows,
    )
