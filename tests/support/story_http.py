"""The story of 1922-23 told over HTTP: each person acts on their own node's API.

Decisions travel between the nodes only by federation sync: a step that needs another node's
decision first waits until that node's log has reached this one (`Story.reaches`).
"""

from __future__ import annotations

import httpx

from domain.agency import RussianAgency
from tests.support.actors import command, who
from tests.support.topology import Federation

SECRETARY = who("Caleb Harrison", "secretary")
TREASURER = who("Alfred Wagenknecht", "treasurer")
SECOND_TREASURER = who("Rose Karsner", "treasurer")
SUPERVISOR = who("Willi Münzenberg", "supervisor")
OFFICER = who("Alexander Eiduk", "liaison_officer")
UNION_REP = who("Mikhail Tomsky", "union_representative")
FR_SECRETARY = who("Marcel Cachin", "secretary")
FR_TREASURER = who("Henri Gourdeaux", "treasurer")

TOIKINO = "Toikino farm, Perm province"
NARKOMZEM = str(RussianAgency.id_for("NARKOMZEM"))
METALLIST = str(RussianAgency.id_for("METALLIST"))


def usd(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "USD"}


def frf(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "FRF"}


class Story:
    """An HTTP client per node, and the federation to wait on."""

    def __init__(self, nodes: Federation, clients: dict[str, httpx.Client]) -> None:
        self.nodes = nodes
        self.us, self.fr = clients["US"], clients["FR"]
        self.intl, self.liaison = clients["INTL"], clients["RU-LIAISON"]

    def reaches(self, follower: str, upstream: str) -> None:
        """Wait until what ``upstream`` recorded so far has reached ``follower`` by sync."""
        self.nodes.wait_caught_up(follower, upstream)


def found_the_american_committee(s: Story) -> None:
    for code, name, kind, parent in (
        ("NARKOMZEM", "People's Commissariat of Agriculture", "state_body", None),
        ("VTSSPS", "All-Russian Central Council of Trade Unions", "trade_union", None),
        ("METALLIST", "Metalworkers' union", "trade_union", "VTSSPS"),
    ):
        body = {
            "code": code,
            "name": name,
            "kind": kind,
            "parent_code": parent,
            "registered_on": "1921-06-01",
        }
        command(s.liaison, "/v1/agencies", body, OFFICER)
    constitution = {
        "name": "Friends of Soviet Russia",
        "national_section": "Workers Party of America",
        "constituted_on": "1921-08-09",
    }
    command(s.us, "/v1/committee", constitution, SECRETARY)
    appointment = {"person": "Alfred Wagenknecht", "office": "treasurer"}
    command(s.us, "/v1/committee/officers", appointment, SECRETARY, 200)
    campaign = {
        "code": "tractors",
        "title": "Tractors for Soviet Russia",
        "kind": "collection",
        "national_section": None,
        "opened_on": "1921-08-09",
    }
    command(s.us, "/v1/campaigns", campaign, SECRETARY)
    collection = {
        "campaign_code": "tractors",
        "contributor": "Amalgamated Clothing Workers",
        "organisation_type": "trade_union",
        "amount": usd("50000.00"),
        "value_date": "1922-01-05",
    }
    command(s.us, "/v1/receipts/cash", collection, TREASURER)
    recognition = {
        "country": "US",
        "committee_name": "Friends of Soviet Russia",
        "recognised_on": "1921-09-01",
    }
    command(s.intl, "/v1/recognitions", recognition, SUPERVISOR)


PROCUREMENT = {
    "reference": "PO-17",
    "consultation_reference": "FSR-1922-03",
    "category": "machines",
    "description": "20 Case tractors and a Fordson",
    "supplier": "J. I. Case Threshing Machine Co.",
    "enterprise": TOIKINO,
    "agency_id": NARKOMZEM,
    "amount": usd("20000.00"),
    "committed_on": "1922-04-01",
}


def buy_the_tractors(s: Story) -> str:
    consultation = {
        "reference": "FSR-1922-03",
        "purpose": "tractors for the Toikino farm",
        "category": "machines",
        "ceiling": usd("30000.00"),
        "agency_id": NARKOMZEM,
        "agency_name": "People's Commissariat of Agriculture",
        "requested_on": "1922-03-01",
    }
    consultation_id = command(s.us, "/v1/consultations", consultation, SECRETARY)["consultation_id"]
    # No opinion has reached the committee: the procurement is refused, naming what is missing.
    refused = s.us.post("/v1/procurements", json=PROCUREMENT, headers=TREASURER)
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"]["code"] == "procurement.opinion_missing"

    s.reaches("RU-LIAISON", "US")
    opinion = {
        "agency_code": "NARKOMZEM",
        "verdict": "concur",
        "valid_until": "1922-12-31",
        "recorded_on": "1922-03-10",
    }
    command(s.liaison, f"/v1/consultations/{consultation_id}/opinion", opinion, OFFICER)
    s.reaches("US", "RU-LIAISON")
    tractors: str = command(s.us, "/v1/procurements", PROCUREMENT, TREASURER)["id"]
    shipment = {"shipped_on": "1922-05-02", "carrier": "SS Stockholm"}
    command(s.us, f"/v1/procurements/{tractors}/shipment", shipment, SECRETARY, 200)
    payment = {"amount": usd("20000.00"), "paid_on": "1922-04-20"}
    command(s.us, f"/v1/procurements/{tractors}/payments", payment, SECOND_TREASURER)
    return tractors


