"""An upstream that no longer stands by what it signed is quarantined, named, and left alone.

Three ways a committee's node can break faith: an entry altered after the International synced
it, its checkpoints signed by another key, a node restored from an older backup. Each is
detected, named in ``aidfed status`` (exit code 3), kept with the signed notes as evidence, and
nothing more is applied from that upstream until an operator acts — after which it is.
"""

from __future__ import annotations

import json
import re
import shutil
from functools import partial
from pathlib import Path
from typing import Any

import httpx

from federation.signedlog.note import generate_key, open_checkpoint, parse_vkey, write_private_key
from tests.e2e.federation.conftest import FederationFactory
from tests.support.actors import receipt
from tests.support.backlog import record_receipts
from tests.support.nodedb import NodeDatabase
from tests.support.processes import NodeProcess, wait_until
from tests.support.topology import Federation

ALTERED = 100  # the log position of the receipt someone alters


def quarantined(db: NodeDatabase) -> dict[str, Any] | None:
    state = db.follower_state("DE")
    return state if state.get("status") == "quarantined" else None


def wait_quarantined(intl: NodeProcess) -> dict[str, Any]:
    return wait_until(partial(quarantined, intl.db), 60, "INTL to quarantine DE", every=0.1)


def assert_named_in_status(intl: NodeProcess, reason: str) -> None:
    done = intl.cli("status", check=False)
    assert done.returncode == 3, done
    assert "quarantined" in done.stdout, done.stdout
    assert reason in done.stdout, done.stdout
    as_json = intl.cli("status", "--json", check=False)  # scripts see it too
    assert as_json.returncode == 3, as_json
    [row] = [r for r in json.loads(as_json.stdout) if r["upstream"] == "DE"]
    assert (row["status"], row["verification"]) == ("quarantined", "quarantined")


def record_news(de: NodeProcess, count: int = 3) -> None:
    """A treasurer records ``count`` receipts at DE over its API."""
    with httpx.Client(base_url=de.url, timeout=10) as http:
        for n in range(count):
            receipt(http, n)


def assert_nothing_applied(nodes: Federation, held: int) -> None:
    """More news at DE, a sync by hand: INTL applies none of it, holds what it held."""
    de, intl = nodes["DE"], nodes["INTL"]
    leaves = intl.db.ingested_leaves("DE")
    record_news(de)
    done = intl.cli("sync", "--peer", "DE")
    assert "+0" in done.stdout, done.stdout
    assert "quarantined" in done.stdout, done.stdout
    assert intl.db.cursor("DE") == held == len(leaves)
    assert intl.db.ingested_leaves("DE") == leaves


def notes(state: dict[str, Any], vkey: str, served_vkey: str | None = None) -> tuple[Any, Any]:
    """The two signed notes kept as evidence, opened with ``vkey`` (and ``served_vkey``)."""
    evidence = json.loads(state["evidence"])
    held, _ = open_checkpoint(evidence["held"], [parse_vkey(vkey)])
    served, _ = open_checkpoint(evidence["served"], [parse_vkey(served_vkey or vkey)])
    return held, served


def alter_receipt(db: NodeDatabase, position: int) -> bytes:
    """Make the receipt at ``position`` a thousand dollars, in place in the events table; the
    event as it was."""
    [(rowid,)] = db.query(
        "SELECT notification_id FROM log_positions WHERE position = ?", [position]
    )
    [(state,)] = db.query(f"SELECT state FROM {db.events_table} WHERE rowid = ?", [rowid])
    changed = re.sub(rb'"[0-9.]+ USD"', b'"1000.00 USD"', bytes(state))
    assert changed != bytes(state)
    db.execute(f"UPDATE {db.events_table} SET state = ? WHERE rowid = ?", [changed, rowid])
    return bytes(state)


def restore_receipt(db: NodeDatabase, position: int, state: bytes) -> None:
    """Put the receipt at ``position`` back as it was."""
    [(rowid,)] = db.query(
        "SELECT notification_id FROM log_positions WHERE position = ?", [position]
    )
    db.execute(f"UPDATE {db.events_table} SET state = ? WHERE rowid = ?", [state, rowid])


def rebuild_log(db: NodeDatabase) -> None:
    """Throw the node's log away: at its next start it integrates and signs the events anew."""
    for table in ("log_state", "log_tiles", "log_checkpoints", "log_cosignatures"):
        db.execute(f"DELETE FROM {table}")


