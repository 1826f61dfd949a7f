"""Fixtures shared by every test: a real PostgreSQL server, node settings per persistence mode."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from federation.settings import NodeKind, Settings
from tests.support.postgres import PostgresServer, postgres_server

_databases = itertools.count(1)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the whole run (started lazily, only if a test asks)."""
    with postgres_server() as server:
        yield server


@pytest.fixture
def pg_url(pg_server: PostgresServer) -> str:
    """A fresh, empty database on the test server."""
    return pg_server.create_database(f"aidfed_test_{next(_databases)}")


SettingsFactory = Callable[..., Settings]


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def persistence(request: pytest.FixtureRequest) -> str:
    """Each persistence mode a node supports; tests using it run once per mode."""
    mode: str = request.param
    return mode


@pytest.fixture
def node_settings(
    request: pytest.FixtureRequest, tmp_path: Path, persistence: str
) -> SettingsFactory:
    """Settings for a node in the current persistence mode."""
    databases: dict[str, str] = {}

    def make(node_id: str = "US", kind: NodeKind = NodeKind.COMMITTEE, **extra: object) -> Settings:
        if persistence == "postgres":
            if node_id not in databases:
                server: PostgresServer = request.getfixturevalue("pg_server")
                databases[node_id] = server.create_database(
                    f"aidfed_{node_id.lower().replace('-', '_')}_{next(_databases)}"
                )
            database = databases[node_id]
        elif persistence == "memory":
            database = "memory"
        else:
            database = "sqlite"
        return Settings(
            node_id=node_id,
            kind=kind,
            name=f"node {node_id}",
            data_dir=tmp_path / node_id,
            database=database,
            mode="test",
            **extra,  # type: ignore[arg-type]
        )

    return make