def deliver_and_produce(s: Story, tractors: str) -> None:
    s.reaches("RU-LIAISON", "US")
    delivery = {"delivered_on": "1922-06-20", "confirmed_on": "1922-06-25"}
    command(s.liaison, f"/v1/procurements/{tractors}/delivery", delivery, OFFICER)
    farm = {"name": TOIKINO, "procurement_ids": [tractors], "in_production_on": "1922-08-01"}
    command(s.liaison, "/v1/enterprises", farm, OFFICER)
    s.reaches("US", "RU-LIAISON")
    command(s.us, f"/v1/procurements/{tractors}/delivery", None, SECRETARY, 200)
    command(s.us, f"/v1/procurements/{tractors}/production", None, SECRETARY, 200)


def send_the_mechanic(s: Story) -> None:
    nomination = {
        "reference": "SP-1",
        "persons": ["Harold Ware"],
        "trade": "tractor mechanic",
        "enterprise": TOIKINO,
        "urgency": "urgent",
        "union_id": METALLIST,
        "union_name": "Metalworkers' union",
        "nominated_on": "1922-04-10",
    }
    mechanic = command(s.us, "/v1/specialists", nomination, SECRETARY)["id"]
    request = {"on": "1922-04-12"}
    command(s.us, f"/v1/specialists/{mechanic}/approval-request", request, SECRETARY, 200)
    s.reaches("RU-LIAISON", "US")
    approval = {"union_code": "METALLIST", "decided_on": "1922-04-20"}
    command(s.liaison, f"/v1/nominations/{mechanic}/approve", approval, UNION_REP)
    s.reaches("US", "RU-LIAISON")
    command(s.us, f"/v1/specialists/{mechanic}/union-decision", None, SECRETARY, 200)
    funding = {"amount": usd("350.00"), "funded_on": "1922-04-25"}
    command(s.us, f"/v1/specialists/{mechanic}/funding", funding, TREASURER)
    departure = {"on": "1922-05-10"}
    command(s.us, f"/v1/specialists/{mechanic}/departure", departure, SECRETARY, 200)


def subscribe_to_the_loan(s: Story) -> None:
    issue = {
        "code": "IAA-1922",
        "name": "Internationale Arbeiteranleihe",
        "coupon_rate": "0.05",
        "term_years": 10,
        "denominations": [frf("25.00"), frf("100.00")],
        "authorised_on": "1922-08-22",
    }
    command(s.intl, "/v1/loan-issues", issue, SUPERVISOR)
    constitution = {
        "name": "Comité de secours ouvrier",
        "national_section": "PCF",
        "constituted_on": "1921-09-01",
    }
    command(s.fr, "/v1/committee", constitution, FR_SECRETARY)
    appointment = {"person": "Henri Gourdeaux", "office": "treasurer"}
    command(s.fr, "/v1/committee/officers", appointment, FR_SECRETARY, 200)
    s.reaches("FR", "INTL")
    metalworkers = {
        "reference": "FR-L-1",
        "issue_code": "IAA-1922",
        "subscriber": "Fédération des métaux",
        "subscriber_type": "trade_union",
        "amount": frf("150.00"),
        "subscribed_on": "1922-10-01",
    }
    bond = command(s.fr, "/v1/loan/subscriptions", metalworkers, FR_TREASURER)["subscription_id"]
    certificates = {
        "issued_on": "1922-10-01",
        "certificates": [
            {"number": "FR-000001", "face_value": frf("100.00")},
            {"number": "FR-000002", "face_value": frf("25.00")},
            {"number": "FR-000003", "face_value": frf("25.00")},
        ],
    }
    command(s.fr, f"/v1/loan/subscriptions/{bond}/certificates", certificates, FR_TREASURER)
    cooperative = {
        "reference": "FR-L-2",
        "issue_code": "IAA-1922",
        "subscriber": "Coopérative La Bellevilloise",
        "subscriber_type": "cooperative",
        "amount": frf("25.00"),
        "subscribed_on": "1922-10-02",
    }
    command(s.fr, "/v1/loan/subscriptions", cooperative, FR_TREASURER)


def allocate_the_surplus(s: Story) -> None:
    surplus = {"period_end": "1922-12-31", "amount": usd("5000.00"), "declared_on": "1923-01-05"}
    declared = command(s.us, "/v1/surpluses", surplus, TREASURER)["surplus_id"]
    expansion = {
        "code": "tractors-1923",
        "title": "A second tractor column",
        "kind": "expansion",
        "national_section": None,
        "opened_on": "1923-01-06",
    }
    command(s.us, "/v1/campaigns", expansion, SECRETARY)
    allocation = {
        "campaign_code": "tractors-1923",
        "amount": usd("5000.00"),
        "allocated_on": "1923-01-07",
    }
    command(s.us, f"/v1/surpluses/{declared}/allocations", allocation, SECRETARY)
