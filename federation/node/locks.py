"""Named locks that hold across threads and processes of one node.

Some rules cannot be checked by one aggregate's optimistic concurrency alone: the available
balance spans every receipt and transfer. Commands that spend money take the node's "balance"
lock around check and save. SQLite nodes lock a file beside the database; PostgreSQL nodes take
a session advisory lock, so several processes on several machines agree.
"""

from __future__ import annotations

import fcntl
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from eventsourcing.postgres import PostgresDatastore


class NodeLocks:
    """Named mutual exclusion for one node."""

    def __init__(self, folder: Path | None, datastore: PostgresDatastore | None = None) -> None:
        self.folder = folder
        self.datastore = datastore
        self._threads: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def _thread_lock(self, name: str) -> threading.Lock:
        with self._guard:
            return self._threads.setdefault(name, threading.Lock())

    @contextmanager
    def hold(self, name: str) -> Iterator[None]:
        """Hold lock ``name`` for the duration of the block."""
        with self._thread_lock(name):
            if self.datastore is not None:
                with self._advisory(name):
                    yield
            elif self.folder is not None:
                with self._file(name):
                    yield
            else:
                yield

    @contextmanager
    def _file(self, name: str) -> Iterator[None]:
        assert self.folder is not None
        self.folder.mkdir(parents=True, exist_ok=True)
        with (self.folder / f"{name}.lock").open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    @contextmanager
    def _advisory(self, name: str) -> Iterator[None]:
        assert self.datastore is not None
        key = zlib.crc32(name.encode())
        with self.datastore.get_connection() as conn:
            conn.execute("SELECT pg_advisory_lock(%s)", (key,))
            try:
                yield
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", (key,))
