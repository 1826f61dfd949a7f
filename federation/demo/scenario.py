"""The 1922-23 scenario, recorded through the nodes' public APIs as their users would.

Figures follow ../shared/reference/history-1922.md: Münzenberg's report of 5 May 1922 (country
collections by 1 April 1922 with their mark equivalents), the workers' loan of August 1922 (5 %,
ten years, 25-franc bonds), the American tractor column for the Toikino farm, one mechanic
approved by the metalworkers' union. Every command carries a fixed Idempotency-Key, so seeding
again records nothing twice. A few breaches are left in on purpose for the supervisors to find.
"""

from __future__ import annotations

import time
from typing import Any

import httpx

from domain.agency import RussianAgency
from federation.demo.topology import BY_ID, NODES, DemoNode

D = "1922-04-01"  # the date of Münzenberg's figures


def money(amount: str, code: str) -> dict[str, str]:
    return {"amount": amount, "currency": code}


class Seeder:
    """Records commands on the demo nodes and waits for their events to sync."""

    def __init__(self, base_port: int) -> None:
        self.base_port = base_port
        self.clients = {
            n.node_id: httpx.Client(base_url=n.url(base_port), timeout=60) for n in NODES
        }

    def close(self) -> None:
        for client in self.clients.values():
            client.close()

    def act(self, node_id: str, user: str, path: str, body: Any = None, *, key: str) -> Any:
        """POST a command as ``user`` of ``node_id``; refusals stop the demo with their reason."""
        node = BY_ID[node_id]
        headers = {
            "Authorization": f"Bearer {node.token(user)}",
            "Idempotency-Key": f"demo-{node_id}-{key}",
        }
        response = self.clients[node_id].post(path, json=body, headers=headers)
        if response.status_code >= 400:
            raise RuntimeError(f"{node_id} {path}: {response.status_code} {response.text}")
        return response.json()

    def synced(self, target: str, *upstreams: str, timeout: float = 60) -> None:
        """Wait until ``target`` holds everything its upstreams have logged."""
        deadline = time.monotonic() + timeout
        sizes = {u: self.clients[u].get("/v1/node").json()["log_size"] for u in upstreams}
        while time.monotonic() < deadline:
            status = {
                r["upstream"]: r["cursor"]
                for r in self.clients[target].get("/v1/federation/status").json()
            }
            if all(status.get(u, 0) >= size for u, size in sizes.items()):
                return
            time.sleep(0.2)
        raise RuntimeError(
            f"{target} did not catch up with {', '.join(upstreams)} in {timeout:.0f} s"
        )


def agency(code: str) -> str:
    return str(RussianAgency.id_for(code))


def seed(s: Seeder) -> None:
    """The whole scenario, in the order things happened."""
    international(s)
    liaison(s)
    for node in NODES:
        if node.kind.value == "committee":
            committee(s, node)
    s.synced("RU-LIAISON", "DE", "FR", "US", "NO", "CS")
    tractor_column(s)
    mechanic(s)
    workers_loan(s)
    breaches(s)
    s.synced("INTL", *(n.node_id for n in NODES if n.node_id != "INTL"))


def international(s: Seeder) -> None:
    for node in NODES[2:]:
        s.act(
            "INTL",
            "supervisor",
            "/v1/recognitions",
            {
                "country": node.node_id,
                "committee_name": node.name,
                "recognised_on": "1921-09-01",
            },
            key=f"recognise-{node.node_id}",
        )
    # Mark equivalents of 1 April 1922 (Münzenberg, 5 May 1922); the dollar is approximate.
    for code, rate in (
        ("NOK", "55"),
        ("FRF", "28"),
        ("CSK", "60"),
        ("CHF", "58"),
        ("DKK", "65"),
        ("USD", "290"),
    ):
        s.act(
            "INTL",
            "supervisor",
            "/v1/rates",
            {
                "currency": code,
                "reporting_currency": "XPM",
                "rate": rate,
                "value_date": D,
                "source": "IAH report of 5 May 1922",
            },
            key=f"rate-{code}",
        )
    s.act(
        "INTL",
        "supervisor",
        "/v1/loan-issues",
        {
            "code": "IAA-1922",
            "name": "Internationale Arbeiteranleihe 1922",
            "coupon_rate": "0.05",
            "term_years": 10,
            "authorised_on": "1922-08-22",
            "denominations": [
                money("25.00", "FRF"),
                money("100.00", "FRF"),
                money("10.00", "USD"),
                money("50.00", "USD"),
                money("10.00", "NOK"),
            ],
        },
        key="loan-issue",
    )


