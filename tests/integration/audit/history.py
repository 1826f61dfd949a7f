"""A federation whose International follows Germany, France, the United States and the liaison
over HTTP (real uvicorn servers on loopback), so its data folder holds what an audit exports:
verified checkpoints, entries, cosignatures, pinned keys.

The story has two moments: ``first`` — after the 1922 scenario was recorded and synced, when
the live projections' digests are captured — and the end, after a late receipt (value date in
March 1922, recorded after ``first``) and receipts of 1923 were recorded and synced.
"""

from __future__ import annotations

import time
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from domain.committee import OrganisationType
from domain.money import Money
from federation.api.app import create_app
from federation.audit.export import export_bundle
from federation.audit.state import digests
from federation.node.committee import CashReceiptLine, CommitteeApplication
from federation.node.international import InternationalApplication
from federation.node.liaison import LiaisonApplication
from federation.settings import NodeKind, Settings
from federation.signedlog.keys import load_or_create_key
from federation.signedlog.note import Cosigner
from federation.sync.client import FeedClient
from federation.sync.follower import Follower
from federation.sync.peers import Peer, PeerBook
from tests.integration.supervisory import world
from tests.support.peers import grant_feed
from tests.support.relay import relay
from tests.support.servers import serving
from tests.support.story import CAMPAIGN, TREASURER

LATE_CONTRIBUTOR = "Amalgamated Clothing Workers, Local 5 (late)"
LATE_VALUE_DATE = date(1922, 3, 15)
CUT_OFF = date(1922, 3, 31)


@dataclass
class History:
    """The International's data folder, its bundle, and what the live view said at ``first``."""

    folder: Path
    bundle: Path
    first: datetime
    live_at_first: dict[str, str]
    live_at_end: dict[str, str]
    sizes: dict[str, int]
    live_currencies_at_end: list[dict[str, Any]]


def dollars(us: CommitteeApplication, lines: list[tuple[str, str, date]]) -> None:
    us.record_cash_receipts(
        TREASURER,
        [
            CashReceiptLine(
                CAMPAIGN, who, OrganisationType.TRADE_UNION, Money.of(amount, "USD"), on
            )
            for who, amount, on in lines
        ],
    )


def build(root: Path) -> History:
    """Record the story on served nodes, follow them from the International, export a bundle."""
    with ExitStack() as stack:
        apps = {
            node: create_app(Settings(node_id=node, kind=kind, data_dir=root / node, mode="test"))
            for node, kind in (
                ("DE", NodeKind.COMMITTEE),
                ("FR", NodeKind.COMMITTEE),
                ("US", NodeKind.COMMITTEE),
                ("RU-LIAISON", NodeKind.LIAISON),
            )
        }
        urls = {node: stack.enter_context(serving(api)) for node, api in apps.items()}
        # The International is served too: the United States follows it and cosigns.
        intl_api = create_app(
            Settings(
                node_id="INTL",
                kind=NodeKind.INTERNATIONAL,
                data_dir=root / "INTL",
                mode="test",
                follow=False,
                feed_open=True,
            )
        )
        intl_url = stack.enter_context(serving(intl_api))
        intl: InternationalApplication = intl_api.state.node
        nodes = {node: api.state.node for node, api in apps.items()}
        world.rates(intl)
        world.germany(nodes["DE"], intl)
        world.france(nodes["FR"], intl)
        world.united_states(nodes["US"], nodes["RU-LIAISON"])
        followers = []
        for node, url in urls.items():
            app = nodes[node]
            token = grant_feed(app.settings.data_dir, "INTL")
            peer = Peer(node, url, app.signed_log.signer.verifier.vkey, token=token)
            PeerBook(intl.settings.data_dir).add(peer)
            follower = Follower(intl, peer, FeedClient(peer))
            stack.callback(follower.close)
            followers.append(follower)

        def sync() -> None:
            for follower in followers:
                follower.sync_once()
            intl.view.catch_up()

        sync()
        time.sleep(0.01)  # the next events are recorded strictly after ``first``
        first = datetime.now(UTC)
        live_at_first = digests(intl.db)
        time.sleep(0.01)
        dollars(
            nodes["US"],
            [
                (LATE_CONTRIBUTOR, "777.00", LATE_VALUE_DATE),
                ("United Mine Workers, District 2", "1200.00", date(1923, 2, 1)),
                ("Workmen's Circle, Branch 9", "300.00", date(1923, 3, 1)),
            ],
        )
        sync()
        us_follows_intl = Peer("INTL", intl_url, intl.signed_log.signer.verifier.vkey)
        us = nodes["US"].settings
        cosigner = Follower(
            nodes["US"],
            us_follows_intl,
            FeedClient(us_follows_intl),
            cosigner=Cosigner(us.log_origin, load_or_create_key(us.data_dir)),
        )
        cosigned = cosigner.sync_once()  # verifies the International's log, returns a cosignature
        cosigner.close()
        assert intl.db.scalar("SELECT COUNT(*) FROM log_cosignatures"), cosigned
        live_at_end = digests(intl.db)
        currencies = intl.supervisory.overview.overview()["currencies"]
        bundle = root / "intl.aidfed.gz"
        manifest = export_bundle(intl, bundle)
        sizes = {n["node"]: int(n["size"]) for n in manifest.nodes}
    return History(root / "INTL", bundle, first, live_at_first, live_at_end, sizes, currencies)


def fill(intl: InternationalApplication, root: Path) -> None:
    """Germany's and the United States' 1922 books, relayed to the International."""
    de = CommitteeApplication(Settings(node_id="DE", data_dir=root / "DE", mode="test"))
    us = CommitteeApplication(Settings(node_id="US", data_dir=root / "US", mode="test"))
    liaison = LiaisonApplication(
        Settings(
            node_id="RU-LIAISON", kind=NodeKind.LIAISON, data_dir=root / "RU-LIAISON", mode="test"
        )
    )
    world.rates(intl)
    world.germany(de, intl)
    world.united_states(us, liaison)
    for source in (de, us, liaison):
        relay(source, intl)
        source.close()
    intl.view.catch_up()
