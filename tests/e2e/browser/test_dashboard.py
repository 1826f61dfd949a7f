"""The supervisors' dashboard in a real browser: Debian's Chromium driven by Playwright."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser

from domain.roles import Actor, Role
from federation.api.app import create_app
from federation.api.users import UserBook
from federation.node.base import Context
from federation.node.international import InternationalApplication
from federation.settings import NodeKind, Settings
from tests.e2e.browser.conftest import PASSWORD, log_in, shot
from tests.support.peers import bearer
from tests.support.servers import serving

SUPERVISOR = Context(Actor("Willi Münzenberg", Role.SUPERVISOR))


@pytest.fixture
def intl(tmp_path: Path) -> Iterator[tuple[str, InternationalApplication]]:
    settings = Settings(
        node_id="INTL", kind=NodeKind.INTERNATIONAL, data_dir=tmp_path / "INTL", mode="demo"
    )
    users = UserBook(settings.data_dir)
    users.add("supervisor", "Willi Münzenberg", Role.SUPERVISOR, PASSWORD, "tok-supervisor")
    users.add("treasurer", "Hugo Eberlein", Role.TREASURER, PASSWORD, "tok-treasurer")
    api = create_app(settings)
    with serving(api) as base:
        app: InternationalApplication = api.state.node
        for country, name in (("DE", "Komitee Arbeiterhilfe"), ("FR", "Secours ouvrier")):
            app.recognise_committee(
                SUPERVISOR, country=country, committee_name=name, on=date(1921, 9, 1)
            )
        yield base, app


def test_a_supervisor_sees_the_overview_with_the_apis_figures(
    browser: Browser, intl: tuple[str, InternationalApplication]
) -> None:
    base, _ = intl
    page = browser.new_page()
    log_in(page, base, "supervisor")
    page.wait_for_selector("#figures")
    shot(page, "dashboard-overview")
    recognised = httpx.get(
        f"{base}/v1/recognitions",
        params={"standing": "recognised"},
        headers=bearer("tok-supervisor"),
    ).json()
    count = len(recognised["items"] if isinstance(recognised, dict) else recognised)
    card = page.locator(".card", has_text="committees recognised").locator(".figure")
    assert card.inner_text() == str(count) == "2"
    assert "Breadth of solidarity" in page.locator("#breadth").inner_text()
    assert "Economic results" in page.locator("#results").inner_text()
    page.close()


def test_a_supervisor_resolves_an_exception(
    browser: Browser, intl: tuple[str, InternationalApplication]
) -> None:
    base, app = intl
    raised = app.raise_exception(
        SUPERVISOR,
        rule="transfer.in_transit_too_long",
        node="DE",
        subject_id=app.recognition("DE").id,
        detail="5,000,000 XPM sent 12 April 1922, never confirmed",
        on=date(1922, 9, 1),
    )
    page = browser.new_page()
    log_in(page, base, "supervisor")
    page.goto(f"{base}/dashboard/exceptions")
    row = page.locator("tr", has_text="transfer.in_transit_too_long")
    assert "open" in row.inner_text()
    row.locator("input[name=resolution]").fill("the receipt was confirmed by the IAH in Berlin")
    row.locator("button").click()
    page.wait_for_selector("td.ok")
    shot(page, "dashboard-exception-resolved")
    [resolved] = app.exceptions(status="resolved")
    assert str(resolved["exception_id"]) == raised["exception_id"]
    assert "confirmed by the IAH" in resolved["resolution"]
    page.close()


def test_a_treasurer_is_refused_the_supervisors_pages(
    browser: Browser, intl: tuple[str, InternationalApplication]
) -> None:
    base, _ = intl
    page = browser.new_page()
    log_in(page, base, "treasurer")
    assert "supervisors and auditors" in page.content()
    response = page.goto(f"{base}/dashboard/status")
    assert response is not None
    assert response.status == 403
    assert page.locator("#error-heading").inner_text() == "Not for your role"
    assert "supervisors and auditors" in page.locator("#error-message").inner_text()
    shot(page, "dashboard-treasurer-refused")
    page.close()


def test_a_page_asked_for_wrongly_is_refused_as_a_page_and_the_api_still_as_json(
    browser: Browser, intl: tuple[str, InternationalApplication]
) -> None:
    base, _ = intl
    page = browser.new_page()
    log_in(page, base, "supervisor")
    response = page.goto(f"{base}/dashboard/countries?reporting_currency=XYZ")
    assert response is not None
    assert response.status == 422
    assert page.locator("#error-heading").inner_text() == "This cannot be shown as asked"
    assert "unknown currency 'XYZ'" in page.locator("#error-message").inner_text()
    assert page.locator("#error-code").inner_text() == "money.unknown_currency"
    shot(page, "dashboard-refused-as-a-page")
    missing = page.goto(f"{base}/dashboard/nosuch")
    assert missing is not None
    assert missing.status == 404
    assert page.locator("#error-heading").inner_text() == "No such page"
    page.close()
    api = httpx.get(
        f"{base}/v1/supervisory/overview",
        params={"reporting_currency": "XYZ"},
        headers={**bearer("tok-supervisor"), "Accept": "text/html"},
    )
    assert api.status_code == 422
    assert api.json()["error"]["code"] == "money.unknown_currency"


def test_a_wrong_password_is_refused(
    browser: Browser, intl: tuple[str, InternationalApplication]
) -> None:
    base, _ = intl
    page = browser.new_page()
    page.goto(f"{base}/login")
    page.fill("input[name=username]", "supervisor")
    page.fill("input[name=password]", "not the password")
    page.click("button[type=submit]")
    assert page.locator("#login-error").inner_text() == "unknown user or wrong password"
    page.close()