AGENCIES = (
    ("VSNKH", "Supreme Council of the National Economy", "state_body", None),
    ("NKVT", "People's Commissariat of Foreign Trade", "state_body", None),
    ("NARKOMZEM", "People's Commissariat of Agriculture", "state_body", None),
    ("VTSSPS", "All-Russian Central Council of Trade Unions", "trade_union", None),
    ("METALLIST", "All-Russian Union of Metalworkers", "trade_union", "VTSSPS"),
    ("GORNYAKI", "All-Russian Union of Miners", "trade_union", "VTSSPS"),
    ("TSENTROSOYUZ", "Central Union of Consumer Cooperatives", "cooperative_union", None),
)


def liaison(s: Seeder) -> None:
    for code, name, kind, parent in AGENCIES:
        s.act(
            "RU-LIAISON",
            "liaison",
            "/v1/agencies",
            {
                "code": code,
                "name": name,
                "kind": kind,
                "parent_code": parent,
                "registered_on": "1921-08-01",
            },
            key=f"agency-{code}",
        )


# Country collections by 1 April 1922 (cash), and goods in kind where the sources give them.
COLLECTIONS = {
    "DE": [("Metallarbeiter-Verband, Berlin", "trade_union", "7000000.00", "XPM")],
    "FR": [
        ("Fédération des métaux", "trade_union", "900000.00", "FRF"),
        ("Coopérative La Bellevilloise", "cooperative", "500000.00", "FRF"),
        ("Section de la Seine, PCF", "party_branch", "300000.00", "FRF"),
    ],
    "US": [
        ("Amalgamated Clothing Workers", "trade_union", "150000.00", "USD"),
        ("Finnish Workers' Clubs", "workers_circle", "100000.00", "USD"),
    ],
    "NO": [("Arbeidernes Faglige Landsorganisasjon", "trade_union", "300000.00", "NOK")],
    "CS": [
        ("Svaz kovodělníků", "trade_union", "150000.00", "CSK"),
        ("Družstvo Včela", "cooperative", "100000.00", "CSK"),
    ],
}
IN_KIND = {
    "DE": (
        "Konsumgenossenschaft Hamburg",
        "cooperative",
        "cargo of the first relief ship from Stettin, 15 Oct 1921",
        "33000000.00",
        "XPM",
    ),
    "US": ("Needle trades' unions", "trade_union", "clothing for the Volga", "300000.00", "USD"),
}


def committee(s: Seeder, node: DemoNode) -> None:
    n = node.node_id
    secretary, treasurer, _ = (p for _, p, _ in node.users)
    s.act(
        n,
        "secretary",
        "/v1/committee",
        {
            "name": node.name,
            "national_section": f"Communist Party ({n})",
            "constituted_on": "1921-08-20",
        },
        key="constitute",
    )
    s.act(
        n,
        "secretary",
        "/v1/committee/officers",
        {"person": treasurer, "office": "treasurer"},
        key="treasurer",
    )
    s.act(
        n,
        "secretary",
        "/v1/campaigns",
        {
            "code": "famine-1921",
            "title": "Famine relief for Soviet Russia",
            "kind": "collection",
            "opened_on": "1921-08-20",
        },
        key="campaign",
    )
    for i, (who, kind, amount, code) in enumerate(COLLECTIONS[n]):
        s.act(
            n,
            "secretary",
            "/v1/committee/delegates",
            {"delegate": f"Delegate of {who}", "organisation": who, "organisation_type": kind},
            key=f"delegate-{i}",
        )
        s.act(
            n,
            "treasurer",
            "/v1/receipts/cash",
            {
                "campaign_code": "famine-1921",
                "contributor": who,
                "organisation_type": kind,
                "amount": money(amount, code),
                "value_date": D,
                "reference": f"{n}-1922-{i:04d}",
            },
            key=f"receipt-{i}",
        )
    if n in IN_KIND:
        who, kind, what, amount, code = IN_KIND[n]
        s.act(
            n,
            "treasurer",
            "/v1/receipts/in-kind",
            {
                "campaign_code": "famine-1921",
                "contributor": who,
                "organisation_type": kind,
                "description": what,
                "valuation": money(amount, code),
                "value_date": D,
            },
            key="in-kind",
        )
    _ = secretary


