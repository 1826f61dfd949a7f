"""A follower pulls a committee's signed log over real HTTP, verifies it and applies it once."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest

from domain.committee import OrganisationType
from domain.money import Money
from federation.api.app import create_app
from federation.node.committee import CashReceiptLine, CommitteeApplication
from federation.node.international import InternationalApplication
from federation.settings import NodeKind, Settings
from federation.sync import worker
from federation.sync.client import FeedClient
from federation.sync.follower import Follower
from federation.sync.peers import Peer
from tests.support import liaison_story as story
from tests.support.peers import grant_feed
from tests.support.servers import serving
from tests.support.story import CAMPAIGN, TREASURER
from tests.support.tls import self_signed


@contextmanager
def served_committee(
    folder: Path, tls: tuple[Path, Path] | None = None
) -> Iterator[tuple[str, CommitteeApplication]]:
    """The committee "US", founded, served over HTTP (or HTTPS with ``tls``); its URL and app."""
    api = create_app(Settings(node_id="US", data_dir=folder / "US", database="sqlite", mode="test"))
    with serving(api, tls) as base:
        app: CommitteeApplication = api.state.node
        story.found_committee(app)
        yield base, app


@pytest.fixture
def committee_node(tmp_path: Path) -> Iterator[tuple[str, CommitteeApplication]]:
    with served_committee(tmp_path) as node:
        yield node


@pytest.fixture
def international(tmp_path: Path) -> Iterator[InternationalApplication]:
    app = InternationalApplication(
        Settings(
            node_id="INTL",
            kind=NodeKind.INTERNATIONAL,
            data_dir=tmp_path / "INTL",
            database="sqlite",
            mode="test",
        )
    )
    yield app
    app.close()


def follower(
    intl: InternationalApplication, base: str, committee: CommitteeApplication, page_size: int = 500
) -> Follower:
    peer = us_peer(base, committee)
    return Follower(intl, peer, FeedClient(peer), page_size=page_size)


def receipts(app: CommitteeApplication, n: int) -> None:
    lines = [
        CashReceiptLine(
            CAMPAIGN,
            f"Contributor {i}",
            OrganisationType.TRADE_UNION,
            Money.of("1.00", "USD"),
            date(1922, 2, 1),
        )
        for i in range(n)
    ]
    app.record_cash_receipts(TREASURER, lines)


def held(app: CommitteeApplication) -> int:
    return int(app.db.scalar("SELECT COUNT(*) FROM log_positions"))


def test_a_follower_catches_up_page_by_page_and_then_stays_level(
    committee_node: tuple[str, CommitteeApplication], international: InternationalApplication
) -> None:
    base, committee = committee_node
    receipts(committee, 120)
    f = follower(international, base, committee, page_size=50)
    outcome = f.sync_once()
    assert outcome.error is None, outcome
    assert outcome.size == held(committee) == international.ingestor.cursor("US")
    assert outcome.status == "following"
    again = f.sync_once()
    assert (again.ingested, again.size) == (0, outcome.size)
    receipts(committee, 3)
    assert f.sync_once().ingested == 3
    f.close()


def us_peer(base: str, committee: CommitteeApplication) -> Peer:
    """The committee as the International's upstream "US", its feed granted."""
    token = grant_feed(committee.settings.data_dir, "INTL")
    return Peer("US", base, committee.signed_log.signer.verifier.vkey, token=token)


def assert_whole_once_and_in_order(
    committee: CommitteeApplication, international: InternationalApplication
) -> None:
    """The International holds the committee's log exactly, and its projection rebuilds alike."""
    rows = international.db.query(
        "SELECT position, leaf FROM ingested_entries WHERE upstream = 'US' ORDER BY position"
    )
    assert [r["position"] for r in rows] == list(range(1, held(committee) + 1))
    assert [bytes(r["leaf"]) for r in rows] == [
        committee.signed_log.leaf_hash(n) for n in range(held(committee))
    ]
    live = international.supervisory.digest()["digest"]
    assert international.supervisory.rebuild()["digest"] == live


