"""The supervisory projection as pure functions: one event of one node in, row operations out."""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar
from uuid import UUID, uuid4

from domain.agency import AgencyKind, RussianAgency
from domain.campaign import Campaign, CampaignKind
from domain.committee import OrganisationType
from domain.consultation import Consultation, ProcurementCategory
from domain.decisions import OpinionVerdict
from domain.liaison import ConsultationOpinion
from domain.money import Money
from domain.period_report import BalanceAssertion, PeriodReport
from domain.pledge import Instalment, Pledge
from domain.receipt import CashReceipt
from domain.roles import Actor, Role
from domain.transfer import Transfer
from projections.rows import Add, Change, Put
from projections.supervisory import Projector
from projections.supervisory.committees import CAMPAIGNS
from projections.supervisory.flows import CONTRIBUTORS
from projections.supervisory.money import PLEDGES, RECEIPTS
from projections.supervisory.ops import AddFrom, Flow, FlowFrom, Row, SetFrom, Tally, Value
from projections.supervisory.specialists import persons_named
from projections.supervisory.transfers import TRANSFERS

TREASURER = Actor("Hugo Eberlein", Role.TREASURER)
SECRETARY = Actor("Clara Zetkin", Role.SECRETARY)
PAYMASTER = Actor("Emil Eichhorn", Role.TREASURER)
LIAISON = Actor("Alexander Eiduk", Role.LIAISON_OFFICER)
project = Projector("INTL")
T = TypeVar("T")


def xpm(amount: str) -> Money:
    return Money.of(amount, "XPM")


def events(aggregate: Any) -> list[Any]:
    return list(aggregate.collect_events())


def row(op: object) -> dict[str, Any]:
    """The row a Put (or a Row, a Put of every column as a tuple) writes."""
    if isinstance(op, Row):
        assert len(op.values) == len(op.table.columns)
        return dict(zip(op.table.columns, op.values, strict=True))
    assert isinstance(op, Put)
    return op.row


def of(kind: type[T], ops: list[Any]) -> list[T]:
    """The ops of one kind, all of them of that kind."""
    assert all(isinstance(op, kind) for op in ops)
    return list(ops)


def a_receipt() -> CashReceipt:
    return CashReceipt.receive(
        receipt_id=UUID("00000000-0000-4000-8000-000000000001"),
        campaign_id=Campaign.id_for("DE", "hunger-1922"),
        contributor="Deutscher Metallarbeiter-Verband",
        organisation_type=OrganisationType.TRADE_UNION,
        amount=xpm("400000.00"),
        value_date=date(1922, 1, 10),
        actor=TREASURER,
    )


def test_a_receipt_is_a_row_a_flow_and_a_contributor() -> None:
    [received] = events(a_receipt())
    put, flow, contributor = project("DE", received)
    assert isinstance(put, Row)
    assert put.table is RECEIPTS
    assert row(put) == {
        "country": "DE",
        "receipt_id": "00000000-0000-4000-8000-000000000001",
        "kind": "cash",
        "campaign_id": str(Campaign.id_for("DE", "hunger-1922")),
        "contributor": "Deutscher Metallarbeiter-Verband",
        "organisation_type": "trade_union",
        "description": None,
        "currency": "XPM",
        "amount_minor": 40000000,
        "value_date": "1922-01-10",
        "pledge_id": None,
        "reference": None,
        "recorded_by": "Hugo Eberlein",
        "reversed_on": None,
        "reversal_reason": None,
        "received_ref": "00000000-0000-4000-8000-000000000001/1",
        "reversed_ref": None,
    }
    assert flow == Flow("DE", "XPM", "received", "trade_union", "1922-01-10", 40000000)
    who = ("DE", "Deutscher Metallarbeiter-Verband", "trade_union")
    assert contributor == Tally(CONTRIBUTORS, who, (1,))


def test_the_country_is_the_node_that_recorded_it() -> None:
    [received] = events(a_receipt())
    assert row(project("FR", received)[0])["country"] == "FR"