def tractor_column(s: Seeder) -> None:
    """FSR consults Narkomzem, buys 20 Case tractors and a Fordson for the Toikino farm."""
    c = s.act(
        "US",
        "secretary",
        "/v1/consultations",
        {
            "reference": "FSR-C-1922-01",
            "purpose": "tractor column for the Toikino farm, Perm",
            "category": "machines",
            "ceiling": money("75000.00", "USD"),
            "agency_id": agency("NARKOMZEM"),
            "agency_name": "People's Commissariat of Agriculture",
            "requested_on": "1922-03-20",
        },
        key="consultation",
    )
    s.synced("RU-LIAISON", "US")
    s.act(
        "RU-LIAISON",
        "liaison",
        f"/v1/consultations/{c['consultation_id']}/opinion",
        {
            "agency_code": "NARKOMZEM",
            "verdict": "concur_with_conditions",
            "conditions": "with repair shops and seed for the spring sowing",
            "valid_until": "1922-12-31",
            "recorded_on": "1922-04-05",
        },
        key="opinion",
    )
    s.synced("US", "RU-LIAISON")
    p = s.act(
        "US",
        "treasurer",
        "/v1/procurements",
        {
            "reference": "FSR-P-1922-17",
            "consultation_reference": "FSR-C-1922-01",
            "category": "machines",
            "description": "20 Case tractors and a Fordson, drills, harrows",
            "supplier": "J. I. Case Threshing Machine Co.",
            "enterprise": "Toikino farm, Perm province",
            "agency_id": agency("NARKOMZEM"),
            "amount": money("60000.00", "USD"),
            "committed_on": "1922-04-20",
        },
        key="procurement",
    )
    pid = p["id"]
    s.act(
        "US",
        "secretary",
        f"/v1/procurements/{pid}/shipment",
        {"shipped_on": "1922-05-10", "carrier": "50 rail wagons via Riga"},
        key="shipment",
    )
    s.act(
        "US",
        "cashier",
        f"/v1/procurements/{pid}/payments",
        {"amount": money("60000.00", "USD"), "paid_on": "1922-05-12"},
        key="payment",
    )
    s.synced("RU-LIAISON", "US")
    s.act(
        "RU-LIAISON",
        "liaison",
        f"/v1/procurements/{pid}/delivery",
        {"delivered_on": "1922-06-20", "confirmed_on": "1922-06-25"},
        key="delivery",
    )
    s.act(
        "RU-LIAISON",
        "liaison",
        "/v1/enterprises",
        {
            "name": "Toikino farm, Perm province",
            "procurement_ids": [pid],
            "in_production_on": "1922-08-01",
        },
        key="toikino",
    )
    s.synced("US", "RU-LIAISON")
    s.act("US", "secretary", f"/v1/procurements/{pid}/delivery", key="delivery-noted")
    s.act("US", "secretary", f"/v1/procurements/{pid}/production", key="production-noted")


def mechanic(s: Seeder) -> None:
    """One tractor mechanic, approved by the metalworkers' union, funded, departed."""
    n = s.act(
        "US",
        "secretary",
        "/v1/specialists",
        {
            "reference": "FSR-S-1922-01",
            "persons": ["Harold Ware"],
            "trade": "tractor mechanic",
            "enterprise": "Toikino farm, Perm province",
            "urgency": "urgent",
            "union_id": agency("METALLIST"),
            "union_name": "All-Russian Union of Metalworkers",
            "nominated_on": "1922-04-10",
        },
        key="nomination",
    )
    nid = n["id"]
    s.act(
        "US",
        "secretary",
        f"/v1/specialists/{nid}/approval-request",
        {"on": "1922-04-11"},
        key="approval-request",
    )
    s.synced("RU-LIAISON", "US")
    s.act(
        "RU-LIAISON",
        "union",
        f"/v1/nominations/{nid}/approve",
        {"union_code": "METALLIST", "decided_on": "1922-04-25"},
        key="approval",
    )
    s.synced("US", "RU-LIAISON")
    s.act("US", "secretary", f"/v1/specialists/{nid}/union-decision", key="decision-noted")
    s.act(
        "US",
        "treasurer",
        f"/v1/specialists/{nid}/funding",
        {"amount": money("350.00", "USD"), "funded_on": "1922-05-01"},
        key="funding",
    )
    s.act(
        "US", "secretary", f"/v1/specialists/{nid}/departure", {"on": "1922-05-10"}, key="departure"
    )


