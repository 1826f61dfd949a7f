"""Security checks over real HTTP: request size and page limits, filters that try SQL injection
on every filtered list, tokens and passwords never echoed in answers or logs."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from federation.api.ops import MAX_REQUEST_BYTES
from federation.node.committee import CommitteeApplication
from federation.node.international import InternationalApplication
from federation.node.liaison import LiaisonApplication
from federation.settings import NodeKind, Settings
from federation.sync.peers import new_token
from tests.integration.hardening.fuzzing import FuzzedNode, fuzzed_node
from tests.integration.supervisory import world
from tests.support.relay import relay

INJECTIONS = [
    "DE' OR '1'='1",
    "'; DROP TABLE ingested_entries; --",
    'x" OR 1=1 --',
    "%' UNION SELECT name, name FROM sqlite_master --",
    "US') OR ('a'='a",
]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def committee(tmp_path: Path) -> Iterator[FuzzedNode]:
    with fuzzed_node(NodeKind.COMMITTEE, tmp_path) as node:
        yield node


# --- request size and page limits -----------------------------------------------------------


def test_a_chunked_body_past_the_limit_is_refused_while_it_is_read(committee: FuzzedNode) -> None:
    """No Content-Length to check up front: the node counts the bytes as they come."""

    def chunks() -> Iterator[bytes]:
        piece = b" " * 1_000_000
        for _ in range(MAX_REQUEST_BYTES // len(piece) + 2):
            yield piece

    with httpx.Client(base_url=committee.base, timeout=60) as http:
        answer = http.post(
            "/v1/receipts/cash",
            content=chunks(),
            headers={**bearer(committee.tokens[1]), "Content-Type": "application/json"},
        )
        assert answer.status_code == 413, answer.text
        assert answer.json()["error"]["code"] == "request.too_large"
        # A body just under the limit is read and judged on its merits (here: not JSON).
        small = http.post(
            "/v1/receipts/cash",
            content=iter([b"{not json"]),
            headers={**bearer(committee.tokens[1]), "Content-Type": "application/json"},
        )
        assert small.status_code == 422


def paged_lists(node: FuzzedNode, param: str = "limit") -> list[tuple[str, int]]:
    """Every GET without path parameters that takes a bounded ``param``, with its bound."""
    schema = httpx.get(f"{node.base}/openapi.json").json()
    found = []
    for path, item in schema["paths"].items():
        get = item.get("get")
        if get is None or "{" in path:
            continue
        for parameter in get.get("parameters", []):
            maximum = parameter.get("schema", {}).get("maximum")
            if parameter["name"] == param and maximum is not None:
                found.append((path, int(maximum)))
    return found


@pytest.mark.parametrize("kind", list(NodeKind))
def test_a_page_larger_than_allowed_is_a_clear_422(kind: NodeKind, tmp_path: Path) -> None:
    with fuzzed_node(kind, tmp_path) as node:
        lists = paged_lists(node)
        assert len(lists) >= 3, lists
        with httpx.Client(base_url=node.base, timeout=30) as http:
            for path, maximum in lists:
                answer = asking(http, node, path, {"limit": maximum + 1})
                assert answer.status_code == 422, (path, answer.text)
                message = answer.json()["error"]["message"]
                assert "limit" in message, (path, message)
                assert str(maximum) in message, (path, message)


@pytest.mark.parametrize("kind", list(NodeKind))
def test_an_offset_past_any_table_is_a_clear_422_not_a_database_error(
    kind: NodeKind, tmp_path: Path
) -> None:
    """Found by the fuzzer: an offset beyond a 64-bit integer reached SQLite and answered 500."""
    with fuzzed_node(kind, tmp_path) as node:
        lists = paged_lists(node, "offset")
        assert lists
        with httpx.Client(base_url=node.base, timeout=30) as http:
            for path, maximum in lists:
                assert asking(http, node, path, {"offset": maximum}).status_code == 200, path
                answer = asking(http, node, path, {"offset": 2**70})
                assert answer.status_code == 422, (path, answer.text)
                assert "offset" in answer.json()["error"]["message"], path


def asking(
    http: httpx.Client, node: FuzzedNode, path: str, params: dict[str, Any]
) -> httpx.Response:
    """GET with each token until one is accepted and permitted (a peer's, then each role's)."""
    answer = None
    for token in node.tokens:
        answer = http.get(path, params=params, headers=bearer(token))
        if answer.status_code not in (401, 403):
            break
    assert answer is not None
    return answer


# --- filters that try SQL injection ------------------------------------------------------------


@pytest.fixture
def supervised(tmp_path: Path) -> Iterator[FuzzedNode]:
    """The International with the 1922 story's events from four nodes, served in production."""

    def settings(node_id: str, kind: NodeKind = NodeKind.COMMITTEE) -> Settings:
        return Settings(node_id=node_id, kind=kind, data_dir=tmp_path / node_id, database="sqlite")

    intl = InternationalApplication(settings("INTL", NodeKind.INTERNATIONAL))
    de, fr, us = (CommitteeApplication(settings(c)) for c in ("DE", "FR", "US"))
    liaison = LiaisonApplication(settings("RU-LIAISON", NodeKind.LIAISON))
    world.rates(intl)
    world.germany(de, intl)
    world.france(fr, intl)
    world.united_states(us, liaison)
    for source in (de, fr, us, liaison):
        relay(source, intl)
        source.close()
    intl.close()
    with fuzzed_node(NodeKind.INTERNATIONAL, tmp_path) as node:
        yield node


