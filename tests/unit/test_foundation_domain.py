"""The committee's aggregates: each rule shown refusing and allowing, with nothing recorded."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from domain.campaign import Campaign, CampaignKind
from domain.committee import NationalCommittee, Office, OrganisationType
from domain.errors import DomainError, InvalidInput, NotPermitted, RuleBroken
from domain.money import Money
from domain.pledge import Instalment, Pledge
from domain.receipt import CashReceipt, InKindReceipt
from domain.roles import Actor, Role
from domain.transfer import Transfer, TransferStatus

secretary = Actor("Caleb Harrison", Role.SECRETARY)
treasurer = Actor("Alfred Wagenknecht", Role.TREASURER)
other_treasurer = Actor("Rose Karsner", Role.TREASURER)
supervisor = Actor("Willi Münzenberg", Role.SUPERVISOR)


def usd(amount: str) -> Money:
    return Money.of(amount, "USD")


def committee() -> NationalCommittee:
    return NationalCommittee.constitute(
        country="us",
        name="Friends of Soviet Russia",
        national_section="Workers Party",
        on=date(1921, 8, 9),
        actor=secretary,
    )


def pledge(total: str = "1000.00", *parts: tuple[date, str]) -> Pledge:
    schedule = parts or ((date(1922, 1, 1), "500.00"), (date(1922, 2, 1), "500.00"))
    return Pledge.record(
        pledge_id=uuid4(),
        campaign_id=uuid4(),
        pledger="ILGWU Local 1",
        organisation_type=OrganisationType.TRADE_UNION,
        total=usd(total),
        schedule=tuple(Instalment(d, usd(a)) for d, a in schedule),
        on=date(1921, 9, 1),
        actor=treasurer,
    )


def refused(
    aggregate: object, call: object, code: str, kind: type[DomainError] = RuleBroken
) -> None:
    """Call, expect the rule's refusal, and check nothing new was triggered."""
    before = len(getattr(aggregate, "pending_events", []))
    with pytest.raises(kind) as error:
        call()  # type: ignore[operator]
    assert error.value.code == code
    assert len(getattr(aggregate, "pending_events", [])) == before


def test_a_committee_records_who_constituted_it_and_admits_delegates_by_type() -> None:
    c = committee()
    c.admit_delegate(
        delegate="Rose Pastor Stokes",
        organisation="Amalgamated Clothing Workers",
        organisation_type=OrganisationType.TRADE_UNION,
        actor=secretary,
    )
    assert c.country == "US"
    assert c.delegates["Rose Pastor Stokes"][1] is OrganisationType.TRADE_UNION
    assert all(e.actor == secretary for e in c.pending_events)  # type: ignore[attr-defined]
    refused(
        c,
        lambda: c.admit_delegate(
            delegate="Rose Pastor Stokes",
            organisation="x",
            organisation_type=OrganisationType.OTHER,
            actor=secretary,
        ),
        "committee.delegate_already_admitted",
    )


def test_the_treasurer_is_never_the_secretary() -> None:
    c = committee()
    c.appoint_officer(person="Caleb Harrison", office=Office.SECRETARY, actor=secretary)
    refused(
        c,
        lambda: c.appoint_officer(
            person="Caleb Harrison", office=Office.TREASURER, actor=secretary
        ),
        "committee.treasurer_is_secretary",
    )
    c.appoint_officer(person="Alfred Wagenknecht", office=Office.TREASURER, actor=secretary)
    assert c.officers == {
        Office.SECRETARY: "Caleb Harrison",
        Office.TREASURER: "Alfred Wagenknecht",
    }


def test_roles_are_checked() -> None:
    with pytest.raises(NotPermitted) as error:
        NationalCommittee.constitute(
            country="US", name="x", national_section="y", on=date(1921, 8, 9), actor=treasurer
        )
    assert error.value.code == "role.not_permitted"
    assert "secretary" in error.value.message


def test_agitation_campaigns_are_held_with_the_national_section() -> None:
    with pytest.raises(RuleBroken) as error:
        Campaign.open(
            country="US",
            code="agit",
            title="Hands off Russia",
            kind=CampaignKind.AGITATION,
            national_section=None,
            on=date(1922, 1, 1),
            actor=secretary,
        )
    assert error.value.code == "campaign.agitation_without_section"
    c = Campaign.open(
        country="US",
        code="agit",
        title="Hands off Russia",
        kind=CampaignKind.AGITATION,
        national_section="Workers Party",
        on=date(1922, 1, 1),
        actor=secretary,
    )
    c.close(on=date(1922, 6, 1), actor=secretary)
    refused(c, c.require_open, "campaign.closed")


def test_instalments_must_sum_exactly_to_the_total() -> None:
    with pytest.raises(RuleBroken) as error:
        pledge(
            "1000.00",
            (date(1922, 1, 1), "333.33"),
            (date(1922, 2, 1), "333.33"),
            (date(1922, 3, 1), "333.33"),
        )
    assert error.value.code == "pledge.schedule_does_not_sum"
    assert "999.99 USD" in error.value.message
    exact = pledge(
        "1000.00",
        (date(1922, 1, 1), "333.33"),
        (date(1922, 2, 1), "333.33"),
        (date(1922, 3, 1), "333.34"),
    )
    assert len(exact.schedule) == 3