def workers_loan(s: Seeder) -> None:
    """25-franc bonds in France; a surplus in the US goes to a second tractor column."""
    s.synced("FR", "INTL")
    for i, (who, kind, amount) in enumerate(
        (
            ("Fédération des métaux", "trade_union", "2500.00"),
            ("Coopérative La Bellevilloise", "cooperative", "1000.00"),
            ("Caisse de secours mutuels des cheminots", "health_insurance_fund", "25.00"),
        )
    ):
        s.act(
            "FR",
            "treasurer",
            "/v1/loan/subscriptions",
            {
                "reference": f"FR-IAA-{i:04d}",
                "issue_code": "IAA-1922",
                "subscriber": who,
                "subscriber_type": kind,
                "amount": money(amount, "FRF"),
                "subscribed_on": "1922-10-01",
            },
            key=f"loan-{i}",
        )
    surplus = s.act(
        "US",
        "treasurer",
        "/v1/surpluses",
        {
            "period_end": "1922-12-31",
            "amount": money("5000.00", "USD"),
            "declared_on": "1923-01-05",
        },
        key="surplus",
    )
    s.act(
        "US",
        "secretary",
        "/v1/campaigns",
        {
            "code": "tractors-1923",
            "title": "A second tractor column",
            "kind": "expansion",
            "opened_on": "1923-01-06",
        },
        key="expansion",
    )
    s.act(
        "US",
        "secretary",
        f"/v1/surpluses/{surplus['surplus_id']}/allocations",
        {
            "campaign_code": "tractors-1923",
            "amount": money("5000.00", "USD"),
            "allocated_on": "1923-01-07",
        },
        key="allocation",
    )


def breaches(s: Seeder) -> None:
    """What the supervisors should find: money long in transit, a short receipt, a wrong report."""
    t = s.act(
        "DE",
        "treasurer",
        "/v1/transfers",
        {
            "recipient": "INTL",
            "amount": money("5000000.00", "XPM"),
            "purpose": "machines and tools for Soviet enterprises",
            "initiated_on": "1922-04-10",
        },
        key="transfer-intl",
    )
    s.act("DE", "secretary", f"/v1/transfers/{t['transfer_id']}/countersign", key="countersign")
    s.act(
        "DE",
        "cashier",
        f"/v1/transfers/{t['transfer_id']}/send",
        {"sent_on": "1922-04-12"},
        key="send",
    )
    t = s.act(
        "NO",
        "treasurer",
        "/v1/transfers",
        {
            "recipient": "TSENTROSOYUZ",
            "amount": money("100000.00", "NOK"),
            "purpose": "seed grain through the cooperatives",
            "initiated_on": "1922-05-02",
        },
        key="transfer-coop",
    )
    tid = t["transfer_id"]
    s.act("NO", "secretary", f"/v1/transfers/{tid}/countersign", key="countersign")
    s.act("NO", "cashier", f"/v1/transfers/{tid}/send", {"sent_on": "1922-05-03"}, key="send")
    s.synced("RU-LIAISON", "NO")
    s.act(
        "RU-LIAISON",
        "liaison",
        f"/v1/transfers/{tid}/receipt",
        {"received": money("98500.00", "NOK"), "confirmed_on": "1922-05-20"},
        key="receipt-no",
    )
    s.synced("NO", "RU-LIAISON")
    s.act(
        "NO",
        "treasurer",
        f"/v1/transfers/{tid}/receipt",
        {"receiver": "RU-LIAISON"},
        key="receipt-noted",
    )
    s.act(
        "CS",
        "treasurer",
        "/v1/period-reports",
        {
            "period_start": "1921-08-20",
            "period_end": "1922-06-30",
            "submitted_on": "1922-07-05",
            "assertions": [
                {
                    "cash_on_hand": money("240000.00", "CSK"),
                    "in_transit": money("0.00", "CSK"),
                    "in_kind": money("0.00", "CSK"),
                }
            ],
        },
        key="period-report",
    )
