"""The signed log served over real HTTP: a follower trusting only the node's public key."""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from federation.api.app import create_app
from federation.node.committee import CommitteeApplication
from federation.signedlog import merkle
from federation.signedlog.entries import decode
from federation.signedlog.note import (
    Checkpoint,
    Cosigner,
    NoteVerifier,
    generate_key,
    open_checkpoint,
    public_key_from_base64,
)
from federation.signedlog.verify import verify
from federation.signedlog.verify_command import open_database
from tests.integration.signedlog._story import receipts, settings, story
from tests.support.peers import bearer, grant_feed
from tests.support.postgres import PostgresServer
from tests.support.servers import serving


@dataclass
class Served:
    """A running node, a client for it, and the node's application in this process."""

    http: httpx.Client
    app: CommitteeApplication
    data_dir: Path
    database: str


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    data_dir = tmp_path_factory.mktemp("served") / "US"
    database = "sqlite"
    if request.param == "postgres":
        server: PostgresServer = request.getfixturevalue("pg_server")
        database = server.create_database("log_http")
    api = create_app(settings(database, data_dir))
    token = grant_feed(data_dir)
    with serving(api) as url, httpx.Client(base_url=url, timeout=30, headers=bearer(token)) as http:
        app: CommitteeApplication = api.state.node
        story(app)
        yield Served(http, app, data_dir, database)


def verifier_of(http: httpx.Client) -> NoteVerifier:
    """The follower's pinned key, from GET /v1/node."""
    node = http.get("/v1/node").raise_for_status().json()
    verifier = NoteVerifier(node["log_origin"], public_key_from_base64(node["public_key"]))
    assert node["log_vkey"] == verifier.vkey
    assert node["log_origin"] == "aidfed.example/US"
    return verifier


def signed_checkpoint(http: httpx.Client, verifier: NoteVerifier) -> Checkpoint:
    response = http.get("/v1/log/checkpoint").raise_for_status()
    assert response.headers["content-type"].startswith("text/plain")
    checkpoint, _ = open_checkpoint(response.text, [verifier])
    return checkpoint


def b64(text: str) -> bytes:
    return base64.b64decode(text)


def test_the_checkpoint_is_signed_by_the_key_the_node_publishes(served: Served) -> None:
    checkpoint = signed_checkpoint(served.http, verifier_of(served.http))
    assert checkpoint.origin == "aidfed.example/US"
    assert checkpoint.size >= 302


def test_entry_pages_rebuild_the_signed_root(served: Served) -> None:
    verifier = verifier_of(served.http)
    signed = signed_checkpoint(served.http, verifier)
    size = signed.size
    leaves: list[bytes] = []
    while len(leaves) < size:
        response = served.http.get(
            "/v1/log/entries",
            params={"after": len(leaves), "limit": 120},
            headers={"Accept-Encoding": "gzip"},
        ).raise_for_status()
        assert response.headers["content-encoding"] == "gzip"
        page = response.json()
        checkpoint, _ = open_checkpoint(page["checkpoint"], [verifier])
        assert checkpoint.size == page["size"] >= size
        for offset, item in enumerate(page["entries"], start=len(leaves) + 1):
            entry = decode(b64(item["entry"]))
            assert item["position"] == entry.position == offset
            assert (item["originator_id"], item["originator_version"], item["topic"]) == (
                str(entry.aggregate),
                entry.version,
                entry.topic,
            )
            assert entry.node == "US"
            leaves.append(merkle.leaf_hash(b64(item["entry"])))
    assert merkle.root_from_leaf_hashes(leaves[:size]) == signed.root


def test_a_page_after_the_end_is_empty_but_still_signed(served: Served) -> None:
    page = served.http.get("/v1/log/entries", params={"after": 10**6}).raise_for_status().json()
    assert page["entries"] == []
    open_checkpoint(page["checkpoint"], [verifier_of(served.http)])
    assert served.http.get("/v1/log/entries", params={"limit": 1001}).status_code == 422


