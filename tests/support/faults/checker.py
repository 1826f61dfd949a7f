"""The checker run after every schedule: what the federation holds must be exactly right.

Once every fault is healed and every follower has caught up:
- every acknowledged command is recorded exactly once at its committee and has reached the
  International exactly once; a refused or ambiguous command (it may or may not have been
  recorded) is held at most once — never twice;
- the International holds every upstream's log exactly (every position once, byte for byte);
- every node's own log verifies (`aidfed log verify`'s checks, run here in-process);
- the International's supervisory projection equals its rebuild from the ingested entries;
- no follower has quarantined an upstream (no fault in these schedules deserves it: none forks);
- every node process is still running (none died of a fault it should have survived).
"""

from __future__ import annotations

import contextlib
import io
import json
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

import httpx

from federation.signedlog.verify_command import run as verify_log
from tests.support.actors import who
from tests.support.faults.cluster import INTERNATIONAL_ID, FaultCluster
from tests.support.faults.writers import Answer, Issued
from tests.support.nodedb import NodeDatabase

KEY = re.compile(rb"Collection (s\d+-w\d+-c\d+) of")
SUPERVISOR = who("Willi Münzenberg", "supervisor")
SYNC_TIMEOUT = 120.0
MAX_SHOWN = 10  # problems listed per committee


def receipt_keys(rows: Sequence[tuple[Any, ...]]) -> Counter[str]:
    """How many cash receipts each writer's key has among stored ``(topic, state)`` rows."""
    counted: Counter[str] = Counter()
    for topic, state in rows:
        if str(topic).endswith("CashReceipt.Received"):
            for match in KEY.finditer(bytes(state)):
                counted[match.group(1).decode()] += 1
    return counted


def recorded_at_committee(db: NodeDatabase) -> Counter[str]:
    return receipt_keys(db.query(f"SELECT topic, state FROM {db.events_table}"))


def reached_international(db: NodeDatabase, committee: str) -> Counter[str]:
    rows = db.query("SELECT topic, state FROM ingested_entries WHERE upstream = ?", [committee])
    return receipt_keys(rows)


def check(
    cluster: FaultCluster,
    issued: Sequence[Issued],
    deserve_quarantine: frozenset[str] = frozenset(),
) -> list[str]:
    """Every problem found (an empty list: the schedule passed)."""
    problems = [
        f"{n} is not running" for n, node in cluster.federation.nodes.items() if not node.running
    ]
    if problems:
        return problems
    try:
        cluster.federation.wait_synced(SYNC_TIMEOUT)
    except AssertionError as error:
        states = {
            f"{f}<-{u}": cluster.node(f).db.follower_state(u) for f, u in cluster.federation.pairs()
        }
        problems.append(f"{error}; follower states: {states}")
    problems += _commands(cluster, issued)
    problems += _logs_held(cluster)
    problems += _logs_verify(cluster)
    problems += _projection_rebuilds(cluster)
    problems += _quarantines(cluster, deserve_quarantine)
    return problems


def _commands(cluster: FaultCluster, issued: Sequence[Issued]) -> list[str]:
    intl = cluster.node(INTERNATIONAL_ID).db
    problems: list[str] = []
    for committee in cluster.committee_urls:
        mine = [i for i in issued if i.node == committee]
        local = recorded_at_committee(cluster.node(committee).db)
        central = reached_international(intl, committee)
        problems += judge(committee, mine, local, central)
    return problems


def judge(
    committee: str, issued: Sequence[Issued], local: Counter[str], central: Counter[str]
) -> list[str]:
    """The commands issued at ``committee`` against how often each key is held there
    (``local``) and at the International (``central``)."""
    problems: list[str] = []
    for command in issued:
        counts = (local[command.key], central[command.key])
        if command.answer is Answer.ACKNOWLEDGED and counts != (1, 1):
            problems.append(f"acknowledged {command} held (committee, INTL) {counts} times")
        elif max(counts) > 1 or counts[0] != counts[1]:
            problems.append(f"{command.answer} {command} held {counts} times")
    known = {i.key for i in issued}
    prefixes = {f"{i.key.split('-')[0]}-" for i in issued}
    strays = [k for k in local if k.split("-")[0] + "-" in prefixes and k not in known]
    if strays:
        problems.append(f"{committee} holds receipts no writer issued there: {strays[:5]}")
    if len(problems) > MAX_SHOWN:  # the first ones tell the story
        problems = [*problems[:MAX_SHOWN], f"... and {len(problems) - MAX_SHOWN} more"]
    return problems


def _logs_held(cluster: FaultCluster) -> list[str]:
    problems = []
    for follower, upstream in cluster.federation.pairs():
        held = cluster.node(follower).db.compare(upstream, cluster.node(upstream).db)
        if not held.exact:
            problems.append(f"{follower} does not hold {upstream}'s log exactly: {held}")
    return problems


def _logs_verify(cluster: FaultCluster) -> list[str]:
    problems = []
    for node in cluster.federation.nodes.values():
        database = None if node.database == "sqlite" else node.database
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            status = verify_log(node.data_dir, database, None, (), as_json=True)
        if status != 0:
            problems.append(f"{node.node_id}'s log does not verify: {printed.getvalue()[:2000]}")
    return problems


def _projection_rebuilds(cluster: FaultCluster) -> list[str]:
    with httpx.Client(
        base_url=cluster.node(INTERNATIONAL_ID).url, timeout=120, headers=SUPERVISOR
    ) as http:
        live = http.get("/v1/supervisory/digest")
        rebuilt = http.post("/v1/supervisory/rebuild")
    if live.status_code != 200 or rebuilt.status_code != 200:
        return [f"digest {live.status_code} {live.text[:300]}; rebuild {rebuilt.text[:300]}"]
    before, after = live.json(), rebuilt.json()
    if before["digest"] != after["digest"]:
        return [f"the live projection differs from its rebuild: {json.dumps([before, after])}"]
    return []


def _quarantines(cluster: FaultCluster, deserved: frozenset[str]) -> list[str]:
    problems = []
    for follower, upstream in cluster.federation.pairs():
        state = cluster.node(follower).db.follower_state(upstream)
        if state.get("status") == "quarantined" and upstream not in deserved:
            problems.append(f"{follower} quarantined {upstream}: {state.get('reason')}")
    return problems
