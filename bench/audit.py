"""Audit replay throughput on a large bundle, beside the raw read-and-map speed of the same
bundle in the same run, and the replay's peak memory at a tenth and at the whole bundle (flat
memory: the peak must not grow with the history).

BENCH_AUDIT_EVENTS sets the size (default 100,000 so that ``make bench`` stays quick;
1,000,000 is the goal's size). Each measurement runs in its own process, so its peak RSS is
its own. The bundle is written like an export: signed checkpoints, canonical entries, leaves.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from eventsourcing.persistence import StoredEvent

from bench.supervisory import settings
from bench.supervisory_events import federation
from bench.table import print_table
from federation.audit.bundle import BundleWriter, Manifest, code_version
from federation.audit.readmodel import ReadModel
from federation.audit.replay import replay
from federation.audit.source import bundle_records
from federation.audit.verify import verify_bundle
from federation.node.international import InternationalApplication
from federation.signedlog import merkle
from federation.signedlog.entries import EntryBuilder
from federation.signedlog.note import Checkpoint, NoteSigner, generate_key
from projections.audit.moment import Moment

N = int(os.environ.get("BENCH_AUDIT_EVENTS", "100000"))
GOAL = 50_000


def write_bundle(path: Path, total: int) -> dict[str, int]:
    """A bundle of ``total`` events from fifty nodes, as the International would export it."""
    with tempfile.TemporaryDirectory() as folder:
        app = InternationalApplication(settings(Path(folder)))
        data = federation(app, total)
        app.close()
    manifest = Manifest(code_version(), "1923-12-31T00:00:00+00:00", "INTL")
    signers = {node: NoteSigner(f"aidfed.example/{node}", generate_key()) for node in data}
    manifest.nodes.append({"node": "INTL", "vkey": signers["C01"].vkey, "size": 0})
    for node, entries in data.items():
        manifest.nodes.append({"node": node, "vkey": signers[node].vkey, "size": len(entries)})
    writer = BundleWriter(path)
    writer.write(manifest.line())
    for node, entries in data.items():
        build, tree = EntryBuilder(node), merkle.CompactRange()
        lines = []
        for e in entries:
            raw = build(e.position, e.originator_id, e.originator_version, e.topic, e.state)
            leaf = merkle.leaf_hash(raw)
            tree.append(leaf)
            lines.append((e.position, raw, leaf))
        note = Checkpoint(f"aidfed.example/{node}", tree.size, tree.root()).to_text()
        writer.write({"t": "checkpoint", "node": node, "note": signers[node].sign(note)})
        for position, raw, leaf in lines:
            writer.entry(node, position, raw, leaf)
    writer.close()
    return {node: len(entries) for node, entries in data.items()}


# --- what each child process measures ------------------------------------------------------


def read_and_map(path: Path, _: float) -> int:
    """Read the bundle and map every entry to its domain event: no projection, no writes."""
    manifest, records = bundle_records(path)
    with ReadModel(manifest.exported_by) as model:
        mapper, count = model.app.mapper, 0
        for r in records:
            mapper.to_domain_event(
                StoredEvent(r.originator_id, r.originator_version, r.topic, r.state)
            )
            count += 1
    return count


def replay_into_sqlite(path: Path, share: float, parts: int | None = None) -> int:
    """Replay the bundle (or its first ``share`` of every node's log) into a temp SQLite, shared
    out among processes as ``aidfed audit replay`` does (one per core)."""
    manifest, records = bundle_records(path)
    at = {n["node"]: int(int(n["size"]) * share) for n in manifest.nodes} if share < 1 else {}
    with ReadModel(manifest.exported_by) as model:
        return replay(records, model, Moment(at=at), parts=parts).events


def replay_in_one_process(path: Path, share: float) -> int:
    """The same replay, in this process alone."""
    return replay_into_sqlite(path, share, parts=1)


def verify(path: Path, _: float) -> int:
    """Verify the bundle offline: every leaf, root and signature."""
    report = verify_bundle(path)
    assert report.ok, report.faults
    return sum(int(n["size"]) for n in report.nodes.values())


CHILDREN: dict[str, Callable[[Path, float], int]] = {
    "read_and_map": read_and_map,
    "replay": replay_into_sqlite,
    "replay_alone": replay_in_one_process,
    "verify": verify,
}


def child(name: str, path: str, share: str) -> None:
    start, own, forked = time.perf_counter(), cpu(resource.RUSAGE_SELF), cpu(CHILDREN_CPU)
    count = CHILDREN[name](Path(path), float(share))
    seconds = time.perf_counter() - start
    own, forked = cpu(resource.RUSAGE_SELF) - own, cpu(CHILDREN_CPU) - forked
    print(
        json.dumps({"count": count, "seconds": seconds, "peak_mb": peak_mb(), "cpu": [own, forked]})
    )


CHILDREN_CPU = resource.RUSAGE_CHILDREN


def cpu(who: int) -> float:
    """CPU seconds (user and system) of this process, or of its waited-for children."""
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def peak_mb() -> float:
    """The largest peak resident memory of this process and of the processes a replay forked.

    This process's own peak is VmHWM, not its ``ru_maxrss``: Linux carries that over from the
    parent through exec, so a child would report the bench's own peak. A forked process starts
    its own peak afresh, so ``RUSAGE_CHILDREN`` (the largest among the waited-for children) is
    the replay's other processes' own.
    """
    own = float(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) / 1024
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            own = int(line.split()[1]) / 1024  # kB
    return max(own, float(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024)


def measure(name: str, path: Path, share: float = 1.0) -> dict[str, Any]:
    run = subprocess.run(
        [sys.executable, "-m", "bench.audit", "child", name, str(path), str(share)],
        capture_output=True,
        text=True,
        timeout=7200,
        check=True,
    )
    result: dict[str, Any] = json.loads(run.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.aidfed.gz"
        start = time.perf_counter()
        sizes = write_bundle(path, N)
        made = time.perf_counter() - start
        total = sum(sizes.values())
        print(
            f"\naudit bundle: {total:,} events from {len(sizes)} nodes, "
            f"{path.stat().st_size / 1e6:.1f} MB, written in {made:.1f} s"
        )
        base = measure("read_and_map", path)
        tenth = measure("replay", path, 0.1)
        whole = measure("replay", path)
        alone = measure("replay_alone", path)
        checked = measure("verify", path)
    raw_rate = base["count"] / base["seconds"]
    rows = []
    # The machine is shared: wall time says how much CPU the others left. The busiest
    # process's CPU time is what a replay would take on a machine of its own (one core each).
    for label, r in (
        ("read and map (baseline)", base),
        ("replay 1/10 into SQLite", tenth),
        ("replay all into SQLite", whole),
        ("replay all, one process", alone),
        ("verify offline", checked),
    ):
        rate = r["count"] / r["seconds"]
        own, forked = r["cpu"]
        # The tenth reads the whole bundle but projects a tenth: its rate means nothing.
        partial = r is tenth
        rows.append(
            [
                label,
                f"{r['count']:,}",
                f"{r['seconds']:.1f}",
                "—" if partial else f"{rate:,.0f}",
                "—" if partial else f"{rate / raw_rate:.0%}",
                f"{own:.1f} + {forked:.1f}",
                "—" if partial else f"{r['count'] / max(own, forked):,.0f}",
                f"{r['peak_mb']:.0f}",
            ]
        )
    print_table(
        f"audit replay (goal ≥ {GOAL:,} events/s; memory flat: peak at 1/10 ≈ peak at all; "
        f"{os.cpu_count()} cores, shared with whatever else runs)",
        [
            "run",
            "events",
            "s",
            "events/s",
            "of raw",
            "CPU s (this + forked)",
            "events per CPU s of the busiest",
            "peak MB (largest process)",
        ],
        rows,
    )


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "child":
        child(*sys.argv[2:])
    else:
        main()
