"""The verifier's checks of checkpoints and cosignatures, against the recomputed tree."""

from __future__ import annotations

from collections.abc import Sequence

from federation.persistence.database import Cursor
from federation.signedlog import merkle
from federation.signedlog.note import (
    CosignatureVerifier,
    NoteError,
    NoteVerifier,
    open_checkpoint,
    parse_signature_line,
    split_note,
)
from federation.signedlog.store import LogStore, StoredCheckpoint
from federation.signedlog.tiles import LevelArrays, TileHashes
from federation.signedlog.verify_report import Report

H = merkle.HASH_SIZE


def check_checkpoints(
    store: LogStore, cursor: Cursor, verifier: NoteVerifier, levels: LevelArrays, report: Report
) -> None:
    tiles = TileHashes(levels)
    size = len(levels.levels[0]) // H
    previous: tuple[int, bytes] | None = None
    after = -1
    while batch := store.checkpoints(cursor, after, 1000):
        for stored in batch:
            report.checkpoints += 1
            checked = _check_checkpoint(stored, verifier, tiles, size, previous, report)
            previous = checked or previous
        after = batch[-1].size


def _check_checkpoint(
    stored: StoredCheckpoint,
    verifier: NoteVerifier,
    tiles: TileHashes,
    size: int,
    previous: tuple[int, bytes] | None,
    report: Report,
) -> tuple[int, bytes] | None:
    where = max(stored.size, 1)
    try:
        checkpoint, _ = open_checkpoint(stored.note, [verifier])
    except NoteError as error:
        report.add("checkpoint.signature", where, f"checkpoint {stored.size}: {error}")
        return None
    if checkpoint.origin != verifier.name or checkpoint.size != stored.size:
        report.add(
            "checkpoint.mismatch",
            where,
            f"checkpoint stored as size {stored.size} is "
            f"for {checkpoint.origin} at size {checkpoint.size}",
        )
        return None
    if checkpoint.size > size:
        report.add(
            "checkpoint.beyond",
            where,
            f"checkpoint {checkpoint.size} is beyond the "
            f"{size} logged entries: the log was truncated",
        )
        return None
    if merkle.tree_root(tiles, checkpoint.size) != checkpoint.root:
        report.add(
            "checkpoint.root",
            where,
            f"checkpoint {checkpoint.size}'s root is not the root of the logged entries",
        )
        return None
    if previous is not None:
        old_size, old_root = previous
        proof = merkle.consistency_proof(tiles, old_size, checkpoint.size)
        try:
            merkle.verify_consistency(old_size, checkpoint.size, proof, old_root, checkpoint.root)
        except merkle.ProofError as error:
            report.add(
                "checkpoint.consistency",
                where,
                f"checkpoints {old_size} and {checkpoint.size} are inconsistent: {error}",
            )
    return checkpoint.size, checkpoint.root


def check_cosignatures(
    store: LogStore, cursor: Cursor, cosigners: Sequence[CosignatureVerifier], report: Report
) -> None:
    known = {(c.name, c.key_id.hex()): c for c in cosigners}
    for row in store.cosignatures(cursor):
        report.cosignatures += 1
        size = int(row["size"])
        stored = store.checkpoint_at(cursor, size)
        if stored is None:
            report.add(
                "cosignature.orphan",
                max(size, 1),
                f"a cosignature by {row['cosigner']} is for checkpoint {size}, which is not stored",
            )
            continue
        try:
            parse_signature_line(row["line"].removesuffix("\n"))
            cosigner = known.get((row["cosigner"], row["key_id"]))
            if cosigner is not None:
                cosigner.verify_cosignature(split_note(stored.note)[0], row["line"])
        except NoteError as error:
            report.add(
                "cosignature.invalid",
                max(size, 1),
                f"cosignature by {row['cosigner']} on checkpoint {size}: {error}",
            )
