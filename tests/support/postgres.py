"""A real PostgreSQL server for the tests, started as the postgres user on a free loopback port.

PostgreSQL refuses to run as root, and sessions and CI run as root: the server's folder is
given to the postgres system user and the server is started through runuser. When the tests do
not run as root the server simply runs as the current user.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg


def _binary(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    if not candidates:
        raise RuntimeError(
            f"PostgreSQL's {name} was not found; install the server "
            "(apt-get install -y postgresql, which .ci/run does)"
        )
    return candidates[0]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class PostgresServer:
    """A running server: make databases on it and get their URLs (and restart it)."""

    host: str
    port: int
    user: str
    data: Path | None = None  # its data folder, for `restart`
    options: str = ""
    prefix: tuple[str, ...] = ()

    def url(self, dbname: str) -> str:
        return f"postgresql://{self.user}@{self.host}:{self.port}/{dbname}"

    def create_database(self, dbname: str) -> str:
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{dbname}"')
        return self.url(dbname)

    def restart(self, down: float = 0.0) -> None:
        """Stop the server at once (as a crash would), stay down ``down`` seconds, start it."""
        self.stop()
        time.sleep(down)
        self.start()

    def stop(self) -> None:
        """Stop at once, as a crash would: no checkpoint, every connection cut."""
        assert self.data is not None, "this server cannot be stopped and started"
        _pg_ctl(self.prefix, self.data, "-m", "immediate", "stop")

    def start(self) -> None:
        """Start again on the same port; wait until it accepts connections."""
        assert self.data is not None, "this server cannot be stopped and started"
        log = str(self.data.parent / "server.log")
        _pg_ctl(self.prefix, self.data, "-o", self.options, "-l", log, "-w", "start")
        _wait_accepting(self)


@contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    """Start a throw-away server; stop it and remove its files afterwards."""
    as_root = os.geteuid() == 0
    folder = Path(tempfile.mkdtemp(prefix="aidfed-pg-"))
    data = folder / "data"
    port = _free_port()
    prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
    if as_root:
        shutil.chown(folder, "postgres", "postgres")
    user = "postgres"
    subprocess.run(
        [*prefix, _binary("initdb"), "-D", str(data), "-A", "trust", "-U", user, "-E", "UTF8"],
        check=True,
        capture_output=True,
    )
    options = (
        f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
    )
    subprocess.run(
        [
            *prefix,
            _binary("pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-l",
            str(folder / "server.log"),
            "-w",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    server = PostgresServer("127.0.0.1", port, user, data, options, tuple(prefix))
    try:
        _wait_accepting(server)
        yield server
    finally:
        subprocess.run(
            [*prefix, _binary("pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            check=False,
            capture_output=True,
        )
        shutil.rmtree(folder, ignore_errors=True)


def _pg_ctl(prefix: tuple[str, ...], data: Path, *args: str) -> None:
    subprocess.run(
        [*prefix, _binary("pg_ctl"), "-D", str(data), *args], check=True, capture_output=True
    )


def _wait_accepting(server: PostgresServer, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            psycopg.connect(server.url("postgres")).close()
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
