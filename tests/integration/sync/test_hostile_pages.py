"""Hostile federation pages — forged, replayed, oversized, malformed — are rejected, nothing of
them is applied, and the follower records the right outcome: retry (a page damaged on the way:
malformed, a gap, a bad leaf, a signature by the pinned key that does not verify) or quarantine
(the upstream no longer stands by what it signed: two notes of the pinned key that contradict
each other, a smaller tree than the one held, a note signed by another key).

The committee is a real node served by uvicorn; the hostile front is a real HTTP server that
rewrites the node's pages; the follower is the International's, pointed at the front.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from federation.api.app import create_app
from federation.node.committee import CommitteeApplication
from federation.node.international import InternationalApplication
from federation.settings import NodeKind, Settings
from federation.signedlog.log import checkpoint_of
from federation.signedlog.note import Checkpoint, NoteSigner, generate_key, open_checkpoint
from federation.sync.client import FeedClient
from federation.sync.follower import Follower
from federation.sync.peers import Peer
from federation.sync.status import exit_code, status_row
from tests.e2e.federation.test_quarantine import alter_receipt
from tests.integration.sync.test_follower import receipts
from tests.support import hostile
from tests.support import liaison_story as story
from tests.support.nodedb import NodeDatabase
from tests.support.peers import bearer, grant_feed
from tests.support.servers import serving

PAGE = 20  # the follower's page size
MAX_BYTES = 200_000  # the follower's cap on an answer, so "huge" needs no huge test


@dataclass
class Scene:
    committee: CommitteeApplication
    intl: InternationalApplication
    front: hostile.Hostile
    follower: Follower

    def held(self) -> tuple[int, int, int]:
        """What the International holds of US: cursor, ingested rows, verified prefix."""
        rows = self.intl.db.scalar("SELECT COUNT(*) FROM ingested_entries WHERE upstream = 'US'")
        size = self.intl.follower_states.load("US").size
        return self.intl.ingestor.cursor("US"), int(rows), size

    def status(self) -> dict[str, Any]:
        return status_row(self.intl.follower_states.load("US"))


@pytest.fixture
def scene(tmp_path: Path) -> Iterator[Scene]:
    """US has synced twice through the front (so an older checkpoint exists) and has news."""
    api = create_app(
        Settings(node_id="US", data_dir=tmp_path / "US", database="sqlite", mode="test")
    )
    intl = InternationalApplication(
        Settings(
            node_id="INTL",
            kind=NodeKind.INTERNATIONAL,
            data_dir=tmp_path / "INTL",
            database="sqlite",
            mode="test",
        )
    )
    with serving(api) as base, hostile.hostile_upstream(base) as (front_url, front):
        committee: CommitteeApplication = api.state.node
        story.found_committee(committee)
        token = grant_feed(committee.settings.data_dir, "INTL")
        vkey = committee.signed_log.signer.verifier.vkey
        peer = Peer("US", front_url, vkey, token=token)
        client = FeedClient(peer, max_page_bytes=MAX_BYTES)
        follower = Follower(intl, peer, client, page_size=PAGE)
        receipts(committee, 30)
        assert follower.sync_once().error is None
        receipts(committee, 10)
        assert follower.sync_once().error is None
        receipts(committee, 10)  # news the hostile pages stand between
        yield Scene(committee, intl, front, follower)
        follower.close()
    intl.close()


def first_page(front: hostile.Hostile) -> dict[str, Any]:
    return front.served[0]


SIGNATURE = "SignatureRejected: the checkpoint is not signed by the pinned key"
MALFORMED = "MalformedPage: malformed entries page"
NOT_CONTINUED = "PageRejected: the page does not continue at position"
REJECTED = [
    pytest.param(hostile.bad_signature, "signature rejected", SIGNATURE, id="bad-signature"),
    pytest.param(
        hostile.padded(PAGE + 5),
        "page rejected",
        f"MalformedPage: {PAGE + 15} entries served, {PAGE} asked for",
        id="more-entries-than-asked",
    ),
    pytest.param(
        hostile.huge(MAX_BYTES * 2),
        "page rejected",
        f"MalformedPage: the answer exceeds {MAX_BYTES} bytes",
        id="huge-body",
    ),
    pytest.param(hostile.not_base64, "page rejected", MALFORMED, id="bad-base64"),
    pytest.param(hostile.not_json, "page rejected", MALFORMED, id="bad-json"),
    pytest.param(hostile.without_checkpoint, "page rejected", MALFORMED, id="no-checkpoint"),
    pytest.param(hostile.wrong_positions, "page rejected", NOT_CONTINUED, id="wrong-positions"),
    pytest.param(hostile.with_a_gap, "page rejected", NOT_CONTINUED, id="gap"),
    pytest.param(hostile.swapped, "page rejected", "PageRejected: entry ", id="swapped"),
]


@pytest.mark.parametrize(("tamper", "verification", "error"), REJECTED)
def test_a_hostile_page_is_rejected_nothing_applied_and_retried(
    scene: Scene, tamper: hostile.Tamper, verification: str, error: str
) -> None:
    before = scene.held()
    scene.front.tamper = tamper
    for _ in range(3):  # however often it comes, it is never believed nor taken for a fork
        outcome = scene.follower.sync_once()
        assert outcome.ingested == 0
        assert scene.held() == before
    status = scene.status()
    assert status["status"] == "following", status
    assert status["verification"] == verification, status
    assert str(status["last_error"]).startswith(error), status
    assert exit_code([status]) == 4

    scene.front.tamper = hostile.unchanged  # the wire is honest again: the news comes in
    assert scene.follower.sync_once().error is None
    assert scene.held()[0] == scene.committee.signed_log.appended() == before[0] + 10
    assert scene.status()["verification"] == "verified"


def evidence(scene: Scene) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(scene.intl.follower_states.load("US").evidence or "{}")
    return found


def test_an_older_checkpoint_is_a_regression_that_quarantines(scene: Scene) -> None:
    """A node serves only its latest checkpoint, and its sizes only grow: a smaller one, even
    in agreement with what is held, means the node went back (restored from a backup)."""
    before = scene.held()
    old = first_page(scene.front)
    older = checkpoint_of(old["checkpoint"]).size
    assert older < before[2]
    scene.front.tamper = hostile.replaying(old)
    outcome = scene.follower.sync_once()
    assert (outcome.status, outcome.ingested) == ("quarantined", 0)
    assert scene.held() == before
    status = scene.status()
    assert (status["status"], status["verification"]) == ("quarantined", "quarantined")
    assert status["reason"] == (
        f"regression: the upstream's tree shrank from {before[2]} to {older} entries "
        "(restored from an older backup?)"
    )
    assert exit_code([status]) == 3
    verifier = scene.committee.signed_log.signer.verifier
    kept = evidence(scene)
    held, _ = open_checkpoint(kept["held"], [verifier])
    served, _ = open_checkpoint(kept["served"], [verifier])
    assert (kept["kind"], held.size, served.size) == ("regression", before[2], older)

    scene.front.tamper = hostile.unchanged  # nothing is taken from it until an operator acts
    assert scene.follower.sync_once().ingested == 0
    assert scene.held() == before
    scene.follower.release()
    assert scene.follower.sync_once().ingested == 10


def test_a_note_signed_by_another_key_quarantines_the_upstream_as_key_changed(
    scene: Scene,
) -> None:
    before = scene.held()
    impostor = NoteSigner(scene.committee.signed_log.origin, generate_key())
    scene.front.tamper = hostile.signed_by(impostor)
    outcome = scene.follower.sync_once()
    assert (outcome.status, outcome.ingested) == ("quarantined", 0)
    assert scene.held() == before
    status = scene.status()
    pinned = scene.committee.signed_log.signer
    assert status["reason"] == (
        f"key changed: the checkpoint is signed by {impostor.name} {impostor.key_id.hex()}, "
        f"not by the pinned key {pinned.name} {pinned.key_id.hex()}"
    )
    assert exit_code([status]) == 3
    kept = evidence(scene)
    assert (kept["kind"], kept["pinned"]) == ("key_changed", pinned.vkey)
    open_checkpoint(kept["served"], [impostor.verifier])  # the impostor's note, kept

    scene.front.tamper = hostile.unchanged  # the same follower, the same pinned key: it waits
    assert scene.follower.sync_once().ingested == 0
    assert scene.held() == before


def test_a_key_changed_once_on_the_wire_is_asked_again_not_quarantined(scene: Scene) -> None:
    """One answer signed by another key could be a damaged key ID: a fresh answer decides."""
    impostor = NoteSigner(scene.committee.signed_log.origin, generate_key())
    scene.front.tamper = hostile.first(1, hostile.signed_by(impostor))
    outcome = scene.follower.sync_once()
    assert (outcome.status, outcome.ingested) == ("following", 10)


def test_two_validly_signed_notes_that_contradict_quarantine_the_upstream(scene: Scene) -> None:
    """The one provable fork: US's own key signs another root for the size already held."""
    before = scene.held()
    signer = scene.committee.signed_log.signer
    held_note = scene.intl.follower_states.load("US").checkpoint
    assert held_note is not None
    other = Checkpoint(signer.name, before[2], bytes(32)).to_text()
    scene.front.tamper = lambda page: hostile.unchanged(
        page | {"checkpoint": signer.sign(other), "entries": []}
    )
    outcome = scene.follower.sync_once()
    assert (outcome.status, outcome.ingested) == ("quarantined", 0)
    assert scene.held() == before
    status = scene.status()
    assert status["reason"] == f"another root for the {before[2]} entries already held"
    assert exit_code([status]) == 3
    evidence = json.loads(scene.intl.follower_states.load("US").evidence or "{}")
    held, _ = open_checkpoint(evidence["held"], [signer.verifier])
    served, _ = open_checkpoint(evidence["served"], [signer.verifier])
    assert held.size == served.size
    assert held.root != served.root

    scene.front.tamper = hostile.unchanged  # nothing more is taken from it until released
    assert scene.follower.sync_once().ingested == 0
    assert scene.held() == before


