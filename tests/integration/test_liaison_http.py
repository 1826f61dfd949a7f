"""The liaison's API over real HTTP, following a committee node through the ingest door.

The committee acts on its own application; its events are relayed into the liaison node that
uvicorn serves, and the liaison officer and the union representative answer over HTTP.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from federation.api.app import create_app
from federation.node.committee import CommitteeApplication
from federation.node.liaison import LiaisonApplication
from federation.settings import NodeKind
from tests.conftest import SettingsFactory
from tests.support.actors import READER
from tests.support.liaison_story import (
    TOIKINO,
    World,
    consult,
    found_committee,
    nominate,
    procure,
    sync,
    tell,
    transfer,
)
from tests.support.relay import relay
from tests.support.servers import serving
from tests.support.story import SECRETARY, TREASURER


def who(person: str, role: str) -> dict[str, str]:
    return {"X-Actor": quote(person), "X-Role": role}


OFFICER = who("Alexander Eiduk", "liaison_officer")
UNION_REP = who("Mikhail Tomsky", "union_representative")
SOME_ID = "3f0c7d2e-1922-4a52-9d0e-000000000017"


@dataclass
class Served:
    """The liaison served over HTTP, its application (to relay into), and the committee."""

    http: httpx.Client
    liaison: LiaisonApplication
    committee: CommitteeApplication


@pytest.fixture(params=["sqlite"])
def persistence(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def served(node_settings: SettingsFactory) -> Iterator[Served]:
    api = create_app(node_settings("RU-LIAISON", NodeKind.LIAISON))
    committee = CommitteeApplication(node_settings("US"))
    try:
        with serving(api) as base, httpx.Client(base_url=base, timeout=30, headers=READER) as http:
            yield Served(http, api.state.node, committee)
    finally:
        committee.close()


@pytest.fixture
def world(served: Served) -> World:
    """The story told up to where every kind of decision is awaited by the liaison served."""
    return tell(served.committee, served.liaison)


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def refused(response: httpx.Response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code, error
    return str(error["message"])


def items(http: httpx.Client, path: str, **params: Any) -> list[dict[str, Any]]:
    page: list[dict[str, Any]] = ok(http.get(path, params=params))["items"]
    return page


def register(http: httpx.Client, code: str, name: str, kind: str, parent: str | None = None) -> Any:
    body = {"code": code, "name": name, "kind": kind, "registered_on": "1921-06-01"}
    return ok(http.post("/v1/agencies", headers=OFFICER, json=body | {"parent_code": parent}), 201)


def test_tractors_and_a_mechanic_for_toikino(served: Served) -> None:
    http, liaison, committee = served.http, served.liaison, served.committee
    register(http, "NARKOMZEM", "People's Commissariat of Agriculture", "state_body")
    register(http, "VTSSPS", "All-Russian Central Council of Trade Unions", "trade_union")
    register(http, "METALLIST", "Metalworkers' union", "trade_union", parent="VTSSPS")
    found_committee(committee)
    consultation = consult(committee, "FSR-1922-03")

    opinion = {
        "agency_code": "NARKOMZEM",
        "verdict": "concur_with_conditions",
        "conditions": "spare parts for two seasons",
        "ceiling": {"amount": "25000.00", "currency": "USD"},
        "valid_until": "1922-12-31",
        "recorded_on": "1922-03-10",
    }
    path = f"/v1/consultations/{consultation}/opinion"
    refused(http.post(path, headers=OFFICER, json=opinion), 409, "opinion.consultation_unknown")
    relay(committee, liaison)
    ok(http.post(path, headers=OFFICER, json=opinion), 201)
    [asked] = items(http, "/v1/consultations", country="us")
    assert (asked["opinion_status"], asked["ceiling"]) == ("answered", "30000.00")

    relay(liaison, committee)
    tractors = procure(committee, "PO-17", "FSR-1922-03")
    mechanic = nominate(committee, "SP-1")
    money = transfer(committee, "NARKOMZEM", "1000.00")
    relay(committee, liaison)
    delivery = {"delivered_on": "1922-06-20", "confirmed_on": "1922-06-22"}
    ok(http.post(f"/v1/procurements/{tractors}/delivery", headers=OFFICER, json=delivery), 201)
    enterprise = {
        "name": TOIKINO,
        "procurement_ids": [str(tractors)],
        "in_production_on": "1922-07-01",
    }
    ok(http.post("/v1/enterprises", headers=OFFICER, json=enterprise), 201)
    approval = {"union_code": "METALLIST", "decided_on": "1922-05-01"}
    ok(http.post(f"/v1/nominations/{mechanic}/approve", headers=UNION_REP, json=approval), 201)
    receipt = {"received": {"amount": "985.00", "currency": "USD"}, "confirmed_on": "1922-06-30"}
    ok(http.post(f"/v1/transfers/{money}/receipt", headers=OFFICER, json=receipt), 201)

    [p] = items(http, "/v1/procurements", status="in_production")
    assert (p["reference"], p["amount"], p["delivered_on"]) == ("PO-17", "20000.00", "1922-06-20")
    [toikino] = items(http, "/v1/enterprises")
    assert toikino["procurement_ids"] == [str(tractors)]
    [decision] = items(http, "/v1/union-decisions", union_code="METALLIST")
    assert (decision["person"], decision["decision"]) == ("Harold Ware", "granted")
    [sent] = items(http, "/v1/transfer-receipts")
    assert (sent["sent"], sent["received"]) == ("1000.00", "985.00")
    [o] = items(http, "/v1/opinions", verdict="concur_with_conditions")
    assert (o["ceiling"], o["conditions"]) == ("25000.00", "spare parts for two seasons")

    sync(committee, liaison)
    committee.note_delivery(SECRETARY, procurement_id=tractors)
    assert committee.note_production(SECRETARY, procurement_id=tractors)["status"] == (
        "in_production"
    )
    assert committee.note_union_decision(SECRETARY, nomination_id=mechanic)["status"] == "approved"
    noted = committee.note_transfer_receipt(TREASURER, transfer_id=money, receiver="RU-LIAISON")
    assert noted["difference"] == "15.00 USD"


OPINION = {"agency_code": "NARKOMZEM", "verdict": "concur", "valid_until": "1922-12-31"}

# Every command, by a role that does not belong: refused before anything is looked up.
WRONG_ROLES = [
    (
        "/v1/agencies",
        "treasurer",
        {"code": "X", "name": "x", "kind": "trust", "registered_on": "1922-01-01"},
    ),
    (
        "/v1/agencies/NARKOMZEM/deregister",
        "supervisor",
        {"reason": "x", "deregistered_on": "1922-01-01"},
    ),
    (f"/v1/consultations/{SOME_ID}/opinion", "treasurer", OPINION | {"recorded_on": "1922-03-10"}),
    (
        f"/v1/consultations/{SOME_ID}/opinion/revise",
        "union_representative",
        {"verdict": "concur", "valid_until": "1922-12-31", "revised_on": "1922-04-01"},
    ),
    (
        f"/v1/consultations/{SOME_ID}/opinion/withdraw",
        "secretary",
        {"reason": "x", "withdrawn_on": "1922-05-01"},
    ),
    (
        f"/v1/nominations/{SOME_ID}/approve",
        "supervisor",
        {"union_code": "METALLIST", "decided_on": "1922-05-01"},
    ),
    (
        f"/v1/nominations/{SOME_ID}/refuse",
        "liaison_officer",
        {"union_code": "METALLIST", "reason": "x", "decided_on": "1922-05-01"},
    ),
    (
        f"/v1/procurements/{SOME_ID}/delivery",
        "union_representative",
        {"delivered_on": "1922-06-20", "confirmed_on": "1922-06-22"},
    ),
    (
        f"/v1/transfers/{SOME_ID}/receipt",
        "treasurer",
        {"received": {"amount": "1.00", "currency": "USD"}, "confirmed_on": "1922-06-30"},
    ),
    (
        "/v1/enterprises",
        "auditor",
        {"name": TOIKINO, "procurement_ids": [SOME_ID], "in_production_on": "1922-07-01"},
    ),
]


@pytest.mark.parametrize(("path", "role", "body"), WRONG_ROLES, ids=[r for _, r, _ in WRONG_ROLES])
def test_each_command_refuses_a_role_that_does_not_belong(
    served: Served, path: str, role: str, body: dict[str, Any]
) -> None:
    message = refused(
        served.http.post(path, headers=who("Grigory Zinoviev", role), json=body),
        403,
        "role.not_permitted",
    )
    assert role in message
    assert items(served.http, "/v1/agencies") == []


def test_a_decision_on_what_has_not_arrived_is_409_naming_it(world: World, served: Served) -> None:
    http = served.http
    approval = {"union_code": "METALLIST", "decided_on": "1922-05-01"}
    message = refused(
        http.post(f"/v1/nominations/{world.nominated}/approve", headers=UNION_REP, json=approval),
        409,
        "union.approval_not_requested",
    )
    assert "Harold Ware" in message
    unknown = http.post(f"/v1/nominations/{SOME_ID}/approve", headers=UNION_REP, json=approval)
    refused(unknown, 409, "union.nomination_unknown")
    assert unknown.json()["error"]["kind"] == "decision_missing"
    delivery = {"delivered_on": "1922-06-20", "confirmed_on": "1922-06-22"}
    refused(
        http.post(f"/v1/procurements/{world.ordered}/delivery", headers=OFFICER, json=delivery),
        409,
        "delivery.not_shipped",
    )
    assert items(http, "/v1/union-decisions") == []
    assert items(http, "/v1/deliveries") == []


@pytest.mark.parametrize(
    ("body", "code", "fragment"),
    [
        (OPINION | {"verdict": "maybe"}, "request.invalid", "verdict"),
        (OPINION | {"conditions": "spare parts"}, "opinion.unexpected_conditions", "no conditions"),
        (OPINION | {"valid_until": "1922-03-01"}, "opinion.validity_before_recording", "valid"),
        (OPINION | {"ceiling": {"amount": 25000, "currency": "USD"}}, "request.invalid", "amount"),
        (
            OPINION | {"ceiling": {"amount": "2.5e4", "currency": "USD"}},
            "money.invalid_amount",
            "plain decimal",
        ),
        (
            OPINION | {"ceiling": {"amount": "-1.00", "currency": "USD"}},
            "money.not_positive",
            "above zero",
        ),
        (OPINION | {"opinion": "fine"}, "request.invalid", "opinion"),
        (OPINION, "request.invalid", "recorded_on"),
    ],
)
def test_a_bad_opinion_is_refused_with_a_clear_message(
    world: World, served: Served, body: dict[str, Any], code: str, fragment: str
) -> None:
    body = body if body is OPINION else body | {"recorded_on": "1922-03-15"}
    path = f"/v1/consultations/{world.asked}/opinion"
    message = refused(served.http.post(path, headers=OFFICER, json=body), 422, code)
    assert fragment in message
    recorded = items(served.http, "/v1/opinions")
    assert [o["consultation_id"] for o in recorded] == [str(world.answered)]


def test_bad_ids_and_filters_are_refused(world: World, served: Served) -> None:
    http = served.http
    enterprise = {"name": TOIKINO, "procurement_ids": ["PO-17"], "in_production_on": "1922-07-01"}
    refused(http.post("/v1/enterprises", headers=OFFICER, json=enterprise), 422, "request.invalid")
    refused(
        http.post("/v1/consultations/FSR-1922-04/opinion", headers=OFFICER, json=OPINION),
        422,
        "request.invalid",
    )
    refused(http.get("/v1/procurements", params={"status": "lost"}), 422, "request.invalid")
    refused(http.get("/v1/agencies", params={"kind": "ministry"}), 422, "request.invalid")
    assert items(http, "/v1/enterprises") == []


def test_an_idempotency_key_repeats_the_answer_and_records_once(
    world: World, served: Served
) -> None:
    headers = {**OFFICER, "Idempotency-Key": "delivery-po-17"}
    delivery = {"delivered_on": "1922-06-20", "confirmed_on": "1922-06-22"}
    path = f"/v1/procurements/{world.shipped}/delivery"
    first = ok(served.http.post(path, headers=headers, json=delivery), 201)
    assert ok(served.http.post(path, headers=headers, json=delivery), 201) == first
    assert len(items(served.http, "/v1/deliveries")) == 1


COMMANDS = {
    "/v1/agencies",
    "/v1/agencies/{code}/deregister",
    "/v1/consultations/{consultation_id}/opinion",
    "/v1/consultations/{consultation_id}/opinion/revise",
    "/v1/consultations/{consultation_id}/opinion/withdraw",
    "/v1/nominations/{nomination_id}/approve",
    "/v1/nominations/{nomination_id}/refuse",
    "/v1/procurements/{procurement_id}/delivery",
    "/v1/transfers/{transfer_id}/receipt",
    "/v1/enterprises",
}


def test_the_openapi_document_describes_every_command(served: Served) -> None:
    spec = ok(served.http.get("/openapi.json"))
    posts = {p: ops["post"] for p, ops in spec["paths"].items() if "post" in ops}
    assert set(posts) >= COMMANDS
    for path in COMMANDS:
        post = posts[path]
        assert post.get("description"), path
        assert any(p["name"] == "Idempotency-Key" for p in post["parameters"]), path
        assert {"403", "409", "422"} <= set(post["responses"]), path
    assert len(WRONG_ROLES) == len(COMMANDS)
    assert ok(served.http.get("/v1/node"))["kind"] == "liaison"
