"""Acting over HTTP as the people of the story: declared actors (test mode) and JSON commands."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx

from tests.support.story import CAMPAIGN


def who(person: str, role: str) -> dict[str, str]:
    """The headers declaring who acts (believed by nodes in test mode only)."""
    return {"X-Actor": quote(person), "X-Role": role}


TREASURER = who("Alfred Wagenknecht", "treasurer")


def command(
    http: httpx.Client, path: str, body: dict[str, Any] | None, actor: dict[str, str],
    status: int = 201,
) -> Any:  # fmt: skip
    """POST a command and return its result, failing with the node's answer if it refused."""
    answer = http.post(path, json=body, headers=actor)
    assert answer.status_code == status, f"{path}: {answer.status_code} {answer.text}"
    return answer.json()


def receipt(http: httpx.Client, n: int) -> Any:
    """The treasurer records the n-th collection of the famine campaign."""
    body = {
        "campaign_code": CAMPAIGN,
        "contributor": f"Collection {n} of the Chicago needle trades",
        "organisation_type": "trade_union",
        "amount": {"amount": "10.00", "currency": "USD"},
        "value_date": "1922-02-01",
    }
    return command(http, "/v1/receipts/cash", body, TREASURER)


# Reads are for the node's users: a test's client reads as an auditor unless a request says who.
READER = who("Ernst Reuter", "auditor")