def test_an_older_checkpoint_with_another_root_is_a_fork(scene: Scene) -> None:
    before = scene.held()
    signer = scene.committee.signed_log.signer
    other = Checkpoint(signer.name, before[2] - 5, bytes(32)).to_text()
    scene.front.tamper = lambda page: hostile.unchanged(
        page | {"checkpoint": signer.sign(other), "entries": []}
    )
    assert scene.follower.sync_once().status == "quarantined"
    assert scene.held() == before
    reason = scene.status()["reason"]
    assert reason == (
        f"the upstream's tree shrank from {before[2]} to {before[2] - 5} entries, "
        "with another root than the entries held"
    )


def test_an_event_edited_in_the_upstreams_database_is_a_clear_refusal_recorded_by_the_follower(
    scene: Scene,
) -> None:
    """The node serves nothing it has not signed: 503 log.integrity, not a bare 500."""
    before = scene.held()
    altered = before[0] - 3  # a receipt the International holds already
    alter_receipt(NodeDatabase(scene.committee.settings.data_dir), altered)
    token = grant_feed(scene.committee.settings.data_dir, "AUDITOR")
    with httpx.Client(base_url=scene.follower.peer.url, headers=bearer(token)) as http:
        answer = http.get("/v1/log/entries", params={"after": altered - 1, "limit": 10})
    assert answer.status_code == 503
    error = answer.json()["error"]
    assert error["code"] == "log.integrity"
    assert f"position {altered}: the event no longer matches its leaf" in error["message"]

    outcome = scene.follower.audit()  # the International re-reads what it holds
    assert outcome.ingested == 0
    assert scene.held() == before
    status = scene.status()
    assert status["status"] == "following"  # a refusal proves no fork
    assert str(status["last_error"]).startswith("PeerUnavailable: HTTP 503 log.integrity: ")


