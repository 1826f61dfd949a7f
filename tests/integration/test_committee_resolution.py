"""The committee's rules that depend on other nodes' decisions, delivered as their events.

The liaison's and the International's decisions are recorded on nodes of their own kind and
reach the committee through the ingest door, as federation sync will deliver them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

import pytest

from domain.agency import AgencyKind, RussianAgency
from domain.campaign import CampaignKind
from domain.committee import OrganisationType
from domain.consultation import ProcurementCategory
from domain.decisions import OpinionVerdict
from domain.errors import DecisionMissing, DomainError, RuleBroken
from domain.liaison import ConsultationOpinion, UnionApprovalDecision
from domain.loan import LoanIssue, SubscriberType
from domain.money import Money
from domain.roles import Actor, Role
from domain.specialist import Urgency
from federation.node.base import NodeApplication
from federation.node.committee import CashReceiptLine, CommitteeApplication
from federation.settings import NodeKind
from tests.conftest import SettingsFactory
from tests.support.relay import relay
from tests.support.story import SECOND_TREASURER, SECRETARY, TREASURER

LIAISON_OFFICER = Actor("Ivan Maisky", Role.LIAISON_OFFICER)
UNION_DELEGATE = Actor("Aleksandr Shlyapnikov", Role.UNION_REPRESENTATIVE)
SUPERVISOR = Actor("Willi Münzenberg", Role.SUPERVISOR)
AGRICULTURE = RussianAgency.register(
    code="NARKOMZEM",
    name="People's Commissariat of Agriculture",
    kind=AgencyKind.STATE_BODY,
    on=date(1922, 1, 2),
    actor=LIAISON_OFFICER,
)
METALWORKERS = RussianAgency.register(
    code="METALLISTY",
    name="Metalworkers' union",
    kind=AgencyKind.TRADE_UNION,
    on=date(1922, 1, 2),
    actor=LIAISON_OFFICER,
)


def usd(amount: str) -> Money:
    return Money.of(amount, "USD")


@dataclass
class Federation:
    committee: CommitteeApplication
    liaison: NodeApplication
    international: NodeApplication

    def opinion(
        self, reference: str, verdict: OpinionVerdict, valid_until: date, **kw: object
    ) -> None:
        consultation = self.committee.consultation(reference)
        opinion = ConsultationOpinion.record(
            consultation_id=consultation.id,
            agency=AGRICULTURE,
            verdict=verdict,
            valid_until=valid_until,
            on=date(1922, 3, 1),
            actor=LIAISON_OFFICER,
            **kw,  # type: ignore[arg-type]
        )
        self.liaison.save(opinion)
        relay(self.liaison, self.committee)

    def consult(
        self,
        reference: str = "US-C-1",
        ceiling: str = "50000.00",
        category: ProcurementCategory = ProcurementCategory.MACHINES,
    ) -> None:
        self.committee.request_consultation(
            SECRETARY,
            reference=reference,
            purpose="tractors for Toikino",
            category=category,
            ceiling=usd(ceiling),
            agency_id=AGRICULTURE.id,
            agency_name=AGRICULTURE.name,
            on=date(1922, 2, 1),
        )

    def procure(
        self,
        reference: str = "US-P-1",
        amount: str = "40000.00",
        consultation: str | None = "US-C-1",
        category: ProcurementCategory = ProcurementCategory.MACHINES,
        on: date = date(1922, 4, 1),
        agency: UUID | None = None,
    ) -> dict[str, object]:
        return self.committee.commit_procurement(
            TREASURER,
            reference=reference,
            consultation_reference=consultation,
            category=category,
            description="20 Case tractors and a Fordson",
            supplier="J. I. Case Threshing Machine Company",
            enterprise="Toikino farm, Perm province",
            agency_id=agency or AGRICULTURE.id,
            amount=usd(amount),
            on=on,
        )


@pytest.fixture
def fed(node_settings: SettingsFactory) -> Iterator[Federation]:
    committee = CommitteeApplication(node_settings("US"))
    liaison = NodeApplication(node_settings("RU-LIAISON", NodeKind.LIAISON))
    international = NodeApplication(node_settings("INTL", NodeKind.INTERNATIONAL))
    committee.constitute(
        SECRETARY, name="Friends of Soviet Russia", national_section="WPA", on=date(1921, 8, 9)
    )
    committee.open_campaign(
        SECRETARY,
        code="famine",
        title="Famine relief",
        kind=CampaignKind.COLLECTION,
        national_section=None,
        on=date(1921, 8, 9),
    )
    committee.record_cash_receipt(
        TREASURER,
        CashReceiptLine(
            "famine",
            "Needle trades",
            OrganisationType.TRADE_UNION,
            usd("100000.00"),
            date(1922, 1, 5),
        ),
    )
    liaison.save(AGRICULTURE, METALWORKERS)
    yield Federation(committee, liaison, international)
    for app in (committee, liaison, international):
        app.close()


def refused(call: object, code: str, kind: type[DomainError] = RuleBroken) -> None:
    with pytest.raises(kind) as error:
        call()  # type: ignore[operator]
    assert error.value.code == code, error.value.message


def test_procurement_without_a_consultation_is_refused(fed: Federation) -> None:
    refused(lambda: fed.procure(consultation=None), "procurement.consultation_missing")


def test_procurement_before_the_liaisons_opinion_arrives_names_what_is_missing(
    fed: Federation,
) -> None:
    fed.consult()
    with pytest.raises(DecisionMissing) as missing:
        fed.procure()
    assert missing.value.code == "procurement.opinion_missing"
    assert "opinion" in missing.value.message


def test_procurement_against_an_objection_is_refused(fed: Federation) -> None:
    fed.consult()
    fed.opinion("US-C-1", OpinionVerdict.OBJECT, date(1922, 12, 31), notes="no spare parts")
    refused(fed.procure, "procurement.opinion_objects")


def test_procurement_after_the_opinion_expired_is_refused(fed: Federation) -> None:
    fed.consult()
    fed.opinion("US-C-1", OpinionVerdict.CONCUR, date(1922, 3, 31))
    refused(lambda: fed.procure(on=date(1922, 4, 1)), "procurement.consultation_expired")


def test_procurement_over_the_ceiling_counts_what_was_already_committed(fed: Federation) -> None:
    fed.consult(ceiling="50000.00")
    fed.opinion("US-C-1", OpinionVerdict.CONCUR, date(1922, 12, 31))
    fed.procure(reference="US-P-1", amount="40000.00")
    refused(lambda: fed.procure(reference="US-P-2", amount="10000.01"), "procurement.over_ceiling")
    fed.procure(reference="US-P-2", amount="10000.00")


def test_procurement_of_another_category_or_outside_the_three_is_refused(fed: Federation) -> None:
    fed.consult()
    fed.opinion("US-C-1", OpinionVerdict.CONCUR, date(1922, 12, 31))
    refused(
        lambda: fed.procure(category=ProcurementCategory.TOOLS), "procurement.category_mismatch"
    )
    refused(
        lambda: fed.procure(category=ProcurementCategory.FOOD), "procurement.category_not_allowed"
    )
    refused(lambda: fed.procure(agency=METALWORKERS.id), "procurement.agency_mismatch")


def test_procurement_payment_is_by_another_person_and_within_the_balance(fed: Federation) -> None:
    fed.consult()
    fed.opinion(
        "US-C-1",
        OpinionVerdict.CONCUR_WITH_CONDITIONS,
        date(1922, 12, 31),
        conditions="spare parts included",
    )
    procurement = UUID(str(fed.procure()["id"]))
    refused(
        lambda: fed.committee.pay_procurement(
            TREASURER, procurement_id=procurement, amount=usd("40000.00"), on=date(1922, 4, 2)
        ),
        "procurement.paid_by_committer",
    )
    fed.committee.pay_procurement(
        SECOND_TREASURER, procurement_id=procurement, amount=usd("40000.00"), on=date(1922, 4, 2)
    )
    [books] = fed.committee.balances()
    assert (books["spent"], books["available"]) == ("40000.00", "60000.00")


def nominate(fed: Federation, persons: list[str]) -> UUID:
    result = fed.committee.nominate_specialist(
        SECRETARY,
        reference="US-S-1",
        persons=persons,
        trade="tractor mechanic",
        enterprise="Toikino farm, Perm province",
        urgency=Urgency.URGENT,
        union_id=METALWORKERS.id,
        union_name=METALWORKERS.name,
        on=date(1922, 3, 1),
    )
    return UUID(str(result["id"]))


def test_a_group_nomination_is_refused(fed: Federation) -> None:
    refused(lambda: nominate(fed, ["Harold Ware", "Jessica Smith"]), "specialist.group_nomination")


def test_no_funding_or_departure_before_the_unions_approval(fed: Federation) -> None:
    nomination = nominate(fed, ["Harold Ware"])
    fed.committee.request_union_approval(SECRETARY, nomination_id=nomination, on=date(1922, 3, 2))
    refused(
        lambda: fed.committee.record_departure(
            SECRETARY, nomination_id=nomination, on=date(1922, 5, 10)
        ),
        "specialist.departure_before_approval",
    )
    refused(
        lambda: fed.committee.note_union_decision(SECRETARY, nomination_id=nomination),
        "specialist.union_decision_missing",
        DecisionMissing,
    )
    fed.liaison.save(
        UnionApprovalDecision.grant(
            nomination_id=nomination, union=METALWORKERS, on=date(1922, 4, 1), actor=UNION_DELEGATE
        )
    )
    relay(fed.liaison, fed.committee)
    fed.committee.note_union_decision(SECRETARY, nomination_id=nomination)
    fed.committee.fund_emigration(
        TREASURER, nomination_id=nomination, amount=usd("300.00"), on=date(1922, 4, 15)
    )
    fed.committee.record_departure(SECRETARY, nomination_id=nomination, on=date(1922, 5, 10))
    [row] = fed.committee.list_rows("books_specialists", "reference", 10, 0)
    assert row["status"] == "departed"


def test_a_surplus_goes_only_to_an_expansion_campaign(fed: Federation) -> None:
    surplus = UUID(
        str(
            fed.committee.declare_surplus(
                TREASURER,
                period_end=date(1922, 12, 31),
                amount=usd("5000.00"),
                on=date(1923, 1, 10),
            )["surplus_id"]
        )
    )
    refused(
        lambda: fed.committee.allocate_surplus(
            SECRETARY,
            surplus_id=surplus,
            campaign_code="famine",
            amount=usd("5000.00"),
            on=date(1923, 1, 11),
        ),
        "surplus.not_expansion",
    )
    fed.committee.open_campaign(
        SECRETARY,
        code="tractors-1923",
        title="More tractors",
        kind=CampaignKind.EXPANSION,
        national_section=None,
        on=date(1923, 1, 11),
    )
    fed.committee.allocate_surplus(
        SECRETARY,
        surplus_id=surplus,
        campaign_code="tractors-1923",
        amount=usd("5000.00"),
        on=date(1923, 1, 12),
    )
    [row] = fed.committee.list_rows("books_surpluses", "period_end", 10, 0)
    assert (row["declared"], row["allocated"]) == ("5000.00", "5000.00")


def test_loan_subscriptions_need_the_internationals_issue_and_are_a_liability(
    fed: Federation,
) -> None:
    def subscribe(amount: str) -> None:
        fed.committee.record_loan_subscription(
            TREASURER,
            reference=f"US-L-{amount}",
            issue_code="IAA-1922",
            subscriber="ILGWU Local 1",
            subscriber_type=SubscriberType.TRADE_UNION,
            amount=usd(amount),
            on=date(1922, 10, 2),
        )

    refused(lambda: subscribe("60.00"), "loan.issue_unknown", DecisionMissing)
    fed.international.save(
        LoanIssue.authorise(
            code="IAA-1922",
            name="Internationale Arbeiteranleihe",
            coupon_rate=Decimal("0.05"),
            term_years=10,
            denominations=[usd("10.00"), usd("50.00")],
            on=date(1922, 8, 22),
            actor=SUPERVISOR,
        )
    )
    relay(fed.international, fed.committee)
    refused(lambda: subscribe("55.00"), "loan.not_in_denominations")
    subscribe("60.00")
    [books] = fed.committee.balances()
    assert (books["cash_received"], books["loan_subscribed"], books["loan_outstanding"]) == (
        "100000.00",
        "60.00",
        "60.00",
    )
