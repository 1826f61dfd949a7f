"""The rules about money, each shown raised and shown not raised, on a node that bypassed them.

Transfers stay within the available balance, carry three signatures, arrive within the set time
and any difference on arrival is booked; period reports agree with the books; loan money and
pledges are never income; administration stays within its share of what was received.
"""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from domain.campaign import CampaignKind
from domain.committee import OrganisationType
from domain.consultation import ProcurementCategory
from domain.decisions import AgencyOpinion, OpinionVerdict
from domain.money import Money
from domain.period_report import BalanceAssertion, PeriodReport
from domain.pledge import Instalment, Pledge
from domain.procurement import Procurement
from domain.roles import Actor
from domain.transfer import Transfer
from tests.integration.supervisory.conftest import (
    PAYMASTER,
    SECRETARY,
    TREASURER,
    Bypass,
    usd,
)
from tests.integration.supervisory.world import crafted

SENT_ON = date(1922, 5, 3)


def initiate(bypass: Bypass, amount: str, *, claimed_available: str = "1000000.00") -> Transfer:
    """The modified node initiates a transfer against whatever balance it claims to have."""
    return Transfer.initiate(
        transfer_id=uuid4(),
        sender="DE",
        recipient="RU-LIAISON",
        amount=usd(amount),
        available=usd(claimed_available),
        purpose="seed grain",
        on=date(1922, 5, 2),
        actor=TREASURER,
    )


def funded(bypass: Bypass, amount: str = "10000.00") -> None:
    bypass.receive(bypass.campaign("hunger-1922"), usd(amount))


def sent(bypass: Bypass, amount: str = "6000.00") -> Transfer:
    transfer = initiate(bypass, amount)
    transfer.countersign(actor=SECRETARY)
    transfer.send(on=SENT_ON, actor=PAYMASTER)
    bypass.record(transfer)
    return transfer


def confirm(bypass: Bypass, transfer: Transfer, received: str, on: date) -> None:
    transfer.trigger_event(
        Transfer.ReceiptConfirmed, actor=TREASURER, received=usd(received), confirmed_on=on
    )
    bypass.record(transfer)


# --- above the available balance ----------------------------------------------------------


def test_a_transfer_within_the_balance(bypass: Bypass) -> None:
    funded(bypass, "10000.00")
    bypass.record(initiate(bypass, "10000.00"))
    assert bypass.found("transfer.exceeds_available_balance") == []


def test_a_transfer_above_the_balance(bypass: Bypass) -> None:
    funded(bypass, "10000.00")
    bypass.record(initiate(bypass, "6000.00"))
    second = initiate(bypass, "6000.00")  # only 4,000 remain available
    bypass.record(second)
    [found] = bypass.found("transfer.exceeds_available_balance")
    assert found["subject_id"] == str(second.id)
    assert "only 4000.00 USD was available" in found["detail"]


# --- single-signed -------------------------------------------------------------------------


def test_three_people_sign(bypass: Bypass) -> None:
    funded(bypass)
    sent(bypass)
    assert bypass.found("transfer.single_signed") == []


@pytest.mark.parametrize(
    ("countersigner", "sender", "why"),
    [
        (None, PAYMASTER, "without a countersignature"),
        (TREASURER, PAYMASTER, "countersigned by its initiator"),
        (SECRETARY, SECRETARY, "who had already signed it"),
    ],
)
def test_a_transfer_one_person_signed_twice(
    bypass: Bypass, countersigner: Actor | None, sender: Actor, why: str
) -> None:
    funded(bypass)
    transfer = initiate(bypass, "6000.00")
    if countersigner is not None:
        transfer.trigger_event(Transfer.Countersigned, actor=countersigner)
    transfer.trigger_event(Transfer.Sent, actor=sender, sent_on=SENT_ON, reference=None)
    bypass.record(transfer)
    [found] = bypass.found("transfer.single_signed")
    assert why in found["detail"]
    topics = [e["topic"].rsplit(".", 1)[1] for e in found["events"]]
    assert topics[0] == "Initiated"
    assert topics[-1] == "Sent"


