"""The node's signed log: keys, integration, and checkpoints that can never fork."""

from __future__ import annotations

import stat
import threading
from pathlib import Path

import pytest

from federation.node.committee import CommitteeApplication
from federation.signedlog import merkle
from federation.signedlog.keys import KEY_FILE, VKEY_FILE, load_or_create_key, read_verifier
from federation.signedlog.log import checkpoint_of
from federation.signedlog.note import open_checkpoint, public_key_bytes
from federation.signedlog.store import LogStateError
from tests.integration.signedlog._story import founded, receipts, settings

DATABASES = ["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=DATABASES)
def database(request: pytest.FixtureRequest) -> str:
    if request.param != "postgres":
        return str(request.param)
    url: str = request.getfixturevalue("pg_url")
    return url


def open_node(database: str, data_dir: Path, node_id: str = "US") -> CommitteeApplication:
    return CommitteeApplication(settings(database, data_dir, node_id))


def test_the_key_is_created_once_readable_by_its_owner_only(tmp_path: Path) -> None:
    app = open_node("sqlite", tmp_path / "US")
    vkey = app.signed_log.signer.vkey
    app.close()
    key_file = tmp_path / "US" / KEY_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert read_verifier(tmp_path / "US").vkey == vkey
    assert (tmp_path / "US" / VKEY_FILE).read_text() == vkey + "\n"
    again = open_node("sqlite", tmp_path / "US")
    try:
        assert again.signed_log.signer.vkey == vkey, "a restart must keep the node's identity"
    finally:
        again.close()


def test_processes_starting_at_once_agree_on_one_key(tmp_path: Path) -> None:
    keys: list[bytes] = []

    def start() -> None:
        keys.append(public_key_bytes(load_or_create_key(tmp_path).public_key()))

    threads = [threading.Thread(target=start) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(keys)) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == [KEY_FILE]


def test_integration_in_small_batches_gives_the_same_tree(database: str, tmp_path: Path) -> None:
    app = open_node(database, tmp_path / "US")
    try:
        founded(app)
        for batch in range(3):
            receipts(app, 150, f"b{batch}")
        app.signed_log.integrator.batch_size = 7  # many batches, crossing tile boundaries
        assert app.signed_log.integrate() == 452
        page = app.signed_log.entries(0, 452)
        leaves = [merkle.leaf_hash(entry.entry) for entry in page.entries]
        assert checkpoint_of(page.checkpoint).root == merkle.root_from_leaf_hashes(leaves)
        for index in (0, 255, 256, 451):
            proof = app.signed_log.inclusion_proof(index, 452)
            root = checkpoint_of(page.checkpoint).root
            merkle.verify_inclusion(leaves[index], index, 452, proof, root)
    finally:
        app.close()


def test_checkpoints_only_grow_and_repeat_when_nothing_is_new(
    database: str, tmp_path: Path
) -> None:
    app = open_node(database, tmp_path / "US")
    try:
        empty = app.signed_log.checkpoint()
        assert checkpoint_of(empty).size == 0
        assert checkpoint_of(empty).root == merkle.EMPTY_ROOT
        founded(app)
        first = app.signed_log.checkpoint()
        assert app.signed_log.checkpoint() == first
        receipts(app, 3, "more")
        second = app.signed_log.checkpoint()
        sizes = [checkpoint_of(note).size for note in (empty, first, second)]
        assert sizes == [0, 2, 5]
        verifier = app.signed_log.signer.verifier
        for note in (empty, first, second):
            open_checkpoint(note, [verifier])
    finally:
        app.close()


def _rewind(app: CommitteeApplication) -> None:
    with app.db.transaction() as cursor:
        cursor.execute(
            "UPDATE log_state SET size = 0, compact = ? WHERE id = 1",
            (merkle.CompactRange().to_bytes(),),
        )


def test_a_node_refuses_to_sign_a_log_that_went_backwards(tmp_path: Path) -> None:
    app = open_node("sqlite", tmp_path / "US")
    try:
        founded(app)
        receipts(app, 10, "x")
        app.signed_log.checkpoint()
        # Someone removes the tail and restores an empty head: checkpoint 12 forbids it.
        with app.db.transaction() as cursor:
            cursor.execute("DELETE FROM stored_events WHERE rowid > 5")
            cursor.execute("DELETE FROM log_positions WHERE position > 5")
        _rewind(app)
        with pytest.raises(LogStateError, match="beyond the integrated log"):
            app.signed_log.checkpoint()
    finally:
        app.close()


def test_a_node_refuses_to_sign_a_rewritten_history(tmp_path: Path) -> None:
    app = open_node("sqlite", tmp_path / "US")
    try:
        founded(app)
        receipts(app, 10, "x")
        app.signed_log.checkpoint()
        # Someone edits an event and has the log integrated again from the start.
        with app.db.transaction() as cursor:
            cursor.execute(
                "UPDATE stored_events SET state = CAST(state || ' ' AS BLOB) WHERE rowid = 7"
            )
        _rewind(app)
        receipts(app, 2, "y")
        with pytest.raises(LogStateError, match="not consistent with checkpoint 12"):
            app.signed_log.checkpoint()
    finally:
        app.close()


def test_a_node_refuses_to_sign_over_damaged_tiles(tmp_path: Path) -> None:
    app = open_node("sqlite", tmp_path / "US")
    try:
        founded(app)
        app.signed_log.checkpoint()
        receipts(app, 3, "x")
        app.signed_log.integrate()
        with app.db.transaction() as cursor:
            cursor.execute("UPDATE log_tiles SET hashes = zeroblob(160) WHERE level = 0")
        with pytest.raises(LogStateError, match="disagree"):
            app.signed_log.checkpoint()
    finally:
        app.close()


def test_the_log_survives_a_restart(tmp_path: Path) -> None:
    app = open_node("sqlite", tmp_path / "US")
    founded(app)
    before = checkpoint_of(app.signed_log.checkpoint())
    app.close()
    app = open_node("sqlite", tmp_path / "US")
    try:
        receipts(app, 4, "after")
        after = checkpoint_of(app.signed_log.checkpoint())
        proof = app.signed_log.consistency_proof(before.size, after.size)
        merkle.verify_consistency(before.size, after.size, proof, before.root, after.root)
    finally:
        app.close()


def test_a_database_keeps_the_log_of_one_node_only(tmp_path: Path) -> None:
    open_node("sqlite", tmp_path / "shared", "US").close()
    with pytest.raises(LogStateError, match="node US"):
        open_node("sqlite", tmp_path / "shared", "FR")


def test_two_processes_of_one_node_never_sign_a_fork(tmp_path: Path) -> None:
    # Two applications on one SQLite file stand in for two processes of one node.
    first, second = open_node("sqlite", tmp_path / "US"), open_node("sqlite", tmp_path / "US")
    try:
        founded(first)
        errors: list[BaseException] = []

        def sign(app: CommitteeApplication, tag: str) -> None:
            try:
                for n in range(6):
                    receipts(app, 5, f"{tag}{n}")
                    app.signed_log.checkpoint()
            except BaseException as error:
                errors.append(error)

        threads = [
            threading.Thread(target=sign, args=(a, t)) for a, t in ((first, "a"), (second, "b"))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not errors, errors
        notes = first.db.query("SELECT size, note FROM log_checkpoints ORDER BY size")
        verifier = first.signed_log.signer.verifier
        previous: tuple[int, bytes] | None = None
        for row in notes:
            checkpoint, _ = open_checkpoint(row["note"], [verifier])
            if previous is not None:
                proof = first.signed_log.consistency_proof(previous[0], checkpoint.size)
                merkle.verify_consistency(
                    previous[0], checkpoint.size, proof, previous[1], checkpoint.root
                )
            previous = (checkpoint.size, checkpoint.root)
        assert previous is not None
        assert previous[0] == 62
    finally:
        first.close()
        second.close()
