"""The supervisory view of 1922 over real HTTP, every figure worked out by hand.

Germany (paper marks), France (francs) and the United States (dollars) act on their own nodes;
their events reach the International through the ingest door, and the International's own API
(uvicorn on loopback) answers. The International observes the rates:

    XPM in USD: 0.0030 from 1 January, 0.0020 from 16 March, 0.0015 from 1 May 1922
    FRF in USD: 0.0800 from 1 January, 0.0750 from 1 July 1922
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from federation.api.app import create_app
from federation.node.committee import CommitteeApplication
from federation.node.international import InternationalApplication
from federation.node.liaison import LiaisonApplication
from federation.settings import NodeKind
from tests.conftest import SettingsFactory
from tests.integration.supervisory import world
from tests.support.servers import serving

SUPERVISOR = {"X-Actor": quote("Willi Münzenberg"), "X-Role": "supervisor"}
WHOLE_YEAR: dict[str, str | int] = {"reporting_currency": "USD", "rate_max_age_days": 400}


@pytest.fixture(params=["sqlite", "postgres"])
def persistence(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@dataclass
class Federation:
    http: httpx.Client
    intl: InternationalApplication
    germany: world.Germany


@pytest.fixture
def federation(node_settings: SettingsFactory) -> Iterator[Federation]:
    de = CommitteeApplication(node_settings("DE"))
    fr = CommitteeApplication(node_settings("FR"))
    us = CommitteeApplication(node_settings("US"))
    liaison = LiaisonApplication(node_settings("RU-LIAISON", NodeKind.LIAISON))
    api = create_app(node_settings("INTL", NodeKind.INTERNATIONAL, follow=False))
    try:
        with (
            serving(api) as base,
            httpx.Client(base_url=base, timeout=60, headers=SUPERVISOR) as http,
        ):
            intl: InternationalApplication = api.state.node
            for rate in RATES:
                ok(http.post("/v1/rates", json=rate, headers=SUPERVISOR), 201)
            germany = world.germany(de, intl)
            world.france(fr, intl)
            world.united_states(us, liaison)
            world.relay_all(intl, de, fr, us, liaison)
            yield Federation(http, intl, germany)
    finally:
        for app in (de, fr, us, liaison):
            app.close()


RATES = [
    {
        "currency": code,
        "reporting_currency": "USD",
        "rate": rate,
        "value_date": day,
        "source": "Berlin and Paris exchanges",
    }
    for code, rate, day in (
        ("XPM", "0.0030", "1922-01-01"),
        ("XPM", "0.0020", "1922-03-16"),
        ("XPM", "0.0015", "1922-05-01"),
        ("FRF", "0.0800", "1922-01-01"),
        ("FRF", "0.0750", "1922-07-01"),
    )
]


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def native(overview: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        f"{c['country']} {line['currency']}": line
        for c in overview["countries"]
        for line in c["currencies"]
    }


def converted(overview: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["country"]: c["converted"] for c in overview["countries"]}


def test_each_committee_in_its_own_currency(federation: Federation) -> None:
    view = ok(federation.http.get("/v1/supervisory/overview"))
    lines = native(view)
    assert set(lines) == {"DE XPM", "FR FRF", "US USD"}

    # Germany: 400,000 + 100,000 received; 50,000 received and reversed; 33,000 of clothing;
    # 300,000 sent to the International (299,500 arrived, 500 of fees booked); 60,000 to the
    # liaison still in transit. Cash: 500,000 - 300,000 - 60,000.
    de = lines["DE XPM"]
    assert (de["received"], de["in_kind"], de["incoming"]) == ("500000.00", "33000.00", "533000.00")
    assert (de["transferred"], de["internal"], de["transfer_difference"]) == (
        "300000.00",
        "300000.00",
        "500.00",
    )
    assert (de["in_transit"], de["outgoing"], de["spent"]) == ("60000.00", "60000.00", "0.00")
    assert (de["committed"], de["cash_on_hand"], de["available"]) == (
        "0.00",
        "140000.00",
        "140000.00",
    )

    # France: 12,000 + 5,000 + 1,000 paid on a pledge of 2,000 (never counted as funds);
    # loan money 150 + 25, of which 25 redeemed: a liability, not income.
    fr = lines["FR FRF"]
    assert (fr["received"], fr["incoming"]) == ("18000.00", "18000.00")
    assert (fr["pledged"], fr["pledges_settled"], fr["pledges_outstanding"]) == (
        "2000.00",
        "1000.00",
        "1000.00",
    )
    assert (fr["loan_subscribed"], fr["loan_redeemed"], fr["loan_outstanding"]) == (
        "175.00",
        "25.00",
        "150.00",
    )
    assert fr["cash_on_hand"] == "18150.00"  # 18,000 + 175 - 25

    # The United States: 50,000 received; tractors 20,000 and a journey 350 spent; a surplus
    # of 5,000 declared and allocated to expansion.
    us = lines["US USD"]
    assert (us["received"], us["spent_procurement"], us["spent_emigration"]) == (
        "50000.00",
        "20000.00",
        "350.00",
    )
    assert (us["spent"], us["outgoing"], us["cash_on_hand"]) == ("20350.00", "20350.00", "29650.00")
    assert (us["surplus_declared"], us["surplus_allocated"]) == ("5000.00", "5000.00")

    # Never a sum across currencies: the federation's figures are per currency.
    assert [c["currency"] for c in view["currencies"]] == ["FRF", "USD", "XPM"]
    assert view["converted"] is None


def test_converted_at_the_rate_of_each_value_date(federation: Federation) -> None:
    view = ok(federation.http.get("/v1/supervisory/overview", params=WHOLE_YEAR))
    by_country = converted(view)

    # Germany: 400,000 x 0.0030 (10 January) + 100,000 x 0.0020 (20 March); the reversed 50,000
    # leaves on its own value date, so nothing of it remains. Goods 33,000 x 0.0030. The 300,000
    # arrived on 20 April (x 0.0020), fees 500 x 0.0020; 60,000 sent on 3 May (x 0.0015).
    de = by_country["DE"]
    assert (de["received"], de["in_kind"], de["incoming"]) == ("1400.00", "99.00", "1499.00")
    assert (de["internal"], de["transfer_difference"], de["outgoing"]) == (
        "600.00",
        "1.00",
        "90.00",
    )
    assert de["cash_on_hand"] == "710.00"  # 1,400 - 600 - 90
    assert de["complete"] is True

    # France: 12,000 x 0.08 + 1,000 x 0.08 + 5,000 x 0.075 = 1,415. Loans on 1 and 2 October
    # and the redemption on 1 December at 0.075: 13.125 and 1.875, rounded once each at the
    # end (13.12 and 1.88, half to even) while the outstanding 11.25 is exact.
    fr = by_country["FR"]
    assert (fr["received"], fr["pledged"], fr["pledges_outstanding"]) == (
        "1415.00",
        "160.00",
        "80.00",
    )
    assert (fr["loan_subscribed"], fr["loan_redeemed"], fr["loan_outstanding"]) == (
        "13.12",
        "1.88",
        "11.25",
    )
    assert fr["cash_on_hand"] == "1426.25"  # 1,415 + 13.125 - 1.875

    # The federation: counted once, at the boundary.
    total = view["converted"]
    assert (total["received"], total["in_kind"], total["incoming"]) == (
        "52815.00",
        "99.00",
        "52914.00",
    )
    assert (total["internal"], total["outgoing"], total["spent"]) == (
        "600.00",
        "20440.00",
        "20350.00",
    )
    assert total["cash_on_hand"] == "31786.25"  # 710 + 1,426.25 + 29,650
    assert total["complete"] is True
    assert total["missing_rates"] == []
    used = {(r["currency"], r["rate"], r["applies_from"]) for r in total["rates_used"]}
    assert used == {
        ("XPM", "0.0030", "1922-01-01"),
        ("XPM", "0.0020", "1922-03-16"),
        ("XPM", "0.0015", "1922-05-01"),
        ("FRF", "0.0800", "1922-01-01"),
        ("FRF", "0.0750", "1922-07-01"),
    }


def test_a_missing_rate_is_flagged_never_zero(federation: Federation) -> None:
    # By default a rate serves 31 days. The franc's January rate does not reach 15 February
    # or 1 April (13,000 francs), nor its July rate October's loans: those figures have no
    # converted value at all, and the amounts are listed with the days that lack a rate.
    view = ok(federation.http.get("/v1/supervisory/overview", params={"reporting_currency": "USD"}))
    fr = converted(view)["FR"]
    assert fr["complete"] is False
    assert (fr["received"], fr["loan_subscribed"], fr["cash_on_hand"]) == (None, None, None)
    missing = {(m["measure"], m["amount"], m["from"], m["to"]) for m in fr["missing_rates"]}
    assert missing >= {
        ("received", "13000.00", "1922-02-02", "1922-06-30"),
        ("loan_subscribed", "175.00", "1922-08-02", None),
        ("loan_redeemed", "25.00", "1922-08-02", None),
    }
    assert view["converted"]["received"] is None
    # The United States' dollars need no rate.
    assert converted(view)["US"]["received"] == "50000.00"


def test_a_period_counts_only_its_value_dates(federation: Federation) -> None:
    march: dict[str, str | int] = {"from": "1922-03-01", "to": "1922-03-31", "country": "DE"}
    march |= WHOLE_YEAR
    view = ok(federation.http.get("/v1/supervisory/overview", params=march))
    de = native(view)["DE XPM"]
    # 100,000 on 20 March; the 50,000 of 10 March reversed; 300,000 committed on 28 March and
    # sent only on 1 April.
    assert (de["received"], de["committed"], de["in_transit"]) == ("100000.00", "300000.00", "0.00")
    assert converted(view)["DE"]["received"] == "200.00"  # x 0.0020 from 16 March
    assert converted(view)["DE"]["committed"] == "600.00"


def test_most_of_a_month_counts_the_days_it_covers(federation: Federation) -> None:
    # January 1922 takes one rate of the paper mark (0.0030 from the 1st): the days of a period
    # that covers most of it are the month less the days around them.
    def january(since: str) -> tuple[str, str]:
        params: dict[str, str | int] = {"from": since, "to": "1922-01-31", "country": "DE"}
        view = ok(federation.http.get("/v1/supervisory/overview", params=params | WHOLE_YEAR))
        lines = native(view)
        received = lines["DE XPM"]["received"] if "DE XPM" in lines else "0.00"
        return received, converted(view).get("DE", {}).get("received") or "0.00"

    # 400,000 received on 10 January.
    assert january("1922-01-05") == ("400000.00", "1200.00")
    assert january("1922-01-10") == ("400000.00", "1200.00")
    assert january("1922-01-11") == ("0.00", "0.00")


def test_funds_in_transit_with_their_age(federation: Federation) -> None:
    april = ok(federation.http.get("/v1/supervisory/in-transit", params={"as_of": "1922-04-10"}))
    assert [(t["recipient"], t["amount"], t["age_days"]) for t in april["items"]] == [
        ("INTL", "300000.00", 9)
    ]
    september = ok(
        federation.http.get("/v1/supervisory/in-transit", params={"as_of": "1922-09-01"})
    )
    [late] = september["items"]
    assert (late["recipient"], late["amount"], late["age_days"], late["over_limit"]) == (
        "RU-LIAISON",
        "60000.00",
        121,
        True,
    )


def test_breadth_beside_economic_results(federation: Federation) -> None:
    aims = ok(federation.http.get("/v1/supervisory/overview"))["aims"]
    breadth = aims["breadth"]
    assert breadth["committees"] == 3
    # The Wedding branch's only receipt was reversed: it is no contributor.
    assert breadth["contributors_by_type"] == {
        "cooperative": 3,
        "trade_union": 3,
        "workers_circle": 1,
    }
    assert breadth["contributors"] == 7
    results = aims["economic_results"]
    assert results["procurement_by_category"] == [
        {
            "category": "machines",
            "currency": "USD",
            "procurements": 1,
            "committed": "20000.00",
            "paid": "20000.00",
        }
    ]
    assert results["enterprises_in_production"] == 1
    assert results["specialists"] == {"nominated": 1, "approved": 1, "refused": 0, "departed": 1}


def test_by_organisation_type(federation: Federation) -> None:
    rows = ok(federation.http.get("/v1/supervisory/organisation-types"))["items"]
    got = {(r["organisation_type"], r["currency"]): r for r in rows}
    assert got[("trade_union", "XPM")]["received"] == "400000.00"
    assert got[("party_branch", "XPM")]["received"] == "0.00"
    assert got[("workers_circle", "XPM")]["in_kind"] == "33000.00"
    cooperative = got[("cooperative", "FRF")]
    assert (cooperative["received"], cooperative["pledged"], cooperative["loan_subscribed"]) == (
        "6000.00",
        "2000.00",
        "25.00",
    )


def test_consultation_records_and_their_coverage(federation: Federation) -> None:
    page = ok(federation.http.get("/v1/supervisory/consultations", params={"agency": "NARKOMZEM"}))
    [record] = page["items"]
    assert (record["reference"], record["ceiling"], record["status"]) == (
        "FSR-1922-03",
        "30000.00",
        "open",
    )
    assert (record["opinion"]["verdict"], record["opinion"]["valid_until"]) == (
        "concur",
        "1922-12-31",
    )
    [tractors] = record["procurements"]
    assert (tractors["reference"], tractors["paid"], tractors["covered"]) == (
        "PO-17",
        "20000.00",
        True,
    )
    [cover] = ok(federation.http.get("/v1/supervisory/coverage"))["items"]
    assert (cover["agency_code"], cover["paid"], cover["covered_share"]) == (
        "NARKOMZEM",
        "20000.00",
        "1.0000",
    )


def test_the_only_exception_is_the_money_still_in_transit(federation: Federation) -> None:
    june = ok(federation.http.get("/v1/supervisory/exceptions", params={"as_of": "1922-06-01"}))
    assert june["items"] == []
    september = {"as_of": "1922-09-01"}
    [late] = ok(federation.http.get("/v1/supervisory/exceptions", params=september))["items"]
    assert (late["rule"], late["node"], late["status"]) == (
        "transfer.in_transit_too_long",
        "DE",
        "open",
    )
    assert late["subject_id"] == str(federation.germany.to_liaison)
    [sent] = late["events"]
    assert sent["upstream"] == "DE"
    assert sent["topic"].endswith("Transfer.Sent")

    resolution = {"resolution": "the liaison confirms by cable", "resolved_on": "1922-09-05"}
    resolution["as_of"] = "1922-09-01"
    path = f"/v1/supervisory/exceptions/{late['exception_id']}/resolve"
    ok(federation.http.post(path, json=resolution, headers=SUPERVISOR))
    [done] = ok(federation.http.get("/v1/supervisory/exceptions", params=september))["items"]
    assert (done["status"], done["resolved_by"]) == ("resolved", "Willi Münzenberg")


def test_every_table_as_csv_with_its_watermark(federation: Federation) -> None:
    reversed_ = {"country": "DE", "status": "reversed", "format": "csv"}
    response = federation.http.get("/v1/supervisory/receipts", params=reversed_)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    [row] = list(csv.DictReader(io.StringIO(response.text)))
    assert (row["contributor"], row["amount"], row["reversed_on"]) == (
        "KPD Ortsgruppe Wedding",
        "50000.00",
        "1922-03-25",
    )
    mark = response.headers["x-aidfed-watermark"]
    included = federation.intl.ingestor.cursor("DE")
    assert f"DE={included}@" in mark
    overview = federation.http.get("/v1/supervisory/overview", headers={"Accept": "text/csv"})
    lines = list(csv.DictReader(io.StringIO(overview.text)))
    assert [(r["country"], r["currency"], r["received"]) for r in lines] == [
        ("DE", "XPM", "500000.00"),
        ("FR", "FRF", "18000.00"),
        ("US", "USD", "50000.00"),
    ]


def test_every_answer_carries_its_watermark(federation: Federation) -> None:
    mark = ok(federation.http.get("/v1/supervisory/transfers"))["watermark"]
    nodes = {n["node"]: n for n in mark["nodes"]}
    assert set(nodes) == {"DE", "FR", "US", "RU-LIAISON"}
    for node, entry in nodes.items():
        assert entry["included"] == entry["ingested"] == federation.intl.ingestor.cursor(node)
        assert entry["synced_by"] == "ingest"
        assert entry["last_synced"]
    assert mark["complete"] is True