# --- in transit too long, and differences on arrival ---------------------------------------


def test_in_transit_as_of_a_day(bypass: Bypass) -> None:
    funded(bypass)
    transfer = sent(bypass)
    assert bypass.found("transfer.in_transit_too_long", date(1922, 8, 1)) == []  # 90 days
    [found] = bypass.found("transfer.in_transit_too_long", date(1922, 8, 2))  # 91 days
    assert found["subject_id"] == str(transfer.id)
    assert "91 days in transit (limit 90 days, as of 1922-08-02)" in found["detail"]


@pytest.mark.parametrize(
    ("arrived", "raised"), [(date(1922, 6, 1), False), (date(1922, 9, 1), True)]
)
def test_a_late_arrival_stays_on_record(bypass: Bypass, arrived: date, raised: bool) -> None:
    funded(bypass)
    transfer = sent(bypass)
    confirm(bypass, transfer, "6000.00", arrived)
    found = bypass.found("transfer.in_transit_too_long", date(1923, 1, 1))
    assert bool(found) is raised
    if raised:
        assert "confirmed after 121 days" in found[0]["detail"]


def test_a_difference_on_arrival_until_it_is_booked(bypass: Bypass) -> None:
    funded(bypass)
    transfer = sent(bypass, "6000.00")
    confirm(bypass, transfer, "5940.00", date(1922, 6, 1))
    [found] = bypass.found("transfer.difference_not_booked")
    assert "5940.00 USD arrived and no difference was booked" in found["detail"]
    transfer.book_difference(reason="exchange commission", actor=TREASURER)
    bypass.record(transfer)
    assert bypass.found("transfer.difference_not_booked") == []


def test_what_arrived_is_what_was_sent(bypass: Bypass) -> None:
    funded(bypass)
    confirm(bypass, sent(bypass, "6000.00"), "6000.00", date(1922, 6, 1))
    assert bypass.found("transfer.difference_not_booked") == []


# --- period reports against the replayed books ---------------------------------------------


def report(bypass: Bypass, cash: str, in_transit: str) -> PeriodReport:
    submitted = PeriodReport.submit(
        country="DE",
        period_start=date(1922, 1, 1),
        period_end=date(1922, 6, 30),
        assertions=[BalanceAssertion(usd(cash), usd(in_transit), usd("0.00"))],
        on=date(1922, 7, 5),
        actor=TREASURER,
    )
    bypass.record(submitted)
    return submitted


def books_of_june(bypass: Bypass) -> None:
    """10,000 received, 6,000 sent on 3 May and still in transit; 500 received in July."""
    funded(bypass, "10000.00")
    sent(bypass, "6000.00")
    bypass.receive(bypass.campaign("july"), usd("500.00"), on=date(1922, 7, 2))


def test_a_report_that_agrees_with_the_books(bypass: Bypass) -> None:
    books_of_june(bypass)
    report(bypass, cash="4000.00", in_transit="6000.00")
    assert bypass.found("period_report.disagrees_with_books") == []


def test_a_report_that_does_not(bypass: Bypass) -> None:
    books_of_june(bypass)
    submitted = report(bypass, cash="10000.00", in_transit="0.00")
    [found] = bypass.found("period_report.disagrees_with_books")
    assert found["subject_id"] == str(submitted.id)
    assert "cash asserted 10000.00 USD, books 4000.00 USD" in found["detail"]
    assert "in transit asserted 0.00 USD, books 6000.00 USD" in found["detail"]


def test_a_corrected_report_is_checked_again(bypass: Bypass) -> None:
    books_of_june(bypass)
    submitted = report(bypass, cash="10000.00", in_transit="0.00")
    submitted.return_for_correction(
        reason="in transit missing", on=date(1922, 7, 6), actor=SECRETARY
    )
    assertion = BalanceAssertion(usd("4000.00"), usd("6000.00"), usd("0.00"))
    submitted.resubmit(assertions=[assertion], on=date(1922, 7, 7), actor=TREASURER)
    bypass.record(submitted)
    assert bypass.found("period_report.disagrees_with_books") == []


