"""Load: many concurrent treasurers recording receipts at committee nodes while INTL follows.

Two committee nodes (SQLite) and an International (PostgreSQL, started here) run as real
``aidfed node serve`` processes on loopback, wired in the default topology. ``BENCH_LOAD_CLIENTS``
client threads (each with its own HTTP connection) issue cash-receipt commands, each with its own
Idempotency-Key, at a committee chosen in turn, for ``BENCH_LOAD_SECONDS``; then the International
is given time to catch up and every acknowledged command is looked for there: lost (acknowledged,
not at the International) and doubled (held twice) must both be zero.

Baselines in the same run: the same clients against ``GET /healthz`` (what the HTTP stack alone
costs) and a single client issuing commands (latency without contention).
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.table import print_table
from tests.support.actors import TREASURER
from tests.support.backlog import record_receipts
from tests.support.faults.checker import reached_international, recorded_at_committee
from tests.support.faults.writers import body
from tests.support.postgres import postgres_server
from tests.support.processes import COMMITTEE, INTERNATIONAL, NodeProcess
from tests.support.topology import Federation

CLIENTS = int(os.environ.get("BENCH_LOAD_CLIENTS", "16"))
SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS", "20"))
BASELINE_SECONDS = max(2.0, SECONDS / 4)
MAX_PER_CLIENT = 100_000  # a bound on every client's loop besides its time
COMMITTEES = ("DE", "FR")
CATCH_UP_TIMEOUT = 300.0


@dataclass
class Phase:
    """What the clients of one phase saw."""

    name: str
    clients: int
    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    acknowledged: dict[str, str] = field(default_factory=dict)  # key -> committee
    seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def row(self, baseline: float | None = None) -> list[object]:
        done = len(self.latencies)
        rate = done / self.seconds if self.seconds else 0.0
        ordered = sorted(self.latencies)
        p50, p99 = (_quantile(ordered, q) * 1000 for q in (0.50, 0.99))
        ratio = f"{rate / baseline:.2f}" if baseline else "-"
        errors = sum(self.errors.values())
        return [
            self.name,
            self.clients,
            done,
            f"{rate:,.0f}",
            ratio,
            f"{p50:.1f}",
            f"{p99:.1f}",
            errors,
        ]


def _quantile(ordered: list[float], q: float) -> float:
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


# (client, committee URL, client number, command number) -> (answered 2xx, status, the key)
Request = Callable[[httpx.Client, str, int, int], tuple[bool, str, str | None]]


def run_phase(name: str, urls: dict[str, str], clients: int, seconds: float, ask: Request) -> Phase:
    """``clients`` threads calling ``ask`` until ``seconds`` have passed (or their bound)."""
    phase = Phase(name, clients)
    stop = threading.Event()

    def client(number: int) -> None:
        targets = sorted(urls)
        with httpx.Client(timeout=30) as http:
            for n in range(MAX_PER_CLIENT):
                if stop.is_set():
                    return
                committee = targets[(number + n) % len(targets)]
                began = time.perf_counter()
                try:
                    ok, status, key = ask(http, urls[committee], number, n)
                except httpx.HTTPError as failure:
                    ok, status, key = False, type(failure).__name__, None
                took = time.perf_counter() - began
                with phase.lock:
                    if ok:
                        phase.latencies.append(took)
                        if key is not None:
                            phase.acknowledged[key] = committee
                    else:
                        phase.errors[status] += 1

    threads = [threading.Thread(target=client, args=(c,), daemon=True) for c in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    stop.wait(seconds)
    stop.set()
    for thread in threads:
        thread.join(60)
    phase.seconds = time.perf_counter() - began
    return phase


def health(http: httpx.Client, url: str, number: int, n: int) -> tuple[bool, str, str | None]:
    answer = http.get(f"{url}/healthz")
    return answer.status_code == 200, str(answer.status_code), None


def receipts(tag: str) -> Request:
    """Record a cash receipt whose key (and contributor) is ``s<tag><client>-<n>``."""

    def ask(http: httpx.Client, url: str, number: int, n: int) -> tuple[bool, str, str | None]:
        key = f"s{tag}-w{number}-c{n}"  # the checker's key shape: s<digits>-w<digits>-c<digits>
        headers = {**TREASURER, "Idempotency-Key": key}
        answer = http.post(f"{url}/v1/receipts/cash", json=body(key), headers=headers)
        return answer.status_code == 201, str(answer.status_code), key

    return ask


def main() -> None:
    with (
        tempfile.TemporaryDirectory(prefix="aidfed-bench-load-") as folder,
        postgres_server() as pg,
    ):
        root = Path(folder)
        nodes = [NodeProcess(c, COMMITTEE, root) for c in COMMITTEES]
        intl_db = pg.create_database("aidfed_bench_load")
        nodes.append(NodeProcess("INTL", INTERNATIONAL, root, database=intl_db))
        with Federation(nodes) as federation:
            federation.init()
            federation.wire()
            for committee in COMMITTEES:
                record_receipts(federation[committee].data_dir, 0, found=True)
            federation.start()
            measure(federation)


def measure(federation: Federation) -> None:
    urls = {c: federation[c].url for c in COMMITTEES}
    healthz = run_phase("healthz (baseline)", urls, CLIENTS, BASELINE_SECONDS, health)
    single = run_phase("commands, 1 client", urls, 1, BASELINE_SECONDS, receipts("1"))
    loaded = run_phase("commands, loaded", urls, CLIENTS, SECONDS, receipts("2"))
    began = time.perf_counter()
    federation.wait_synced(CATCH_UP_TIMEOUT)
    catch_up = time.perf_counter() - began
    lost, doubled, stray = account(federation, {**single.acknowledged, **loaded.acknowledged})
    rate = len(healthz.latencies) / healthz.seconds
    print_table(
        f"Load: {CLIENTS} clients for {SECONDS:.0f} s at {len(COMMITTEES)} committee nodes "
        "(SQLite), followed by an International (PostgreSQL)",
        ["phase", "clients", "requests", "per s", "x healthz", "p50 ms", "p99 ms", "errors"],
        [healthz.row(), single.row(rate), loaded.row(rate)],
    )
    errors = loaded.errors + single.errors
    print(f"errors by kind: {dict(errors) or 'none'}")
    print(
        f"International caught up {catch_up:.1f} s after the clients stopped; "
        f"acknowledged {len(single.acknowledged) + len(loaded.acknowledged)}, "
        f"lost {lost}, doubled {doubled}, unacknowledged but recorded {stray}"
    )
    if lost or doubled:
        raise SystemExit(f"load run lost {lost} and doubled {doubled} commands")


def account(federation: Federation, acknowledged: dict[str, str]) -> tuple[int, int, int]:
    """(lost, doubled, recorded without acknowledgement) over every committee."""
    lost = doubled = stray = 0
    intl = federation["INTL"].db
    for committee in COMMITTEES:
        local = recorded_at_committee(federation[committee].db)
        central = reached_international(intl, committee)
        mine = {k for k, c in acknowledged.items() if c == committee}
        lost += sum(1 for k in mine if central[k] == 0 or local[k] == 0)
        doubled += sum(1 for k, n in central.items() if n > 1)
        doubled += sum(1 for k, n in local.items() if n > 1)
        stray += sum(1 for k in local if k not in mine)
    return lost, doubled, stray


if __name__ == "__main__":
    main()
