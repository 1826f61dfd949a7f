"""Tampering with a node's database is detected by `aidfed log verify`, naming the position.

One committee node per backend records 302 real events with 7 checkpoints (sizes 2, 52, 102,
... 302); each test tampers with a fresh copy of that database directly (sqlite3 / psycopg),
as someone with access to the server could, then runs the real command.
"""

from __future__ import annotations

import itertools
import json
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from typer.testing import CliRunner

from federation import cli
from federation.node.committee import CommitteeApplication
from federation.signedlog import merkle
from federation.signedlog.note import NoteSigner, generate_key, split_note
from tests.integration.signedlog._story import settings, story
from tests.support.postgres import PostgresServer

SIZE = 302
_copies = itertools.count(1)


@dataclass
class Node:
    """A stopped node's data folder and database, with raw SQL access to tamper with it."""

    data_dir: Path
    url: str | None
    events: str

    @property
    def event_id(self) -> str:
        return "rowid" if self.url is None else "notification_id"

    def run(self, query: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Run one statement with `?` placeholders, commit, return any rows."""
        query = query.format(events=self.events, id=self.event_id)
        if self.url is None:
            with sqlite3.connect(self.data_dir / "events.sqlite") as conn:
                rows = conn.execute(query, params).fetchall()
            conn.close()
            return rows
        with psycopg.connect(self.url) as pg:
            cursor = pg.execute(query.replace("?", "%s"), params)
            return cursor.fetchall() if cursor.description else []

    def event_of(self, position: int) -> int:
        query = "SELECT notification_id FROM log_positions WHERE position = ?"
        return int(self.run(query, (position,))[0][0])

    def verify_args(self) -> list[str]:
        if self.url is None:
            return ["log", "verify", str(self.data_dir)]
        return ["log", "verify", "--database", self.url, "--data-dir", str(self.data_dir)]


def _record(database: str, data_dir: Path) -> str:
    app = CommitteeApplication(settings(database, data_dir))
    try:
        assert story(app) == SIZE
        return str(app.recorder.events_table_name)  # type: ignore[attr-defined]
    finally:
        app.close()


@pytest.fixture(scope="module")
def sqlite_original(tmp_path_factory: pytest.TempPathFactory) -> Node:
    data_dir = tmp_path_factory.mktemp("original") / "US"
    return Node(data_dir, None, _record("sqlite", data_dir))


@pytest.fixture(scope="module")
def pg_original(pg_server: PostgresServer, tmp_path_factory: pytest.TempPathFactory) -> Node:
    url = pg_server.create_database("tamper_original")
    data_dir = tmp_path_factory.mktemp("pg-original") / "US"
    return Node(data_dir, url, _record(url, data_dir))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def node(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Node]:
    """A fresh copy of the recorded node, ours to tamper with."""
    data_dir = tmp_path / "US"
    if request.param == "sqlite":
        original: Node = request.getfixturevalue("sqlite_original")
        shutil.copytree(original.data_dir, data_dir)
        yield Node(data_dir, None, original.events)
        return
    original = request.getfixturevalue("pg_original")
    shutil.copytree(original.data_dir, data_dir)
    assert original.url is not None
    server, template = original.url.rsplit("/", 1)
    copy = f"tamper_{next(_copies)}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{template}"')
    yield Node(data_dir, f"{server}/{copy}", original.events)


def verify(node: Node) -> tuple[int, str]:
    result = CliRunner().invoke(cli.app, node.verify_args())
    return result.exit_code, result.output


# --- the tampering ----------------------------------------------------------------------------


def change_one_byte(node: Node) -> int:
    notification_id = node.event_of(37)
    (state,) = node.run("SELECT state FROM {events} WHERE {id} = ?", (notification_id,))[0]
    data = bytearray(state)
    data[data.index(b"Local") + 1] ^= 0x01  # "Local" becomes "Lncal"
    node.run("UPDATE {events} SET state = ? WHERE {id} = ?", (bytes(data), notification_id))
    return 37


def delete_a_row(node: Node) -> int:
    node.run("DELETE FROM {events} WHERE {id} = ?", (node.event_of(123),))
    return 123


def swap_two_rows(node: Node) -> int:
    first, second = node.event_of(60), node.event_of(61)
    columns = "originator_id, originator_version, topic, state"
    row1 = node.run(f"SELECT {columns} FROM {{events}} WHERE {{id}} = ?", (first,))[0]
    row2 = node.run(f"SELECT {columns} FROM {{events}} WHERE {{id}} = ?", (second,))[0]
    update = (
        "UPDATE {events} SET originator_id = ?, originator_version = ?, topic = ?, state = ? "
        "WHERE {id} = ?"
    )
    node.run(update, (row1[0], -1, row1[2], row1[3], first))  # out of the primary key's way
    node.run(update, (*row1, second))
    node.run(update, (*row2, first))
    return 60


def truncate_the_tail(node: Node) -> int:
    cut = node.event_of(251)
    node.run("DELETE FROM {events} WHERE {id} >= ?", (cut,))
    node.run("DELETE FROM log_positions WHERE position >= 251")
    return 251


def rewind_the_whole_log(node: Node) -> int:
    # A careful forger cuts events, positions, leaves and head back to 202 consistently; the
    # checkpoints already signed for 252 and 302 still testify to the lost entries.
    cut = node.event_of(203)
    node.run("DELETE FROM {events} WHERE {id} >= ?", (cut,))
    node.run("DELETE FROM log_positions WHERE position >= 203")
    (tile,) = node.run("SELECT hashes FROM log_tiles WHERE level = 0 AND idx = 0")[0]
    compact = merkle.CompactRange()
    compact.extend(bytes(tile)[i : i + 32] for i in range(0, 202 * 32, 32))
    node.run("DELETE FROM log_tiles WHERE NOT (level = 0 AND idx = 0)")
    node.run("UPDATE log_tiles SET hashes = ? WHERE level = 0", (bytes(tile)[: 202 * 32],))
    node.run("UPDATE log_state SET size = 202, compact = ?", (compact.to_bytes(),))
    return 252


def replace_a_checkpoint(node: Node) -> int:
    (note,) = node.run("SELECT note FROM log_checkpoints WHERE size = 102")[0]
    forger = NoteSigner("aidfed.example/US", generate_key())
    forged = forger.sign(split_note(note)[0])
    node.run("UPDATE log_checkpoints SET note = ? WHERE size = 102", (forged,))
    return 102


def change_a_stored_leaf(node: Node) -> int:
    (hashes,) = node.run("SELECT hashes FROM log_tiles WHERE level = 0 AND idx = 1")[0]
    data = bytearray(hashes)
    data[32 * 7] ^= 0x80  # the leaf of position 256 + 7 + 1
    node.run("UPDATE log_tiles SET hashes = ? WHERE level = 0 AND idx = 1", (bytes(data),))
    return 264


TAMPERING: list[Callable[[Node], int]] = [
    change_one_byte,
    delete_a_row,
    swap_two_rows,
    truncate_the_tail,
    rewind_the_whole_log,
    replace_a_checkpoint,
    change_a_stored_leaf,
]


@pytest.mark.parametrize("tamper", TAMPERING, ids=lambda f: f.__name__)
def test_tampering_is_detected_at_its_position(node: Node, tamper: Callable[[Node], int]) -> None:
    position = tamper(node)
    code, output = verify(node)
    assert code == 1, output
    assert f"FAILED: position {position}:" in output, output


def test_an_event_written_around_the_log_is_detected(node: Node) -> None:
    node.run(
        "INSERT INTO {events} (originator_id, originator_version, topic, state) "
        "SELECT originator_id, 99, topic, state FROM {events} WHERE {id} = ?",
        (node.event_of(5),),
    )
    code, output = verify(node)
    assert code == 1
    assert "is not in the log [event.unlogged]" in output


def test_an_untouched_log_verifies_with_the_real_command(node: Node) -> None:
    command = [str(Path(sys.executable).parent / "aidfed"), *node.verify_args()]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{SIZE} entries integrated, {SIZE} positions recorded, 7 checkpoints" in result.stdout
    assert "OK" in result.stdout


def test_a_tampered_log_fails_the_real_command(node: Node) -> None:
    delete_a_row(node)
    command = [str(Path(sys.executable).parent / "aidfed"), *node.verify_args()]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 1
    assert "FAILED: position 123: the event of this position" in result.stdout


def test_a_wrong_public_key_fails_every_checkpoint(node: Node) -> None:
    other = NoteSigner("aidfed.example/US", generate_key()).vkey
    result = CliRunner().invoke(cli.app, [*node.verify_args(), "--public-key", other])
    assert result.exit_code == 1
    assert "FAILED: position 2: checkpoint 2" in result.output


def test_the_report_can_be_read_by_programs(node: Node) -> None:
    swap_two_rows(node)
    result = CliRunner().invoke(cli.app, [*node.verify_args(), "--json"])
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["ok"] is False
    assert report["first"] == {
        "code": "event.changed",
        "position": 60,
        "message": report["first"]["message"],
    }
    assert report["size"] == SIZE


def test_a_folder_without_a_node_cannot_be_verified(tmp_path: Path) -> None:
    for folder in (tmp_path, tmp_path / "missing"):
        result = CliRunner().invoke(cli.app, ["log", "verify", str(folder)])
        assert result.exit_code == 2
        assert f"cannot verify: {folder} holds no node (no node.vkey)" in result.output
