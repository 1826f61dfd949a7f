"""``make demo``'s own command, end to end: ``aidfed demo`` starts seven node processes, seeds the
1922-23 scenario through their APIs and prints the logins; the International's supervisory view
then holds the scenario's figures. A signal stops it with every node (SIGTERM from a service
manager or ``kill``, SIGINT from Ctrl-C); started again on the same folder, it records nothing
twice.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from federation.demo.run import free
from federation.demo.scenario import COLLECTIONS, IN_KIND
from federation.demo.topology import NODES, PASSWORD
from tests.support.processes import AIDFED, environment, wait_until

READY = "Ctrl-C stops every node"
START_TIMEOUT = 180.0
STOP_TIMEOUT = 40.0  # the demo gives its nodes 20 s to stop before it kills them


def free_ports(count: int) -> int:
    """The first of ``count`` consecutive loopback ports nobody listens on just now (as the demo
    itself checks them)."""
    for _ in range(200):
        base = random.randrange(20000, 60000 - count)
        if all(free(port) for port in range(base, base + count)):
            return base
    raise AssertionError(f"no {count} consecutive free ports found")


@dataclass
class Demo:
    """One ``aidfed demo`` process and what it printed."""

    process: subprocess.Popen[bytes]
    output: Path
    base: int

    def printed(self) -> str:
        return self.output.read_text(encoding="utf-8", errors="replace")

    def get(self, path: str) -> Any:
        headers = {"Authorization": "Bearer demo-INTL-supervisor"}
        response = httpx.get(f"http://127.0.0.1:{self.base}{path}", headers=headers, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()


@contextmanager
def demo(folder: Path, base: int, run: int) -> Iterator[Demo]:
    """``aidfed demo`` on ``folder``, ready (seeded and printed); killed with its nodes if the
    test leaves it running."""
    output = folder.parent / f"demo-{run}.out"
    with output.open("wb") as out:
        process = subprocess.Popen(
            [AIDFED, "demo", "--data-dir", str(folder), "--port", str(base)],
            stdout=out,
            stderr=subprocess.STDOUT,
            # Not test mode: the demo's own. Rich's width for output that is not a terminal.
            env={**{k: v for k, v in environment().items() if k != "AIDFED_MODE"}, "COLUMNS": "80"},
            # A test runner may run with SIGINT ignored; the demo must see Ctrl-C as a person's.
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
    running = Demo(process, output, base)
    try:

        def ready() -> bool:
            if process.poll() is not None:
                raise AssertionError(f"aidfed demo exited early:\n{running.printed()}")
            return READY in running.printed()

        wait_until(ready, START_TIMEOUT, "the demo to be seeded", every=0.2)
        yield running
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        for pid in nodes_of(folder):
            os.kill(pid, signal.SIGKILL)


def nodes_of(folder: Path) -> list[int]:
    """The processes serving a node of ``folder`` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue  # ended meanwhile
        if b"serve" in command and any(str(folder).encode() in part for part in command):
            found.append(int(entry.name))
    return found


def listening(base: int) -> list[int]:
    """The demo's ports that still accept a connection."""
    open_ports = []
    for port in range(base, base + len(NODES)):
        with socket.socket() as s:
            s.settimeout(1)
            if s.connect_ex(("127.0.0.1", port)) == 0:
                open_ports.append(port)
    return open_ports


def stop(running: Demo, folder: Path, signum: signal.Signals) -> None:
    """Send ``signum``; the demo ends and every node with it, their ports freed."""
    assert nodes_of(folder), "the demo's nodes should be running before the signal"
    running.process.send_signal(signum)
    running.process.wait(STOP_TIMEOUT)
    assert nodes_of(folder) == [], f"nodes left running after {signum.name}"
    assert listening(running.base) == [], f"ports still held after {signum.name}"
    assert "stopping the federation" in running.printed()


def held(running: Demo) -> dict[str, int]:
    """How much of each node's log the International holds."""
    return {s["upstream"]: s["cursor"] for s in running.get("/v1/federation/status")}


def expected_received() -> tuple[dict[str, Decimal], dict[str, Decimal]]:
    """Cash and goods in kind per currency, summed from the scenario's own data."""
    cash: dict[str, Decimal] = defaultdict(Decimal)
    goods: dict[str, Decimal] = defaultdict(Decimal)
    for rows in COLLECTIONS.values():
        for _, _, amount, code in rows:
            cash[code] += Decimal(amount)
    for _, _, _, amount, code in IN_KIND.values():
        goods[code] += Decimal(amount)
    return cash, goods


def test_demo_seeds_the_federation_stops_with_its_nodes_and_seeds_nothing_twice(
    tmp_path: Path,
) -> None:
    folder, base = tmp_path / "demo", free_ports(len(NODES))
    with demo(folder, base, 1) as first:
        printed = first.printed()
        assert f"http://127.0.0.1:{base}/dashboard" in printed
        for node in NODES:
            for username, _, _ in node.users:  # each token whole on its line, to be copied
                assert f"token {node.token(username)}\n" in printed

        status = first.get("/v1/federation/status")
        assert {s["upstream"] for s in status} == {n.node_id for n in NODES[1:]}
        assert all(s["lag"] == 0 and s["verification"] == "verified" for s in status), status

        overview = first.get("/v1/supervisory/overview")
        cash, goods = expected_received()
        for row in overview["currencies"]:
            assert Decimal(row["received"]) == cash.get(row["currency"], 0), row
            assert Decimal(row["in_kind"]) == goods.get(row["currency"], 0), row
        assert {row["currency"] for row in overview["currencies"]} == set(cash) | set(goods)

        findings = first.get("/v1/supervisory/exceptions")["items"]
        assert {(f["rule"], f["node"], f["status"]) for f in findings} == {
            ("transfer.in_transit_too_long", "DE", "open"),
            ("transfer.difference_not_booked", "NO", "open"),
            ("period_report.disagrees_with_books", "CS", "open"),
        }

        with httpx.Client(base_url=f"http://127.0.0.1:{base}", timeout=10) as browser:
            login = {"username": "supervisor", "password": PASSWORD, "next": "/dashboard"}
            page = browser.post("/login", data=login, follow_redirects=True)
            assert page.status_code == 200
            assert "Breadth of solidarity" in page.text
            assert "Komitee Arbeiterhilfe" in page.text
            # Written for people: the scenario's one tractor column, in words, not in codes.
            assert "<b>1</b> enterprise brought into production" in page.text
            assert "<td>trade union</td>" in page.text
            assert "trade_union" not in page.text

        # A second demo on the same ports is refused before it starts anything.
        other = tmp_path / "other"
        refused = subprocess.run(
            [AIDFED, "demo", "--data-dir", str(other), "--port", str(base)],
            capture_output=True,
            text=True,
            timeout=60,
            env={**environment(), "COLUMNS": "200"},
        )
        assert refused.returncode == 2, refused.stdout + refused.stderr
        assert f"ports {base}, {base + 1}," in refused.stderr
        assert "in use (is a demo still running?)" in refused.stderr
        assert not other.exists()
        assert len(listening(base)) == len(NODES)

        entries = held(first)
        stop(first, folder, signal.SIGTERM)

    with demo(folder, base, 2) as second:
        # Seeding again ends, as the first did, once the International holds every node's log.
        assert held(second) == entries
        assert len(second.get("/v1/supervisory/exceptions")["items"]) == len(findings)
        stop(second, folder, signal.SIGINT)
