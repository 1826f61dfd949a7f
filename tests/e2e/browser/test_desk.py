"""The committee's desk in Chromium: the Friends of Soviet Russia record a receipt, a pledge and
a transfer through its forms, three people for the transfer, and see refusals as the API gives
them, with nothing recorded."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from domain.campaign import CampaignKind
from domain.roles import Actor, Role
from federation.api.app import create_app
from federation.api.users import UserBook
from federation.node.base import Context
from federation.node.committee import CommitteeApplication
from federation.settings import Settings
from tests.e2e.browser.conftest import PASSWORD, log_in, shot
from tests.support.servers import serving

PEOPLE = {
    "harrison": ("Caleb Harrison", Role.SECRETARY),
    "wagenknecht": ("Alfred Wagenknecht", Role.TREASURER),
    "karsner": ("Rose Karsner", Role.TREASURER),
    "auditor": ("Ernst Reuter", Role.AUDITOR),
}


@pytest.fixture
def us(tmp_path: Path) -> Iterator[tuple[str, CommitteeApplication]]:
    settings = Settings(node_id="US", data_dir=tmp_path / "US", database="sqlite", mode="demo")
    users = UserBook(settings.data_dir)
    for username, (person, role) in PEOPLE.items():
        users.add(username, person, role, PASSWORD, f"token-of-{username}")
    api = create_app(settings)
    with serving(api) as base:
        app: CommitteeApplication = api.state.node
        secretary = Context(Actor("Caleb Harrison", Role.SECRETARY))
        app.constitute(
            secretary,
            name="Friends of Soviet Russia",
            national_section="Workers Party of America",
            on=date(1921, 8, 9),
        )
        app.open_campaign(
            secretary,
            code="famine",
            title="Famine relief",
            kind=CampaignKind.COLLECTION,
            national_section=None,
            on=date(1921, 8, 9),
        )
        yield base, app


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    opened = browser.new_page(viewport={"width": 1440, "height": 900})
    yield opened
    opened.close()


def as_person(page: Page, base: str, username: str) -> None:
    page.context.clear_cookies()
    log_in(page, base, username, "/desk")
    page.wait_for_selector("#receipt-form")


def fill(page: Page, form: str, **fields: str) -> None:
    for name, value in fields.items():
        page.fill(f"#{form} [name={name}]", value)
    page.click(f"#{form} button[type=submit]")


RECEIPT = {
    "contributor": "Amalgamated Clothing Workers",
    "amount": "5000.00",
    "currency": "USD",
    "value_date": "1922-02-01",
}


def test_a_receipt_is_recorded_once_and_refused_to_a_secretary(
    us: tuple[str, CommitteeApplication], page: Page
) -> None:
    base, app = us
    as_person(page, base, "harrison")
    page.select_option("#receipt-form [name=organisation_type]", "trade_union")
    fill(page, "receipt-form", **RECEIPT)
    refusal = page.locator("#refusal").inner_text()
    assert "role.not_permitted" in refusal
    assert "Caleb Harrison acts as secretary" in refusal
    assert app.list_rows("books_receipts", "value_date", 10, 0) == []
    shot(page, "desk-refused")

    as_person(page, base, "wagenknecht")
    page.select_option("#receipt-form [name=organisation_type]", "trade_union")
    fill(page, "receipt-form", **RECEIPT)
    assert page.locator("#done").inner_text() == "Recorded the cash receipt."
    page.go_back()  # the same form again (its key unchanged): a double submission
    page.click("#receipt-form button[type=submit]")
    [receipt] = app.list_rows("books_receipts", "value_date", 10, 0)
    assert (receipt["contributor"], receipt["amount"]) == (
        "Amalgamated Clothing Workers",
        "5000.00",
    )
    assert (
        "5000.00 USD" in page.locator('#balances tr[data-currency="USD"] td.available').inner_text()
    )

    fill(
        page,
        "pledge-form",
        pledger="Workmen's Circle",
        total="600.00",
        currency="USD",
        instalments="1922-03-01=200.00, 1922-04-01=300.00",
        pledged_on="1922-02-10",
    )
    assert "pledge.schedule_does_not_sum" in page.locator("#refusal").inner_text()
    page.fill("#pledge-form [name=instalments]", "1922-03-01=200.00, 1922-04-01=400.00")
    page.click("#pledge-form button[type=submit]")
    assert page.locator("#done").inner_text() == "Recorded the pledge."
    [pledge] = app.list_rows("books_pledges", "pledged_on", 10, 0)
    assert pledge["total"] == "600.00"


def test_a_transfer_takes_three_people_at_the_desk(
    us: tuple[str, CommitteeApplication], page: Page
) -> None:
    base, app = us
    as_person(page, base, "wagenknecht")
    fill(page, "receipt-form", **RECEIPT)
    fill(
        page,
        "transfer-form",
        amount="3000.00",
        currency="USD",
        purpose="tractor column for Toikino",
        initiated_on="1922-03-01",
    )
    row = page.locator("#transfers tbody tr")
    assert row.locator("td.status").inner_text() == "initiated"
    row.locator("button", has_text="Countersign").click()
    assert "transfer.countersigned_by_initiator" in page.locator("#refusal").inner_text()

    as_person(page, base, "harrison")
    page.locator("#transfers tbody tr button", has_text="Countersign").click()
    assert page.locator("#transfers td.status").inner_text() == "countersigned"

    as_person(page, base, "karsner")
    page.fill("#transfers tbody tr [name=sent_on]", "1922-03-02")
    page.locator("#transfers tbody tr button", has_text="Send").click()
    assert page.locator("#transfers td.status").inner_text() == "sent"
    shot(page, "desk-transfer-sent")
    [transfer] = app.list_rows("books_transfers", "initiated_on", 10, 0)
    assert (transfer["status"], transfer["sent_by"]) == ("sent", "Rose Karsner")


def test_the_desk_is_for_treasurers_and_secretaries(
    us: tuple[str, CommitteeApplication], page: Page
) -> None:
    base, _ = us
    log_in(page, base, "auditor", "/desk")
    assert "for treasurers and secretaries" in page.content()