def test_a_schedule_in_another_currency_is_refused() -> None:
    with pytest.raises(RuleBroken) as error:
        Pledge.record(
            pledge_id=uuid4(),
            campaign_id=uuid4(),
            pledger="x",
            organisation_type=OrganisationType.OTHER,
            total=usd("10"),
            schedule=(Instalment(date(1922, 1, 1), Money.of("10", "FRF")),),
            on=date(1922, 1, 1),
            actor=treasurer,
        )
    assert error.value.code == "money.mixed_currencies"


def test_rescheduling_replaces_the_open_instalments() -> None:
    p = pledge()
    p.settle_instalment(
        due_on=date(1922, 1, 1),
        actual=usd("400.00"),
        receipt_id=uuid4(),
        on=date(1922, 1, 3),
        actor=treasurer,
    )
    assert p.outstanding == usd("600.00")
    refused(
        p,
        lambda: p.reschedule(
            schedule=(Instalment(date(1922, 4, 1), usd("500.00")),),
            reason="strike",
            actor=treasurer,
        ),
        "pledge.schedule_does_not_sum",
    )
    p.reschedule(
        schedule=(
            Instalment(date(1922, 4, 1), usd("300.00")),
            Instalment(date(1922, 5, 1), usd("300.00")),
        ),
        reason="strike",
        actor=treasurer,
    )
    assert [i.due_on for i in p.schedule] == [date(1922, 4, 1), date(1922, 5, 1)]


def test_settling_uses_the_actual_amount_once() -> None:
    p = pledge()
    p.settle_instalment(
        due_on=date(1922, 1, 1),
        actual=usd("512.00"),
        receipt_id=uuid4(),
        on=date(1922, 1, 3),
        actor=treasurer,
    )
    assert p.settled == usd("512.00")
    refused(
        p,
        lambda: p.settle_instalment(
            due_on=date(1922, 1, 1),
            actual=usd("1"),
            receipt_id=uuid4(),
            on=date(1922, 1, 3),
            actor=treasurer,
        ),
        "pledge.instalment_already_settled",
    )
    p.cancel(reason="union dissolved", actor=treasurer)
    refused(p, lambda: p.cancel(reason="again", actor=treasurer), "pledge.cancelled")


def test_receipts_are_corrected_only_by_reversal_once() -> None:
    r = CashReceipt.receive(
        receipt_id=uuid4(),
        campaign_id=uuid4(),
        contributor="Anna",
        organisation_type=OrganisationType.WORKERS_CIRCLE,
        amount=usd("5.00"),
        value_date=date(1922, 1, 1),
        actor=treasurer,
    )
    r.reverse(reason="entered twice", on=date(1922, 1, 2), actor=treasurer)
    refused(
        r,
        lambda: r.reverse(reason="again", on=date(1922, 1, 3), actor=treasurer),
        "receipt.already_reversed",
    )
    with pytest.raises(InvalidInput) as error:
        InKindReceipt.receive(
            receipt_id=uuid4(),
            campaign_id=uuid4(),
            contributor="Coop",
            organisation_type=OrganisationType.COOPERATIVE,
            description="flour",
            valuation=usd("0"),
            value_date=date(1922, 1, 1),
            actor=treasurer,
        )
    assert error.value.code == "money.not_positive"


def transfer(amount: str = "100.00", available: str = "100.00") -> Transfer:
    return Transfer.initiate(
        transfer_id=uuid4(),
        sender="US",
        recipient="INTL",
        amount=usd(amount),
        available=usd(available),
        purpose="tractors",
        on=date(1922, 3, 1),
        actor=treasurer,
    )


def test_a_transfer_never_exceeds_the_available_balance() -> None:
    with pytest.raises(RuleBroken) as error:
        transfer("100.01", "100.00")
    assert error.value.code == "transfer.exceeds_available_balance"
    assert transfer("100.00", "100.00").status is TransferStatus.INITIATED
    with pytest.raises(RuleBroken) as mixed:
        Transfer.initiate(
            transfer_id=uuid4(),
            sender="US",
            recipient="INTL",
            amount=Money.of("1", "FRF"),
            available=usd("100"),
            purpose="x",
            on=date(1922, 3, 1),
            actor=treasurer,
        )
    assert mixed.value.code == "money.mixed_currencies"


def test_three_different_people_initiate_countersign_and_send() -> None:
    t = transfer()
    refused(
        t, lambda: t.send(on=date(1922, 3, 2), actor=other_treasurer), "transfer.not_countersigned"
    )
    refused(
        t,
        lambda: t.countersign(actor=Actor("Alfred Wagenknecht", Role.SECRETARY)),
        "transfer.countersigned_by_initiator",
    )
    t.countersign(actor=secretary)
    refused(
        t, lambda: t.countersign(actor=other_treasurer), "transfer.not_awaiting_countersignature"
    )
    refused(t, lambda: t.send(on=date(1922, 3, 2), actor=treasurer), "transfer.sent_by_signatory")
    t.send(on=date(1922, 3, 2), actor=other_treasurer)
    assert t.status is TransferStatus.SENT
    refused(t, lambda: t.cancel(reason="late", actor=treasurer), "transfer.cannot_cancel")


def test_a_supervisor_may_not_move_a_committees_money() -> None:
    with pytest.raises(NotPermitted):
        Transfer.initiate(
            transfer_id=uuid4(),
            sender="US",
            recipient="INTL",
            amount=usd("1"),
            available=usd("1"),
            purpose="x",
            on=date(1922, 3, 1),
            actor=supervisor,
        )