def test_an_entry_altered_upstream_after_it_was_synced_is_caught_by_an_audit(
    federation: FederationFactory,
) -> None:
    nodes = federation(["DE"], follows={"INTL": ["DE"]}, start=False)
    de, intl = nodes["DE"], nodes["INTL"]
    size = record_receipts(de.data_dir, 300, found=True)
    de.start()
    intl.cli("sync", "--peer", "DE")  # INTL follows by hand here: it is not serving
    assert intl.db.compare("DE", de.db).exact

    # Someone turns a dollar into a thousand in DE's database. DE's own server refuses to serve
    # an event that no longer matches its signed tree (a clear 503), so the audit cannot finish:
    original = alter_receipt(de.db, ALTERED)
    audit = intl.cli("sync", "--audit", "--peer", "DE")
    assert "HTTP 503 log.integrity" in audit.stdout, audit.stdout
    assert "following" in audit.stdout, audit.stdout
    # ... until DE's log is rebuilt over the altered events and signed anew.
    de.stop()
    rebuild_log(de.db)
    de.start()
    audit = intl.cli("sync", "--audit", "--peer", "DE")
    assert "quarantined" in audit.stdout, audit.stdout

    state = quarantined(intl.db)
    assert state is not None
    reason = f"entry {ALTERED} changed upstream after it was synced"
    assert state["reason"] == reason
    assert_named_in_status(intl, reason)
    held, served = notes(state, de.vkey)  # two notes signed by DE: one size, two roots
    assert held.size == served.size == size
    assert held.root != served.root
    assert_nothing_applied(nodes, size)

    # Released without a repair, DE is quarantined again at the next sync.
    intl.cli("peer", "release", "--id", "DE")
    assert "quarantined" in intl.cli("sync", "--peer", "DE").stdout
    assert intl.db.cursor("DE") == size

    # DE's operator puts the receipt back and signs the log anew; INTL's operator releases DE,
    # and what DE recorded meanwhile comes in.
    de.stop()
    restore_receipt(de.db, ALTERED, original)
    rebuild_log(de.db)
    de.start()
    intl.cli("peer", "release", "--id", "DE")
    done = intl.cli("sync", "--peer", "DE")
    assert "+3" in done.stdout, done.stdout
    assert "following" in done.stdout, done.stdout
    assert intl.db.compare("DE", de.db).exact
    assert intl.cli("status", check=False).returncode == 0


def test_checkpoints_signed_by_another_key_quarantine_until_the_new_key_is_pinned(
    federation: FederationFactory,
) -> None:
    nodes = federation(["DE"], follows={"INTL": ["DE"]}, start=False)
    de, intl = nodes["DE"], nodes["INTL"]
    record_receipts(de.data_dir, 200, found=True)
    nodes.start()
    nodes.wait_synced(30)
    held = intl.db.cursor("DE")
    old_vkey = de.vkey

    # DE's key is replaced (a re-installed node, or an impostor on its address).
    de.kill()
    (de.data_dir / "node.key").unlink()
    write_private_key(de.data_dir / "node.key", generate_key())
    de.start()
    record_news(de, 1)  # DE signs its grown log with the new key
    state = wait_quarantined(intl)
    assert de.vkey != old_vkey
    name, old_id, _ = old_vkey.split("+", 2)
    new_id = de.vkey.split("+", 2)[1]
    reason = (
        f"key changed: the checkpoint is signed by {name} {new_id}, "
        f"not by the pinned key {name} {old_id}"
    )
    assert state["reason"] == reason
    assert_named_in_status(intl, reason)
    held_note, served_note = notes(state, old_vkey, de.vkey)  # DE's notes under either key
    assert held_note.size == held < served_note.size
    assert_nothing_applied(nodes, held)

    # The operator checks with DE and pins its new key: that lifts the quarantine, and INTL
    # follows DE again — no release, no restart.
    token = nodes.tokens[("INTL", "DE")]
    intl.cli("peer", "add", "--id", "DE", "--url", de.url, "--vkey", de.vkey, "--token", token)
    nodes.wait_synced(30)
    assert intl.db.compare("DE", de.db).exact
    assert intl.cli("status", check=False).returncode == 0


def test_an_upstream_restored_from_an_older_backup_is_quarantined_until_repaired(
    federation: FederationFactory, tmp_path: Path
) -> None:
    nodes = federation(["DE"], follows={"INTL": ["DE"]}, start=False)
    de, intl = nodes["DE"], nodes["INTL"]
    backed_up = record_receipts(de.data_dir, 300, found=True)
    backup = tmp_path / "DE-backup"
    shutil.copytree(de.data_dir, backup)  # DE is not running: a consistent copy
    nodes.start()
    record_receipts(de.data_dir, 200, first=300)
    nodes.wait_synced(30)
    held = intl.db.cursor("DE")
    assert held > backed_up

    de.stop()  # DE's disk fails; its operator restores last week's backup
    failed_disk = tmp_path / "DE-failed-disk"
    shutil.move(de.data_dir, failed_disk)
    shutil.copytree(backup, de.data_dir)
    de.start()
    # DE now signs a smaller tree than the one INTL holds: it will sign other entries at the
    # positions it lost, so INTL stops following it before it does.
    state = wait_quarantined(intl)
    reason = (
        f"regression: the upstream's tree shrank from {held} to {backed_up} entries "
        "(restored from an older backup?)"
    )
    assert state["reason"] == reason
    assert_named_in_status(intl, reason)
    evidence_held, evidence_served = notes(state, de.vkey)  # both signed by DE
    assert (evidence_held.size, evidence_served.size) == (held, backed_up)
    assert_nothing_applied(nodes, held)  # DE records at positions INTL holds otherwise

    # The failed disk is read after all: DE's operator restores it instead of the backup
    # (the receipts recorded on the backup are entered again), and INTL's operator releases DE.
    de.stop()
    shutil.rmtree(de.data_dir)
    shutil.move(failed_disk, de.data_dir)
    de.start()
    record_news(de)
    intl.cli("peer", "release", "--id", "DE")
    nodes.wait_synced(30)
    assert intl.db.compare("DE", de.db).exact
    assert intl.db.cursor("DE") == held + 3
    assert intl.cli("status", check=False).returncode == 0