def test_an_entry_altered_on_the_wire_is_no_proof_of_a_fork(scene: Scene) -> None:
    """Entries are not signed: before quarantining, the follower re-reads the upstream's log in
    full; answers that do not add up to the signed root prove only damage on the way."""
    before = scene.held()
    scene.front.tamper = hostile.altered_entry  # every answer altered, the re-reading too
    for _ in range(2):
        assert scene.follower.sync_once().ingested == 0
    assert scene.held() == before
    status = scene.status()
    assert (status["status"], status["verification"]) == ("following", "page rejected")
    assert "do not add up to its signed root either" in status["last_error"]

    # Damaged once: the follower asks again at once and takes the honest answer.
    scene.front.tamper = hostile.first(1, hostile.altered_entry)
    assert scene.follower.sync_once().ingested == 10
    assert scene.status()["verification"] == "verified"


def test_a_page_damaged_twice_is_cleared_by_the_upstreams_whole_log(scene: Scene) -> None:
    before = scene.held()
    scene.front.tamper = hostile.first(2, hostile.altered_entry)  # then the re-reading is honest
    assert scene.follower.sync_once().ingested == 0
    assert scene.held() == before
    status = scene.status()
    assert (status["status"], status["verification"]) == ("following", "page rejected")
    assert "re-read in full, the upstream's log extends what is held" in status["last_error"]
    assert scene.follower.sync_once().ingested == 10


