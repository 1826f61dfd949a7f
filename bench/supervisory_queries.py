"""The supervisory queries timed in a process shaped like a served International.

``bench.supervisory`` ingests a million events in its own process, which then also holds the
generated events and the heap history of making them: a converted overview computed there took
~6 ms more at p50, and twice as much at p99, than in a process that only opened the node. A
served International is such a process: ``aidfed node serve`` opens the node's folder, computes
its first answers (``KeepWarm.round``: the overview in every reporting currency and the
findings, with its heap then frozen) and only then reports ready. So the queries are timed here,
in a fresh interpreter that does exactly that with the folder the ingest wrote; the held-back
entries arrive through its own ingestor, as a follower's pages would.

Run by ``bench.supervisory`` as ``python -m bench.supervisory_queries FOLDER``: reads
``FOLDER/later.pickle`` (the held-back entries), writes ``FOLDER/queries.json`` (the rows).
What the node computes with nothing kept — each common answer, the findings of every node,
the first round — is timed first, as its start-up; then the rounds go on in the background
every few seconds (``warm_interval_seconds``) while the requests are timed, as when served.
"""

from __future__ import annotations

import json
import pickle
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench.supervisory import (
    ARRIVING_RUNS,
    NEW_PAGE,
    REPEAT,
    SUPERVISOR,
    settings,
)
from bench.supervisory_events import CURRENCIES
from federation.node.ingest import RemoteEntry
from federation.node.international import InternationalApplication
from federation.node.warm import KeepWarm

Row = list[object]


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


class Arrivals:
    """The held-back entries, delivered a page of one node at a time, node after node."""

    def __init__(self, app: InternationalApplication, later: dict[str, list[RemoteEntry]]) -> None:
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


class Turns:
    """A different question before each run: ``ask()`` asks the one ``next_one()`` chose."""

    def __init__(self, make: Callable[[int], dict[str, Any]]) -> None:
        self.make, self.turn = make, 0
        self.question: dict[str, Any] = make(0)

    def next_one(self) -> None:
        self.turn += 1
        self.question = self.make(self.turn)


def new_period(turn: int) -> dict[str, Any]:
    """A period no run asked before: its start moves by five days, its length by a day."""
    since = date(1922, 1, 3) + timedelta(days=5 * turn)
    return {"since": since, "until": since + timedelta(days=60 + turn % 240)}


def queries(
    app: InternationalApplication,
    raw: sqlite3.Connection,
    later: dict[str, list[RemoteEntry]],
    keep: KeepWarm,
) -> list[Row]:
    sv = app.supervisory
    ov = sv.overview
    rows: list[Row] = []
    arrivals = Arrivals(app, later)

    def measure(
        name: str,
        run: Callable[[], Any],
        baseline: str,
        sql: str,
        *p: Any,
        before: Callable[[], Any] | None = None,
        repeat: int = REPEAT,
    ) -> None:
        def served() -> Any:
            with keep.requests.serving():  # as the API's middleware counts a request
                return run()

        p50, p99 = latency(served, repeat, before)
        b50, b99 = latency(lambda: raw.execute(sql, p).fetchall(), repeat)
        rows.append([name, f"{p50:.2f}", f"{p99:.2f}", baseline, f"{b50:.2f}", f"{b99:.2f}"])

    totals = "SELECT country, currency, measure, SUM(amount_minor) FROM sv_totals GROUP BY 1, 2, 3"
    months = "SELECT * FROM sv_months"

    since, until = date(1922, 3, 5), date(1923, 2, 20)
    usd: dict[str, Any] = {"reporting_currency": "USD"}
    page = arrivals.page
    # What a supervisor sees after new events arrive: a page of one node projected before each.
    measure("overview (after a page)", ov.overview, "sum sv_totals", totals, before=page)
    measure(
        "overview in USD (after a page)",
        lambda: ov.overview(**usd),
        "read sv_months",
        months,
        before=page,
    )
    measure(
        "overview in USD, one country (after a page)",
        lambda: ov.overview(**usd, country="C07"),
        "read sv_months of C07",
        months + " WHERE country = ?",
        "C07",
        before=page,
    )
    measure(
        "overview in USD, a period (after a page)",
        lambda: ov.overview(**usd, since=since, until=until),
        "read sv_months",
        months,
        before=page,
    )
    # A question asked for the first time, the answers of the first round kept: another period
    # before each run.
    periods = Turns(lambda turn: {**usd, **new_period(turn)})
    measure(
        "overview in USD, a new period",
        lambda: ov.overview(**periods.question),
        "read sv_months",
        months,
        before=periods.next_one,
    )
    measure("overview (kept, state unchanged)", lambda: ov.overview(), "sum sv_totals", totals)
    measure("overview in USD (kept)", lambda: ov.overview(**usd), "read sv_months", months)
    # A new rate: the parts kept per country are converted again (their months are kept).
    rates = NewRates(app)
    for name, question in [("", usd), (", a period", {**usd, "since": since, "until": until})]:

        def asked(q: dict[str, Any] = question) -> Any:
            return ov.overview(**q)

        measure(
            f"overview in USD{name} (after a new rate)",
            asked,
            "read sv_months",
            months,
            before=rates.record,
        )
    lists(app, measure, page)
    return rows


