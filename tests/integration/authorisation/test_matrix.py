"""Every endpoint of every kind of node, called by every kind of caller, gets the answer it should.

The expected answers are declared below, route by route, from the resolution's roles (who records
what) and the federation's rules (peers read the feed, supervisors and auditors read the
supervisory view). Each node runs for real (uvicorn on loopback, demo mode: tokens and passwords,
no declared headers); each caller is its own HTTP client: nobody, a peer presenting its feed
token, and a user of each role presenting an API token and a dashboard session. A command is sent
with a body valid for its schema, so a refusal is about the caller, not the input.

A route that appears without a line here fails the test: new endpoints must be given their rule.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from domain.roles import Role
from federation.api.app import create_app
from federation.api.users import UserBook
from federation.settings import NodeKind, Settings
from tests.support.peers import bearer, grant_feed
from tests.support.routes import all_routes, example_body, filled
from tests.support.servers import serving

# Who may call each route. "public": anyone; "peer": only a peer's feed token; "users": any
# user of the node; "page ...": the dashboard, logged-in users in these roles (others are sent
# to log in); "to login": everyone is sent to the login page; otherwise the roles that may call it.
EVERY_NODE = {
    ("ANY", "/static/{path}"): "public",
    ("GET", "/docs"): "public",
    ("GET", "/docs/oauth2-redirect"): "public",
    ("GET", "/redoc"): "public",
    ("GET", "/openapi.json"): "public",
    ("GET", "/healthz"): "public",
    ("GET", "/readyz"): "public",
    ("GET", "/metrics"): "public",
    ("GET", "/v1/node"): "public",
    ("GET", "/v1/federation/status"): "public",
    ("GET", "/v1/log/checkpoint"): "peer",
    ("GET", "/v1/log/entries"): "peer",
    ("GET", "/v1/log/proof/consistency"): "peer",
    ("GET", "/v1/log/proof/inclusion"): "peer",
    ("PUT", "/v1/log/cosignatures/{size}"): "peer",
}
COMMITTEE = {
    **{
        ("GET", path): "users"
        for path in (
            "/v1/books",
            "/v1/books/{table}.csv",
            "/v1/campaigns",
            "/v1/consultations",
            "/v1/loan/subscriptions",
            "/v1/period-reports",
            "/v1/pledges",
            "/v1/procurements",
            "/v1/receipts",
            "/v1/specialists",
            "/v1/surpluses",
            "/v1/transfers",
        )
    },
    ("GET", "/login"): "public",
    ("POST", "/login"): "public",
    ("GET", "/logout"): "to login",
    ("GET", "/desk"): "page treasurer secretary",
    ("POST", "/desk/receipts"): "page treasurer secretary",
    ("POST", "/desk/pledges"): "page treasurer secretary",
    ("POST", "/desk/transfers"): "page treasurer secretary",
    ("POST", "/desk/transfers/{transfer_id}/countersign"): "page treasurer secretary",
    ("POST", "/desk/transfers/{transfer_id}/send"): "page treasurer secretary",
    ("POST", "/v1/committee"): "secretary",
    ("POST", "/v1/committee/delegates"): "secretary",
    ("POST", "/v1/committee/officers"): "secretary",
    ("POST", "/v1/campaigns"): "secretary",
    ("POST", "/v1/campaigns/{code}/close"): "secretary",
    ("POST", "/v1/pledges"): "treasurer secretary",
    ("POST", "/v1/pledges/{pledge_id}/reschedule"): "treasurer",
    ("POST", "/v1/pledges/{pledge_id}/settlements"): "treasurer",
    ("POST", "/v1/pledges/{pledge_id}/cancel"): "treasurer",
    ("POST", "/v1/receipts/cash"): "treasurer",
    ("POST", "/v1/receipts/in-kind"): "treasurer",
    ("POST", "/v1/receipts/import"): "treasurer",
    ("POST", "/v1/receipts/{receipt_id}/reverse"): "treasurer",
    ("POST", "/v1/transfers"): "treasurer",
    ("POST", "/v1/transfers/{transfer_id}/countersign"): "treasurer secretary",
    ("POST", "/v1/transfers/{transfer_id}/send"): "treasurer",
    ("POST", "/v1/transfers/{transfer_id}/cancel"): "treasurer secretary",
    ("POST", "/v1/transfers/{transfer_id}/receipt"): "treasurer",
    ("POST", "/v1/transfers/{transfer_id}/difference"): "treasurer",
    ("POST", "/v1/loan/subscriptions"): "treasurer",
    ("POST", "/v1/loan/subscriptions/{subscription_id}/certificates"): "treasurer",
    ("POST", "/v1/loan/subscriptions/{subscription_id}/coupons"): "treasurer",
    ("POST", "/v1/loan/subscriptions/{subscription_id}/redemptions"): "treasurer",
    ("POST", "/v1/consultations"): "secretary",
    ("POST", "/v1/consultations/{reference}/close"): "secretary",
    ("POST", "/v1/procurements"): "treasurer",
    ("POST", "/v1/procurements/{procurement_id}/shipment"): "treasurer secretary",
    ("POST", "/v1/procurements/{procurement_id}/delivery"): "treasurer secretary",
    ("POST", "/v1/procurements/{procurement_id}/production"): "treasurer secretary",
    ("POST", "/v1/procurements/{procurement_id}/payments"): "treasurer",
    ("POST", "/v1/procurements/{procurement_id}/cancel"): "treasurer",
    ("POST", "/v1/specialists"): "secretary",
    ("POST", "/v1/specialists/{nomination_id}/approval-request"): "secretary",
    ("POST", "/v1/specialists/{nomination_id}/union-decision"): "secretary",
    ("POST", "/v1/specialists/{nomination_id}/funding"): "treasurer",
    ("POST", "/v1/specialists/{nomination_id}/departure"): "secretary",
    ("POST", "/v1/surpluses"): "treasurer",
    ("POST", "/v1/surpluses/{surplus_id}/allocations"): "treasurer secretary",
    ("POST", "/v1/period-reports"): "treasurer",
    ("POST", "/v1/period-reports/{report_id}/approval"): "secretary",
}
SUPERVISORY_LISTS = [
    "agencies",
    "campaigns",
    "committees",
    "consultations",
    "coverage",
    "delegates",
    "deliveries",
    "digest",
    "enterprises",
    "exceptions",
    "in-transit",
    "loans",
    "organisation-types",
    "overview",
    "period-reports",
    "pledges",
    "procurement-totals",
    "procurements",
    "receipts",
    "report-lines",
    "specialists",
    "surplus-allocations",
    "surpluses",
    "transfers",
    "union-decisions",
    "watermark",
]
INTERNATIONAL = {
    ("GET", "/login"): "public",
    ("POST", "/login"): "public",
    ("GET", "/logout"): "to login",
    ("GET", "/assets/plotly.min.js"): "public",
    **{
        ("GET", f"/dashboard{page}"): "page supervisor auditor"
        for page in (
            "",
            "/status",
            "/exceptions",
            "/countries",
            "/flows",
            "/consultations",
            "/audit",
            "/audit/report",
        )
    },
    ("POST", "/dashboard/exceptions/{exception_id}/resolve"): "page supervisor",
    **{("GET", f"/v1/supervisory/{name}"): "supervisor auditor" for name in SUPERVISORY_LISTS},
    ("POST", "/v1/supervisory/rebuild"): "supervisor auditor",
    ("POST", "/v1/supervisory/exceptions/{exception_id}/resolve"): "supervisor",
    ("GET", "/v1/exports/iati.xml"): "supervisor auditor",
    ("GET", "/v1/audit/bundle"): "supervisor auditor",
    ("GET", "/v1/audit/drift"): "supervisor auditor",
    ("POST", "/v1/audit/drift"): "supervisor auditor",
    ("GET", "/v1/recognitions"): "users",
    ("GET", "/v1/rates"): "users",
    ("GET", "/v1/rates/{currency}/{reporting_currency}/on/{day}"): "users",
    ("GET", "/v1/loan-issues"): "users",
    ("GET", "/v1/directives"): "users",
    ("GET", "/v1/exceptions"): "users",
    ("POST", "/v1/recognitions"): "supervisor",
    ("POST", "/v1/recognitions/{country}/suspend"): "supervisor",
    ("POST", "/v1/recognitions/{country}/reinstate"): "supervisor",
    ("POST", "/v1/rates"): "supervisor",
    ("POST", "/v1/rates/{currency}/{reporting_currency}/{value_date}/correct"): "supervisor",
    ("POST", "/v1/loan-issues"): "supervisor",
    ("POST", "/v1/directives"): "supervisor",
    ("POST", "/v1/exceptions"): "supervisor auditor",
    ("POST", "/v1/exceptions/{exception_id}/resolve"): "supervisor",
}
LIAISON = {
    **{
        ("GET", path): "users"
        for path in (
            "/v1/agencies",
            "/v1/consultations",
            "/v1/deliveries",
            "/v1/enterprises",
            "/v1/nominations",
            "/v1/opinions",
            "/v1/procurements",
            "/v1/transfer-receipts",
            "/v1/transfers",
            "/v1/union-decisions",
        )
    },
    ("POST", "/v1/agencies"): "liaison_officer",
    ("POST", "/v1/agencies/{code}/deregister"): "liaison_officer",
    ("POST", "/v1/consultations/{consultation_id}/opinion"): "liaison_officer",
    ("POST", "/v1/consultations/{consultation_id}/opinion/revise"): "liaison_officer",
    ("POST", "/v1/consultations/{consultation_id}/opinion/withdraw"): "liaison_officer",
    ("POST", "/v1/nominations/{nomination_id}/approve"): "union_representative",
    ("POST", "/v1/nominations/{nomination_id}/refuse"): "union_representative",
    ("POST", "/v1/procurements/{procurement_id}/delivery"): "liaison_officer",
    ("POST", "/v1/transfers/{transfer_id}/receipt"): "liaison_officer",
    ("POST", "/v1/enterprises"): "liaison_officer",
}
MATRIX = {
    NodeKind.COMMITTEE: ("DE", EVERY_NODE | COMMITTEE),
    NodeKind.INTERNATIONAL: ("INTL", EVERY_NODE | INTERNATIONAL),
    NodeKind.LIAISON: ("RU-LIAISON", EVERY_NODE | LIAISON),
}
CALLERS = ["anonymous", "peer", *(r.value for r in Role)]
# The pages' forms: what a person types (the desk's commands refuse it after the role check).
FORMS = {"dashboard": {"resolution": "confirmed by the IAH"}, "desk": {"amount": "25.00"}}


def expected(rule: str, caller: str) -> str:
    """What ``caller`` should get from a route under ``rule``: allowed, 401, 403 or login."""
    if rule == "public":
        return "allowed"
    if rule == "to login":
        return "login"
    if rule == "peer":
        return "allowed" if caller == "peer" else "401"
    if rule.startswith("page"):
        if caller in ("anonymous", "peer"):
            return "login"
        return "allowed" if caller in rule.split()[1:] else "403"
    if caller in ("anonymous", "peer"):
        return "401"
    return "allowed" if rule == "users" or caller in rule.split() else "403"


def answer(response: httpx.Response) -> str:
    """What a response amounts to, in the matrix's terms."""
    location = response.headers.get("location", "")
    if response.status_code == 303 and location.startswith("/login"):
        return "login"
    if response.status_code in (401, 403):
        return str(response.status_code)
    assert response.status_code < 500, response.text
    return "allowed"