def test_inclusion_proofs_verify_against_the_signed_root(served: Served) -> None:
    checkpoint = signed_checkpoint(served.http, verifier_of(served.http))
    size = checkpoint.size
    for index in (0, 1, 150, 255, 256, size - 1):
        entry = served.http.get("/v1/log/entries", params={"after": index, "limit": 1}).json()
        leaf = merkle.leaf_hash(b64(entry["entries"][0]["entry"]))
        proof = (
            served.http.get("/v1/log/proof/inclusion", params={"position": index + 1, "size": size})
            .raise_for_status()
            .json()
        )
        assert (proof["index"], b64(proof["leaf_hash"])) == (index, leaf)
        merkle.verify_inclusion(
            leaf, index, size, [b64(h) for h in proof["hashes"]], checkpoint.root
        )


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"index": 5, "size": 5}, 422),
        ({"index": 0, "size": 10**9}, 404),
        ({"index": 0, "position": 1, "size": 10}, 422),
        ({"size": 10}, 422),
    ],
)
def test_impossible_inclusion_proofs_are_refused(
    served: Served, params: dict[str, int], status: int
) -> None:
    response = served.http.get("/v1/log/proof/inclusion", params=params)
    assert response.status_code == status
    assert response.json()["error"]["code"].startswith("log.") or status == 422


def test_consistency_proofs_link_successive_checkpoints(served: Served) -> None:
    verifier = verifier_of(served.http)
    old = signed_checkpoint(served.http, verifier)
    receipts(served.app, 40, "consistency")
    new = signed_checkpoint(served.http, verifier)
    assert new.size == old.size + 40
    for first in (0, 1, 100, old.size):
        proof = (
            served.http.get(
                "/v1/log/proof/consistency", params={"first": first, "second": new.size}
            )
            .raise_for_status()
            .json()
        )
        hashes = [b64(h) for h in proof["hashes"]]
        root = old.root if first == old.size else _root_at(served, first)
        merkle.verify_consistency(first, new.size, hashes, root, new.root)
    refused = served.http.get("/v1/log/proof/consistency", params={"first": 9, "second": 3})
    assert refused.status_code == 422


def _root_at(served: Served, size: int) -> bytes:
    if size == 0:
        return merkle.EMPTY_ROOT
    page = served.http.get("/v1/log/entries", params={"limit": size}).json()
    return merkle.root_from_leaf_hashes(merkle.leaf_hash(b64(e["entry"])) for e in page["entries"])


def test_cosignatures_are_kept_once_and_verify_offline(served: Served) -> None:
    response = served.http.get("/v1/log/checkpoint").raise_for_status()
    size = open_checkpoint(response.text, [verifier_of(served.http)])[0].size
    body = response.text[: response.text.rindex("\n\n") + 1]
    witness = Cosigner("aidfed.example/INTL", generate_key())
    line = witness.cosign(body, int(time.time()))
    path = f"/v1/log/cosignatures/{size}"
    for _ in range(2):
        put = served.http.put(path, content=line, headers={"Content-Type": "text/plain"})
        assert put.status_code == 204, put.text
    stored = served.app.db.query(
        "SELECT cosigner, line FROM log_cosignatures WHERE size = ?", [size]
    )
    assert stored == [{"cosigner": "aidfed.example/INTL", "line": line}]
    unknown = served.http.put("/v1/log/cosignatures/999999", content=line)
    assert unknown.status_code == 404
    garbage = served.http.put(path, content="not a cosignature")
    assert garbage.status_code == 422
    database = None if served.database == "sqlite" else served.database
    with open_database(database, served.data_dir) as db:
        report = verify(db, verifier_of(served.http), [witness.verifier])
    assert report.ok, report.problems
    assert report.cosignatures >= 1


def test_the_background_integrator_signs_while_events_arrive(served: Served) -> None:
    before = served.app.signed_log.latest()
    assert before is not None
    started = time.monotonic()
    while time.monotonic() - started < 2.5:
        receipts(served.app, 5, f"background-{time.monotonic_ns()}")
        time.sleep(0.05)
    size = served.app.signed_log.integrator.state().size
    deadline = time.monotonic() + 3
    while (latest := served.app.signed_log.latest()) is None or latest.size < size:
        assert time.monotonic() < deadline, "no checkpoint covered the new events in time"
        time.sleep(0.05)
    signed = served.app.db.query(
        "SELECT size FROM log_checkpoints WHERE size > ? ORDER BY size", [before.size]
    )
    assert len(signed) >= 3, signed  # about one every half second, never none for a second
