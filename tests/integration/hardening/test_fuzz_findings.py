"""What the long fuzzing run found at the calendar's and the integers' edges, kept as tests: each
answered 500 before (an overflow inside date arithmetic or SQLite), and now answers plainly."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from federation.settings import NodeKind
from tests.integration.hardening.fuzzing import FuzzedNode, fuzzed_node

UNKNOWN = "e3e70682-c209-2cac-a29f-6fbed82c07cd"


@pytest.fixture(scope="module")
def international(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FuzzedNode]:
    with fuzzed_node(NodeKind.INTERNATIONAL, tmp_path_factory.mktemp("edges")) as node:
        yield node


def supervisor(node: FuzzedNode) -> httpx.Client:
    token = node.tokens[1 + 2]  # the peer's, then treasurer, secretary, supervisor, ...
    return httpx.Client(base_url=node.base, headers={"Authorization": f"Bearer {token}"})


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/v1/supervisory/exceptions", {"as_of": "0001-01-01"}),
        ("/v1/supervisory/in-transit", {"as_of": "0001-01-01"}),
        ("/v1/supervisory/overview", {"from": "9999-12-01", "to": "9999-12-31"}),
        ("/v1/supervisory/overview", {"from": "0001-01-01", "to": "0001-01-31"}),
        (
            "/v1/supervisory/overview",
            {"reporting_currency": "USD", "from": "9999-12-01", "to": "9999-12-31"},
        ),
    ],
)
def test_days_at_the_calendars_edges_are_answered(
    international: FuzzedNode, path: str, params: dict[str, Any]
) -> None:
    with supervisor(international) as http:
        answer = http.get(path, params=params)
    assert answer.status_code == 200, answer.text


def test_resolving_as_of_the_calendars_first_day_is_a_plain_refusal(
    international: FuzzedNode,
) -> None:
    with supervisor(international) as http:
        answer = http.post(
            f"/v1/supervisory/exceptions/{UNKNOWN}/resolve",
            json={"resolution": "checked", "resolved_on": "0001-01-01"},
        )
    assert answer.status_code in (404, 422), answer.text
    assert answer.json()["error"]["code"]


def test_a_rate_age_beyond_a_century_is_a_clear_422(international: FuzzedNode) -> None:
    with supervisor(international) as http:
        answer = http.get(
            "/v1/supervisory/overview",
            params={"reporting_currency": "USD", "rate_max_age_days": 10**9},
        )
    assert answer.status_code == 422, answer.text
    assert "rate_max_age_days" in answer.json()["error"]["message"]
