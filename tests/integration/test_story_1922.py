"""The resolution's story of 1922-23, across the three kinds of node.

The American committee (Friends of Soviet Russia) consults the People's Commissariat of
Agriculture, commits to 20 Case tractors and a Fordson, ships them; the liaison confirms the
delivery and brings the Toikino farm into production. A mechanic is nominated, the metalworkers'
union approves, the emigration is funded and he departs. The French committee records 25-franc
subscriptions to the International's workers' loan. A surplus goes to an expansion campaign.
Decisions travel between the nodes as their events, through the ingest door sync will use.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

import pytest

from domain.campaign import CampaignKind
from domain.committee import Office
from domain.loan import Certificate, SubscriberType
from domain.money import Money
from domain.roles import Actor, Role
from federation.node.base import Context
from federation.node.committee import CommitteeApplication
from federation.node.international import InternationalApplication
from federation.node.liaison import LiaisonApplication
from federation.settings import NodeKind
from tests.conftest import SettingsFactory
from tests.support import liaison_story as story
from tests.support.relay import relay
from tests.support.story import SECOND_TREASURER, SECRETARY, TREASURER

SUPERVISOR = Context(Actor("Willi Münzenberg", Role.SUPERVISOR))
FR_SECRETARY = Context(Actor("Marcel Cachin", Role.SECRETARY))
FR_TREASURER = Context(Actor("Henri Gourdeaux", Role.TREASURER))


def frf(amount: str) -> Money:
    return Money.of(amount, "FRF")


@dataclass
class Nodes:
    us: CommitteeApplication
    fr: CommitteeApplication
    intl: InternationalApplication
    liaison: LiaisonApplication

    def sync(self) -> None:
        """Every node follows the others (the default topology), through the ingest door."""
        nodes = (self.us, self.fr, self.intl, self.liaison)
        for source in nodes:
            for target in nodes:
                if source is not target:
                    relay(source, target)


@pytest.fixture
def nodes(node_settings: SettingsFactory) -> Iterator[Nodes]:
    made = Nodes(
        CommitteeApplication(node_settings("US")),
        CommitteeApplication(node_settings("FR")),
        InternationalApplication(node_settings("INTL", NodeKind.INTERNATIONAL)),
        LiaisonApplication(node_settings("RU-LIAISON", NodeKind.LIAISON)),
    )
    yield made
    for app in (made.us, made.fr, made.intl, made.liaison):
        app.close()


def test_the_story_of_1922_23(nodes: Nodes) -> None:
    us, fr, intl, liaison = nodes.us, nodes.fr, nodes.intl, nodes.liaison
    story.register_agencies(liaison)
    story.found_committee(us, raised="50000.00")
    intl.recognise_committee(
        SUPERVISOR, country="US", committee_name="Friends of Soviet Russia", on=date(1921, 9, 1)
    )

    # Consultation, concurrence, the tractor column, delivery and production.
    consultation = story.consult(us, "FSR-1922-03", ceiling="30000.00")
    nodes.sync()
    story.concur(liaison, consultation)
    nodes.sync()
    tractors = story.procure(us, "PO-17", "FSR-1922-03", amount="20000.00")
    us.pay_procurement(
        SECOND_TREASURER,
        procurement_id=tractors,
        amount=story.usd("20000.00"),
        on=date(1922, 4, 20),
    )
    nodes.sync()
    liaison.confirm_delivery(
        story.LIAISON_OFFICER,
        procurement_id=tractors,
        delivered_on=date(1922, 6, 20),
        on=date(1922, 6, 25),
    )
    liaison.bring_enterprise_into_production(
        story.LIAISON_OFFICER, name=story.TOIKINO, procurement_ids=[tractors], on=date(1922, 8, 1)
    )
    nodes.sync()
    us.note_delivery(SECRETARY, procurement_id=tractors)
    us.note_production(SECRETARY, procurement_id=tractors)

    # One mechanic, approved by the metalworkers' union, funded, departed.
    mechanic = story.nominate(us, "SP-1")
    nodes.sync()
    liaison.grant_union_approval(
        story.UNION_REP, nomination_id=mechanic, union_code="METALLIST", on=date(1922, 4, 20)
    )
    nodes.sync()
    us.note_union_decision(SECRETARY, nomination_id=mechanic)
    us.fund_emigration(
        TREASURER, nomination_id=mechanic, amount=story.usd("350.00"), on=date(1922, 4, 25)
    )
    us.record_departure(SECRETARY, nomination_id=mechanic, on=date(1922, 5, 10))

    # The French committee subscribes to the International's loan in 25-franc bonds.
    intl.authorise_loan_issue(
        SUPERVISOR,
        code="IAA-1922",
        name="Internationale Arbeiteranleihe",
        coupon_rate=Decimal("0.05"),
        term_years=10,
        denominations=[frf("25.00"), frf("100.00")],
        on=date(1922, 8, 22),
    )
    fr.constitute(
        FR_SECRETARY, name="Comité de secours ouvrier", national_section="PCF", on=date(1921, 9, 1)
    )
    fr.appoint_officer(FR_SECRETARY, person="Henri Gourdeaux", office=Office.TREASURER)
    nodes.sync()
    bond = fr.record_loan_subscription(
        FR_TREASURER,
        reference="FR-L-1",
        issue_code="IAA-1922",
        subscriber="Fédération des métaux",
        subscriber_type=SubscriberType.TRADE_UNION,
        amount=frf("150.00"),
        on=date(1922, 10, 1),
    )
    fr.issue_loan_certificates(
        FR_TREASURER,
        subscription_id=UUID(bond["subscription_id"]),
        on=date(1922, 10, 1),
        certificates=[
            Certificate("FR-000001", frf("100.00")),
            Certificate("FR-000002", frf("25.00")),
            Certificate("FR-000003", frf("25.00")),
        ],
    )
    fr.record_loan_subscription(
        FR_TREASURER,
        reference="FR-L-2",
        issue_code="IAA-1922",
        subscriber="Coopérative La Bellevilloise",
        subscriber_type=SubscriberType.COOPERATIVE,
        amount=frf("25.00"),
        on=date(1922, 10, 2),
    )

    # The year's surplus goes to an expansion campaign.
    surplus = us.declare_surplus(
        TREASURER, period_end=date(1922, 12, 31), amount=story.usd("5000.00"), on=date(1923, 1, 5)
    )
    us.open_campaign(
        SECRETARY,
        code="tractors-1923",
        title="A second tractor column",
        kind=CampaignKind.EXPANSION,
        national_section=None,
        on=date(1923, 1, 6),
    )
    us.allocate_surplus(
        SECRETARY,
        surplus_id=UUID(surplus["surplus_id"]),
        campaign_code="tractors-1923",
        amount=story.usd("5000.00"),
        on=date(1923, 1, 7),
    )
    nodes.sync()

    # The American books: 50,000 raised, 20,000 paid for tractors, 350 for the journey.
    [books] = us.balances()
    assert books["cash_received"] == "50000.00"
    assert books["spent"] == "20350.00"
    assert books["cash_on_hand"] == "29650.00"
    assert books["loan_subscribed"] == "0.00"
    [procurement] = us.list_rows("books_procurements", "reference", 10, 0)
    assert (procurement["status"], procurement["paid"]) == ("in_production", "20000.00")
    [specialist] = us.list_rows("books_specialists", "reference", 10, 0)
    assert (specialist["person"], specialist["status"]) == ("Harold Ware", "departed")
    [row] = us.list_rows("books_surpluses", "period_end", 10, 0)
    assert (row["declared"], row["allocated"]) == ("5000.00", "5000.00")

    # The French books: 175 francs of loan money, a liability and not income.
    [francs] = fr.balances()
    assert (francs["currency"], francs["cash_received"]) == ("FRF", "0.00")
    assert (francs["loan_subscribed"], francs["loan_outstanding"]) == ("175.00", "175.00")
    loans = fr.list_rows("books_loan_subscriptions", "reference", 10, 0)
    assert [(r["principal"], r["certificates"]) for r in loans] == [("150.00", 3), ("25.00", 0)]

    # Every node has every other node's events.
    for target in (nodes.us, nodes.fr, nodes.intl, nodes.liaison):
        for source in (nodes.us, nodes.fr, nodes.intl, nodes.liaison):
            if source is not target:
                upstream = source.settings.node_id
                held = int(source.db.scalar("SELECT COUNT(*) FROM log_positions"))
                assert target.ingestor.cursor(upstream) == held
