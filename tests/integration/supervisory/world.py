"""The committees of Germany, France and the United States, the liaison and the International.

Each committee acts through its own node's commands; what it records reaches the International
through ``relay`` (the ingest door federation sync uses). A node running modified software is
played by a plain ``NodeApplication`` into which a test saves events the real commands refuse.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from domain.campaign import CampaignKind
from domain.committee import Office, OrganisationType
from domain.liaison import TransferReceipt
from domain.loan import SubscriberType
from domain.money import Money
from domain.pledge import Instalment
from domain.roles import Actor, Role
from federation.node.base import Context, NodeApplication
from federation.node.committee import CashReceiptLine, CommitteeApplication
from federation.node.international import InternationalApplication
from federation.node.liaison import LiaisonApplication
from tests.support import liaison_story as story
from tests.support.relay import relay
from tests.support.story import SECOND_TREASURER, SECRETARY, TREASURER

SUPERVISOR = Context(Actor("Willi Münzenberg", Role.SUPERVISOR))
DE_SECRETARY = Context(Actor("Clara Zetkin", Role.SECRETARY))
DE_TREASURER = Context(Actor("Hugo Eberlein", Role.TREASURER))
DE_PAYMASTER = Context(Actor("Emil Eichhorn", Role.TREASURER))
FR_SECRETARY = Context(Actor("Marcel Cachin", Role.SECRETARY))
FR_TREASURER = Context(Actor("Henri Gourdeaux", Role.TREASURER))
FR_PAYMASTER = Context(Actor("Gaston Monmousseau", Role.TREASURER))


def xpm(amount: str) -> Money:
    return Money.of(amount, "XPM")


def frf(amount: str) -> Money:
    return Money.of(amount, "FRF")


def relay_all(intl: InternationalApplication, *sources: NodeApplication) -> None:
    """Deliver every source node's new events to the International."""
    for source in sources:
        relay(source, intl)


def found(
    committee: CommitteeApplication,
    secretary: Context,
    treasurer: Context,
    name: str,
    campaign: str,
    on: date,
) -> None:
    """Constitute the committee, appoint its treasurer and open its collection."""
    committee.constitute(secretary, name=name, national_section="the national section", on=on)
    committee.appoint_officer(secretary, person=treasurer.actor.person, office=Office.TREASURER)
    committee.open_campaign(
        secretary,
        code=campaign,
        title="Famine relief and reconstruction",
        kind=CampaignKind.COLLECTION,
        national_section=None,
        on=on,
    )


def receive(
    committee: CommitteeApplication,
    treasurer: Context,
    campaign: str,
    contributor: str,
    org: OrganisationType,
    amount: Money,
    on: date,
) -> UUID:
    line = CashReceiptLine(campaign, contributor, org, amount, on)
    return UUID(committee.record_cash_receipt(treasurer, line)["receipt_id"])


def send(
    committee: CommitteeApplication,
    initiator: Context,
    countersigner: Context,
    sender: Context,
    recipient: str,
    amount: Money,
    initiated_on: date,
    sent_on: date,
) -> UUID:
    """Three people move money out: initiated, countersigned, sent."""
    done = committee.initiate_transfer(
        initiator, recipient=recipient, amount=amount, purpose="reconstruction", on=initiated_on
    )
    transfer_id = UUID(done["transfer_id"])
    committee.countersign_transfer(countersigner, transfer_id=transfer_id)
    committee.send_transfer(sender, transfer_id=transfer_id, on=sent_on)
    return transfer_id


@dataclass
class Germany:
    """The German committee, in paper marks: receipts, a reversal, goods, two transfers."""

    metalworkers: UUID
    wedding: UUID
    to_intl: UUID
    to_liaison: UUID


def germany(de: CommitteeApplication, intl: InternationalApplication) -> Germany:
    found(de, DE_SECRETARY, DE_TREASURER, "Komitee Arbeiterhilfe", "hunger-1922", date(1921, 8, 12))
    t = DE_TREASURER
    metal = receive(de, t, "hunger-1922", "Deutscher Metallarbeiter-Verband",
                    OrganisationType.TRADE_UNION, xpm("400000.00"), date(1922, 1, 10))  # fmt: skip
    receive(de, t, "hunger-1922", "Konsumgenossenschaft Berlin", OrganisationType.COOPERATIVE,
            xpm("100000.00"), date(1922, 3, 20))  # fmt: skip
    wedding = receive(de, t, "hunger-1922", "KPD Ortsgruppe Wedding",
                      OrganisationType.PARTY_BRANCH, xpm("50000.00"),
                      date(1922, 3, 10))  # fmt: skip
    de.reverse_receipt(t, receipt_id=wedding, reason="counted twice", on=date(1922, 3, 25))
    de.record_in_kind_receipt(
        t,
        campaign_code="hunger-1922",
        contributor="Arbeiter-Samariter-Bund",
        organisation_type=OrganisationType.WORKERS_CIRCLE,
        description="winter clothing, 40 crates",
        valuation=xpm("33000.00"),
        value_date=date(1922, 2, 1),
    )
    to_intl = send(de, t, DE_SECRETARY, DE_PAYMASTER, "INTL", xpm("300000.00"),
                   date(1922, 3, 28), date(1922, 4, 1))  # fmt: skip
    # The International confirms what reached it; the committee notes it and books the fees.
    confirmation = TransferReceipt.confirm(
        transfer_id=to_intl,
        receiver="INTL",
        received=xpm("299500.00"),
        on=date(1922, 4, 20),
        actor=SUPERVISOR.actor,
    )
    intl.save(confirmation)
    relay(intl, de)
    de.note_transfer_receipt(t, transfer_id=to_intl, receiver="INTL")
    de.book_transfer_difference(t, transfer_id=to_intl, reason="bank charges at Amsterdam")
    to_liaison = send(de, t, DE_SECRETARY, DE_PAYMASTER, "RU-LIAISON", xpm("60000.00"),
                      date(1922, 5, 2), date(1922, 5, 3))  # fmt: skip
    return Germany(metal, wedding, to_intl, to_liaison)


