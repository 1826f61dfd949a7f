"""A serving node's followers pick up peers.json as it changes: no restart to follow a new
upstream, to stop following one, or to take a re-pinned key."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from federation.node.committee import CommitteeApplication
from federation.node.international import InternationalApplication
from federation.sync.peers import Peer, PeerBook
from federation.sync.runner import FollowerPool
from tests.integration.sync.test_follower import committee_node, international, receipts
from tests.support.peers import grant_feed
from tests.support.processes import wait_until

__all__ = ["committee_node", "international"]  # fixtures


@pytest.fixture
def pool(international: InternationalApplication) -> Iterator[FollowerPool]:
    followers = FollowerPool(international, wait=0.5, reload_every=0.1)
    followers.start()
    yield followers
    followers.stop()


def level(intl: InternationalApplication, committee: CommitteeApplication) -> bool:
    return intl.ingestor.cursor("US") == committee.signed_log.appended() > 0


def test_peers_added_and_withdrawn_are_followed_and_left_without_a_restart(
    committee_node: tuple[str, CommitteeApplication],
    international: InternationalApplication,
    pool: FollowerPool,
) -> None:
    base, committee = committee_node
    receipts(committee, 20)
    assert pool.running == {}
    book = PeerBook(international.settings.data_dir)
    token = grant_feed(committee.settings.data_dir, "INTL")
    us = Peer("US", base, committee.signed_log.signer.verifier.vkey, token=token)
    book.add(us)  # what 'aidfed peer add' writes
    wait_until(lambda: level(international, committee), 30, "INTL to follow US")

    book.add(replace(us, follow=False))  # no longer followed
    wait_until(lambda: "US" not in pool.running, 30, "the follower of US to stop")
    receipts(committee, 5)
    held = international.ingestor.cursor("US")

    book.add(us)  # followed again, from where it stopped
    wait_until(lambda: level(international, committee), 30, "INTL to follow US again")
    assert international.ingestor.cursor("US") == held + 5


def test_a_bad_peers_file_leaves_the_running_followers_alone(
    committee_node: tuple[str, CommitteeApplication],
    international: InternationalApplication,
    pool: FollowerPool,
) -> None:
    base, committee = committee_node
    token = grant_feed(committee.settings.data_dir, "INTL")
    us = Peer("US", base, committee.signed_log.signer.verifier.vkey, token=token)
    PeerBook(international.settings.data_dir).add(us)
    wait_until(lambda: "US" in pool.running, 30, "INTL to follow US")
    follower = pool.running["US"].follower
    peers_file: Path = international.settings.data_dir / "peers.json"
    peers_file.write_text("{ half written", encoding="utf-8")
    receipts(committee, 3)
    wait_until(lambda: level(international, committee), 30, "INTL to go on following US")
    assert pool.running["US"].follower is follower