def test_a_reversal_takes_the_receipt_out_on_its_own_value_date() -> None:
    receipt = a_receipt()
    receipt.reverse(reason="counted twice", on=date(1922, 3, 25), actor=TREASURER)
    _, reversed_ = events(receipt)
    flow, contributor, change = project("DE", reversed_)
    key = {"country": "DE", "receipt_id": "00000000-0000-4000-8000-000000000001"}
    assert flow == FlowFrom(
        RECEIPTS,
        key,
        measure="CASE kind WHEN 'cash' THEN 'received' ELSE 'in_kind' END",
        amount="-amount_minor",
        day="value_date",
        guard="reversed_on IS NULL",
    )
    assert isinstance(contributor, AddFrom)
    assert contributor.amounts == {"receipts": "-1"}
    assert change == Change(
        RECEIPTS,
        key,
        {
            "reversed_on": "1922-03-25",
            "reversal_reason": "counted twice",
            "reversed_ref": f"{receipt.id}/2",
        },
    )


def initiated(recipient: str) -> Transfer:
    return Transfer.initiate(
        transfer_id=uuid4(),
        sender="DE",
        recipient=recipient,
        amount=xpm("300000.00"),
        available=xpm("500000.00"),
        purpose="reconstruction",
        on=date(1922, 3, 28),
        actor=TREASURER,
    )


def test_a_transfer_to_the_international_is_internal_to_the_liaison_outgoing() -> None:
    [to_intl] = events(initiated("INTL"))
    [to_liaison] = events(initiated("RU-LIAISON"))
    assert row(project("DE", to_intl)[0])["flow"] == "internal"
    assert row(project("DE", to_liaison)[0])["flow"] == "outgoing"


def test_the_available_balance_is_read_before_the_transfer_commits_money() -> None:
    transfer = initiated("INTL")
    [event] = events(transfer)
    put, available, committed = project("DE", event)
    assert row(put)["initiated_key"] == "hugo eberlein"
    assert isinstance(available, SetFrom)
    assert (available.column, available.params) == ("available_minor", ("DE", "XPM"))
    assert "FROM sv_totals" in available.query
    assert committed == Flow("DE", "XPM", "committed", "", "1922-03-28", 30000000)


def test_a_sent_transfer_moves_from_committed_into_transit() -> None:
    transfer = initiated("RU-LIAISON")
    transfer.countersign(actor=SECRETARY)
    transfer.send(on=date(1922, 4, 1), actor=PAYMASTER)
    *_, sent = events(transfer)
    *ops, change = project("DE", sent)
    moves = of(FlowFrom, ops)
    assert [(m.measure, m.amount, m.day) for m in moves] == [
        (Value("committed"), "-amount_minor", Value("1922-04-01")),
        ("'in_transit_' || flow", "amount_minor", Value("1922-04-01")),
    ]
    assert {m.guard for m in moves} == {"sent_on IS NULL AND status <> 'cancelled'"}
    assert change == Change(
        TRANSFERS,
        {"country": "DE", "transfer_id": str(transfer.id)},
        {
            "status": "sent",
            "sent_by": "Emil Eichhorn",
            "sent_key": "emil eichhorn",
            "sent_on": "1922-04-01",
            "sent_ref": f"{transfer.id}/3",
        },
    )


def test_a_cancelled_pledge_keeps_only_what_was_paid() -> None:
    pledge = Pledge.record(
        pledge_id=uuid4(),
        campaign_id=uuid4(),
        pledger="Konsumgenossenschaft Berlin",
        organisation_type=OrganisationType.COOPERATIVE,
        total=xpm("2000.00"),
        schedule=(Instalment(date(1922, 4, 1), xpm("2000.00")),),
        on=date(1922, 3, 1),
        actor=TREASURER,
    )
    pledge.cancel(reason="the cooperative dissolved", actor=TREASURER)
    recorded, cancelled = events(pledge)
    [pledged] = of(Flow, project("DE", recorded)[1:2])
    assert (pledged.measure, pledged.amount_minor) == ("pledged", 200000)
    unpaid, change = project("DE", cancelled)
    assert unpaid == FlowFrom(
        PLEDGES,
        {"country": "DE", "pledge_id": str(pledge.id)},
        measure=Value("pledged"),
        amount="settled_minor - total_minor",
        day="pledged_on",
        guard="status = 'open'",
    )
    assert change == Change(
        PLEDGES, {"country": "DE", "pledge_id": str(pledge.id)}, {"status": "cancelled"}
    )