def filtered_lists(node: FuzzedNode) -> list[tuple[str, list[str]]]:
    """Every GET list and its free-text filters (strings without a fixed set of values)."""
    schema = httpx.get(f"{node.base}/openapi.json").json()
    found = []
    for path, item in schema["paths"].items():
        get = item.get("get")
        if get is None or "{" in path or not path.startswith("/v1/"):
            continue
        texts = [
            p["name"]
            for p in get.get("parameters", [])
            if p["in"] == "query" and _free_text(p.get("schema", {}))
        ]
        if texts:
            found.append((path, texts))
    return found


def _free_text(schema: dict[str, Any]) -> bool:
    options = schema.get("anyOf", [schema])
    return any(o.get("type") == "string" and "enum" not in o and "format" not in o for o in options)


def test_filters_that_try_sql_injection_find_nothing_and_change_nothing(
    supervised: FuzzedNode,
) -> None:
    lists = filtered_lists(supervised)
    assert len(lists) >= 10, lists
    with httpx.Client(base_url=supervised.base, timeout=30) as http:
        before = asking(http, supervised, "/v1/supervisory/digest", {}).json()["digest"]
        receipts = asking(http, supervised, "/v1/supervisory/receipts", {}).json()["items"]
        assert receipts, "the view holds receipts, so a leak would show"
        tried = 0
        for path, filters in lists:
            for name in filters:
                for attack in INJECTIONS:
                    answer = asking(http, supervised, path, {name: attack})
                    tried += 1
                    assert answer.status_code in (200, 404, 409, 422), (path, name, answer.text)
                    if answer.status_code == 200 and "json" in answer.headers["content-type"]:
                        assert leaked(answer.json()) == [], (path, name, attack)
        after = asking(http, supervised, "/v1/supervisory/digest", {}).json()["digest"]
    print(f"injection requests: {tried} over {len(lists)} lists")  # README figures (pytest -s)
    assert after == before
    assert tried >= 50


def leaked(body: Any) -> list[Any]:
    """The rows a filtered list answered (none may match an injection string)."""
    if isinstance(body, dict) and "items" in body:
        return list(body["items"])
    if isinstance(body, list):
        return body
    return []


# --- tokens and passwords never echoed ---------------------------------------------------------


def test_tokens_and_passwords_are_never_echoed_in_answers_or_logs(
    committee: FuzzedNode, caplog: pytest.LogCaptureFixture
) -> None:
    secret = new_token()
    password = "Rote Fahne 1922 secret"
    caplog.set_level(logging.DEBUG)
    with httpx.Client(base_url=committee.base, timeout=30) as http:
        answers = [
            http.post("/v1/receipts/cash", json={}, headers=bearer(secret)),  # unknown token
            http.get("/v1/log/entries", headers=bearer(secret)),  # an unknown peer token
            http.post("/v1/receipts/cash", json={}, headers={"Authorization": secret}),
            http.post(  # a secret where an amount should be
                "/v1/receipts/cash",
                json={"campaign_code": secret, "amount": {"amount": password, "currency": 1}},
                headers=bearer(committee.tokens[1]),  # a treasurer's: the body is read
            ),
        ]
    for answer in answers:
        assert answer.status_code in (401, 404, 409, 422), answer.text
        assert secret not in answer.text
        assert password not in answer.text
        assert secret not in str(answer.headers)
    assert secret not in caplog.text
    assert password not in caplog.text


def test_a_wrong_password_at_the_dashboard_is_not_echoed(tmp_path: Path) -> None:
    password = "Internationale 1922!"
    with (
        fuzzed_node(NodeKind.INTERNATIONAL, tmp_path) as node,
        httpx.Client(base_url=node.base, timeout=30) as http,
    ):
        answer = http.post("/login", data={"username": "fuzz-supervisor", "password": password})
    assert answer.status_code == 401
    assert "wrong password" in answer.text
    assert password not in answer.text


def test_a_committee_receipt_is_unharmed_by_injection_in_its_own_lists(
    committee: FuzzedNode,
) -> None:
    """The committee's lists take only paging: an injection there is refused as input."""
    with httpx.Client(base_url=committee.base, timeout=30) as http:
        for path in ("/v1/receipts", "/v1/pledges", "/v1/transfers", "/v1/campaigns"):
            answer = asking(http, committee, path, {"limit": "1; DROP TABLE books_receipts"})
            assert answer.status_code == 422, answer.text
            assert asking(http, committee, path, {}).status_code == 200
