"""The demo's node processes: started, waited for, and stopped cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx


class Cluster:
    """Node processes, one per data folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, node_id: str) -> None:
        """Start ``aidfed node serve`` for one node, its output in its folder."""
        folder = self.root / node_id
        log = (folder / "node.log").open("ab")
        self.processes[node_id] = subprocess.Popen(
            [sys.executable, "-m", "federation", "node", "serve", "--data-dir", str(folder)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        log.close()

    def wait_healthy(self, urls: dict[str, str], timeout: float = 60) -> None:
        """Wait until every node answers /healthz; fail naming the nodes that do not."""
        deadline = time.monotonic() + timeout
        pending = dict(urls)
        with httpx.Client(timeout=2) as client:
            while pending and time.monotonic() < deadline:
                for node_id, url in list(pending.items()):
                    process = self.processes[node_id]
                    if process.poll() is not None:
                        raise RuntimeError(
                            f"node {node_id} exited; see {self.root / node_id}/node.log"
                        )
                    try:
                        if client.get(f"{url}/healthz").status_code == 200:
                            del pending[node_id]
                    except httpx.HTTPError:
                        pass
                time.sleep(0.2)
        if pending:
            raise RuntimeError(f"nodes did not start: {', '.join(pending)}")

    def stop(self, timeout: float = 20) -> None:
        """SIGTERM every node, then SIGKILL what is still running after ``timeout``."""
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for process in self.processes.values():
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