def test_a_backlog_applied_several_pages_at_a_time_is_whole_once_and_in_order(
    committee_node: tuple[str, CommitteeApplication], international: InternationalApplication
) -> None:
    base, committee = committee_node
    receipts(committee, 130)
    peer = us_peer(base, committee)
    f = Follower(international, peer, FeedClient(peer), page_size=20, apply_every=50)
    try:
        first = f.sync_once(max_pages=2)  # stops before a batch is full: what it verified is kept
        assert (first.error, first.size) == (None, 40)
        assert international.ingestor.cursor("US") == 40
        rest = f.sync_once()
        assert rest.error is None, rest
        assert rest.size == held(committee) == international.ingestor.cursor("US")
    finally:
        f.close()
    assert_whole_once_and_in_order(committee, international)


def test_a_long_backlog_verified_in_a_process_of_its_own_is_whole_once_and_in_order(
    committee_node: tuple[str, CommitteeApplication], international: InternationalApplication
) -> None:
    base, committee = committee_node
    receipts(committee, 130)
    peer = us_peer(base, committee)
    f = Follower(international, peer, FeedClient(peer), page_size=20, process_from=1)
    try:
        outcome = f.sync_once()
        assert outcome.error is None, outcome
        # Every page after the first came verified from the worker process.
        assert f.verified_elsewhere == -(-held(committee) // 20) - 1
        receipts(committee, 45)
        assert f.sync_once().ingested == 45
    finally:
        f.close()
    assert_whole_once_and_in_order(committee, international)


def test_with_every_worker_busy_a_long_backlog_is_verified_by_the_follower_itself(
    committee_node: tuple[str, CommitteeApplication], international: InternationalApplication
) -> None:
    base, committee = committee_node
    receipts(committee, 70)
    peer = us_peer(base, committee)
    f = Follower(international, peer, FeedClient(peer), page_size=20, process_from=1)
    taken = 0
    while worker._WORKERS.acquire(blocking=False):  # every core's worker slot, as if in use
        taken += 1
    try:
        outcome = f.sync_once()
        assert outcome.error is None, outcome
        assert f.verified_elsewhere == 0
        assert outcome.ingested == held(committee)
    finally:
        f.close()
        for _ in range(taken):
            worker._WORKERS.release()
    # With a slot free, the next long backlog has its worker, which gives the slot back.
    receipts(committee, 70)
    f = Follower(international, peer, FeedClient(peer), page_size=20, process_from=1)
    try:
        assert f.sync_once().error is None
        assert f.verified_elsewhere > 0
    finally:
        f.close()
    free = 0
    while worker._WORKERS.acquire(blocking=False):
        free += 1
    for _ in range(free):
        worker._WORKERS.release()
    assert free == taken
    assert_whole_once_and_in_order(committee, international)


@pytest.mark.parametrize("worker_trusts_the_ca", [True, False])
def test_a_long_backlog_over_https_is_whole_whether_or_not_the_worker_can_verify_tls(
    tmp_path: Path, international: InternationalApplication, worker_trusts_the_ca: bool
) -> None:
    """The worker process opens its own TLS connection with the CA the follower trusts; one
    that cannot (no CA given) ends at once, and the follower fetches every page itself."""
    cert, key = self_signed(tmp_path)
    with served_committee(tmp_path, tls=(cert, key)) as (base, committee):
        assert base.startswith("https://")
        receipts(committee, 130)
        peer = us_peer(base, committee)
        trusted = ssl.create_default_context(cafile=str(cert))
        f = Follower(
            international,
            peer,
            FeedClient(peer, verify=trusted),
            page_size=20,
            process_from=1,
            cafile=str(cert) if worker_trusts_the_ca else None,
        )
        try:
            outcome = f.sync_once()
            assert outcome.error is None, outcome
            pages = -(-held(committee) // 20)
            assert f.verified_elsewhere == (pages - 1 if worker_trusts_the_ca else 0)
        finally:
            f.close()
        assert_whole_once_and_in_order(committee, international)
