"""The supervisory view at scale: events from 50 nodes ingested at the International.

Measured in one run, on SQLite files:
- ingest throughput through the real Ingestor, with the supervisory projection and, as the
  baseline, without any projection (storing and decoding the same entries);
- p50/p99 latency of the overview and of filtered lists through the query service, beside a
  plain indexed SQL query of the same table on a bare sqlite3 connection. The answers a
  supervisor asks for after new events arrive are timed after a page of one node's events has
  been projected (held back from the ingest, delivered node after node before each run);
  "nothing kept" times them with every kept answer and part forgotten; "after a new rate"
  after one rate was recorded (observed or corrected through the International's commands).
BENCH_SUPERVISORY_EVENTS sets the size (default 1,000,000); BENCH_SUPERVISORY_REBUILD=1 also
times a rebuild from zero and checks its digest against the live one.
"""

from __future__ import annotations

import gc
import os
import shutil
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench.supervisory_events import CURRENCIES, federation
from bench.table import print_table
from domain.roles import Actor, Role
from federation.node.base import Context, NodeApplication
from federation.node.ingest import RemoteEntry
from federation.node.international import InternationalApplication
from federation.settings import NodeKind, Settings

N = int(os.environ.get("BENCH_SUPERVISORY_EVENTS", "1000000"))
REBUILD = os.environ.get("BENCH_SUPERVISORY_REBUILD") == "1"
PAGE = 5000  # entries per transaction, as a follower applies a backlog (apply_every)
REPEAT = 200
NEW_PAGE = 20  # entries of one node that arrive before each "after a page" run
ARRIVING_RUNS = 5 * (REPEAT + 3)  # the "after a page" measures, with their warm-up runs
SUPERVISOR = Context(Actor("Willi Münzenberg", Role.SUPERVISOR))


def settings(folder: Path) -> Settings:
    return Settings(
        node_id="INTL",
        kind=NodeKind.INTERNATIONAL,
        name="International",
        data_dir=folder,
        database="sqlite",
        mode="test",
        follow=False,
    )


def ingest(app: NodeApplication, data: dict[str, list[RemoteEntry]], limit: int) -> int:
    """Pages of each node in turn, as followers deliver them; returns how many were ingested."""
    done, at = 0, dict.fromkeys(data, 0)
    while done < limit:
        moved = 0
        for upstream, entries in data.items():
            page = entries[at[upstream] : at[upstream] + min(PAGE, limit - done - moved)]
            if page:
                moved += app.ingestor.ingest(upstream, page)
                at[upstream] += len(page)
        if not moved:
            break
        done += moved
    return done


