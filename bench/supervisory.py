"""The supervisory view at scale: events from 50 nodes ingested at the International.

Measured in one run, on SQLite files:
- ingest throughput through the real Ingestor, with the supervisory projection and, as the
  baseline, without any projection (storing and decoding the same entries);
- p50/p99 latency of the overview and of filtered lists through the query service, beside a
  plain indexed SQL query of the same table on a bare sqlite3 connection, timed in a process
  started as a served International is (``bench.supervisory_queries``, which says what each
  row times), with its start-up work beside them.
BENCH_SUPERVISORY_EVENTS sets the size (default 1,040,000 made: over a million ingested);
BENCH_SUPERVISORY_REBUILD=1 also times a rebuild from zero and checks its digest against the
live one.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

from bench.supervisory_events import CURRENCIES, federation
from bench.table import print_table
from domain.roles import Actor, Role
from federation.node.base import Context, NodeApplication
from federation.node.ingest import RemoteEntry
from federation.node.international import InternationalApplication
from federation.settings import NodeKind, Settings

# Events made: by default enough that over a million are ingested before the queries are timed
# (the liaison makes fewer than a committee's share, and ~2 % are held back to arrive later).
N = int(os.environ.get("BENCH_SUPERVISORY_EVENTS", "1040000"))
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
    intl.close()
    # The queries are timed in a process shaped like a served International (see
    # bench.supervisory_queries), on the folder just written; the held-back entries go with it.
    with (folder / "later.pickle").open("wb") as held:
        pickle.dump(later, held, protocol=pickle.HIGHEST_PROTOCOL)
    del data, later
    # The gigabyte just written is flushed first: the kernel writing it back meanwhile slowed
    # every query by a few milliseconds for a second at a time (a node that has been serving
    # for a while has no bulk load of its own to flush).
    os.sync()
    subprocess.run([sys.executable, "-m", "bench.supervisory_queries", str(folder)], check=True)
    timed = json.loads((folder / "queries.json").read_text())
    print_table(
        "A served International's start-up, before /readyz answers 200 (ms)",
        ["work", "p50", "p99"],
        timed["start_up"],
    )
    print_table(
        f"Supervisory queries over {total:,} events, in a process started as a served"
        f" International (ms, {REPEAT} runs each; goal p99 < 20)",
        ["query (service)", "p50", "p99", "baseline (bare sqlite3)", "p50", "p99"],
        timed["queries"],
    )
    print(
        "'after a page': a page of one node's events projected before each run; 'a new period'"
        " and 'a new as-of day': a question not asked before in each run, the first round's"
        " answers kept; 'after a new rate': a rate observed or corrected before each run. What"
        " the node computes with nothing kept is its start-up work (the table before)."
    )
    p50, p99, ratio = timed["machine"]
    print(
        f"This machine's own pauses, in the same process after the queries: a fixed loop of"
        f" pure Python took {p50} ms at p50 and {p99} ms at p99 ({ratio}x); any row's p99 holds"
        " such pauses too."
    )
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