def after_pages(honest: int, tamper: hostile.Tamper) -> hostile.Tamper:
    """The next ``honest`` pages pass; ``tamper`` on every page after them."""
    left = [honest]

    def later(page: dict[str, Any]) -> bytes:
        if left[0]:
            left[0] -= 1
            return hostile.unchanged(page)
        return tamper(page)

    return later


def test_a_hostile_page_deep_in_a_backlog_verified_by_the_worker_is_refused_all_the_same(
    scene: Scene,
) -> None:
    """The worker process ends at the page it cannot verify; the follower asks for that page
    itself, refuses it, and has applied exactly the pages before it."""
    receipts(scene.committee, 90)  # 100 news: five pages
    before = scene.held()
    peer = scene.follower.peer
    client = FeedClient(peer, max_page_bytes=MAX_BYTES)
    follower = Follower(scene.intl, peer, client, page_size=PAGE, process_from=1)
    try:
        scene.front.tamper = after_pages(2, hostile.with_a_gap)
        outcome = follower.sync_once()
        assert (outcome.ingested, follower.verified_elsewhere) == (2 * PAGE, 1)
        assert str(outcome.error).startswith(NOT_CONTINUED), outcome
        assert scene.held() == tuple(n + 2 * PAGE for n in before)
        assert scene.status()["verification"] == "page rejected"

        scene.front.tamper = hostile.unchanged
        assert follower.sync_once().ingested == 100 - 2 * PAGE
        assert scene.held()[0] == scene.committee.signed_log.appended()
    finally:
        follower.close()


def test_another_key_deep_in_a_backlog_verified_by_the_worker_quarantines_the_upstream(
    scene: Scene,
) -> None:
    receipts(scene.committee, 90)
    before = scene.held()
    impostor = NoteSigner(scene.committee.signed_log.origin, generate_key())
    peer = scene.follower.peer
    client = FeedClient(peer, max_page_bytes=MAX_BYTES)
    follower = Follower(scene.intl, peer, client, page_size=PAGE, process_from=1)
    try:
        scene.front.tamper = after_pages(3, hostile.signed_by(impostor))
        outcome = follower.sync_once()
        # The pages verified before it are held back too: nothing from a quarantined upstream
        # is applied (as when the follower verifies every page itself).
        assert (outcome.status, outcome.ingested) == ("quarantined", 0)
        assert follower.verified_elsewhere == 2
        assert scene.held() == before
        assert scene.status()["reason"].startswith("key changed: the checkpoint is signed by ")

        scene.front.tamper = hostile.unchanged  # nothing more until an operator acts
        assert follower.sync_once().ingested == 0
    finally:
        follower.close()