# --- loan money and pledges counted as income ----------------------------------------------


def test_loan_money_booked_as_a_receipt(bypass: Bypass) -> None:
    drive = bypass.campaign("anleihe-1922", CampaignKind.LOAN_DRIVE)
    bypass.receive(bypass.campaign("hunger-1922"), usd("100.00"))
    loan = bypass.receive(drive, usd("250.00"), contributor="Holzarbeiterverband Berlin")
    [found] = bypass.found("loan.counted_as_income")
    assert found["subject_id"] == str(loan.id)
    assert "of the loan drive anleihe-1922" in found["detail"]


def pledge(bypass: Bypass) -> Pledge:
    promised = Pledge.record(
        pledge_id=uuid4(),
        campaign_id=bypass.campaign("hunger-1922").id,
        pledger="Konsumgenossenschaft Berlin",
        organisation_type=OrganisationType.COOPERATIVE,
        total=usd("2000.00"),
        schedule=(
            Instalment(date(1922, 4, 1), usd("1000.00")),
            Instalment(date(1922, 6, 1), usd("1000.00")),
        ),
        on=date(1922, 3, 1),
        actor=TREASURER,
    )
    bypass.record(promised)
    return promised


def test_a_pledge_paid_and_settled(bypass: Bypass) -> None:
    promised = pledge(bypass)
    campaign = bypass.campaign("hunger-1922")
    receipt = bypass.receive(campaign, usd("1000.00"), pledge_id=promised.id)
    promised.settle_instalment(
        due_on=date(1922, 4, 1),
        actual=usd("1000.00"),
        receipt_id=receipt.id,
        on=date(1922, 4, 1),
        actor=TREASURER,
    )
    bypass.record(promised)
    assert bypass.found("pledge.counted_as_funds") == []


def test_a_pledge_counted_before_it_was_paid(bypass: Bypass) -> None:
    promised = pledge(bypass)
    receipt = bypass.receive(bypass.campaign("hunger-1922"), usd("2000.00"), pledge_id=promised.id)
    [found] = bypass.found("pledge.counted_as_funds")
    assert found["subject_id"] == str(receipt.id)
    assert "no settlement of the pledge names this receipt" in found["detail"]


# --- administration above its share --------------------------------------------------------


def administration(bypass: Bypass, reference: str, paid: str) -> None:
    claimed = AgencyOpinion(
        uuid4(), uuid4(), OpinionVerdict.CONCUR, None, date(1922, 12, 31), date(1922, 1, 1)
    )
    office = crafted(
        Procurement,
        Procurement.Committed,
        id=Procurement.id_for("DE", reference),
        actor=TREASURER,
        country="DE",
        reference=reference,
        category=ProcurementCategory.ADMINISTRATION,
        description="office rent and printing",
        supplier="Vorwärts Buchdruckerei",
        enterprise="the committee's office",
        agency_id=uuid4(),
        amount=usd(paid),
        consultation_id=uuid4(),
        opinion=claimed,
        committed_on=date(1922, 2, 1),
    )
    office.pay(amount=usd(paid), on=date(1922, 2, 2), actor=PAYMASTER)
    bypass.record(office)


@pytest.mark.parametrize(("paid", "raised"), [("2000.00", False), ("2000.01", True)])
def test_administration_within_a_fifth_of_income(bypass: Bypass, paid: str, raised: bool) -> None:
    funded(bypass, "10000.00")
    administration(bypass, "ADM-1", paid)
    found = bypass.found("administration.over_share")
    assert bool(found) is raised
    if raised:
        assert "above the limit of 20 % of income" in found[0]["detail"]


def test_in_another_currency_the_share_is_its_own(bypass: Bypass) -> None:
    funded(bypass, "10000.00")
    bypass.receive(bypass.campaign("marks"), Money.of("1000.00", "XPM"))
    administration(bypass, "ADM-1", "1500.00")
    assert bypass.found("administration.over_share") == []
