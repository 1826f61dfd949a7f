"""The transit rule judged lazily per "as of" day lists what judging everything at once lists.

Each node's transit findings are judged only as the listing is pulled (``supervisory_transit``),
and a day's partly pulled listing is kept and pulled further by the next question. For days at
every edge of a transfer's transit (before the first sending, exactly at the limit and a day
after, between sending and a late confirmation, on and after it, far later, and within the limit
of the calendar's start), asked in turns so that kept, evicted and partly pulled listings are all
read, every page of every filter (rule, country, since and until, skipped by bisection and stopped
early; status, which walks only the lists of resolved exceptions) equals the rules judged from
scratch over the rows (``tests.support.findings_reference``) — before and after new events of one
node arrive.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from typing import Any

import pytest

from bench.supervisory_events import federation
from domain.roles import Actor, Role
from federation.node.base import Context
from federation.node.ingest import RemoteEntry
from federation.node.international import InternationalApplication
from projections.supervisory import exceptions as ex
from tests.integration.supervisory.test_findings_kept import Delivery, fresh_international
from tests.support.findings_reference import whole_history

TRANSIT = "transfer.in_transit_too_long"
SUPERVISOR = Context(Actor("Willi Münzenberg", Role.SUPERVISOR))
NODES = 3  # two committees and the liaison


@pytest.fixture(scope="module")
def history() -> Iterator[dict[str, list[RemoteEntry]]]:
    with fresh_international() as maker:
        yield federation(maker, 24000, nodes=NODES)


def edge_days(intl: InternationalApplication) -> list[date]:
    """Days at every edge of the transit of the node's sent transfers."""
    service = intl.supervisory
    limit = service.settings.transit_limit_days
    rows = service.records(
        "SELECT sent_on, confirmed_on FROM sv_transfers WHERE status IN ('sent', 'confirmed')", []
    )
    sent = sorted(date.fromisoformat(r["sent_on"]) for r in rows)
    # Confirmed late, the least late first.
    late = sorted(
        (
            (date.fromisoformat(r["sent_on"]), date.fromisoformat(r["confirmed_on"]))
            for r in rows
            if r["confirmed_on"]
            and (date.fromisoformat(r["confirmed_on"]) - date.fromisoformat(r["sent_on"])).days
            > limit
        ),
        key=lambda t: (t[1] - t[0], t),
    )
    unconfirmed = [date.fromisoformat(r["sent_on"]) for r in rows if not r["confirmed_on"]]
    # The history has every kind of transfer the rule tells apart, or the test tells nothing.
    assert late
    assert unconfirmed
    assert len(sent) > len(late) + len(unconfirmed)
    on, off = late[len(late) // 2]
    first_on, first_off = late[0]
    at_limit = unconfirmed[len(unconfirmed) // 3] + timedelta(days=limit)
    return [
        first_on + timedelta(days=limit),
        first_off,
        sent[0] - timedelta(days=1),
        at_limit,
        at_limit + timedelta(days=1),
        on + timedelta(days=limit + 1),  # in transit too long, not yet confirmed
        off - timedelta(days=1),
        off,
        off + timedelta(days=1),
        sent[len(sent) // 2] + timedelta(days=limit),
        sent[-1] + timedelta(days=limit + 1),  # every sent transfer before the cut
        date(1990, 1, 1),
        date(1, 1, 1) + timedelta(days=limit - 3),  # the cut at the calendar's start
    ]


def filtered(expected: list[ex.Finding], resolved: set[str], **given: Any) -> list[str]:
    """The ids of the page ``exceptions(**given)`` shows, from the reference, where the
    findings of the ids ``resolved`` are resolved."""
    low, high = given.get("since"), given.get("until")
    kept = [
        f
        for f in expected
        if (given.get("rule") in (None, f.rule))
        and (given.get("country") in (None, f.node))
        and (low is None or (f.on is not None and f.on >= low.isoformat()))
        and (high is None or (f.on is not None and f.on <= high.isoformat()))
        and given.get("status") in (None, "resolved" if str(f.exception_id) in resolved else "open")
    ]
    offset, limit = given.get("offset", 0), given.get("limit", 100)
    return [str(f.exception_id) for f in kept[offset : offset + limit]]


def questions(nodes: list[str], day: date) -> list[dict[str, Any]]:
    def back(days: int) -> date:
        return date.fromordinal(max(1, day.toordinal() - days))

    return [
        {},
        {"rule": TRANSIT},
        {"rule": TRANSIT, "offset": 7, "limit": 5},
        {"country": nodes[0]},
        {"country": nodes[1], "rule": TRANSIT, "offset": 3},
        {"offset": 40, "limit": 30},
        {"since": back(200), "limit": 20},
        {"since": back(120), "until": back(60)},
        {"status": "open", "offset": 10, "limit": 10},
        {"status": "resolved"},
        {"status": "resolved", "rule": TRANSIT, "since": back(150)},
        {"status": "open", "country": nodes[1], "until": back(30), "offset": 2},
    ]


def ask_all(
    intl: InternationalApplication, days: list[date], nodes: list[str], resolved: set[str]
) -> int:
    """Ask every question of every day (a first page, then everything); assert each equals
    the reference; returns how many transit findings the days had."""
    rules, transit = intl.supervisory.rules, 0
    for day in days:
        expected = whole_history(intl.supervisory, day)
        transit += sum(f.rule == TRANSIT for f in expected)
        for given in questions(nodes, day):
            shown = [r["exception_id"] for r in rules.exceptions(as_of=day, **given)]
            assert shown == filtered(expected, resolved, **given), (day, given)
        # A listing pulled part way by one reader, then in full by another, then by the first.
        first = rules.ordered(day, TRANSIT)
        head = [f for _, f in zip(range(3), first, strict=False)]
        assert rules.findings(day, TRANSIT) == [f for f in expected if f.rule == TRANSIT]
        assert head + list(first) == [f for f in expected if f.rule == TRANSIT]
        assert rules.findings(day) == expected
    return transit


@pytest.fixture(scope="module")
def transits(history: dict[str, list[RemoteEntry]]) -> list[int]:
    """The days each confirmed transfer of the history took, in order."""
    with fresh_international() as intl:
        Delivery(intl, history).rest()
        rows = intl.supervisory.records(
            "SELECT sent_on, confirmed_on FROM sv_transfers WHERE confirmed_on IS NOT NULL", []
        )
    return sorted(
        (date.fromisoformat(r["confirmed_on"]) - date.fromisoformat(r["sent_on"])).days
        for r in rows
    )


@pytest.mark.parametrize("limit", ["default", "one day under a short transit"])
def test_lazy_transit_listings_equal_the_rules_judged_from_scratch(
    history: dict[str, list[RemoteEntry]],
    transits: list[int],
    limit: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if limit != "default":
        # A short limit puts most transfers in transit too long (the listings are walked far),
        # and one transfer's confirmation a single day too late.
        short = min(t for t in transits if t > 12) - 1
        monkeypatch.setenv("AIDFED_SUPERVISION_TRANSIT_LIMIT_DAYS", str(short))
    with fresh_international() as intl:
        delivery, nodes = Delivery(intl, history), sorted(history)
        committee = nodes[0]
        held = len(history[committee]) // 4  # the node's last events arrive later
        delivery.page(committee, len(history[committee]) - held)
        delivery.rest(but=committee)
        days = edge_days(intl)
        # Each day asked twice: first new, then kept (or evicted, as more days than are kept
        # are asked in between).
        assert ask_all(intl, days, nodes, set()) > 0
        # Two transit findings and another resolved: the status filters walk only their lists.
        late = days[-3]
        found = intl.supervisory.rules.findings(late)
        transit = [f for f in found if f.rule == TRANSIT]
        other = [f for f in found if f.rule != TRANSIT]
        resolved = set()
        for f in (transit[1], transit[-1], other[len(other) // 2]):
            intl.supervisory.rules.resolve(
                SUPERVISOR, exception_id=f.exception_id, resolution="seen", on=late, as_of=late
            )
            resolved.add(str(f.exception_id))
        assert ask_all(intl, list(reversed(days)), nodes, resolved) > 0
        # A first page of each day only, then the node's news in pages: the kept listings,
        # pulled part way, are of the node's former state.
        for day in days:
            intl.supervisory.rules.exceptions(as_of=day, limit=5)
        while delivery.page(committee, 60):
            day = days[delivery.at[committee] % len(days)]
            page = intl.supervisory.rules.exceptions(as_of=day, rule=TRANSIT, limit=10)
            expected = whole_history(intl.supervisory, day)
            shown = [r["exception_id"] for r in page]
            assert shown == filtered(expected, resolved, rule=TRANSIT, limit=10)
        assert ask_all(intl, days + days[:3], nodes, resolved) > 0


def test_readers_pulling_one_listing_at_once_read_the_same_findings(
    history: dict[str, list[RemoteEntry]],
) -> None:
    # Threads switched as often as the interpreter can, so that their steps interleave.
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        with fresh_international() as intl:
            Delivery(intl, history).rest()
            rules = intl.supervisory.rules
            for step in range(12):
                day = date(1922, 9, 1) + timedelta(days=41 * step)
                expected = [f for f in whole_history(intl.supervisory, day) if f.rule == TRANSIT]
                with ThreadPoolExecutor(4) as pool:
                    read = list(pool.map(rules.findings, [day] * 4, [TRANSIT] * 4))
                assert read == [expected] * 4, day
    finally:
        sys.setswitchinterval(before)
