"""eventsourcing's own recorder test suites, unchanged, run against the project's logged recorders.

Only `create_recorder` (and the databases) are ours; after each test, every database a recorder
wrote must also hold dense log positions 1..n in the order of the events' notification ids.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar
from uuid import uuid4

import psycopg
import pytest
from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteDatastore

from federation.persistence.postgres import LoggedPostgresApplicationRecorder
from federation.persistence.sqlite import LoggedSQLiteApplicationRecorder
from tests.integration.signedlog._suites import (
    ApplicationRecorderTestCase,
    NonInterleavingNotificationIDsBaseCase,
)
from tests.support.postgres import PostgresServer

_names = itertools.count(1)


def assert_positions_follow_events(rows: list[tuple[int, int]], events: list[int]) -> None:
    """Positions are 1..n, their notification ids ascend and cover every event exactly."""
    assert [position for position, _ in rows] == list(range(1, len(rows) + 1))
    assert [notification_id for _, notification_id in rows] == sorted(events)


class SQLiteRecorders:
    """Makes logged SQLite recorders and checks their positions after the test."""

    db_uri = ":memory:"
    recorders: list[LoggedSQLiteApplicationRecorder]

    @pytest.fixture(autouse=True)
    def _folder(self, tmp_path: Path) -> Iterator[None]:
        self.tmp_path = tmp_path
        self.recorders = []
        yield
        for recorder in self.recorders:
            self._check(recorder)
            recorder.datastore.close()

    def _check(self, recorder: LoggedSQLiteApplicationRecorder) -> None:
        with recorder.datastore.transaction(commit=False) as cursor:
            cursor.execute("SELECT position, notification_id FROM log_positions ORDER BY position")
            rows = [(int(r[0]), int(r[1])) for r in cursor.fetchall()]
            cursor.execute(f"SELECT rowid FROM {recorder.events_table_name}")
            events = [int(r[0]) for r in cursor.fetchall()]
        assert_positions_follow_events(rows, events)

    def create_recorder(self) -> LoggedSQLiteApplicationRecorder:
        recorder = LoggedSQLiteApplicationRecorder(SQLiteDatastore(self.db_uri, pool_size=100))
        recorder.create_table()
        self.recorders.append(recorder)
        return recorder

    def use_file(self) -> None:
        self.db_uri = f"file:{self.tmp_path / f'events-{next(_names)}.sqlite'}"


class TestLoggedSQLiteApplicationRecorder(
    SQLiteRecorders, ApplicationRecorderTestCase[LoggedSQLiteApplicationRecorder]
):
    """The application recorder suite, in memory and on files, as eventsourcing runs it."""

    def test_concurrent_no_conflicts(self, initial_position: int = 0) -> None:  # noqa: PT028
        self.use_file()
        super().test_concurrent_no_conflicts()

    def test_concurrent_no_conflicts_in_memory_db(self) -> None:
        self.db_uri = "file::memory:?cache=shared"
        super().test_concurrent_no_conflicts()

    def test_concurrent_throughput(self) -> None:
        self.use_file()
        super().test_concurrent_throughput()

    def test_concurrent_throughput_in_memory_db(self) -> None:
        self.db_uri = "file::memory:?cache=shared"
        super().test_concurrent_throughput()


class TestLoggedSQLiteNonInterleaving(SQLiteRecorders, NonInterleavingNotificationIDsBaseCase):
    """Two large concurrent inserts never interleave their notification ids (or positions)."""

    def create_recorder(self) -> LoggedSQLiteApplicationRecorder:
        self.use_file()
        return super().create_recorder()


@pytest.mark.postgres
class PostgresRecorders:
    """Makes logged PostgreSQL recorders on a fresh database of the test server."""

    originator_id_type: ClassVar[Any] = "uuid"
    datastores: list[PostgresDatastore]

    @pytest.fixture(autouse=True)
    def _database(self, pg_server: PostgresServer) -> Iterator[None]:
        self.url = pg_server.create_database(f"recorder_suite_{next(_names)}")
        self.server = pg_server
        self.datastores = []
        yield
        for datastore in self.datastores:
            datastore.close()
        self._check()

    def _check(self) -> None:
        with psycopg.connect(self.url) as conn:
            rows = conn.execute(
                "SELECT position, notification_id FROM log_positions ORDER BY position"
            ).fetchall()
            events = conn.execute("SELECT notification_id FROM stored_events").fetchall()
        assert_positions_follow_events(
            [(int(p), int(n)) for p, n in rows], [int(n) for (n,) in events]
        )

    def create_recorder(self) -> LoggedPostgresApplicationRecorder:
        datastore = PostgresDatastore(
            self.url.rsplit("/", 1)[1],
            self.server.host,
            self.server.port,
            self.server.user,
            "",
            pool_size=4,
            max_overflow=4,
            originator_id_type=self.originator_id_type,
        )
        self.datastores.append(datastore)
        recorder = LoggedPostgresApplicationRecorder(datastore)
        recorder.create_table()
        return recorder


class TestLoggedPostgresApplicationRecorder(
    PostgresRecorders, ApplicationRecorderTestCase[LoggedPostgresApplicationRecorder]
):
    """The application recorder suite, including the optional LISTEN/NOTIFY subscription."""

    def test_insert_subscribe(self) -> None:
        super().optional_test_insert_subscribe()


class TestLoggedPostgresApplicationRecorderTextIds(TestLoggedPostgresApplicationRecorder):
    """The same with text originator ids, as eventsourcing's own tests prefer."""

    originator_id_type = "text"

    def new_originator_id(self) -> str:
        return str(uuid4())


class TestLoggedPostgresNonInterleaving(PostgresRecorders, NonInterleavingNotificationIDsBaseCase):
    """Two large concurrent inserts never interleave their notification ids (or positions)."""
