"""Replay is deterministic and the rules do not depend on the order decisions arrive in.

Four nodes (Germany, France, the United States and the liaison) record the 1922 story once. For
any interleaving of their pages at a fresh International (hypothesis draws which node speaks
next and how much), the supervisory view ends with the same digest as a delivery node after
node, raises the same compliance exceptions, and a rebuild from zero gives that digest again.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from federation.node.base import NodeApplication
from federation.node.committee import CommitteeApplication
from federation.node.international import InternationalApplication
from federation.node.liaison import LiaisonApplication
from federation.node.supervisory_store import RemoteEntry
from federation.settings import NodeKind, Settings
from tests.integration.supervisory import world
from tests.support.relay import entries_of

AS_OF = date(1923, 12, 31)


@dataclass(frozen=True)
class Story:
    """Every node's log, as the International would read it, and the reference outcome."""

    logs: dict[str, list[RemoteEntry]]
    digest: str
    exceptions: list[str]


def international() -> InternationalApplication:
    return InternationalApplication(
        Settings(node_id="INTL", kind=NodeKind.INTERNATIONAL, database="memory", mode="test")
    )


def outcome(intl: InternationalApplication) -> tuple[str, list[str]]:
    """The view's digest and every finding in full (rule, node, subject, events behind it)."""
    found = intl.supervisory.rules.exceptions(as_of=AS_OF, limit=500)
    return intl.supervisory.digest()["digest"], [json.dumps(f, default=str) for f in found]


@pytest.fixture(scope="module")
def story() -> Iterator[Story]:
    def node(node_id: str, kind: NodeKind = NodeKind.COMMITTEE) -> Settings:
        return Settings(node_id=node_id, kind=kind, database="memory", mode="test")

    de, fr, us = (CommitteeApplication(node(c)) for c in ("DE", "FR", "US"))
    liaison = LiaisonApplication(node("RU-LIAISON", NodeKind.LIAISON))
    helper = international()  # the story's own International (rates, recognitions)
    world.rates(helper)
    world.germany(de, helper)
    world.france(fr, helper)
    world.united_states(us, liaison)
    sources: list[NodeApplication] = [de, fr, us, liaison]
    logs = {s.settings.node_id: entries_of(s) for s in sources}
    reference = international()
    for upstream, entries in logs.items():  # node after node, all at once
        reference.ingestor.ingest(upstream, entries)
    digest, exceptions = outcome(reference)
    assert exceptions, "the story raises compliance exceptions (else the check proves little)"
    yield Story(logs, digest, exceptions)
    for app in (*sources, helper, reference):
        app.close()


# Which node delivers next and how many entries: any interleaving, pages of any size.
schedules = st.lists(
    st.tuples(st.sampled_from(["DE", "FR", "US", "RU-LIAISON"]), st.integers(1, 40)),
    max_size=60,
)


@settings(
    max_examples=int(os.environ.get("PROPERTY_EXAMPLES", "15")),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(schedule=schedules)
def test_any_order_of_delivery_gives_the_same_view_and_the_same_exceptions(
    story: Story, schedule: list[tuple[str, int]]
) -> None:
    intl = international()
    try:
        held = dict.fromkeys(story.logs, 0)
        for upstream, count in schedule:
            page = story.logs[upstream][held[upstream] : held[upstream] + count]
            held[upstream] += intl.ingestor.ingest(upstream, page)
        for upstream, entries in story.logs.items():  # the rest, however it comes
            intl.ingestor.ingest(upstream, entries[held[upstream] :])
        assert outcome(intl) == (story.digest, story.exceptions)
        assert intl.supervisory.rebuild()["digest"] == story.digest
    finally:
        intl.close()