def test_a_period_report_keeps_the_books_beside_each_assertion() -> None:
    report = PeriodReport.submit(
        country="DE",
        period_start=date(1922, 1, 1),
        period_end=date(1922, 6, 30),
        assertions=[BalanceAssertion(xpm("140000.00"), xpm("60000.00"), xpm("0.00"))],
        on=date(1922, 7, 5),
        actor=TREASURER,
    )
    [submitted] = events(report)
    _, line, *ops = project("DE", submitted)
    assert row(line)["asserted_cash_minor"] == 14000000
    books = of(SetFrom, ops)
    assert [b.column for b in books] == [
        "books_cash_minor",
        "books_in_transit_minor",
        "books_in_kind_minor",
    ]
    assert books[0].params == ("DE", "XPM", "1922-06-30", "DE", "XPM", "1922-06-30", "1922-06-30")


def test_every_version_of_an_opinion_is_kept() -> None:
    agency = RussianAgency.register(
        code="NARKOMZEM",
        name="Narkomzem",
        kind=AgencyKind.STATE_BODY,
        on=date(1921, 6, 1),
        actor=LIAISON,
    )
    consultation = Consultation.request(
        country="DE",
        reference="DE-C-1",
        purpose="tractors",
        category=ProcurementCategory.MACHINES,
        ceiling=xpm("1000.00"),
        agency_id=agency.id,
        agency_name=agency.name,
        on=date(1922, 3, 1),
        actor=SECRETARY,
    )
    opinion = ConsultationOpinion.record(
        consultation_id=consultation.id,
        agency=agency,
        verdict=OpinionVerdict.CONCUR,
        valid_until=date(1922, 6, 30),
        on=date(1922, 3, 10),
        actor=LIAISON,
    )
    opinion.revise(
        verdict=OpinionVerdict.CONCUR,
        valid_until=date(1922, 12, 31),
        on=date(1922, 6, 1),
        actor=LIAISON,
    )
    recorded, revised = events(opinion)
    first = project("RU-LIAISON", recorded)
    assert row(first[0])["consultation_id"] == str(consultation.id)
    change, count, version = project("RU-LIAISON", revised)
    assert isinstance(change, Change)
    assert change.values["valid_until"] == "1922-12-31"
    assert isinstance(count, Add)
    assert count.amounts == {"revisions": 1}
    assert isinstance(version, Put)
    assert (version.row["version"], version.row["recorded_on"]) == (
        2,
        "1922-06-01",
    )


def test_a_nomination_names_one_person_or_a_group() -> None:
    assert persons_named("Harold Ware") == 1
    assert persons_named("Ware, Harold") == 1
    assert persons_named("Harold Ware and Jessica Smith") == 2
    assert persons_named("Ware; Smith; Kilpatrick") == 3
    assert persons_named("Иван Петров и Пётр Иванов") == 2


def test_a_closed_campaign_and_events_the_view_does_not_keep() -> None:
    campaign = Campaign.open(
        country="DE",
        code="hunger-1922",
        title="Famine relief",
        kind=CampaignKind.COLLECTION,
        national_section=None,
        on=date(1922, 1, 1),
        actor=SECRETARY,
    )
    campaign.close(on=date(1922, 2, 1), actor=SECRETARY)
    _, closed = events(campaign)
    key = {"country": "DE", "campaign_id": str(campaign.id)}
    assert project("DE", closed) == [Change(CAMPAIGNS, key, {"closed_on": "1922-02-01"})]
    assert project("DE", object()) == []
