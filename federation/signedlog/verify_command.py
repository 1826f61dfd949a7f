"""`aidfed log verify`: open a node's database read-only, print the report, set the exit status."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from eventsourcing.persistence import PersistenceError
from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteDatastore

from federation.persistence.database import Database
from federation.signedlog.keys import VKEY_FILE, read_verifier
from federation.signedlog.note import NoteError, parse_cosignature_vkey
from federation.signedlog.verify import verify
from federation.signedlog.verify_report import Report

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_UNUSABLE = 2


def run(
    data_dir: Path,
    database: str | None,
    public_key: str | None,
    cosigners: Sequence[str] = (),
    as_json: bool = False,
) -> int:
    """Verify a node's log, print the outcome and return the process exit status."""
    if public_key is None and not (data_dir / VKEY_FILE).is_file():
        # Without this, the folder's name would be read as a vkey and refused as one.
        print(
            f"cannot verify: {data_dir} holds no node (no {VKEY_FILE}): give the node's data "
            "folder, or its key with --public-key and its database with --database"
        )
        return EXIT_UNUSABLE
    try:
        verifier = read_verifier(public_key or data_dir)
        cosigner_keys = [parse_cosignature_vkey(vkey) for vkey in cosigners]
        with open_database(database, data_dir) as db:
            report = verify(db, verifier, cosigner_keys)
    except (OSError, NoteError, ValueError, PersistenceError) as error:
        print(f"cannot verify: {error}")
        return EXIT_UNUSABLE
    print(json.dumps(_as_json(report), indent=2) if as_json else _as_text(report, verifier.vkey))
    return EXIT_OK if report.ok else EXIT_FAILED


def _as_json(report: Report) -> dict[str, object]:
    first = report.first
    return {
        **asdict(report),
        "ok": report.ok,
        "first": None if first is None else asdict(first),
    }


def _as_text(report: Report, vkey: str) -> str:
    lines = [
        f"log of node {report.node_id or '?'} ({report.origin}), public key {vkey}",
        f"{report.size} entries integrated, {report.positions} positions recorded, "
        f"{report.checkpoints} checkpoints, {report.cosignatures} cosignatures",
    ]
    first = report.first
    if first is None:
        lines.append("OK: every entry, tree hash and checkpoint verifies")
        return "\n".join(lines)
    lines.append(f"FAILED: {first}")
    others = [p for p in report.problems if p is not first]
    lines.extend(f"  also: {problem}" for problem in others[:20])
    hidden = len(others) - 20 + report.more_problems
    if hidden > 0:
        lines.append(f"  ... and {hidden} more")
    return "\n".join(lines)


@contextmanager
def open_database(database: str | None, data_dir: Path) -> Iterator[Database]:
    """Open a node's database read-only: a PostgreSQL URL, or the SQLite file in `data_dir`."""
    datastore: SQLiteDatastore | PostgresDatastore
    if database and database.startswith(("postgresql://", "postgres://")):
        url = urlsplit(database)
        datastore = PostgresDatastore(
            url.path.lstrip("/"),
            url.hostname or "127.0.0.1",
            url.port or 5432,
            unquote(url.username or "postgres"),
            unquote(url.password or ""),
        )
    else:
        path = data_dir / "events.sqlite"
        if not path.is_file():
            raise FileNotFoundError(f"no node database at {path}")
        datastore = SQLiteDatastore(f"file:{quote(str(path.resolve()))}?mode=ro", pool_size=1)
    try:
        yield Database(datastore)
    finally:
        datastore.close()
