"""The countries, money-flow and consultation pages in Chromium show the API's own figures.

Germany (paper marks), France (francs) and the United States' Friends of Soviet Russia (dollars)
act on their own nodes; their events reach the International, whose dashboard a supervisor reads.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page

from domain.roles import Role
from federation.api.app import create_app
from federation.api.users import UserBook
from federation.node.committee import CommitteeApplication
from federation.node.international import InternationalApplication
from federation.node.liaison import LiaisonApplication
from federation.settings import NodeKind, Settings
from tests.e2e.browser.conftest import PASSWORD, log_in, shot
from tests.integration.supervisory import world
from tests.support.peers import bearer
from tests.support.servers import serving


@dataclass
class Dashboard:
    base: str
    api: httpx.Client

    def get(self, path: str, **params: Any) -> Any:
        response = self.api.get(path, params=params)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboard]:
    root = tmp_path_factory.mktemp("federation")

    def settings(node: str, kind: NodeKind = NodeKind.COMMITTEE) -> Settings:
        return Settings(node_id=node, kind=kind, data_dir=root / node, mode="demo")

    users = UserBook(root / "INTL")
    users.add("supervisor", "Willi Münzenberg", Role.SUPERVISOR, PASSWORD, "tok-supervisor")
    de, fr, us = (CommitteeApplication(settings(c)) for c in ("DE", "FR", "US"))
    liaison = LiaisonApplication(settings("RU-LIAISON", NodeKind.LIAISON))
    api = create_app(settings("INTL", NodeKind.INTERNATIONAL))
    try:
        with serving(api) as base:
            intl: InternationalApplication = api.state.node
            world.rates(intl)
            world.germany(de, intl)
            world.france(fr, intl)
            world.united_states(us, liaison)
            world.relay_all(intl, de, fr, us, liaison)
            headers = bearer("tok-supervisor")
            with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
                yield Dashboard(base, client)
    finally:
        for app in (de, fr, us, liaison):
            app.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    opened = browser.new_page(viewport={"width": 1440, "height": 900})
    yield opened
    opened.close()


def cells(page: Page, row: str, column: str) -> str:
    return page.locator(f"{row} td.{column}").inner_text().strip()


def visible_rows(page: Page, table: str) -> list[str]:
    rows = page.locator(f"#{table} tbody tr:visible")
    return [rows.nth(i).get_attribute("data-country") or "" for i in range(rows.count())]


def test_countries_show_each_currencys_figures_as_the_api(dashboard: Dashboard, page: Page) -> None:
    log_in(page, dashboard.base, "supervisor", "/dashboard/countries")
    page.wait_for_selector("#countries")
    overview = dashboard.get("/v1/supervisory/overview")
    lines = [(c["country"], line) for c in overview["countries"] for line in c["currencies"]]
    assert {(c, line["currency"]) for c, line in lines} == {
        ("DE", "XPM"),
        ("FR", "FRF"),
        ("US", "USD"),
    }
    for country, line in lines:
        row = f'#countries tr[data-country="{country}"][data-currency="{line["currency"]}"]'
        for figure in ("incoming", "internal", "outgoing", "available", "in_transit"):
            assert cells(page, row, figure) == f"{line[figure]} {line['currency']}"
    assert cells(page, '#countries tr[data-country="DE"]', "incoming") == "533000.00 XPM"
    shot(page, "dashboard-countries")

    page.fill('input[data-table="countries"]', "francs FRF")
    assert visible_rows(page, "countries") == []
    page.fill('input[data-table="countries"]', "FRF")
    assert visible_rows(page, "countries") == ["FR"]
    page.fill('input[data-table="countries"]', "")
    page.click("#countries th:has-text('incoming')")
    page.click("#countries th:has-text('incoming')")  # twice: largest first
    ordered = visible_rows(page, "countries")
    by_incoming = sorted(lines, key=lambda cl: -float(cl[1]["incoming"]))
    assert ordered == [c for c, _ in by_incoming]


def test_countries_converted_show_the_rates_and_flag_missing_ones(
    dashboard: Dashboard, page: Page
) -> None:
    log_in(page, dashboard.base, "supervisor", "/dashboard/countries")
    page.select_option("select[name=reporting_currency]", "USD")
    page.fill("input[name=rate_max_age_days]", "400")
    page.click("#convert button")
    page.wait_for_selector("#converted")
    api = dashboard.get("/v1/supervisory/overview", reporting_currency="USD", rate_max_age_days=400)
    for c in api["countries"]:
        row = f'#converted tr[data-country="{c["country"]}"]'
        assert cells(page, row, "incoming") == f"{c['converted']['incoming']} USD"
    total = page.locator("#converted tfoot th.incoming").inner_text().strip()
    assert total == f"{api['converted']['incoming']} USD"
    assert api["converted"]["complete"] is True
    assert "every amount had a rate" in page.locator("#conversion-state").inner_text()
    rates = page.locator("#rates tbody tr")
    assert rates.count() == len(api["converted"]["rates_used"]) > 0
    assert "0.0030" in page.locator("#rates").inner_text()
    shot(page, "dashboard-countries-converted")

    # Rates older than a day are not used: amounts far from an observation stay unconverted,
    # flagged, and never counted as zero.
    page.fill("input[name=rate_max_age_days]", "0")
    page.click("#convert button")
    page.wait_for_selector("#missing")
    strict = dashboard.get(
        "/v1/supervisory/overview", reporting_currency="USD", rate_max_age_days=0
    )
    assert strict["converted"]["complete"] is False
    assert page.locator("#missing tbody tr").count() == len(strict["converted"]["missing_rates"])
    assert "rates missing" in page.locator("#conversion-state").inner_text()
    shot(page, "dashboard-countries-missing-rates")


def test_the_flow_diagram_draws_the_transfers_and_procurement_of_the_api(
    dashboard: Dashboard, page: Page
) -> None:
    log_in(page, dashboard.base, "supervisor", "/dashboard/flows")
    page.wait_for_selector("#sankey-XPM .sankey-node")
    labels = page.locator("#sankey-XPM .sankey-node .node-label").all_text_contents()
    assert "International (Berlin)" in labels
    assert "DE · Komitee Arbeiterhilfe" in labels
    assert "Russian liaison" in labels
    usd = page.locator("#sankey-USD .sankey-node .node-label").all_text_contents()
    assert "procurement · machines · People's Commissariat of Agriculture" in usd

    transfers = dashboard.get("/v1/supervisory/transfers")["items"]
    for t in transfers:
        row = page.locator(f"#links-{t['currency']} tbody tr", has_text=t["flow"])
        assert f"{t['amount']} {t['currency']}" in row.all_inner_texts()[0]
    paid = dashboard.get("/v1/supervisory/procurement-totals")["items"]
    [tractors] = paid
    usd_rows = page.locator("#links-USD tbody tr", has_text="procurement").inner_text()
    assert f"{tractors['paid']} USD" in usd_rows
    assert page.locator("#sankey-XPM").get_attribute("class") == "chart js-plotly-plot"

    # Counted once: per currency, the drawn moves add up to the view's own boundary figures.
    federation = dashboard.get("/v1/supervisory/overview")["currencies"]
    for line in federation:
        drawn = link_sums(page, line["currency"])
        for flow in ("internal", "outgoing"):
            assert drawn.get(flow, Decimal(0)) == Decimal(line[flow]), (line["currency"], flow)
    shot(page, "dashboard-flows")


def link_sums(page: Page, currency: str) -> dict[str, Decimal]:
    """The amounts of the flow table of ``currency``, added per kind of flow."""
    sums: dict[str, Decimal] = {}
    rows = page.locator(f"#links-{currency} tbody tr")
    for i in range(rows.count()):
        flow = rows.nth(i).locator("td").nth(2).inner_text()
        amount = rows.nth(i).locator("td").nth(3).get_attribute("data-sort") or "0"
        sums[flow] = sums.get(flow, Decimal(0)) + Decimal(amount)
    return sums


def test_consultations_per_agency_as_the_api(dashboard: Dashboard, page: Page) -> None:
    log_in(page, dashboard.base, "supervisor", "/dashboard/consultations")
    page.wait_for_selector("#consultations")
    [consultation] = dashboard.get("/v1/supervisory/consultations")["items"]
    row = page.locator(f'#consultations tr[data-reference="{consultation["reference"]}"]')
    text = row.inner_text()
    assert consultation["agency_name"] in text
    verdict = consultation["opinion"]["verdict"].replace("_", " ")
    assert verdict in row.locator("td.verdict").inner_text()
    assert consultation["opinion"]["valid_until"] in text
    assert f"{consultation['ceiling']} {consultation['currency']}" in text
    [tractors] = consultation["procurements"]
    assert f"{tractors['reference']}: {tractors['paid']} of {tractors['amount']} USD" in text
    assert "covered" in row.locator("td.procurements").inner_text()

    [coverage] = dashboard.get("/v1/supervisory/coverage")["items"]
    line = page.locator(f'#coverage tr[data-agency="{coverage["agency_code"]}"]')
    assert line.locator("td.paid").inner_text() == f"{coverage['paid']} USD"
    assert coverage["covered_share"] == "1.0000"
    assert line.locator("td.share").inner_text() == "100.00 %"
    shot(page, "dashboard-consultations")

    page.select_option("select[name=agency]", "METALLIST")
    page.click("#agency-filter button")
    page.wait_for_selector("#consultations")
    assert page.locator("#consultations tbody tr").count() == 0
    assert page.locator("#coverage tbody tr").count() == 0


def test_the_exceptions_page_lists_what_the_rules_find_and_resolves_one(
    dashboard: Dashboard, page: Page
) -> None:
    found = dashboard.get("/v1/supervisory/exceptions", status="open")["items"]
    assert found, "the scenario breaks rules: the view finds exceptions"
    log_in(page, dashboard.base, "supervisor", "/dashboard/exceptions")
    for finding in found:
        row = page.locator("#exceptions tr", has_text=finding["detail"])
        assert finding["rule"] in row.first.inner_text()
    first = found[0]
    row = page.locator("#exceptions tr", has_text=first["detail"]).first
    row.locator("input[name=resolution]").fill("checked with the committee's treasurer")
    row.locator("button").click()
    page.wait_for_selector("td.ok")
    shot(page, "dashboard-finding-resolved")
    [resolved] = [
        e
        for e in dashboard.get("/v1/supervisory/exceptions", status="resolved")["items"]
        if e["exception_id"] == first["exception_id"]
    ]
    assert resolved["resolution"] == "checked with the committee's treasurer"
