"""Federations of real node processes for the end-to-end tests, always killed afterwards."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

from tests.support.postgres import PostgresServer
from tests.support.processes import COMMITTEE, INTERNATIONAL, LIAISON, NodeProcess
from tests.support.topology import Federation

_databases = itertools.count(1)

FederationFactory = Callable[..., Federation]


@pytest.fixture
def federation(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[FederationFactory]:
    """Make a federation: committees (SQLite), the International (PostgreSQL by default) and
    the liaison if asked; initialised, wired in the default topology and started."""
    made: list[Federation] = []

    def make(
        committees: Sequence[str] = ("DE",),
        *,
        international: str | None = "postgres",
        liaison: bool = False,
        follows: dict[str, list[str]] | None = None,
        start: bool = True,
    ) -> Federation:
        nodes = [NodeProcess(c, COMMITTEE, tmp_path) for c in committees]
        if international is not None:
            database = "sqlite"
            if international == "postgres":
                server: PostgresServer = request.getfixturevalue("pg_server")
                database = server.create_database(f"aidfed_e2e_intl_{next(_databases)}")
            nodes.append(NodeProcess("INTL", INTERNATIONAL, tmp_path, database=database))
        if liaison:
            nodes.append(NodeProcess("RU-LIAISON", LIAISON, tmp_path))
        federation = Federation(nodes)
        made.append(federation)
        federation.init()
        federation.wire(follows)
        if start:
            federation.start()
        return federation

    try:
        yield make
    finally:
        for federation in made:
            federation.kill()
            for node in federation.nodes.values():  # shown by pytest if the test failed
                print(f"--- log of {node.node_id} ---\n{node.log_tail()}")
