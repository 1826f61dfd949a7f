"""Recording receipts through the committee application vs bare eventsourcing vs raw sqlite3.

All three write to SQLite files in the same run, so the ratios hold on any machine.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from statistics import median
from typing import Any
from uuid import uuid4

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate

from bench.table import print_table
from domain.campaign import CampaignKind
from domain.committee import OrganisationType
from domain.money import Money
from domain.roles import Actor, Role
from federation.node.base import Context
from federation.node.committee import CashReceiptLine, CommitteeApplication
from federation.settings import Settings

N = int(os.environ.get("BENCH_RECEIPTS", "20000"))
BATCH = 100
# Rounds of every variant; the table shows medians (the machine may be shared).
REPEATS = int(os.environ.get("BENCH_REPEATS", "3"))
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


def domain_run(folder: Path, batch: int) -> float:
    """Seconds to record N receipts; the node is set up and the lines parsed before the clock."""
    # Parsing the input is the client's work (the HTTP layer's), as is starting the node.
    batches = [
        [line(n) for n in range(start, min(start + batch, N))] for start in range(0, N, batch)
    ]
    app = committee(folder)
    start = time.perf_counter()
    for lines in batches:
        if batch == 1:
            app.record_cash_receipt(TREASURER, lines[0])
        else:
            app.record_cash_receipts(TREASURER, lines)
    seconds = time.perf_counter() - start
    app.close()
    return seconds


def bare_run(folder: Path, batch: int) -> float:
    """Seconds to create and save N minimal aggregates through a stock Application."""
    app: Application[Any] = Application(
        env={
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(folder / "bare.sqlite"),
        }
    )
    start = time.perf_counter()
    for first in range(0, N, batch):
        app.save(*[Minimal(note=f"n{n}") for n in range(first, min(first + batch, N))])
    seconds = time.perf_counter() - start
    app.close()
    return seconds


def stored_state_size(folder: Path) -> int:
    app = committee(folder)
    app.record_cash_receipt(TREASURER, line(1))
    [notification] = app.recorder.select_notifications(start=3, limit=1)
    app.close()
    return len(notification.state)


def raw_run(folder: Path, size: int) -> float:
    """Seconds to insert N rows of the receipt's stored size, 100 per transaction."""
    db = sqlite3.connect(folder / "raw.sqlite", isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute(
        "CREATE TABLE IF NOT EXISTS e (id TEXT, v INTEGER, topic TEXT, state BLOB, "
        "PRIMARY KEY (id, v))"
    )
    payload = b"x" * size
    start = time.perf_counter()
    for first in range(0, N, BATCH):
        rows = [
            (uuid4().hex, 1, "domain.receipt:CashReceipt.Received", payload)
            for _ in range(first, min(first + BATCH, N))
        ]
        db.execute("BEGIN")
        db.executemany("INSERT INTO e VALUES (?,?,?,?)", rows)
        db.execute("COMMIT")
    seconds = time.perf_counter() - start
    db.close()
    return seconds


def rate(run: Callable[..., float], *args: Any) -> float:
    """Events per second of one run on a fresh folder."""
    with tempfile.TemporaryDirectory() as d:
        return N / run(Path(d), *args)


def measure(size: int) -> dict[str, list[float]]:
    """Rates of every variant over REPEATS rounds, interleaved so that a load felt by one
    variant is felt by the others too."""
    variants: dict[str, tuple[Callable[..., float], Any]] = {
        "domain-batch": (domain_run, BATCH),
        "bare-batch": (bare_run, BATCH),
        "domain-single": (domain_run, 1),
        "bare-single": (bare_run, 1),
        "raw": (raw_run, size),
    }
    rates: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(REPEATS):
        for name, (run, arg) in variants.items():
            rates[name].append(rate(run, arg))
    return rates


def _row(what: str, rates: dict[str, list[float]], name: str, base: str) -> list[str]:
    ratios = [a / b for a, b in zip(rates[name], rates[base], strict=True)]
    spread = f"{min(ratios):.0%}-{max(ratios):.0%}" if len(ratios) > 1 else ""
    return [what, f"{median(rates[name]):,.0f}", f"{median(ratios):.0%}", spread]


def main() -> None:
    with tempfile.TemporaryDirectory() as d:
        size = stored_state_size(Path(d))
    rates = measure(size)
    rows = [
        _row("committee app, cash receipts, 100 per save", rates, "domain-batch", "bare-batch"),
        _row(
            "bare eventsourcing, minimal aggregates, 100 per save",
            rates,
            "bare-batch",
            "bare-batch",
        ),
        _row("committee app, cash receipts, 1 per save", rates, "domain-single", "bare-single"),
        _row(
            "bare eventsourcing, minimal aggregates, 1 per save",
            rates,
            "bare-single",
            "bare-single",
        ),
        _row(f"raw sqlite3.executemany, {size}-byte rows, 100 per txn", rates, "raw", "bare-batch"),
    ]
    print_table(
        f"Recording receipts on SQLite ({N:,} events each, median of {REPEATS} interleaved "
        "rounds; ratio to bare eventsourcing in the same round)",
        ["what", "events/s", "ratio", "ratio range"],
        rows,
    )