def lists(
    app: InternationalApplication, measure: Callable[..., None], page: Callable[[], None]
) -> None:
    """Time the filtered lists and the compliance exceptions (``measure`` keeps the rows)."""
    sv = app.supervisory
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
        return lambda: sv.rules.exceptions(offset=offset, **{"as_of": date(1924, 1, 1), **kw})

    sent = "SELECT * FROM sv_transfers WHERE status = ? ORDER BY sent_on LIMIT 100 OFFSET 500"
    # Findings are kept per node: after a page, only that node (or the liaison's opinions'
    # consultations) is judged again.
    measure(
        "exceptions, first page (after a page)",
        exceptions(),
        "transfers page, SQL",
        sent,
        "sent",
        before=page,
    )
    days = Turns(lambda turn: {"as_of": date(1922, 2, 1) + timedelta(days=3 * turn)})
    measure(
        "exceptions, first page, a new as-of day",
        lambda: sv.rules.exceptions(**days.question),
        "transfers page, SQL",
        sent,
        "sent",
        before=days.next_one,
    )
    measure("exceptions, page 6 (kept)", exceptions(500), "transfers page, SQL", sent, "sent")
    measure(
        "exceptions of one rule and country (kept)",
        exceptions(rule="transfer.in_transit_too_long", country="C07"),
        "transfers page, SQL",
        sent,
        "sent",
    )


def machine(repeat: int = 5 * REPEAT) -> list[str]:
    """The machine's own pauses: p50 and p99 of a fixed loop of pure Python (~2 ms, no I/O,
    no service), timed in this process right after the queries. On a shared or virtual
    machine the p99 of any work is above its p50 by what the machine takes now and then."""

    def fixed() -> int:
        return sum(i * i for i in range(50_000))

    p50, p99 = latency(fixed, repeat)
    return [f"{p50:.2f}", f"{p99:.2f}", f"{p99 / p50:.2f}"]


def start_up(app: InternationalApplication, keep: KeepWarm) -> list[Row]:
    """What a served International computes after it opens, before it reports ready: each
    common answer with nothing kept (every kept answer and part forgotten before each run),
    the findings of every node (five runs), then its first round (the countries' days' books,
    the overview in each reporting currency and the findings), which leaves the node as
    served."""
    sv = app.supervisory
    usd: dict[str, Any] = {"reporting_currency": "USD"}
    period = {**usd, "since": date(1922, 3, 5), "until": date(1923, 2, 20)}
    out: list[Row] = []
    for name, question, repeat in [
        ("the overview", {}, REPEAT),
        ("the overview in USD", usd, REPEAT),
        ("the overview in USD, a period", period, REPEAT),
    ]:

        def cold(q: dict[str, Any] = question) -> Any:
            sv.cache_clear()
            return sv.overview.overview(**q)

        p50, p99 = latency(cold, repeat)
        out.append([f"{name}, nothing kept ({repeat} runs)", f"{p50:.1f}", f"{p99:.1f}"])

    def judged() -> Any:
        sv.cache_clear()
        return sv.rules.exceptions(as_of=date(1924, 1, 1))

    p50, p99 = latency(judged, repeat=5)
    out.append(["the findings of every node, nothing kept (5 runs)", f"{p50:.0f}", f"{p99:.0f}"])
    sv.cache_clear()
    started = time.perf_counter()
    keep.round()
    first = (time.perf_counter() - started) * 1000
    out.append(
        [
            "first round: the days' books, the overview in each currency and the findings",
            f"{first:.0f}",
            "",
        ]
    )
    return out


def main(folder: Path) -> None:
    with (folder / "later.pickle").open("rb") as held:
        later: dict[str, list[RemoteEntry]] = pickle.load(held)
    app = InternationalApplication(settings(folder / "intl"))
    raw = sqlite3.connect(folder / "intl" / "events.sqlite")
    keep = KeepWarm(app, freeze=True)
    try:
        ready = start_up(app, keep)
        # As served: the rounds go on every few seconds in the background while requests come.
        keep.start(app.supervisory.settings.warm_interval_seconds)
        timed = queries(app, raw, later, keep)
        pauses = machine()
    finally:
        keep.stop()
        raw.close()
        app.close()
    out = {"start_up": ready, "queries": timed, "machine": pauses}
    (folder / "queries.json").write_text(json.dumps(out))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
