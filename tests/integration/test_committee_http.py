"""The committee's API over real HTTP: a uvicorn server on loopback and an httpx client."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from federation.api.app import create_app
from tests.conftest import SettingsFactory
from tests.support.actors import READER
from tests.support.servers import serving


def who(person: str, role: str) -> dict[str, str]:
    return {"X-Actor": quote(person), "X-Role": role}


SECRETARY = who("Caleb Harrison", "secretary")
TREASURER = who("Alfred Wagenknecht", "treasurer")
PAYER = who("Rose Karsner", "treasurer")


def usd(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "USD"}


@pytest.fixture(params=["sqlite"])
def persistence(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def client(node_settings: SettingsFactory) -> Iterator[httpx.Client]:
    with (
        serving(create_app(node_settings("US"))) as base,
        httpx.Client(base_url=base, timeout=30, headers=READER) as c,
    ):
        ok(
            c.post(
                "/v1/committee",
                headers=SECRETARY,
                json={
                    "name": "Friends of Soviet Russia",
                    "national_section": "Workers Party of America",
                    "constituted_on": "1921-08-09",
                },
            ),
            201,
        )
        ok(
            c.post(
                "/v1/campaigns",
                headers=SECRETARY,
                json={
                    "code": "famine",
                    "title": "Famine relief",
                    "kind": "collection",
                    "opened_on": "1921-08-09",
                },
            ),
            201,
        )
        yield c


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def refused(response: httpx.Response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code, error
    return str(error["message"])


def receipt(amount: dict[str, Any] | Any, **extra: Any) -> dict[str, Any]:
    return {
        "campaign_code": "famine",
        "contributor": "Finnish Workers' Club, Chicago",
        "organisation_type": "workers_circle",
        "amount": amount,
        "value_date": "1922-01-05",
        **extra,
    }


def events(client: httpx.Client) -> int:
    receipts = ok(client.get("/v1/receipts", params={"limit": 500}))["items"]
    transfers = ok(client.get("/v1/transfers", params={"limit": 500}))["items"]
    return len(receipts) + len(transfers)


def test_a_transfer_goes_from_receipt_to_transit(client: httpx.Client) -> None:
    ok(client.post("/v1/receipts/cash", headers=TREASURER, json=receipt(usd("250.00"))), 201)
    t = ok(
        client.post(
            "/v1/transfers",
            headers=TREASURER,
            json={
                "recipient": "INTL",
                "amount": usd("200.00"),
                "purpose": "tractor column",
                "initiated_on": "1922-03-01",
            },
        ),
        201,
    )
    tid = t["transfer_id"]
    ok(client.post(f"/v1/transfers/{tid}/countersign", headers=SECRETARY))
    sent = ok(
        client.post(f"/v1/transfers/{tid}/send", headers=PAYER, json={"sent_on": "1922-03-02"})
    )
    assert sent["status"] == "sent"
    [usd_books] = ok(client.get("/v1/books"))["balances"]
    assert usd_books["in_transit"] == "200.00"
    assert usd_books["available"] == "50.00"
    [row] = ok(client.get("/v1/transfers"))["items"]
    assert (row["initiated_by"], row["countersigned_by"], row["sent_by"]) == (
        "Alfred Wagenknecht",
        "Caleb Harrison",
        "Rose Karsner",
    )


@pytest.mark.parametrize(
    ("amount", "code", "fragment"),
    [
        (usd("0.00"), "money.not_positive", "above zero"),
        (usd("-5.00"), "money.not_positive", "above zero"),
        ({"amount": "1e3", "currency": "USD"}, "money.invalid_amount", "plain decimal"),
        ({"amount": "0.105", "currency": "USD"}, "money.too_precise", "never rounded"),
        ({"amount": "5.00", "currency": "ZZZ"}, "money.unknown_currency", "unknown currency"),
        ({"amount": 12.5, "currency": "USD"}, "request.invalid", "amount"),
        ({"amount": "5"}, "request.invalid", "currency"),
    ],
)
def test_bad_amounts_are_refused_with_a_clear_message_and_nothing_recorded(
    client: httpx.Client, amount: Any, code: str, fragment: str
) -> None:
    message = refused(
        client.post("/v1/receipts/cash", headers=TREASURER, json=receipt(amount)), 422, code
    )
    assert fragment in message
    assert events(client) == 0


def test_instalments_that_do_not_sum_are_refused(client: httpx.Client) -> None:
    message = refused(
        client.post(
            "/v1/pledges",
            headers=TREASURER,
            json={
                "campaign_code": "famine",
                "pledger": "Amalgamated Clothing Workers",
                "organisation_type": "trade_union",
                "total": usd("1000.00"),
                "pledged_on": "1921-09-01",
                "schedule": [
                    {"due_on": "1922-01-01", "amount": usd("500.00")},
                    {"due_on": "1922-02-01", "amount": usd("499.99")},
                ],
            },
        ),
        409,
        "pledge.schedule_does_not_sum",
    )
    assert "999.99 USD" in message
    assert ok(client.get("/v1/pledges"))["items"] == []


def test_mixed_currencies_in_a_pledge_are_refused(client: httpx.Client) -> None:
    refused(
        client.post(
            "/v1/pledges",
            headers=TREASURER,
            json={
                "campaign_code": "famine",
                "pledger": "x",
                "organisation_type": "other",
                "total": usd("25.00"),
                "pledged_on": "1921-09-01",
                "schedule": [
                    {"due_on": "1922-01-01", "amount": {"amount": "25.00", "currency": "FRF"}}
                ],
            },
        ),
        409,
        "money.mixed_currencies",
    )


def test_the_initiator_may_not_countersign_and_overdrafts_are_refused(client: httpx.Client) -> None:
    ok(client.post("/v1/receipts/cash", headers=TREASURER, json=receipt(usd("100.00"))), 201)
    refused(
        client.post(
            "/v1/transfers",
            headers=TREASURER,
            json={
                "recipient": "INTL",
                "amount": usd("100.01"),
                "purpose": "x",
                "initiated_on": "1922-03-01",
            },
        ),
        409,
        "transfer.exceeds_available_balance",
    )
    tid = ok(
        client.post(
            "/v1/transfers",
            headers=TREASURER,
            json={
                "recipient": "INTL",
                "amount": usd("100.00"),
                "purpose": "x",
                "initiated_on": "1922-03-01",
            },
        ),
        201,
    )["transfer_id"]
    refused(
        client.post(
            f"/v1/transfers/{tid}/countersign", headers=who("Alfred Wagenknecht", "secretary")
        ),
        409,
        "transfer.countersigned_by_initiator",
    )
    [row] = ok(client.get("/v1/transfers"))["items"]
    assert row["status"] == "initiated"


def test_unknown_things_are_404_and_wrong_roles_403(client: httpx.Client) -> None:
    refused(
        client.post(
            "/v1/transfers/00000000-0000-0000-0000-000000000000/countersign", headers=SECRETARY
        ),
        404,
        "transfer.not_found",
    )
    refused(
        client.post(
            "/v1/receipts/cash",
            headers=who("Willi Münzenberg", "supervisor"),
            json=receipt(usd("1.00")),
        ),
        403,
        "role.not_permitted",
    )
    refused(
        client.post("/v1/receipts/cash", headers=who("x", "emperor"), json=receipt(usd("1.00"))),
        422,
        "actor.unknown_role",
    )


def test_an_idempotency_key_repeats_the_answer_and_records_once(client: httpx.Client) -> None:
    headers = {**TREASURER, "Idempotency-Key": "collection-list-7-line-3"}
    first = ok(client.post("/v1/receipts/cash", headers=headers, json=receipt(usd("5.00"))), 201)
    again = ok(client.post("/v1/receipts/cash", headers=headers, json=receipt(usd("5.00"))), 201)
    assert again == first
    assert events(client) == 1
    refused(
        client.post("/v1/receipts/cash", headers=headers, json=receipt(usd("6.00"))),
        409,
        "idempotency.key_reused",
    )
    assert events(client) == 1


def test_concurrent_countersignatures_one_wins_the_others_get_409(client: httpx.Client) -> None:
    ok(client.post("/v1/receipts/cash", headers=TREASURER, json=receipt(usd("100.00"))), 201)
    tid = ok(
        client.post(
            "/v1/transfers",
            headers=TREASURER,
            json={
                "recipient": "INTL",
                "amount": usd("100.00"),
                "purpose": "x",
                "initiated_on": "1922-03-01",
            },
        ),
        201,
    )["transfer_id"]
    signers = [who(f"Secretary {n}", "secretary") for n in range(6)]
    barrier = threading.Barrier(len(signers))
    statuses: list[int] = []

    def countersign(headers: dict[str, str]) -> None:
        with httpx.Client(base_url=str(client.base_url), timeout=30) as own:
            barrier.wait()
            statuses.append(
                own.post(f"/v1/transfers/{tid}/countersign", headers=headers).status_code
            )

    threads = [threading.Thread(target=countersign, args=(h,)) for h in signers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(statuses) == [200] + [409] * (len(signers) - 1)
    [row] = ok(client.get("/v1/transfers"))["items"]
    assert row["status"] == "countersigned"
    assert row["countersigned_by"].startswith("Secretary ")


def test_concurrent_transfers_never_spend_the_same_money_twice(client: httpx.Client) -> None:
    ok(client.post("/v1/receipts/cash", headers=TREASURER, json=receipt(usd("100.00"))), 201)
    barrier = threading.Barrier(5)
    statuses: list[int] = []

    def initiate() -> None:
        with httpx.Client(base_url=str(client.base_url), timeout=30) as own:
            barrier.wait()
            statuses.append(
                own.post(
                    "/v1/transfers",
                    headers=TREASURER,
                    json={
                        "recipient": "INTL",
                        "amount": usd("60.00"),
                        "purpose": "x",
                        "initiated_on": "1922-03-01",
                    },
                ).status_code
            )

    threads = [threading.Thread(target=initiate) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(statuses) == [201, 409, 409, 409, 409]
    [usd_books] = ok(client.get("/v1/books"))["balances"]
    assert usd_books["available"] == "40.00"


def test_the_openapi_document_describes_every_command(client: httpx.Client) -> None:
    spec = ok(client.get("/openapi.json"))
    post = spec["paths"]["/v1/receipts/cash"]["post"]
    assert "campaign" in post["description"].lower() or "campaign" in post["summary"].lower()
    assert any(p["name"] == "Idempotency-Key" for p in post["parameters"])
    assert "409" in post["responses"]
