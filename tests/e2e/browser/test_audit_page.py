"""The dashboard's audit page in Debian's Chromium: a supervisor replays the books as of a date."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from domain.roles import Role
from federation.api.app import create_app
from federation.api.users import UserBook
from federation.node.international import InternationalApplication
from tests.e2e.browser.conftest import PASSWORD, log_in, shot
from tests.integration.audit.history import fill
from tests.support.nodes import lone_international
from tests.support.servers import serving


@pytest.fixture
def intl(tmp_path: Path) -> Iterator[str]:
    settings = lone_international(tmp_path, mode="demo")
    users = UserBook(settings.data_dir)
    users.add("supervisor", "Willi Münzenberg", Role.SUPERVISOR, PASSWORD, "tok-supervisor")
    users.add("treasurer", "Hugo Eberlein", Role.TREASURER, PASSWORD, "tok-treasurer")
    api = create_app(settings)
    with serving(api) as base:
        node: InternationalApplication = api.state.node
        fill(node, tmp_path)
        yield base


def figure(page: Page, country: str, currency: str, measure: str) -> str:
    row = page.locator(f"#replay-countries tr[data-country={country}][data-currency={currency}]")
    return row.locator(f"td[data-measure={measure}]").inner_text()


def test_a_supervisor_replays_the_books_as_of_a_date(browser: Browser, intl: str) -> None:
    page = browser.new_page()
    log_in(page, intl, "supervisor")
    page.click("nav >> text=Audit")
    page.fill("#replay-form input[name=as_of]", "1922-03-15")
    page.click("#replay-form button[type=submit]")
    page.wait_for_selector("#replay-result")
    assert page.locator("#replay-as-of").inner_text() == "1922-03-15"
    # By 15 March 1922 Germany had the metalworkers' 400,000 and Wedding's 50,000 marks (its
    # reversal came on the 25th, the cooperative's 100,000 on the 20th) and had sent nothing.
    assert figure(page, "DE", "XPM", "received") == "450000.00"
    assert figure(page, "DE", "XPM", "transferred") == "0.00"
    covered = page.locator("#replay-covered tbody tr")
    assert {covered.nth(i).locator("td").first.inner_text() for i in range(covered.count())} == {
        "INTL",
        "DE",
        "US",
        "RU-LIAISON",
    }
    shot(page, "audit-page-replay-1922-03-15")
    page.fill("#replay-form input[name=as_of]", "1923-12-31")
    page.click("#replay-form button[type=submit]")
    page.wait_for_selector("#replay-result")
    assert figure(page, "DE", "XPM", "received") == "500000.00"
    assert figure(page, "DE", "XPM", "transferred") == "300000.00"
    page.close()


def test_a_treasurer_is_refused_the_audit_page(browser: Browser, intl: str) -> None:
    page = browser.new_page()
    log_in(page, intl, "treasurer")
    response = page.goto(f"{intl}/dashboard/audit?as_of=1922-03-15")
    assert response is not None
    assert response.status == 403
    page.close()