@pytest.fixture(params=list(MATRIX), ids=lambda kind: str(kind.value))
def node(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    kind: NodeKind = request.param
    node_id, table = MATRIX[kind]
    settings = Settings(node_id=node_id, kind=kind, data_dir=tmp_path / node_id, mode="demo")
    users = UserBook(settings.data_dir)
    for role in Role:
        users.add(role.value, f"A {role.value}", role, f"password of {role.value}", f"t-{role}")
    peer_token = grant_feed(settings.data_dir)
    api = create_app(settings)
    with serving(api) as base:
        clients = {"anonymous": httpx.Client(base_url=base, timeout=30)}
        clients["peer"] = httpx.Client(base_url=base, timeout=30, headers=bearer(peer_token))
        for role in Role:
            client = httpx.Client(base_url=base, timeout=30, headers=bearer(f"t-{role}"))
            if kind is not NodeKind.LIAISON:
                form = {"username": role.value, "password": f"password of {role.value}"}
                assert client.post("/login", data=form).status_code == 303
            clients[role.value] = client
        try:
            yield api, table, clients
        finally:
            for client in clients.values():
                client.close()


def test_every_route_is_in_the_matrix(node: Any) -> None:
    api, table, _ = node
    routes = set(all_routes(api))
    assert routes - set(table) == set(), "routes without an expected answer in the matrix"
    assert set(table) - routes == set(), "matrix lines for routes that no longer exist"
    documented = {(m.upper(), p) for p, ops in api.openapi()["paths"].items() for m in ops}
    assert documented <= routes


def test_every_route_answers_every_caller_as_declared(node: Any) -> None:
    api, table, clients = node
    openapi = api.openapi()
    wrong = []
    # Logging out ends the callers' sessions: last.
    for (method, path), rule in sorted(table.items(), key=lambda line: line[0][1] == "/logout"):
        verb = "GET" if method == "ANY" else method
        body = example_body(openapi, verb, path)
        form = FORMS.get(path.split("/")[1]) if "/" in path[1:] else None
        for caller in CALLERS:
            response = clients[caller].request(
                verb, filled(path), json=body, data=form, follow_redirects=False
            )
            got, want = answer(response), expected(rule, caller)
            if got != want:
                wrong.append(f"{method} {path} as {caller}: {response.status_code}, want {want}")
    assert wrong == [], "\n".join(wrong)


def test_a_refusal_names_the_rule_and_never_echoes_the_token(node: Any) -> None:
    _, table, clients = node
    method, path = next(key for key, rule in sorted(table.items()) if rule == "users")
    response = clients["anonymous"].request(
        method, filled(path), headers=bearer("a-token-of-nobody")
    )
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert "a-token-of-nobody" not in response.text
