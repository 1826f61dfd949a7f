"""Every committee command, over HTTP, refused to the roles that do not belong on a committee."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from domain.committee import OrganisationType
from domain.loan import LoanIssue, SubscriberType
from domain.money import Money
from domain.pledge import Instalment
from domain.roles import Actor, Role
from federation.api.app import create_app
from federation.node.base import NodeApplication
from federation.node.committee import CashReceiptLine, CommitteeApplication
from federation.settings import NodeKind
from tests.conftest import SettingsFactory
from tests.support import liaison_story as story
from tests.support.relay import relay
from tests.support.servers import serving
from tests.support.story import CAMPAIGN, TREASURER

USD = {"amount": "10.00", "currency": "USD"}
DAY = "1922-06-01"


@pytest.fixture(params=["sqlite"])
def persistence(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def committee(node_settings: SettingsFactory) -> Iterator[tuple[httpx.Client, dict[str, str]]]:
    """A committee with one of everything a command can act on; the ids by name."""
    intl = NodeApplication(node_settings("INTL", NodeKind.INTERNATIONAL))
    intl.save(
        LoanIssue.authorise(
            code="IAA-1922",
            name="Workers' loan",
            coupon_rate=Decimal("0.05"),
            term_years=10,
            denominations=[Money.of("10.00", "USD")],
            on=date(1922, 8, 22),
            actor=Actor("Willi Münzenberg", Role.SUPERVISOR),
        )
    )
    api = create_app(node_settings("US"))
    with serving(api) as base, httpx.Client(base_url=base, timeout=30) as client:
        app: CommitteeApplication = api.state.node
        relay(intl, app)
        story.found_committee(app)
        ids = _everything(app)
        yield client, ids
    intl.close()


def _everything(app: CommitteeApplication) -> dict[str, str]:
    usd = story.usd
    pledge = app.record_pledge(
        TREASURER,
        campaign_code=CAMPAIGN,
        pledger="ILGWU Local 1",
        organisation_type=OrganisationType.TRADE_UNION,
        total=usd("20.00"),
        schedule=[Instalment(date(1922, 7, 1), usd("20.00"))],
        on=date(1922, 6, 1),
    )
    receipt = app.record_cash_receipt(
        TREASURER,
        CashReceiptLine(
            CAMPAIGN, "Anna", OrganisationType.WORKERS_CIRCLE, usd("5.00"), date(1922, 6, 1)
        ),
    )
    transfer = story.transfer(app, "INTL", "100.00")
    initiated = story.transfer(app, "INTL", "10.00", send=False)
    story.consult(app, "FSR-C-1")
    nomination = story.nominate(app, "SP-1")
    loan = app.record_loan_subscription(
        TREASURER,
        reference="L-1",
        issue_code="IAA-1922",
        subscriber="ILGWU",
        subscriber_type=SubscriberType.TRADE_UNION,
        amount=usd("10.00"),
        on=date(1922, 9, 1),
    )
    surplus = app.declare_surplus(
        TREASURER, period_end=date(1922, 12, 31), amount=usd("10.00"), on=date(1923, 1, 2)
    )
    return {
        "pledge": pledge["pledge_id"],
        "receipt": receipt["receipt_id"],
        "sent": str(transfer),
        "initiated": str(initiated),
        "nomination": str(nomination),
        "loan": loan["subscription_id"],
        "surplus": surplus["surplus_id"],
        "procurement": "00000000-0000-0000-0000-000000000000",
    }


AGENCY = "6b1f2a5e-0000-5000-8000-000000000001"

# (path, body): every command a committee's officers issue.
COMMANDS: list[tuple[str, dict[str, Any] | None]] = [
    (
        "/v1/committee/delegates",
        {"delegate": "x", "organisation": "y", "organisation_type": "other"},
    ),
    ("/v1/committee/officers", {"person": "x", "office": "treasurer"}),
    ("/v1/campaigns", {"code": "c2", "title": "t", "kind": "collection", "opened_on": DAY}),
    ("/v1/campaigns/famine-relief-1922/close", {"closed_on": DAY}),
    (
        "/v1/pledges",
        {
            "campaign_code": "famine-relief-1922",
            "pledger": "x",
            "organisation_type": "other",
            "total": USD,
            "pledged_on": DAY,
            "schedule": [{"due_on": DAY, "amount": USD}],
        },
    ),
    (
        "/v1/pledges/{pledge}/reschedule",
        {"schedule": [{"due_on": DAY, "amount": USD}], "reason": "r"},
    ),
    (
        "/v1/pledges/{pledge}/settlements",
        {"due_on": "1922-07-01", "actual": USD, "value_date": DAY},
    ),
    ("/v1/pledges/{pledge}/cancel", {"reason": "r"}),
    (
        "/v1/receipts/cash",
        {
            "campaign_code": "famine-relief-1922",
            "contributor": "x",
            "organisation_type": "other",
            "amount": USD,
            "value_date": DAY,
        },
    ),
    (
        "/v1/receipts/in-kind",
        {
            "campaign_code": "famine-relief-1922",
            "contributor": "x",
            "organisation_type": "other",
            "description": "flour",
            "valuation": USD,
            "value_date": DAY,
        },
    ),
    ("/v1/receipts/{receipt}/reverse", {"reason": "r", "reversed_on": DAY}),
    ("/v1/transfers", {"recipient": "INTL", "amount": USD, "purpose": "p", "initiated_on": DAY}),
    ("/v1/transfers/{initiated}/countersign", None),
    ("/v1/transfers/{initiated}/cancel", {"reason": "r"}),
    ("/v1/transfers/{sent}/difference", {"reason": "r"}),
    (
        "/v1/loan/subscriptions",
        {
            "reference": "L-2",
            "issue_code": "IAA-1922",
            "subscriber": "x",
            "subscriber_type": "other",
            "amount": USD,
            "subscribed_on": DAY,
        },
    ),
    (
        "/v1/loan/subscriptions/{loan}/certificates",
        {"certificates": [{"number": "1", "face_value": USD}], "issued_on": DAY},
    ),
    (
        "/v1/loan/subscriptions/{loan}/coupons",
        {"year": 1, "amount": {"amount": "0.50", "currency": "USD"}, "paid_on": DAY},
    ),
    ("/v1/loan/subscriptions/{loan}/redemptions", {"amount": USD, "redeemed_on": DAY}),
    (
        "/v1/consultations",
        {
            "reference": "C-2",
            "purpose": "p",
            "category": "machines",
            "ceiling": USD,
            "agency_id": AGENCY,
            "agency_name": "a",
            "requested_on": DAY,
        },
    ),
    ("/v1/consultations/FSR-C-1/close", {"reason": "r", "closed_on": DAY}),
    (
        "/v1/procurements",
        {
            "reference": "P-1",
            "consultation_reference": "FSR-C-1",
            "category": "machines",
            "description": "d",
            "supplier": "s",
            "enterprise": "e",
            "agency_id": AGENCY,
            "amount": USD,
            "committed_on": DAY,
        },
    ),
    (
        "/v1/specialists",
        {
            "reference": "SP-2",
            "persons": ["x"],
            "trade": "t",
            "enterprise": "e",
            "urgency": "urgent",
            "union_id": AGENCY,
            "union_name": "u",
            "nominated_on": DAY,
        },
    ),
    ("/v1/specialists/{nomination}/union-decision", None),
    ("/v1/specialists/{nomination}/departure", {"on": DAY}),
    ("/v1/specialists/{nomination}/funding", {"amount": USD, "funded_on": DAY}),
    ("/v1/surpluses", {"period_end": "1923-06-30", "amount": USD, "declared_on": "1923-07-01"}),
    (
        "/v1/surpluses/{surplus}/allocations",
        {"campaign_code": "famine-relief-1922", "amount": USD, "allocated_on": DAY},
    ),
    (
        "/v1/period-reports",
        {
            "period_start": "1922-01-01",
            "period_end": "1922-06-30",
            "submitted_on": "1922-07-01",
            "assertions": [{"cash_on_hand": USD, "in_transit": USD, "in_kind": USD}],
        },
    ),
]


@pytest.mark.parametrize(
    "role", ["supervisor", "liaison_officer", "union_representative", "auditor"]
)
def test_roles_outside_a_committee_are_refused_every_command(
    committee: tuple[httpx.Client, dict[str, str]], role: str
) -> None:
    client, ids = committee
    headers = {"X-Actor": quote("Somebody Else"), "X-Role": role}
    before = client.get("/v1/receipts").json()
    for path, body in COMMANDS:
        response = client.post(path.format(**ids), json=body, headers=headers)
        assert response.status_code == 403, (path, response.text)
        assert response.json()["error"]["code"] == "role.not_permitted", path
    assert client.get("/v1/receipts").json() == before


@pytest.mark.parametrize(
    ("path", "body", "role"),
    [
        ("/v1/receipts/cash", COMMANDS[8][1], "secretary"),
        ("/v1/transfers", COMMANDS[11][1], "secretary"),
        ("/v1/campaigns", COMMANDS[2][1], "treasurer"),
        ("/v1/consultations", COMMANDS[19][1], "treasurer"),
        ("/v1/specialists", COMMANDS[22][1], "treasurer"),
        ("/v1/loan/subscriptions", COMMANDS[15][1], "secretary"),
        ("/v1/surpluses", COMMANDS[26][1], "secretary"),
    ],
)
def test_each_office_keeps_to_its_own_duties(
    committee: tuple[httpx.Client, dict[str, str]], path: str, body: dict[str, Any], role: str
) -> None:
    client, _ = committee
    response = client.post(path, json=body, headers={"X-Actor": "Someone", "X-Role": role})
    assert response.status_code == 403, response.text
    assert response.json()["error"]["code"] == "role.not_permitted"
