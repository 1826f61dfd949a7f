"""Real node processes on loopback: ``aidfed node init`` and ``aidfed node serve`` as subprocesses.

Every wait is bounded, and whoever starts a process stops it: use `Federation` as a context
manager, or call `NodeProcess.kill` in a ``finally``. Nodes run in test mode, so commands believe
the actor declared in the X-Actor and X-Role headers; the federation feed still needs a peer's
token, as in production.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx

from tests.support.nodedb import NodeDatabase

AIDFED = str(Path(sys.executable).with_name("aidfed"))
START_TIMEOUT = 30.0
STOP_TIMEOUT = 15.0
CLI_TIMEOUT = 120.0
COMMITTEE, INTERNATIONAL, LIAISON = "committee", "international", "liaison"

T = TypeVar("T")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on just now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """A node process's environment: none of the caller's AIDFED_* settings, test mode."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIDFED_")}
    env.update({"AIDFED_MODE": "test", "COLUMNS": "240"})  # COLUMNS: rich tables unwrapped
    env.update(extra or {})
    return env


def wait_until(check: Callable[[], T | None], timeout: float, what: str, every: float = 0.05) -> T:
    """Poll ``check`` until it answers something truthy; fail after ``timeout`` s, naming it."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


@dataclass
class NodeProcess:
    """One node: its data folder under ``root``, its port, and its serving process if any."""

    node_id: str
    kind: str
    root: Path
    database: str = "sqlite"
    port: int = field(default_factory=free_port)
    env: dict[str, str] = field(default_factory=dict)
    scheme: str = "http"
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def data_dir(self) -> Path:
        return self.root / self.node_id

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    @property
    def vkey(self) -> str:
        """The public key its followers pin."""
        return (self.data_dir / "node.vkey").read_text(encoding="utf-8").strip()

    @property
    def log_path(self) -> Path:
        return self.root / f"{self.node_id}.log"

    @property
    def db(self) -> NodeDatabase:
        return NodeDatabase(self.data_dir, self.database)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def init_command(self) -> list[str]:
        """``aidfed node init`` for this node."""
        return [
            *(AIDFED, "node", "init", "--kind", self.kind, "--id", self.node_id),
            *("--name", f"node {self.node_id}", "--data-dir", str(self.data_dir)),
            *("--database", self.database, "--port", str(self.port)),
        ]

    def start(self, wait: bool = True) -> None:
        """``aidfed node serve``, its output appended to ``log_path``; wait until it is healthy."""
        assert not self.running, f"{self.node_id} is already running"
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [AIDFED, "node", "serve", "--data-dir", str(self.data_dir)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=environment(self.env),
            )
        if wait:
            self.wait_started()

    def wait_started(self, timeout: float = START_TIMEOUT) -> None:
        """Wait until /healthz answers; on failure kill the process and show its log."""
        deadline = time.monotonic() + timeout
        while not self._healthy():
            if not self.running or time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(f"{self.node_id} did not start:\n{self.log_tail()}")
            time.sleep(0.05)

    def _healthy(self) -> bool:
        try:
            answer = httpx.get(f"{self.url}/healthz", timeout=2, verify=False)
        except httpx.HTTPError:
            return False
        return answer.status_code == 200

    def kill(self) -> None:
        """SIGKILL: the process ends at once, in the middle of whatever it does."""
        if self.process is not None:
            if self.process.poll() is None:
                self.process.kill()
            self.process.wait(STOP_TIMEOUT)
            self.process = None

    def stop(self, timeout: float = STOP_TIMEOUT) -> float:
        """SIGTERM, and the seconds it took to end (SIGKILL and an error if it did not)."""
        assert self.process is not None, f"{self.node_id} is not running"
        began = time.monotonic()
        self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"{self.node_id} ignored SIGTERM for {timeout} s") from None
        self.process = None
        return time.monotonic() - began

    def cli(
        self, *args: str, check: bool = True, timeout: float = CLI_TIMEOUT
    ) -> subprocess.CompletedProcess[str]:
        """Run ``aidfed <args> --data-dir <this node>`` to its end; what it printed."""
        done = subprocess.run(
            [AIDFED, *args, "--data-dir", str(self.data_dir)],
            capture_output=True,
            text=True,
            env=environment(self.env),
            timeout=timeout,
            check=False,
        )
        if check and done.returncode != 0:
            raise AssertionError(f"aidfed {' '.join(args)} exited {done.returncode}:\n{done}")
        return done

    def spawn(self, *args: str) -> subprocess.Popen[str]:
        """Start ``aidfed <args> --data-dir <this node>`` without waiting (the caller waits)."""
        return subprocess.Popen(
            [AIDFED, *args, "--data-dir", str(self.data_dir)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=environment(self.env),
        )

    def status(self) -> dict[str, dict[str, Any]]:
        """``aidfed status --json``, by upstream."""
        rows = json.loads(self.cli("status", "--json").stdout)
        return {row["upstream"]: row for row in rows}

    def log_tail(self, lines: int = 60) -> str:
        if not self.log_path.exists():
            return "(no log)"
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
