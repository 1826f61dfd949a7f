"""Federation sync: a committee's backlog pulled over real HTTP into an International.

A committee node (SQLite) records N cash receipts through its application, 100 per save, and
is served by ``aidfed node serve`` on loopback. An International syncs the whole backlog with
``aidfed sync`` (every page verified against the committee's signed checkpoint, its projections
updated in the same transactions), once on PostgreSQL and once on SQLite. The baseline, in the
same run: reading and mapping the same committee's events straight from its database
(``select_notifications`` + ``to_domain_event``). The sync's rate is net of the ``aidfed sync``
process's start-up, measured by a second run with nothing left to do.

Beside the rates, the CPU time each event cost the follower (``aidfed sync``, net of its
start-up, with the worker process that fetches and verifies a long backlog's pages: wait4
counts a process's reaped children) and the committee's serving process: on a machine shared
with other work the wall rates vary from run to run, the CPU cost per event much less. The
peak RSS is the larger of the follower's and its worker's.

Then the follower's peak memory (RSS of the ``aidfed sync`` process) for a larger backlog: the
committee's log is extended with copies of its receipts under fresh ids (through its logged
recorder, so every copy is a logged, signed event) and a fresh SQLite International syncs it
all. The same peak as for N means the follower streams.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from uuid import uuid4

import httpx
from eventsourcing.persistence import StoredEvent

from bench.table import print_table
from domain.campaign import CampaignKind
from domain.committee import OrganisationType
from domain.money import Money
from domain.roles import Actor, Role
from federation.node.base import Context
from federation.node.committee import CashReceiptLine, CommitteeApplication
from federation.node.setup import init_node
from federation.settings import NodeKind, Settings
from federation.sync.peers import Peer, PeerBook, digest, new_token
from tests.support.postgres import postgres_server

N = int(os.environ.get("BENCH_SYNC_EVENTS", "200000"))
MEMORY_N = int(os.environ.get("BENCH_SYNC_MEMORY_EVENTS", "500000"))  # 0: skip; 1M takes ~4 min
BATCH = 100
AIDFED = str(Path(sys.executable).with_name("aidfed"))
SECRETARY = Context(Actor("Caleb Harrison", Role.SECRETARY))
TREASURER = Context(Actor("Alfred Wagenknecht", Role.TREASURER))


@dataclass(frozen=True)
class Run:
    """One ``aidfed sync`` process: how long it took and its peak resident memory."""

    seconds: float
    peak_mb: float
    output: str
    cpu: float  # user + system seconds


def aidfed(*args: str) -> Run:
    """Run ``aidfed <args>`` to its end; its wall time and peak RSS (from wait4)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIDFED_")}
    began = time.perf_counter()
    process = subprocess.Popen(
        [AIDFED, *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env
    )
    assert process.stdout is not None
    output = process.stdout.read().decode(errors="replace")
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - began
    process.returncode = os.waitstatus_to_exitcode(status)
    process.stdout.close()
    if process.returncode != 0:
        raise RuntimeError(f"aidfed {' '.join(args)} failed:\n{output}")
    return Run(seconds, usage.ru_maxrss / 1024, output, usage.ru_utime + usage.ru_stime)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def settings(folder: Path, node_id: str, kind: NodeKind, database: str = "sqlite") -> Settings:
    return Settings(
        node_id=node_id,
        kind=kind,
        name=f"bench {node_id}",
        data_dir=folder / node_id,
        database=database,
        port=free_port(),
    )


def line(n: int) -> CashReceiptLine:
    return CashReceiptLine(
        "famine",
        f"Contributor {n}",
        OrganisationType.TRADE_UNION,
        Money.of(f"{n % 997 + 1}.25", "USD"),
        date(1922, 1, 5),
    )


def prepare_committee(s: Settings, count: int) -> None:
    """The committee with ``count`` receipts recorded, 100 per save; its log integrated."""
    init_node(s)
    app = CommitteeApplication(s)
    try:
        app.constitute(SECRETARY, name="FSR", national_section="WPA", on=date(1921, 8, 9))
        app.open_campaign(
            SECRETARY,
            code="famine",
            title="Famine relief",
            kind=CampaignKind.COLLECTION,
            national_section=None,
            on=date(1921, 8, 9),
        )
        for start in range(0, count, BATCH):
            lines = [line(n) for n in range(start, min(start + BATCH, count))]
            app.record_cash_receipts(TREASURER, lines)
        app.signed_log.checkpoint()
    finally:
        app.close()


def extend_committee(s: Settings, count: int) -> int:
    """Copy the committee's receipts under fresh ids until its log holds ``count`` events."""
    app = CommitteeApplication(s)
    try:
        originals = app.recorder.select_notifications(start=3, limit=1000)
        size = int(app.db.scalar("SELECT COUNT(*) FROM log_positions"))
        while size < count:
            batch = [
                StoredEvent(uuid4(), 1, n.topic, n.state)
                for n in originals[: min(len(originals), count - size)]
            ]
            app.recorder.insert_events(batch)
            size += len(batch)
        app.signed_log.checkpoint()
        return size
    finally:
        app.close()


def raw_read_and_map(s: Settings) -> float:
    """Events per second read with select_notifications and mapped to domain events."""
    app = CommitteeApplication(s)
    try:
        began, count, start = time.perf_counter(), 0, 0
        while notifications := app.recorder.select_notifications(
            start=start, limit=1000, inclusive_of_start=False
        ):
            for notification in notifications:
                app.mapper.to_domain_event(notification)
            start = notifications[-1].id
            count += len(notifications)
        return count / (time.perf_counter() - began)
    finally:
        app.close()


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a running process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Served:
    """A node being served: its URL and process id."""

    url: str
    pid: int


@contextmanager
def serving(s: Settings) -> Iterator[Served]:
    """The node served by ``aidfed node serve`` (following nobody)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIDFED_")}
    env["AIDFED_LOG_LEVEL"] = "warning"  # not a line per page served while measuring
    command = [AIDFED, "node", "serve", "--data-dir", str(s.data_dir), "--no-follow"]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{s.port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the committee node did not start")
            time.sleep(0.1)
        yield Served(url, server.pid)
    finally:
        server.terminate()
        server.wait(30)


def follower(committee: Settings, url: str, s: Settings) -> None:
    """Make ``s`` a new node that follows the committee at ``url`` with a fresh token."""
    init_node(s)
    token = new_token()
    vkey = (committee.data_dir / "node.vkey").read_text(encoding="utf-8").strip()
    PeerBook(s.data_dir).add(Peer(committee.node_id, url, vkey, token=token))
    own = (s.data_dir / "node.vkey").read_text(encoding="utf-8").strip()
    PeerBook(committee.data_dir).add(
        Peer(s.node_id, "http://127.0.0.1:9", own, follow=False, accepts=digest(token))
    )


def sync(s: Settings, upstream: str) -> tuple[Run, Run]:
    """``aidfed sync`` of a fresh follower; the run, and one with nothing new (its start-up)."""
    run = aidfed("sync", "--data-dir", str(s.data_dir), "--peer", upstream)
    idle = aidfed("sync", "--data-dir", str(s.data_dir), "--peer", upstream)
    if "+0 " not in idle.output:
        raise RuntimeError(f"the second sync found more to do: {idle.output}")
    return run, idle


def main() -> None:
    with tempfile.TemporaryDirectory() as d, postgres_server() as pg:
        folder = Path(d)
        committee = settings(folder, "DE", NodeKind.COMMITTEE)
        began = time.perf_counter()
        prepare_committee(committee, N)
        prepared = time.perf_counter() - began
        raw = max(raw_read_and_map(committee) for _ in range(2))
        rows: list[list[object]] = [
            ["raw read-and-map of the committee's events", f"{raw:,.0f}", "100%", "", "", "", ""]
        ]
        peaks: dict[int, float] = {}
        with serving(committee) as served:
            for label, database in (
                ("PostgreSQL", pg.create_database("bench_sync_intl")),
                ("SQLite", "sqlite"),
            ):
                intl = settings(folder / label, "INTL", NodeKind.INTERNATIONAL, database)
                follower(committee, served.url, intl)
                server_cpu = cpu_seconds(served.pid)
                run, idle = sync(intl, "DE")
                server_cpu = cpu_seconds(served.pid) - server_cpu
                rate = (N + 2) / (run.seconds - idle.seconds)
                rows.append(
                    [
                        f"aidfed sync, International on {label}",
                        f"{rate:,.0f}",
                        f"{rate / raw:.0%}",
                        f"{run.seconds:.1f} s (start-up {idle.seconds:.1f} s)",
                        f"{(run.cpu - idle.cpu) / (N + 2) * 1e6:.0f} µs",
                        f"{server_cpu / (N + 2) * 1e6:.0f} µs",
                        f"{run.peak_mb:.0f} MB",
                    ]
                )
                if database == "sqlite":
                    peaks[N] = run.peak_mb
        print_table(
            f"Federation sync of a {N:,}-event backlog over HTTP on loopback, every page verified"
            f" (backlog recorded in {prepared:.0f} s)",
            [
                "what",
                "events/s",
                "vs raw",
                "wall time",
                "follower CPU/event",
                "server CPU/event",
                "follower peak RSS",
            ],
            rows,
        )
        if MEMORY_N > N:
            size = extend_committee(committee, MEMORY_N)
            with serving(committee) as served:
                intl = settings(folder / "memory", "INTL", NodeKind.INTERNATIONAL)
                follower(committee, served.url, intl)
                run, idle = sync(intl, "DE")
            peaks[size] = run.peak_mb
            rate = size / (run.seconds - idle.seconds)
            print_table(
                "Follower memory by backlog size (SQLite International; flat = streaming)",
                ["backlog", "follower peak RSS", "events/s"],
                [[f"{n:,}", f"{mb:.0f} MB", f"{rate:,.0f}" if n == size else ""]
                 for n, mb in sorted(peaks.items())],
            )  # fmt: skip
        print("goals: >= 25,000 events/s and >= 25% of raw; follower memory flat, < 300 MB")
