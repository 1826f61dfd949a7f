"""Rebuilding the supervisory view from zero gives the live state, digest for digest.

The live view is built page by page as the nodes' events arrive, interleaved however sync
delivers them; a rebuild replays one node after another. Both must end in the same rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from federation.node.base import NodeApplication
from federation.node.committee import CommitteeApplication
from federation.node.international import InternationalApplication
from federation.node.liaison import LiaisonApplication
from federation.settings import NodeKind
from tests.conftest import SettingsFactory
from tests.integration.supervisory import world
from tests.support.relay import entries_of, relay


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def persistence(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@dataclass
class Nodes:
    de: CommitteeApplication
    fr: CommitteeApplication
    us: CommitteeApplication
    liaison: LiaisonApplication
    intl: InternationalApplication

    @property
    def sources(self) -> tuple[NodeApplication, ...]:
        return (self.de, self.fr, self.us, self.liaison)


@pytest.fixture
def nodes(node_settings: SettingsFactory) -> Iterator[Nodes]:
    made = Nodes(
        CommitteeApplication(node_settings("DE")),
        CommitteeApplication(node_settings("FR")),
        CommitteeApplication(node_settings("US")),
        LiaisonApplication(node_settings("RU-LIAISON", NodeKind.LIAISON)),
        InternationalApplication(node_settings("INTL", NodeKind.INTERNATIONAL)),
    )
    world.rates(made.intl)
    world.germany(made.de, made.intl)
    world.france(made.fr, made.intl)
    world.united_states(made.us, made.liaison)
    yield made
    for app in (*made.sources, made.intl):
        app.close()


def trickle(
    intl: InternationalApplication, sources: tuple[NodeApplication, ...], page: int
) -> None:
    """Deliver ``page`` entries of each node in turn until all have arrived."""
    while True:
        moved = 0
        for source in sources:
            upstream = source.settings.node_id
            fresh = entries_of(source, intl.ingestor.cursor(upstream))[:page]
            moved += intl.ingestor.ingest(upstream, fresh)
        if not moved:
            return


def test_rebuilding_from_zero_gives_the_live_state(nodes: Nodes) -> None:
    trickle(nodes.intl, tuple(reversed(nodes.sources)), page=3)
    service = nodes.intl.supervisory
    live = service.digest()["digest"]
    overview = service.overview.overview(reporting_currency="USD", rate_max_age_days=400)
    rebuilt = service.rebuild()
    assert rebuilt["digest"] == live
    assert rebuilt["replayed"] == sum(
        nodes.intl.ingestor.cursor(s) for s in ("DE", "FR", "US", "RU-LIAISON")
    )
    again = service.overview.overview(reporting_currency="USD", rate_max_age_days=400)
    assert again == overview
    assert rebuilt["watermark"]["complete"] is True


def test_the_order_nodes_arrive_in_does_not_matter(
    nodes: Nodes, node_settings: SettingsFactory
) -> None:
    for source in nodes.sources:
        relay(source, nodes.intl)
    other = InternationalApplication(node_settings("INTL", NodeKind.INTERNATIONAL))
    try:
        trickle(other, (nodes.liaison, nodes.us, nodes.fr, nodes.de), page=1)
        assert other.supervisory.digest()["digest"] == nodes.intl.supervisory.digest()["digest"]
    finally:
        other.close()


def test_the_digest_changes_with_the_state(nodes: Nodes) -> None:
    relay(nodes.liaison, nodes.intl)
    before = nodes.intl.supervisory.digest()["digest"]
    relay(nodes.de, nodes.intl)
    assert nodes.intl.supervisory.digest()["digest"] != before


@pytest.mark.parametrize("persistence", ["sqlite"])
def test_a_restarted_node_continues_where_it_stopped(nodes: Nodes, persistence: str) -> None:
    # Germany's and France's news arrives before the restart, the rest after it.
    trickle(nodes.intl, (nodes.de, nodes.fr), page=5)
    settings = nodes.intl.settings
    before = nodes.intl.supervisory.digest()["digest"]
    nodes.intl.close()
    nodes.intl = InternationalApplication(settings)
    assert nodes.intl.supervisory.digest()["digest"] == before
    trickle(nodes.intl, nodes.sources, page=50)
    live = nodes.intl.supervisory.digest()
    assert live["watermark"]["complete"] is True
    assert nodes.intl.supervisory.rebuild()["digest"] == live["digest"]
