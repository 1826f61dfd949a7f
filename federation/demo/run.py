"""``make demo``: start the federation, seed it, print where to look, stop on Ctrl-C."""

from __future__ import annotations

import signal
import socket
import time
from pathlib import Path
from types import FrameType

from rich.console import Console

from federation.demo.cluster import Cluster
from federation.demo.scenario import Seeder, seed
from federation.demo.topology import NODES, PASSWORD, prepare

# Never wrapped: a token or URL broken over two lines (output to a log, a narrow terminal) would
# be copied wrong.
console = Console(soft_wrap=True)


class PortsInUse(RuntimeError):
    """Some of the demo's ports are taken: its nodes could not start."""


def run_demo(root: Path, base_port: int, *, hold: bool = True) -> None:
    """Start every node of the demo federation, seed the 1922-23 scenario, keep serving."""
    taken = [n.port(base_port) for n in NODES if not free(n.port(base_port))]
    if taken:
        raise PortsInUse(
            f"port{'s' if len(taken) > 1 else ''} {', '.join(map(str, taken))} on 127.0.0.1 "
            f"{'are' if len(taken) > 1 else 'is'} in use (is a demo still running?): stop what "
            f"holds {'them' if len(taken) > 1 else 'it'}, or start on other ports with --port"
        )
    root.mkdir(parents=True, exist_ok=True)
    prepare(root, base_port)
    cluster = Cluster(root)
    stop_on_signals()
    try:
        for node in NODES:
            cluster.start(node.node_id)
        cluster.wait_healthy({n.node_id: n.url(base_port) for n in NODES})
        console.print("[bold]Seeding the 1922-23 scenario through the nodes' APIs…[/]")
        seeder = Seeder(base_port)
        try:
            seed(seeder)
        finally:
            seeder.close()
        show(base_port)
        while hold:
            time.sleep(1)
    except KeyboardInterrupt:
        console.print("stopping the federation…")
    finally:
        cluster.stop()


def free(port: int) -> bool:
    """Whether a node could listen on ``port`` now (bound as uvicorn binds: a port left in
    TIME_WAIT by nodes just stopped is free)."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def stop_on_signals() -> None:
    """SIGTERM and SIGHUP stop the demo as Ctrl-C does, nodes and all.

    A service manager, ``kill`` or a closed terminal sends these; by default they would end this
    process at once and leave its seven nodes running, holding their ports, so that the next
    ``make demo`` could not start. A second signal while the nodes are being stopped is ignored.
    """

    def interrupt(signum: int, frame: FrameType | None) -> None:
        for each in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(each, signal.SIG_IGN)
        raise KeyboardInterrupt

    for each in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(each, interrupt)


def show(base_port: int) -> None:
    """Print the dashboard URL, the nodes and the demo logins."""
    intl = NODES[0]
    console.print(f"\n[bold green]Supervisors' dashboard: {intl.url(base_port)}/dashboard[/]")
    console.print(f"Logins: username / password [bold]{PASSWORD}[/], or the API token shown")
    for node in NODES:
        console.print(f"  {node.node_id} — API docs {node.url(base_port)}/docs")
        for username, person, role in node.users:
            console.print(
                f"    {username:<10} {person} ({role.value}), token {node.token(username)}",
                markup=False,
                highlight=False,
            )
    console.print("Ctrl-C stops every node; 'make demo' again reuses the data.")