def observe_rates(app: InternationalApplication) -> None:
    """Month-start rates of every currency in USD for two years, one of them also mid-month."""
    for code in CURRENCIES:
        if code == "USD":
            continue
        for month in range(24):
            day = date(1922 + month // 12, month % 12 + 1, 1)
            rate = Decimal("0.0030") / (month + 1) if code == "XPM" else Decimal("0.0800")
            app.observe_rate(
                SUPERVISOR,
                currency=code,
                reporting_currency="USD",
                rate=rate,
                value_date=day,
                source="bench",
            )
    app.observe_rate(
        SUPERVISOR,
        currency="XPM",
        reporting_currency="USD",
        rate=Decimal("0.00001"),
        value_date=date(1923, 8, 15),
        source="bench, mid-month",
    )


def hold_back(data: dict[str, list[RemoteEntry]]) -> dict[str, list[RemoteEntry]]:
    """Take the last entries of every node off ``data``: they arrive during the queries."""
    per_node = -(-ARRIVING_RUNS * NEW_PAGE // len(data))
    later = {}
    for upstream, entries in data.items():
        keep = len(entries) - min(per_node, len(entries) // 10)
        data[upstream], later[upstream] = entries[:keep], entries[keep:]
    return later


class Arrivals:
    """The held-back entries, delivered a page of one node at a time, node after node."""

    def __init__(self, app: NodeApplication, later: dict[str, list[RemoteEntry]]) -> None:
        self.app, self.later = app, later
        self.nodes = sorted(later)
        self.turn, self.at = 0, dict.fromkeys(later, 0)
        total = sum(len(entries) for entries in later.values())
        self.size = max(1, min(NEW_PAGE, total // ARRIVING_RUNS))

    def page(self) -> None:
        for _ in range(len(self.nodes)):
            upstream = self.nodes[self.turn % len(self.nodes)]
            self.turn += 1
            at = self.at[upstream]
            entries = self.later[upstream][at : at + self.size]
            if entries:
                self.at[upstream] = at + len(entries)
                self.app.ingestor.ingest(upstream, entries)
                return
        raise RuntimeError("the held-back entries ran out")


class NewRates:
    """A rate recorded before each "after a new rate" run, through the International's own
    commands: in turn a new month-start observation after the history (the month's rate as it
    is recorded) and a correction of an observed month-start rate inside it (which changes
    converted figures). Either changes the rates the answers are converted at."""

    def __init__(self, app: InternationalApplication) -> None:
        self.app, self.turn = app, 0
        self.codes = [c for c in CURRENCIES if c != "USD"]

    def record(self) -> None:
        code = self.codes[self.turn % len(self.codes)]
        months = self.turn // len(self.codes)
        self.turn += 1
        if self.turn % 2:
            self.app.observe_rate(
                SUPERVISOR,
                currency=code,
                reporting_currency="USD",
                rate=Decimal("0.0700"),
                value_date=date(1924 + months // 12, months % 12 + 1, 1),
                source="bench, new",
            )
        else:
            self.app.correct_rate(
                SUPERVISOR,
                currency=code,
                reporting_currency="USD",
                value_date=date(1922 + months % 24 // 12, months % 12 + 1, 1),
                rate=Decimal("0.0750") + Decimal(self.turn) / 100000,
                reason="bench, corrected",
            )


def latency(
    run: Callable[[], Any], repeat: int = REPEAT, before: Callable[[], Any] | None = None
) -> tuple[float, float]:
    """p50 and p99 in milliseconds; ``before`` runs untimed before each run."""
    for _ in range(3):
        if before:
            before()
        run()
    times = []
    for _ in range(repeat):
        if before:
            before()
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.99))]


def queries(
    app: InternationalApplication, raw: sqlite3.Connection, later: dict[str, list[RemoteEntry]]
) -> list[list[object]]:
    sv = app.supervisory
    ov = sv.overview
    rows: list[list[object]] = []
    arrivals = Arrivals(app, later)

    def measure(
        name: str, run: Callable[[], Any], baseline: str, sql: str, *p: Any, arriving: bool = False
    ) -> None:
        p50, p99 = latency(run, before=arrivals.page if arriving else None)
        b50, b99 = latency(lambda: raw.execute(sql, p).fetchall())
        rows.append([name, f"{p50:.2f}", f"{p99:.2f}", baseline, f"{b50:.2f}", f"{b99:.2f}"])

    totals = "SELECT country, currency, measure, SUM(amount_minor) FROM sv_totals GROUP BY 1, 2, 3"
    months = "SELECT * FROM sv_months"

    def cold(**kw: Any) -> Callable[[], Any]:
        def run() -> Any:
            sv.cache_clear()
            return ov.overview(**kw)

        return run

    since, until = date(1922, 3, 5), date(1923, 2, 20)
    usd: dict[str, Any] = {"reporting_currency": "USD"}
    # What a supervisor sees after new events arrive: a page of one node projected before each.
    measure("overview (after a page)", ov.overview, "sum sv_totals", totals, arriving=True)
    measure(
        "overview in USD (after a page)",
        lambda: ov.overview(**usd),
        "read sv_months",
        months,
        arriving=True,
    )
    measure(
        "overview in USD, one country (after a page)",
        lambda: ov.overview(**usd, country="C07"),
        "read sv_months of C07",
        months + " WHERE country = ?",
        "C07",
        arriving=True,
    )
    measure(
        "overview in USD, a period (after a page)",
        lambda: ov.overview(**usd, since=since, until=until),
        "read sv_months",
        months,
        arriving=True,
    )
    # Nothing kept: every answer and every part kept per node forgotten before each run: a
    # question asked for the first time. A served International computes the common ones at
    # start-up, before it is ready (node/warm.py), and inside a rebuild's request.
    measure("overview (nothing kept)", cold(), "sum sv_totals", totals)
    measure("overview (kept, state unchanged)", lambda: ov.overview(), "sum sv_totals", totals)
    measure("overview in USD (nothing kept)", cold(**usd), "read sv_months", months)
    measure("overview in USD (kept)", lambda: ov.overview(**usd), "read sv_months", months)
    # A new rate: the parts kept per country are converted again (their months are kept).
    rates = NewRates(app)
    periods: list[tuple[str, dict[str, Any]]] = [
        ("", usd),
        (", a period", {**usd, "since": since, "until": until}),
    ]
    for name, question in periods:

        def run(q: dict[str, Any] = question) -> Any:
            return ov.overview(**q)

        p50, p99 = latency(run, before=rates.record)
        b50, b99 = latency(lambda: raw.execute(months).fetchall())
        rows.append(
            [
                f"overview in USD{name} (after a new rate)",
                f"{p50:.2f}",
                f"{p99:.2f}",
                "read sv_months",
                f"{b50:.2f}",
                f"{b99:.2f}",
            ]
        )
    measure(
        "overview in USD, a period (nothing kept)",
        cold(**usd, since=since, until=until),
        "read sv_months",
        months,
    )
    receipts = "SELECT * FROM sv_receipts WHERE country = ? ORDER BY value_date LIMIT 100"
    measure(
        "receipts of one country",
        lambda: sv.rows("receipts", {"country": "C07"}),
        "same, plain SQL",
        receipts,
        "C07",
    )
    measure(
        "receipts in XPM, a period, active",
        lambda: sv.rows(
            "receipts",
            {"currency": "XPM", "status": "active", "since": date(1923, 1, 1)},
        ),
        "same, plain SQL",
        "SELECT * FROM sv_receipts WHERE currency = ? AND reversed_on IS NULL "
        "AND value_date >= ? ORDER BY value_date LIMIT 100",
        "XPM",
        "1923-01-01",
    )
    measure(
        "transfers in transit (status sent)",
        lambda: sv.rows("transfers", {"status": "sent"}),
        "same, plain SQL",
        "SELECT * FROM sv_transfers WHERE status = ? ORDER BY initiated_on LIMIT 100",
        "sent",
    )
    measure(
        "procurement: machines, one agency",
        lambda: sv.rows("procurements", {"category": "machines", "agency": "VSNKH"}),
        "same, plain SQL",
        "SELECT * FROM sv_procurements WHERE category = ? ORDER BY committed_on LIMIT 100",
        "machines",
    )

    def exceptions(offset: int = 0, **kw: Any) -> Callable[[], Any]:
        return lambda: sv.rules.exceptions(as_of=date(1924, 1, 1), offset=offset, **kw)

    def cold_exceptions() -> Any:
        sv.cache_clear()
        return exceptions()()

    sent = "SELECT * FROM sv_transfers WHERE status = ? ORDER BY sent_on LIMIT 100 OFFSET 500"
    # Findings are kept per node: after a page, only that node (or the liaison's opinions'
    # consultations) is judged again.
    measure(
        "exceptions, first page (after a page)",
        exceptions(),
        "transfers page, SQL",
        sent,
        "sent",
        arriving=True,
    )
    # Nothing kept: every node judged again (at start-up, before the node is ready).
    p50, p99 = latency(cold_exceptions, repeat=5)
    rows.append(
        [
            "exceptions, first page (nothing kept, 5 runs)",
            f"{p50:.0f}",
            f"{p99:.0f}",
            "",
            "",
            "",
        ]
    )
    measure("exceptions, page 6 (kept)", exceptions(500), "transfers page, SQL", sent, "sent")
    measure(
        "exceptions of one rule and country (kept)",
        exceptions(rule="transfer.in_transit_too_long", country="C07"),
        "transfers page, SQL",
        sent,
        "sent",
    )
    return rows


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="aidfed-bench-supervisory-"))
    intl = InternationalApplication(settings(folder / "intl"))
    started = time.perf_counter()
    data = federation(intl, N)
    later = hold_back(data)  # arrive while the queries are timed
    total = sum(len(entries) for entries in data.values())
    made = time.perf_counter() - started
    bare = NodeApplication(settings(folder / "bare"))
    # All the entries, not a sample: the baseline's own tables and indexes grow with the count
    # too, and only the same count leaves the projection alone in the difference.
    sample = total
    bare_cpu = time.process_time()
    started = time.perf_counter()
    ingest(bare, data, sample)
    bare_rate = sample / (time.perf_counter() - started)
    bare_cpu = (time.process_time() - bare_cpu) / sample * 1e6
    bare.close()
    observe_rates(intl)
    cpu = time.process_time()
    started = time.perf_counter()
    ingest(intl, data, total)
    seconds = time.perf_counter() - started
    cpu = (time.process_time() - cpu) / total * 1e6
    rate = total / seconds
    projection = 1 / (1 / rate - 1 / bare_rate)
    # CPU time per event beside the rates: other jobs on the machine stretch the wall clock,
    # hardly the CPU time one run spends (the projection's is again the difference).
    rows = [
        [
            "events made (domain templates)",
            f"{total:,}",
            f"{made:.1f} s",
            f"{total / made:,.0f}",
            "",
        ],
        [
            "ingest, no projection (baseline)",
            f"{sample:,}",
            "",
            f"{bare_rate:,.0f}",
            f"{bare_cpu:.1f}",
        ],
        [
            "ingest + supervisory projection",
            f"{total:,}",
            f"{seconds:.1f} s",
            f"{rate:,.0f}",
            f"{cpu:.1f}",
        ],
        [
            "projection alone (the difference)",
            "",
            "",
            f"{projection:,.0f}",
            f"{cpu - bare_cpu:.1f}",
        ],
    ]
    if REBUILD:
        live = intl.supervisory.digest()["digest"]
        cpu = time.process_time()
        started = time.perf_counter()
        rebuilt = intl.supervisory.rebuild()
        spent = time.perf_counter() - started
        cpu = (time.process_time() - cpu) / total * 1e6
        same = "digest equal" if rebuilt["digest"] == live else "DIGEST DIFFERS"
        rows.append(
            [
                f"rebuild from zero ({same})",
                f"{total:,}",
                f"{spent:.1f} s",
                f"{total / spent:,.0f}",
                f"{cpu:.1f}",
            ]
        )
    print_table(
        f"Supervisory projection: {total:,} events from {len(data)} nodes (SQLite, events/s)",
        ["run", "events", "time", "events/s", "CPU µs/event"],
        rows,
    )
    raw = sqlite3.connect(folder / "intl" / "events.sqlite")
    # As 'aidfed node serve' does once its first answers are kept (federation/node/warm.py):
    # what exists now — here also the generated entries, which a served node does not hold —
    # is left out of the cyclic collector's full collections.
    gc.collect()
    gc.freeze()
    print_table(
        f"Supervisory queries over {total:,} events (ms, {REPEAT} runs each; goal p99 < 20)",
        ["query (service)", "p50", "p99", "baseline (bare sqlite3)", "p50", "p99"],
        queries(intl, raw, later),
    )
    print(
        "A served International answers its requests as in the rows 'after a page', 'after a new"
        " rate' and 'kept'. It computes the 'nothing kept' rows for a question asked for the first"
        " time (another period, country or currency): the common ones (the overview plain and in"
        " each reporting currency, the findings) once after it starts, before /readyz answers"
        " 200, and inside a rebuild's request."
    )
    raw.close()
    intl.close()
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
