"""Paths and peers in CLI arguments: a path that would reach the node's own files, or that does
not exist, a peer's key or URL that is not one, a peer the node does not have or follow — each is
refused with a clear message naming the option (exit 2): never a traceback, never a file
overwritten, nothing recorded."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from federation import cli
from tests.support.processes import free_port


@dataclass(frozen=True)
class Ran:
    """What one ``aidfed`` command did: its exit status and what it printed."""

    returncode: int
    stdout: str
    stderr: str


def aidfed(*args: str | Path) -> Ran:
    """``aidfed <args>`` in this process (a fresh interpreter per command took a minute more).

    A traceback is not an answer: an exception other than the command's exit fails the test
    with the exception itself. COLUMNS keeps a long path on one line, as the message has it.
    """
    result = CliRunner().invoke(cli.app, [str(a) for a in args], env={"COLUMNS": "250"})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Ran(result.exit_code, result.stdout, result.stderr)


@pytest.fixture
def node(tmp_path: Path) -> Path:
    folder = tmp_path / "DE"
    done = aidfed("node", "init", "--kind", "committee", "--id", "DE", "--name", "KAH",
                  "--data-dir", folder)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert aidfed("status", "--data-dir", folder).returncode == 0  # opens (creates) its database
    return folder


def refused(done: Ran, *words: str) -> None:
    assert done.returncode == 2, done
    assert "Traceback" not in done.stderr + done.stdout
    flat = " ".join((done.stderr + done.stdout).split()).replace("│", "")
    flat = " ".join(flat.split())
    for word in words:
        assert word in flat, flat


def test_a_bundle_is_never_written_over_the_nodes_own_files(node: Path, tmp_path: Path) -> None:
    key = (node / "node.key").read_bytes()
    database = (node / "events.sqlite").read_bytes()
    for target in ("node.key", "events.sqlite", "sub/../peers.json"):
        done = aidfed("audit", "export", "--data-dir", node, "--out", node / target)
        refused(done, "inside the node's data folder")
    assert (node / "node.key").read_bytes() == key
    assert (node / "events.sqlite").read_bytes() == database
    assert not (node / "peers.json").exists()

    refused(aidfed("audit", "export", "--data-dir", node, "--out", tmp_path / "no" / "b.gz"),
            "does not exist")  # fmt: skip
    refused(aidfed("audit", "export", "--data-dir", node, "--out", tmp_path), "is a folder")
    done = aidfed("audit", "export", "--data-dir", node, "--out", tmp_path / "de.aidfed.gz")
    assert done.returncode == 0, done.stderr  # outside the data folder: written
    assert (tmp_path / "de.aidfed.gz").stat().st_size > 0


def test_a_missing_bundle_or_a_malformed_pin_is_refused(tmp_path: Path) -> None:
    refused(aidfed("audit", "verify", tmp_path / "missing.gz"), "does not exist")
    bundle = tmp_path / "b.gz"
    bundle.write_bytes(b"")
    refused(aidfed("audit", "verify", bundle, "--pin", "DE"), "is not NODE=VKEY")


def test_a_folder_that_holds_no_node_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    stranger = tmp_path / "somewhere"
    stranger.mkdir()
    refused(aidfed("status", "--data-dir", stranger), "holds no node")
    refused(aidfed("sync", "--data-dir", stranger), "holds no node")
    refused(aidfed("peer", "list", "--data-dir", stranger), "holds no node")
    refused(aidfed("user", "list", "--data-dir", stranger), "holds no node")
    assert list(stranger.iterdir()) == []


def test_an_import_of_a_folder_or_a_missing_file_is_refused(tmp_path: Path) -> None:
    for path in (tmp_path, tmp_path / "missing.csv"):
        done = aidfed("import", "receipts", path, "--url", "http://127.0.0.1:9", "--token", "t")
        refused(done)


def test_a_bad_peer_or_a_peer_not_followed_is_refused_naming_the_option(node: Path) -> None:
    own = (node / "node.vkey").read_text(encoding="utf-8").strip()
    add = ("peer", "add", "--data-dir", node, "--id", "INTL", "--token", "t")
    refused(aidfed(*add, "--url", "http://127.0.0.1:9", "--vkey", "abc"),
            "--vkey", "the pinned key is not a vkey")  # fmt: skip
    refused(aidfed(*add, "--url", "ftp://127.0.0.1:9", "--vkey", own),
            "--url", "is not an http(s) URL")  # fmt: skip
    assert not (node / "peers.json").exists()
    refused(aidfed("sync", "--data-dir", node, "--peer", "XX"), "--peer", "no peer 'XX'")
    refused(aidfed("peer", "release", "--data-dir", node, "--id", "xx"), "--id", "no peer 'XX'")

    upstream = ("--url", "http://127.0.0.1:9", "--vkey", own, "--accept-token", "t")
    added = aidfed("peer", "add", "--data-dir", node, "--id", "INTL", *upstream, "--no-follow")
    assert added.returncode == 0, added.stderr
    refused(aidfed("sync", "--data-dir", node, "--peer", "intl"), "--peer", "does not follow INTL")
    done = aidfed("sync", "--data-dir", node)
    assert done.returncode == 0, done.stderr
    assert "this node follows no upstream" in done.stdout


def test_a_weak_password_is_refused_naming_the_option_and_no_user_is_added(node: Path) -> None:
    add = ("user", "add", "--data-dir", node, "--username", "zetkin", "--role", "treasurer")
    refused(aidfed(*add, "--person", "Clara Zetkin", "--password", "short"),
            "--password", "a password has at least 8 characters")  # fmt: skip
    refused(aidfed(*add, "--person", " ", "--password", "solidarity-1922"),
            "--username / --person", "a user needs a username and the person's name")  # fmt: skip
    listed = aidfed("user", "list", "--data-dir", node)
    assert listed.returncode == 0, listed.stderr
    assert "zetkin" not in listed.stdout


def test_node_init_refuses_bad_settings_and_never_changes_a_nodes_identity(
    node: Path, tmp_path: Path
) -> None:
    fresh = tmp_path / "fresh"
    init = ("node", "init", "--name", "KAH", "--data-dir", fresh)
    refused(aidfed(*init, "--kind", "committee", "--id", "D/E"), "--id", "letters, digits and '-'")
    refused(aidfed(*init, "--kind", "committee", "--id", "DE", "--port", "99999"), "--port")
    refused(aidfed(*init, "--kind", "committee", "--id", "DE", "--database", "mysql://x"),
            "--database", "a postgresql:// URL")  # fmt: skip
    assert not fresh.exists()

    written = (node / "node.env").read_text(encoding="utf-8")
    again = ("node", "init", "--name", "KAH", "--data-dir", node)
    for kind, node_id in (("international", "DE"), ("committee", "FR")):
        refused(aidfed(*again, "--kind", kind, "--id", node_id),
                "--data-dir", "already holds node DE (committee)", "never change")  # fmt: skip
    assert (node / "node.env").read_text(encoding="utf-8") == written
    moved = aidfed(*again, "--kind", "committee", "--id", "DE", "--port", "8111")
    assert moved.returncode == 0, moved.stderr
    assert '"8111"' in (node / "node.env").read_text(encoding="utf-8")


def test_a_node_whose_database_cannot_be_reached_says_so(tmp_path: Path) -> None:
    folder = tmp_path / "FR"
    nowhere = f"postgresql://aidfed:secret-word@127.0.0.1:{free_port()}/fr"
    done = aidfed("node", "init", "--kind", "committee", "--id", "FR", "--name", "SOI",
                  "--data-dir", folder, "--database", nowhere)  # fmt: skip
    assert done.returncode == 0, done.stderr
    for command in (("status",), ("sync",), ("node", "serve", "--no-follow")):
        done = aidfed(*command, "--data-dir", folder)
        assert done.returncode == 2, done
        said = " ".join((done.stdout + done.stderr).split())
        assert "the node's database cannot be reached" in said
        assert f"AIDFED_DATABASE in {folder / 'node.env'}" in said
        assert "Traceback" not in said
        assert "secret-word" not in said
