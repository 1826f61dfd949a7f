"""The International's API over real HTTP: a uvicorn server on loopback and an httpx client."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from federation.api.app import create_app
from federation.settings import NodeKind
from tests.conftest import SettingsFactory
from tests.support.actors import READER
from tests.support.servers import serving


def who(person: str, role: str) -> dict[str, str]:
    return {"X-Actor": quote(person), "X-Role": role}


SUPERVISOR = who("Willi Münzenberg", "supervisor")
AUDITOR = who("Eva Lindqvist", "auditor")
SUBJECT = "3f0c7d2e-1922-4a52-9d0e-000000000017"


@pytest.fixture(params=["sqlite"])
def persistence(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def client(node_settings: SettingsFactory) -> Iterator[httpx.Client]:
    settings = node_settings("INTL", NodeKind.INTERNATIONAL)
    with (
        serving(create_app(settings)) as base,
        httpx.Client(base_url=base, timeout=30, headers=READER) as c,
    ):
        yield c


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def refused(response: httpx.Response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code, error
    return str(error["message"])


def items(client: httpx.Client, path: str, **params: Any) -> list[dict[str, Any]]:
    page: list[dict[str, Any]] = ok(client.get(path, params=params))["items"]
    return page


RECOGNISE = {"country": "DE", "committee_name": "IAH Deutschland", "recognised_on": "1921-09-12"}
RATE = {
    "currency": "XPM",
    "reporting_currency": "USD",
    "rate": "0.0022",
    "value_date": "1922-06-01",
    "source": "Berlin exchange, noon fixing",
}
LOAN = {
    "code": "IAA-1922",
    "name": "Workers' loan for Soviet Russia, 1922",
    "coupon_rate": "0.05",
    "term_years": 5,
    "denominations": [
        {"amount": "25.00", "currency": "FRF"},
        {"amount": "5.00", "currency": "USD"},
    ],
    "authorised_on": "1922-10-01",
}
EXCEPTION = {
    "rule": "surplus.not_expansion",
    "node": "DE",
    "subject_id": SUBJECT,
    "detail": "a surplus was allocated to a famine collection",
    "raised_on": "1923-01-10",
}


def test_a_supervisors_year(client: httpx.Client) -> None:
    ok(client.post("/v1/recognitions", headers=SUPERVISOR, json=RECOGNISE), 201)
    suspended = ok(
        client.post(
            "/v1/recognitions/de/suspend",
            headers=SUPERVISOR,
            json={"reason": "no period report", "suspended_on": "1923-02-01"},
        )
    )
    assert suspended["standing"] == "suspended"
    assert [r["country"] for r in items(client, "/v1/recognitions", standing="suspended")] == ["DE"]
    ok(
        client.post(
            "/v1/recognitions/DE/reinstate",
            headers=SUPERVISOR,
            json={"reason": "report received", "reinstated_on": "1923-03-01"},
        )
    )
    [germany] = items(client, "/v1/recognitions")
    assert (germany["standing"], germany["as_of"]) == ("recognised", "1923-03-01")

    ok(client.post("/v1/rates", headers=SUPERVISOR, json=RATE), 201)
    ok(client.post("/v1/rates", headers=SUPERVISOR, json=RATE | {"value_date": "1922-11-01"}), 201)
    ok(
        client.post(
            "/v1/rates/XPM/USD/1922-11-01/correct",
            headers=SUPERVISOR,
            json={"rate": "0.00014", "reason": "the November fixing was misread"},
        )
    )
    autumn = items(
        client, "/v1/rates", currency="xpm", **{"from": "1922-10-01", "to": "1922-12-31"}
    )
    assert [(r["value_date"], r["rate"]) for r in autumn] == [("1922-11-01", "0.00014")]
    assert ok(client.get("/v1/rates/XPM/USD/on/1922-10-15"))["rate"] == "0.0022"
    refused(client.get("/v1/rates/XPM/USD/on/1922-01-01"), 404, "rate.not_found")

    ok(client.post("/v1/loan-issues", headers=SUPERVISOR, json=LOAN), 201)
    [loan] = items(client, "/v1/loan-issues")
    assert loan["denominations"] == LOAN["denominations"]

    directive = {
        "reference": "IAH-1923-2",
        "addressees": ["de"],
        "text": "Report machines bought per enterprise.",
        "issued_on": "1923-03-02",
    }
    ok(client.post("/v1/directives", headers=SUPERVISOR, json=directive), 201)
    assert [d["reference"] for d in items(client, "/v1/directives", addressee="DE")] == [
        "IAH-1923-2"
    ]
    assert items(client, "/v1/directives", addressee="FR") == []

    raised = ok(client.post("/v1/exceptions", headers=AUDITOR, json=EXCEPTION), 201)
    ok(
        client.post(
            f"/v1/exceptions/{raised['exception_id']}/resolve",
            headers=SUPERVISOR,
            json={"resolution": "reallocated to expansion", "resolved_on": "1923-01-20"},
        )
    )
    assert items(client, "/v1/exceptions", status="open") == []
    [resolved] = items(client, "/v1/exceptions", status="resolved", node="de")
    assert resolved["resolved_by"] == "Willi Münzenberg"


# Every command, by a role that does not belong: refused before anything is looked up.
WRONG_ROLES = [
    ("/v1/recognitions", "liaison_officer", RECOGNISE),
    ("/v1/recognitions/DE/suspend", "secretary", {"reason": "x", "suspended_on": "1923-01-01"}),
    ("/v1/recognitions/DE/reinstate", "auditor", {"reason": "x", "reinstated_on": "1923-01-01"}),
    ("/v1/rates", "treasurer", RATE),
    ("/v1/rates/XPM/USD/1922-06-01/correct", "union_representative", {"rate": "1", "reason": "x"}),
    ("/v1/loan-issues", "treasurer", LOAN),
    (
        "/v1/directives",
        "secretary",
        {"reference": "D", "addressees": ["DE"], "text": "x", "issued_on": "1923-01-01"},
    ),
    ("/v1/exceptions", "liaison_officer", EXCEPTION),
    (
        f"/v1/exceptions/{SUBJECT}/resolve",
        "auditor",
        {"resolution": "x", "resolved_on": "1923-01-01"},
    ),
]


@pytest.mark.parametrize(("path", "role", "body"), WRONG_ROLES, ids=[p for p, _, _ in WRONG_ROLES])
def test_each_command_refuses_a_role_that_does_not_belong(
    client: httpx.Client, path: str, role: str, body: dict[str, Any]
) -> None:
    message = refused(
        client.post(path, headers=who("Otto Kuusinen", role), json=body), 403, "role.not_permitted"
    )
    assert role in message
    assert items(client, "/v1/recognitions") == []
    assert items(client, "/v1/rates") == []


@pytest.mark.parametrize(
    ("path", "body", "code", "fragment"),
    [
        ("/v1/rates", RATE | {"rate": "2.2e-3"}, "rate.not_exact", "plain decimal"),
        ("/v1/rates", RATE | {"rate": 0.0022}, "request.invalid", "rate"),
        ("/v1/rates", RATE | {"rate": "0"}, "rate.not_positive", "above zero"),
        ("/v1/rates", RATE | {"reporting_currency": "XPM"}, "rate.same_currency", "two currencies"),
        ("/v1/rates", RATE | {"currency": "RM"}, "money.unknown_currency", "unknown currency"),
        ("/v1/rates", RATE | {"value_date": "1 June 1922"}, "request.invalid", "value_date"),
        ("/v1/loan-issues", LOAN | {"coupon_rate": "5%"}, "loan.invalid_coupon_rate", "'5%'"),
        ("/v1/loan-issues", LOAN | {"term_years": "5"}, "request.invalid", "term_years"),
        ("/v1/loan-issues", LOAN | {"term_years": 0}, "loan.invalid_term", "whole years"),
        (
            "/v1/loan-issues",
            LOAN | {"denominations": [{"amount": "25.001", "currency": "FRF"}]},
            "money.too_precise",
            "never rounded",
        ),
        ("/v1/exceptions", EXCEPTION | {"subject_id": "Bremen"}, "request.invalid", "subject_id"),
        ("/v1/recognitions", RECOGNISE | {"flag": "red"}, "request.invalid", "flag"),
        ("/v1/recognitions", RECOGNISE | {"country": " "}, "input.missing", "country"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(
    client: httpx.Client, path: str, body: dict[str, Any], code: str, fragment: str
) -> None:
    message = refused(client.post(path, headers=SUPERVISOR, json=body), 422, code)
    assert fragment in message
    assert items(client, "/v1/rates") == []
    assert items(client, "/v1/loan-issues") == []


def test_bad_filters_are_refused(client: httpx.Client) -> None:
    refused(client.get("/v1/exceptions", params={"status": "pending"}), 422, "request.invalid")
    refused(client.get("/v1/rates", params={"from": "June"}), 422, "request.invalid")


def test_rules_broken_are_409_and_unknowns_404(client: httpx.Client) -> None:
    ok(client.post("/v1/recognitions", headers=SUPERVISOR, json=RECOGNISE), 201)
    refused(
        client.post("/v1/recognitions", headers=SUPERVISOR, json=RECOGNISE),
        409,
        "recognition.already_recognised",
    )
    refused(
        client.post(
            "/v1/recognitions/NL/suspend",
            headers=SUPERVISOR,
            json={"reason": "x", "suspended_on": "1923-01-01"},
        ),
        404,
        "recognition.not_found",
    )
    directive = {"reference": "D", "addressees": ["FR"], "text": "x", "issued_on": "1923-01-01"}
    refused(
        client.post("/v1/directives", headers=SUPERVISOR, json=directive),
        409,
        "directive.addressee_not_recognised",
    )


def test_an_idempotency_key_repeats_the_answer_and_records_once(client: httpx.Client) -> None:
    headers = {**SUPERVISOR, "Idempotency-Key": "rate-xpm-1922-06-01"}
    first = ok(client.post("/v1/rates", headers=headers, json=RATE), 201)
    assert ok(client.post("/v1/rates", headers=headers, json=RATE), 201) == first
    assert len(items(client, "/v1/rates")) == 1
    refused(
        client.post("/v1/rates", headers=headers, json=RATE | {"rate": "0.0023"}),
        409,
        "idempotency.key_reused",
    )


COMMANDS = {
    "/v1/recognitions",
    "/v1/recognitions/{country}/suspend",
    "/v1/recognitions/{country}/reinstate",
    "/v1/rates",
    "/v1/rates/{currency}/{reporting_currency}/{value_date}/correct",
    "/v1/loan-issues",
    "/v1/directives",
    "/v1/exceptions",
    "/v1/exceptions/{exception_id}/resolve",
}


def test_the_openapi_document_describes_every_command(client: httpx.Client) -> None:
    spec = ok(client.get("/openapi.json"))
    posts = {p: ops["post"] for p, ops in spec["paths"].items() if "post" in ops}
    assert set(posts) >= COMMANDS
    for path in COMMANDS:
        post = posts[path]
        assert post.get("description"), path
        assert any(p["name"] == "Idempotency-Key" for p in post["parameters"]), path
        assert {"403", "409", "422"} <= set(post["responses"]), path
    assert len(WRONG_ROLES) == len(COMMANDS)
    assert ok(client.get("/v1/node"))["kind"] == "international"
