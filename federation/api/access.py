"""Who may call what: the authorisation rule of every route of every kind of node, in one table.

Checked before a request's body is read or any record is looked up, so a person without the role
is refused the same way whatever the state of the books (403), and someone who is not logged in
is asked to (401). The domain checks the roles again when a command runs (defence in depth);
this table must name the same roles, which the authorisation matrix test holds it to.

  PUBLIC    anyone: health, readiness, metrics, the node's identity, the login page
  PEER      the federation feed: only a peer's token (checked by the log router's dependency)
  PAGE      the dashboard's pages: a logged-in supervisor or auditor (checked by the page)
  USERS     any user of this node, by API token or dashboard session
  roles     users acting in one of the named roles
A route the table does not name is for users of the node (never anonymous).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Request

from domain.errors import NotPermitted
from domain.roles import Role
from federation.api.deps import current_actor
from federation.settings import NodeKind


@dataclass(frozen=True, slots=True)
class Rule:
    """Who may call a route: ``open`` to anyone, a ``checker`` elsewhere, or users in ``roles``."""

    name: str
    roles: tuple[Role, ...] = ()
    open: bool = False


PUBLIC = Rule("public", open=True)
PEER = Rule("peer", open=True)  # the log router's feed_reader dependency checks the peer
PAGE = Rule("page", open=True)  # the page's SupervisorDep checks the session and role
USERS = Rule("users")


def roles(*allowed: Role) -> Rule:
    """Users acting in one of ``allowed``."""
    return Rule(" or ".join(r.value for r in allowed), allowed)


T, S, SUP, LO, UR, AUD = (
    Role.TREASURER,
    Role.SECRETARY,
    Role.SUPERVISOR,
    Role.LIAISON_OFFICER,
    Role.UNION_REPRESENTATIVE,
    Role.AUDITOR,
)
SUPERVISION = roles(SUP, AUD)

EVERY_NODE: dict[tuple[str, str], Rule] = {
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/readyz"): PUBLIC,
    ("GET", "/metrics"): PUBLIC,
    ("GET", "/v1/node"): PUBLIC,
    ("GET", "/v1/federation/status"): PUBLIC,
    ("GET", "/v1/log/checkpoint"): PEER,
    ("GET", "/v1/log/entries"): PEER,
    ("GET", "/v1/log/proof/consistency"): PEER,
    ("GET", "/v1/log/proof/inclusion"): PEER,
    ("PUT", "/v1/log/cosignatures/{size}"): PEER,
}

COMMITTEE: dict[tuple[str, str], Rule] = {
    ("POST", "/v1/committee"): roles(S),
    ("POST", "/v1/committee/delegates"): roles(S),
    ("POST", "/v1/committee/officers"): roles(S),
    ("POST", "/v1/campaigns"): roles(S),
    ("POST", "/v1/campaigns/{code}/close"): roles(S),
    ("POST", "/v1/pledges"): roles(T, S),
    ("POST", "/v1/pledges/{pledge_id}/reschedule"): roles(T),
    ("POST", "/v1/pledges/{pledge_id}/settlements"): roles(T),
    ("POST", "/v1/pledges/{pledge_id}/cancel"): roles(T),
    ("POST", "/v1/receipts/cash"): roles(T),
    ("POST", "/v1/receipts/in-kind"): roles(T),
    ("POST", "/v1/receipts/import"): roles(T),
    ("POST", "/v1/receipts/{receipt_id}/reverse"): roles(T),
    ("POST", "/v1/transfers"): roles(T),
    ("POST", "/v1/transfers/{transfer_id}/countersign"): roles(T, S),
    ("POST", "/v1/transfers/{transfer_id}/send"): roles(T),
    ("POST", "/v1/transfers/{transfer_id}/cancel"): roles(T, S),
    ("POST", "/v1/transfers/{transfer_id}/receipt"): roles(T),
    ("POST", "/v1/transfers/{transfer_id}/difference"): roles(T),
    ("POST", "/v1/loan/subscriptions"): roles(T),
    ("POST", "/v1/loan/subscriptions/{subscription_id}/certificates"): roles(T),
    ("POST", "/v1/loan/subscriptions/{subscription_id}/coupons"): roles(T),
    ("POST", "/v1/loan/subscriptions/{subscription_id}/redemptions"): roles(T),
    ("POST", "/v1/consultations"): roles(S),
    ("POST", "/v1/consultations/{reference}/close"): roles(S),
    ("POST", "/v1/procurements"): roles(T),
    ("POST", "/v1/procurements/{procurement_id}/shipment"): roles(T, S),
    ("POST", "/v1/procurements/{procurement_id}/delivery"): roles(T, S),
    ("POST", "/v1/procurements/{procurement_id}/production"): roles(T, S),
    ("POST", "/v1/procurements/{procurement_id}/payments"): roles(T),
    ("POST", "/v1/procurements/{procurement_id}/cancel"): roles(T),
    ("POST", "/v1/specialists"): roles(S),
    ("POST", "/v1/specialists/{nomination_id}/approval-request"): roles(S),
    ("POST", "/v1/specialists/{nomination_id}/union-decision"): roles(S),
    ("POST", "/v1/specialists/{nomination_id}/funding"): roles(T),
    ("POST", "/v1/specialists/{nomination_id}/departure"): roles(S),
    ("POST", "/v1/surpluses"): roles(T),
    ("POST", "/v1/surpluses/{surplus_id}/allocations"): roles(T, S),
    ("POST", "/v1/period-reports"): roles(T),
    ("POST", "/v1/period-reports/{report_id}/approval"): roles(S),
}

INTERNATIONAL: dict[tuple[str, str], Rule] = {
    ("GET", "/login"): PUBLIC,
    ("POST", "/login"): PUBLIC,
    ("GET", "/logout"): PUBLIC,
    ("GET", "/assets/plotly.min.js"): PUBLIC,
    ("POST", "/v1/recognitions"): roles(SUP),
    ("POST", "/v1/recognitions/{country}/suspend"): roles(SUP),
    ("POST", "/v1/recognitions/{country}/reinstate"): roles(SUP),
    ("POST", "/v1/rates"): roles(SUP),
    ("POST", "/v1/rates/{currency}/{reporting_currency}/{value_date}/correct"): roles(SUP),
    ("POST", "/v1/loan-issues"): roles(SUP),
    ("POST", "/v1/directives"): roles(SUP),
    ("POST", "/v1/exceptions"): roles(SUP, AUD),
    ("POST", "/v1/exceptions/{exception_id}/resolve"): roles(SUP),
    ("POST", "/v1/supervisory/exceptions/{exception_id}/resolve"): roles(SUP),
    ("POST", "/v1/supervisory/rebuild"): roles(SUP, AUD),
    ("GET", "/v1/exports/iati.xml"): SUPERVISION,
    ("GET", "/v1/audit/bundle"): SUPERVISION,
    ("GET", "/v1/audit/drift"): SUPERVISION,
    ("POST", "/v1/audit/drift"): SUPERVISION,
}

LIAISON: dict[tuple[str, str], Rule] = {
    ("POST", "/v1/agencies"): roles(LO),
    ("POST", "/v1/agencies/{code}/deregister"): roles(LO),
    ("POST", "/v1/consultations/{consultation_id}/opinion"): roles(LO),
    ("POST", "/v1/consultations/{consultation_id}/opinion/revise"): roles(LO),
    ("POST", "/v1/consultations/{consultation_id}/opinion/withdraw"): roles(LO),
    ("POST", "/v1/nominations/{nomination_id}/approve"): roles(UR),
    ("POST", "/v1/nominations/{nomination_id}/refuse"): roles(UR),
    ("POST", "/v1/procurements/{procurement_id}/delivery"): roles(LO),
    ("POST", "/v1/transfers/{transfer_id}/receipt"): roles(LO),
    ("POST", "/v1/enterprises"): roles(LO),
}

TABLES = {
    NodeKind.COMMITTEE: COMMITTEE,
    NodeKind.INTERNATIONAL: INTERNATIONAL,
    NodeKind.LIAISON: LIAISON,
}


def rule_for(kind: NodeKind, method: str, path: str) -> Rule:
    """The rule of a route; the supervisory view and the dashboard by their prefixes."""
    key = (method, path)
    if key in EVERY_NODE:
        return EVERY_NODE[key]
    if key in TABLES[kind]:
        return TABLES[kind][key]
    if path.startswith(("/dashboard", "/desk")):
        return PAGE
    if path in ("/login", "/logout"):
        return PUBLIC
    if kind is NodeKind.INTERNATIONAL and path.startswith("/v1/supervisory/"):
        return SUPERVISION
    return USERS


def route_template(request: Request) -> str:
    """The matched route's full path template, e.g. ``/v1/supervisory/{name}``.

    The route in the request's scope knows only its path inside the innermost router it was
    declared in; the prefixes of the routers around it are the rest of the request's path.
    """
    route: Any = request.scope.get("route")
    template = str(getattr(route, "path", ""))
    tail = template
    for name, value in request.path_params.items():
        tail = tail.replace(f"{{{name}}}", str(value))
    path = request.url.path
    if tail and path.endswith(tail):
        return path[: len(path) - len(tail)] + template
    return template


def authorise(request: Request) -> None:
    """Refuse the request unless its route's rule lets the caller in (401 or 403)."""
    template = route_template(request)
    kind: NodeKind = request.app.state.node.settings.kind
    rule = rule_for(kind, request.method, template)
    if rule.open:
        return
    headers = request.headers
    actor = current_actor(
        request, headers.get("authorization"), headers.get("x-actor"), headers.get("x-role")
    )
    request.state.actor = actor  # for the request's log line
    if rule.roles and actor.role not in rule.roles:
        raise NotPermitted(
            "role.not_permitted",
            f"{request.method} {template} is for a {rule.name}; "
            f"{actor.person} acts as {actor.role.value}",
        )