def france(fr: CommitteeApplication, intl: InternationalApplication) -> None:
    """The French committee, in francs: receipts, a pledge half paid, loan subscriptions."""
    found(fr, FR_SECRETARY, FR_TREASURER, "Comité de secours ouvrier", "secours-1922",
          date(1921, 9, 1))  # fmt: skip
    t = FR_TREASURER
    receive(fr, t, "secours-1922", "Fédération des métaux", OrganisationType.TRADE_UNION,
            frf("12000.00"), date(1922, 2, 15))  # fmt: skip
    receive(fr, t, "secours-1922", "La Bellevilloise", OrganisationType.COOPERATIVE,
            frf("5000.00"), date(1922, 7, 1))  # fmt: skip
    pledge = fr.record_pledge(
        t,
        campaign_code="secours-1922",
        pledger="Union des coopérateurs",
        organisation_type=OrganisationType.COOPERATIVE,
        total=frf("2000.00"),
        schedule=[
            Instalment(date(1922, 4, 1), frf("1000.00")),
            Instalment(date(1922, 6, 1), frf("1000.00")),
        ],
        on=date(1922, 3, 1),
    )
    fr.settle_pledge_instalment(
        t,
        pledge_id=UUID(pledge["pledge_id"]),
        due_on=date(1922, 4, 1),
        actual=frf("1000.00"),
        value_date=date(1922, 4, 1),
    )
    intl.authorise_loan_issue(
        SUPERVISOR,
        code="IAA-1922",
        name="Internationale Arbeiteranleihe",
        coupon_rate=Decimal("0.05"),
        term_years=10,
        denominations=[frf("25.00"), frf("100.00")],
        on=date(1922, 8, 22),
    )
    relay(intl, fr)
    metal = fr.record_loan_subscription(
        t,
        reference="FR-L-1",
        issue_code="IAA-1922",
        subscriber="Fédération des métaux",
        subscriber_type=SubscriberType.TRADE_UNION,
        amount=frf("150.00"),
        on=date(1922, 10, 1),
    )
    fr.record_loan_subscription(
        t,
        reference="FR-L-2",
        issue_code="IAA-1922",
        subscriber="La Bellevilloise",
        subscriber_type=SubscriberType.COOPERATIVE,
        amount=frf("25.00"),
        on=date(1922, 10, 2),
    )
    fr.redeem_loan_principal(
        FR_PAYMASTER,
        subscription_id=UUID(metal["subscription_id"]),
        amount=frf("25.00"),
        on=date(1922, 12, 1),
    )


def united_states(us: CommitteeApplication, liaison: LiaisonApplication) -> None:
    """Friends of Soviet Russia: tractors for Toikino under a consultation, a mechanic, a
    surplus for an expansion campaign (the story of ``tests/integration/test_story_1922``)."""
    story.register_agencies(liaison)
    story.found_committee(us, raised="50000.00")
    consultation = story.consult(us, "FSR-1922-03", ceiling="30000.00")
    relay(us, liaison)
    story.concur(liaison, consultation)
    relay(liaison, us)
    tractors = story.procure(us, "PO-17", "FSR-1922-03", amount="20000.00")
    us.pay_procurement(
        SECOND_TREASURER,
        procurement_id=tractors,
        amount=story.usd("20000.00"),
        on=date(1922, 4, 20),
    )
    relay(us, liaison)
    liaison.confirm_delivery(
        story.LIAISON_OFFICER,
        procurement_id=tractors,
        delivered_on=date(1922, 6, 20),
        on=date(1922, 6, 25),
    )
    liaison.bring_enterprise_into_production(
        story.LIAISON_OFFICER, name=story.TOIKINO, procurement_ids=[tractors], on=date(1922, 8, 1)
    )
    mechanic = story.nominate(us, "SP-1")
    relay(us, liaison)
    liaison.grant_union_approval(
        story.UNION_REP, nomination_id=mechanic, union_code="METALLIST", on=date(1922, 4, 20)
    )
    relay(liaison, us)
    us.note_union_decision(SECRETARY, nomination_id=mechanic)
    us.fund_emigration(
        TREASURER, nomination_id=mechanic, amount=story.usd("350.00"), on=date(1922, 4, 25)
    )
    us.record_departure(SECRETARY, nomination_id=mechanic, on=date(1922, 5, 10))
    surplus = us.declare_surplus(
        TREASURER,
        period_end=date(1922, 12, 31),
        amount=story.usd("5000.00"),
        on=date(1923, 1, 5),
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


def rates(intl: InternationalApplication) -> None:
    """The paper mark falling through 1922, the franc easing in the summer."""
    for code, rate, day in (
        ("XPM", "0.0030", date(1922, 1, 1)),
        ("XPM", "0.0020", date(1922, 3, 16)),
        ("XPM", "0.0015", date(1922, 5, 1)),
        ("FRF", "0.0800", date(1922, 1, 1)),
        ("FRF", "0.0750", date(1922, 7, 1)),
    ):
        intl.observe_rate(
            SUPERVISOR,
            currency=code,
            reporting_currency="USD",
            rate=Decimal(rate),
            value_date=day,
            source="Berlin and Paris exchanges",
        )


def crafted(aggregate_class: Any, event_class: Any, **body: Any) -> Any:
    """An aggregate created by ``event_class`` with no command's checks: a modified node's."""
    return aggregate_class._create(event_class, **body)
