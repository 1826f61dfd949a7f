"""One application suite, run unchanged on in-memory SQLite, a SQLite file and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from uuid import UUID

import pytest

from domain.campaign import CampaignKind
from domain.committee import Office, OrganisationType
from domain.errors import DomainError, InvalidInput, RuleBroken
from domain.money import Money
from domain.pledge import Instalment
from federation.node.base import Context
from federation.node.committee import CashReceiptLine, CommitteeApplication
from federation.node.idempotency import Idempotency
from tests.conftest import SettingsFactory
from tests.support.story import CAMPAIGN, FOUNDED, SECOND_TREASURER, SECRETARY, TREASURER


def usd(amount: str) -> Money:
    return Money.of(amount, "USD")


@pytest.fixture
def app(node_settings: SettingsFactory) -> Iterator[CommitteeApplication]:
    application = CommitteeApplication(node_settings("US"))
    application.constitute(
        SECRETARY,
        name="Friends of Soviet Russia",
        national_section="Workers Party of America",
        on=FOUNDED,
    )
    application.appoint_officer(SECRETARY, person="Alfred Wagenknecht", office=Office.TREASURER)
    application.open_campaign(
        SECRETARY,
        code=CAMPAIGN,
        title="Famine relief",
        kind=CampaignKind.COLLECTION,
        national_section=None,
        on=FOUNDED,
    )
    yield application
    application.close()


def receive(app: CommitteeApplication, amount: str, who: str = "ILGWU Local 1", **kw: str) -> str:
    line = CashReceiptLine(
        CAMPAIGN, who, OrganisationType.TRADE_UNION, usd(amount), date(1922, 1, 5), **kw
    )
    return str(app.record_cash_receipt(TREASURER, line)["receipt_id"])


def balance(app: CommitteeApplication, code: str = "USD") -> dict[str, str]:
    return next(b for b in app.balances() if b["currency"] == code)


def event_count(app: CommitteeApplication) -> int:
    return int(app.db.scalar("SELECT COUNT(*) FROM log_positions"))


def test_the_books_of_a_year_of_collections(app: CommitteeApplication) -> None:
    pledge = app.record_pledge(
        TREASURER,
        campaign_code=CAMPAIGN,
        pledger="Amalgamated Clothing Workers",
        organisation_type=OrganisationType.TRADE_UNION,
        total=usd("1000.00"),
        schedule=[
            Instalment(date(1922, 1, 1), usd("600.00")),
            Instalment(date(1922, 2, 1), usd("400.00")),
        ],
        on=date(1921, 9, 1),
    )
    app.settle_pledge_instalment(
        TREASURER,
        pledge_id=UUID(pledge["pledge_id"]),
        due_on=date(1922, 1, 1),
        actual=usd("550.00"),
        value_date=date(1922, 1, 3),
    )
    receive(app, "250.00", "Finnish Workers' Club, Chicago")
    wrong = receive(app, "99.00", "entered twice")
    app.reverse_receipt(
        TREASURER, receipt_id=UUID(wrong), reason="entered twice", on=date(1922, 1, 6)
    )
    app.record_in_kind_receipt(
        TREASURER,
        campaign_code=CAMPAIGN,
        contributor="Needle trades",
        organisation_type=OrganisationType.TRADE_UNION,
        description="300 bales of clothing",
        valuation=usd("3000.00"),
        value_date=date(1922, 2, 1),
    )
    t = app.initiate_transfer(
        TREASURER,
        recipient="INTL",
        amount=usd("500.00"),
        purpose="tractor column",
        on=date(1922, 3, 1),
    )
    app.countersign_transfer(SECRETARY, transfer_id=UUID(t["transfer_id"]))
    app.send_transfer(SECOND_TREASURER, transfer_id=UUID(t["transfer_id"]), on=date(1922, 3, 2))

    assert balance(app) == {
        "currency": "USD",
        "cash_received": "800.00",
        "in_kind": "3000.00",
        "committed": "0.00",
        "in_transit": "500.00",
        "transferred": "0.00",
        "cash_on_hand": "300.00",
        "available": "300.00",
        "pledged": "1000.00",
        "pledges_settled": "550.00",
        "pledges_outstanding": "450.00",
        "loan_subscribed": "0.00",
        "loan_redeemed": "0.00",
        "loan_coupons": "0.00",
        "loan_outstanding": "0.00",
        "spent": "0.00",
    }
    by_type = {r["organisation_type"]: r for r in app.by_organisation_type()}
    assert by_type["trade_union"]["received"] == "800.00"
    assert by_type["trade_union"]["pledged"] == "1000.00"
    assert by_type["trade_union"]["in_kind"] == "3000.00"
    [campaign] = app.by_campaign()
    assert (campaign["pledged"], campaign["received"]) == ("1000.00", "800.00")


def test_currencies_are_kept_apart(app: CommitteeApplication) -> None:
    receive(app, "10.00")
    app.record_cash_receipt(
        TREASURER,
        CashReceiptLine(
            CAMPAIGN,
            "Section française",
            OrganisationType.PARTY_BRANCH,
            Money.of("25.00", "FRF"),
            date(1922, 10, 1),
        ),
    )
    assert {b["currency"]: b["cash_received"] for b in app.balances()} == {
        "FRF": "25.00",
        "USD": "10.00",
    }


def test_a_transfer_above_the_available_balance_is_refused_and_nothing_recorded(
    app: CommitteeApplication,
) -> None:
    receive(app, "100.00")
    app.initiate_transfer(
        TREASURER, recipient="INTL", amount=usd("60.00"), purpose="a", on=date(1922, 3, 1)
    )
    before = event_count(app)
    with pytest.raises(RuleBroken) as refused:
        app.initiate_transfer(
            TREASURER, recipient="INTL", amount=usd("40.01"), purpose="b", on=date(1922, 3, 1)
        )
    assert refused.value.code == "transfer.exceeds_available_balance"
    assert event_count(app) == before
    assert balance(app)["available"] == "40.00"


def test_a_cancelled_transfer_frees_its_amount(app: CommitteeApplication) -> None:
    receive(app, "100.00")
    t = app.initiate_transfer(
        TREASURER, recipient="INTL", amount=usd("100.00"), purpose="a", on=date(1922, 3, 1)
    )
    assert balance(app)["available"] == "0.00"
    app.cancel_transfer(SECRETARY, transfer_id=UUID(t["transfer_id"]), reason="wrong recipient")
    assert balance(app)["available"] == "100.00"


@pytest.mark.parametrize(
    ("record", "code"),
    [
        (lambda app: receive(app, "0.00"), "money.not_positive"),
        (lambda app: receive(app, "-3.00"), "money.not_positive"),
        (
            lambda app: app.record_cash_receipt(
                TREASURER,
                CashReceiptLine(
                    "no-such-campaign", "x", OrganisationType.OTHER, usd("1"), date(1922, 1, 1)
                ),
            ),
            "campaign.not_found",
        ),
        (
            lambda app: app.record_pledge(
                TREASURER,
                campaign_code=CAMPAIGN,
                pledger="x",
                organisation_type=OrganisationType.OTHER,
                total=usd("10.00"),
                schedule=[Instalment(date(1922, 1, 1), usd("9.99"))],
                on=date(1922, 1, 1),
            ),
            "pledge.schedule_does_not_sum",
        ),
        (
            lambda app: app.initiate_transfer(
                TREASURER, recipient="INTL", amount=usd("0.01"), purpose="x", on=date(1922, 1, 1)
            ),
            "transfer.exceeds_available_balance",
        ),
    ],
)
def test_refused_commands_record_nothing(
    app: CommitteeApplication, record: object, code: str
) -> None:
    before = event_count(app)
    with pytest.raises(DomainError) as refused:
        record(app)  # type: ignore[operator]
    assert refused.value.code == code
    assert event_count(app) == before


def test_the_same_idempotency_key_records_once_and_answers_the_same(
    app: CommitteeApplication,
) -> None:
    line = CashReceiptLine(
        CAMPAIGN, "Anna", OrganisationType.WORKERS_CIRCLE, usd("5.00"), date(1922, 1, 1)
    )
    ctx = Context(TREASURER.actor, Idempotency.of("k-1", "record_cash", {"amount": "5.00"}))
    first = app.record_cash_receipt(ctx, line)
    before = event_count(app)
    again = app.record_cash_receipt(ctx, line)
    assert again == first
    assert event_count(app) == before
    other = Context(TREASURER.actor, Idempotency.of("k-1", "record_cash", {"amount": "6.00"}))
    with pytest.raises(RuleBroken) as refused:
        app.record_cash_receipt(other, line)
    assert refused.value.code == "idempotency.key_reused"


def test_a_collection_list_line_is_recorded_once_by_its_reference(
    app: CommitteeApplication,
) -> None:
    receive(app, "5.00", reference="list-7/line-3")
    with pytest.raises(RuleBroken) as refused:
        receive(app, "5.00", reference="list-7/line-3")
    assert refused.value.code == "receipt.reference_taken"


def test_a_batch_of_receipts_is_all_or_nothing(app: CommitteeApplication) -> None:
    good = CashReceiptLine(CAMPAIGN, "a", OrganisationType.OTHER, usd("1.00"), date(1922, 1, 1))
    before = event_count(app)
    with pytest.raises(InvalidInput):
        app.record_cash_receipts(
            TREASURER,
            [
                good,
                CashReceiptLine(CAMPAIGN, "b", OrganisationType.OTHER, usd("0"), date(1922, 1, 1)),
            ],
        )
    assert event_count(app) == before
    app.record_cash_receipts(TREASURER, [good, good])
    assert balance(app)["cash_received"] == "2.00"


def test_log_positions_are_dense_and_follow_commit_order(app: CommitteeApplication) -> None:
    for amount in ("1.00", "2.00", "3.00"):
        receive(app, amount)
    rows = app.db.query("SELECT position, notification_id FROM log_positions ORDER BY position")
    assert [r["position"] for r in rows] == list(range(1, len(rows) + 1))
    ids = [r["notification_id"] for r in rows]
    assert ids == sorted(ids)


def test_the_books_rebuild_from_zero_to_the_same_rows(app: CommitteeApplication) -> None:
    receive(app, "7.00")
    app.balances()
    live = app.db.query("SELECT * FROM books_receipts ORDER BY receipt_id")
    with app.db.transaction() as cursor:
        cursor.execute("DELETE FROM books_receipts")
        cursor.execute("DELETE FROM projection_positions")
    app.books.catch_up()
    assert app.db.query("SELECT * FROM books_receipts ORDER BY receipt_id") == live
