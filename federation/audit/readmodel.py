"""The throw-away read model a replay writes: a fresh International in a temporary folder (a
SQLite file by default) or in an empty PostgreSQL database the auditor names."""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType

from eventsourcing.sqlite import SQLiteDatastore

from federation.node.international import InternationalApplication
from federation.persistence.sqlite import (
    FILE_PRAGMAS,
    StatementCachingConnectionPool,
    use_pool,
)
from federation.settings import NodeKind, Settings

# The read model is deleted when the replay ends, and a replay that fails is thrown away
# whole: no commit is worth an fsync, so SQLite writes without them (synchronous=OFF). The
# page cache goes back to SQLite's default 2 MB: a node's larger one (federation.persistence.
# sqlite) bought a replay nothing measurable and would grow its memory with the history.
THROW_AWAY_PRAGMAS = ("PRAGMA synchronous = OFF", "PRAGMA cache_size = -2000")


class ThrowAwayConnectionPool(StatementCachingConnectionPool):
    """Connections to a throw-away SQLite read model: durability traded for speed."""

    pragmas = (*FILE_PRAGMAS, *THROW_AWAY_PRAGMAS)


class ReadModelError(ValueError):
    """The database given for the read model is not empty: a replay never writes over data."""


class ReadModel:
    """A throw-away International: its projections' tables, its queries, nothing served."""

    def __init__(
        self, international: str, database: str = "sqlite", folder: Path | None = None
    ) -> None:
        # A folder given by the caller is the caller's to remove (a parallel replay's part).
        self.owns_folder = folder is None
        self.folder = folder or Path(tempfile.mkdtemp(prefix="aidfed-replay-"))
        settings = Settings(
            node_id=international,
            kind=NodeKind.INTERNATIONAL,
            name=f"replay of {international}",
            data_dir=self.folder,
            database=database,
            mode="test",
            follow=False,
        )
        try:
            self.app = InternationalApplication(settings)
        except BaseException:
            self._remove_folder()
            raise
        if database == "sqlite":
            self._throw_away_connections()
        if self._holds_data():
            self.close()
            raise ReadModelError(
                "the read model's database already holds events or projections: "
                "give an empty database (a replay never writes over data)"
            )

    def _sqlite(self) -> SQLiteDatastore:
        datastore = self.app.db.datastore
        if not isinstance(datastore, SQLiteDatastore):
            raise TypeError("this read model is not on SQLite")
        return datastore

    @property
    def sqlite_file(self) -> Path:
        """The SQLite file of a read model on SQLite."""
        return Path(self._sqlite().pool.db_name)

    @contextmanager
    def sqlite_connection(self) -> Iterator[sqlite3.Connection]:
        """A connection of a read model on SQLite, outside any transaction (to attach a file)."""
        with self._sqlite().get_connection(commit=True) as connection:
            yield connection._sqlite_conn

    def _throw_away_connections(self) -> None:
        use_pool(self._sqlite(), ThrowAwayConnectionPool)

    def _holds_data(self) -> bool:
        db = self.app.db
        entries = db.scalar("SELECT COUNT(*) FROM ingested_entries")
        positions = db.scalar("SELECT COUNT(*) FROM projection_positions")
        return bool(entries) or bool(positions) or bool(self.app.recorder.max_notification_id())

    def close(self) -> None:
        """Close the node and remove its folder (a PostgreSQL database keeps its rows)."""
        self.app.close()
        self._remove_folder()

    def _remove_folder(self) -> None:
        if self.owns_folder:
            shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> ReadModel:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()
