"""An upstream that contradicts its signed history is quarantined, named, and left alone.

Two ways a committee's node can break faith: an entry altered after the International synced
it, a node restored from an older backup that records on. Each is detected, named in ``aidfed
status`` (exit code 3), kept with both signed notes as evidence, and nothing more is applied
from that upstream until an operator acts. Checkpoints signed by another key prove nothing
against the upstream (anyone on the wire can send them): they are refused and reported (exit 4).
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


def assert_nothing_applied(nodes: Federation, held: int) -> None:
    """More news at DE, a sync by hand: INTL applies none of it."""
    de, intl = nodes["DE"], nodes["INTL"]
    with httpx.Client(base_url=de.url, timeout=10) as http:
        for n in range(3):
            receipt(http, n)
    done = intl.cli("sync", "--peer", "DE")
    assert "+0" in done.stdout, done.stdout
    assert "quarantined" in done.stdout, done.stdout
    assert intl.db.cursor("DE") == held < de.db.log_size()


def notes(state: dict[str, Any], vkey: str) -> tuple[Any, Any]:
    """The two signed notes kept as evidence, opened with ``vkey``."""
    evidence = json.loads(state["evidence"])
    verifier = parse_vkey(vkey)
    held, _ = open_checkpoint(evidence["held"], [verifier])
    served, _ = open_checkpoint(evidence["served"], [verifier])
    return held, served


def alter_receipt(db: NodeDatabase, position: int) -> None:
    """Make the receipt at ``position`` a thousand dollars, in place in the events table."""
    [(rowid,)] = db.query(
        "SELECT notification_id FROM log_positions WHERE position = ?", [position]
    )
    [(state,)] = db.query(f"SELECT state FROM {db.events_table} WHERE rowid = ?", [rowid])
    changed = re.sub(rb'"[0-9.]+ USD"', b'"1000.00 USD"', bytes(state))
    assert changed != bytes(state)
    db.execute(f"UPDATE {db.events_table} SET state = ? WHERE rowid = ?", [changed, rowid])


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
    alter_receipt(de.db, ALTERED)
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


def test_checkpoints_signed_by_another_key_are_rejected_and_reported_not_quarantined(
    federation: FederationFactory,
) -> None:
    """A note the pinned key did not sign proves nothing about the upstream (anyone on the wire
    can send one), so it is refused, retried and reported — never taken for a fork."""
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
    with httpx.Client(base_url=de.url, timeout=10) as http:
        receipt(http, 1)  # DE signs its grown log with the new key
    state = wait_until(partial(rejected, intl.db), 60, "INTL to reject DE's notes", every=0.1)
    assert de.vkey != old_vkey
    assert state["status"] == "following"
    done = intl.cli("status", check=False)
    assert done.returncode == 4, done
    assert "signature rejected" in done.stdout, done.stdout
    assert intl.db.cursor("DE") == held

    # The operator checks with DE and pins its new key: INTL follows DE again, no restart.
    token = nodes.tokens[("INTL", "DE")]
    intl.cli("peer", "add", "--id", "DE", "--url", de.url, "--vkey", de.vkey, "--token", token)
    nodes.wait_synced(30)
    assert intl.db.compare("DE", de.db).exact
    assert intl.cli("status", check=False).returncode == 0


def rejected(db: NodeDatabase) -> dict[str, Any] | None:
    state = db.follower_state("DE")
    error = str(state.get("last_error") or "")
    return state if error.startswith("SignatureRejected: the checkpoint is not signed") else None


def test_an_upstream_restored_from_an_older_backup_is_quarantined_once_it_forks(
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
    shutil.rmtree(de.data_dir)
    shutil.copytree(backup, de.data_dir)
    de.start()
    # Its older checkpoint agrees with what INTL holds: that alone could be a replay on the
    # wire, so it is refused and reported, not quarantined.
    state = wait_until(partial(stale, intl.db), 60, "INTL to see DE's older tree", every=0.1)
    assert state["status"] == "following"
    assert str(state["last_error"]).startswith(
        f"StaleCheckpoint: the upstream's tree shrank from {held} to {backed_up} entries"
    )
    assert intl.cli("status", check=False).returncode == 4

    # DE records on from its backup, past what INTL held: other entries at the same positions,
    # under DE's own signature — a provable fork.
    record_receipts(de.data_dir, 400, first=10_000)
    state = wait_quarantined(intl)
    # Depending on the size of the first tree INTL sees past its own, the proof fails or the
    # page does not add up: either way, a tree DE signed that does not extend what it held.
    reason = str(state["reason"])
    assert reason.startswith(
        (f"the {held} entries held are not a prefix", "the entries do not add up to the signed")
    ), state
    assert_named_in_status(intl, reason)
    evidence_held, evidence_served = notes(state, de.vkey)
    assert evidence_held.size == held < evidence_served.size
    assert_nothing_applied(nodes, held)
    intl.cli("peer", "release", "--id", "DE")
    assert "quarantined" in intl.cli("sync", "--peer", "DE").stdout
    assert intl.db.cursor("DE") == held


def stale(db: NodeDatabase) -> dict[str, Any] | None:
    state = db.follower_state("DE")
    return state if str(state.get("last_error") or "").startswith("StaleCheckpoint") else None
