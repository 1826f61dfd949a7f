"""The American committee's dealings with the Russian agencies, told through its own commands.

The committee acts on its node; what it does reaches the liaison through ``relay`` (the ingest
door federation sync will use), and the liaison's decisions come back the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from domain.agency import AgencyKind, RussianAgency
from domain.campaign import CampaignKind
from domain.committee import Office, OrganisationType
from domain.consultation import ProcurementCategory
from domain.decisions import OpinionVerdict
from domain.money import Money
from domain.roles import Actor, Role
from domain.specialist import Urgency
from federation.node.base import Context
from federation.node.committee import CashReceiptLine, CommitteeApplication
from federation.node.liaison import LiaisonApplication
from federation.settings import NodeKind, Settings
from tests.support.relay import relay
from tests.support.story import CAMPAIGN, FOUNDED, SECOND_TREASURER, SECRETARY, TREASURER

LIAISON_OFFICER = Context(Actor("Alexander Eiduk", Role.LIAISON_OFFICER))
UNION_REP = Context(Actor("Mikhail Tomsky", Role.UNION_REPRESENTATIVE))

NARKOMZEM = ("NARKOMZEM", "People's Commissariat of Agriculture", AgencyKind.STATE_BODY)
VTSSPS = ("VTSSPS", "All-Russian Central Council of Trade Unions", AgencyKind.TRADE_UNION)
METALLIST = ("METALLIST", "Metalworkers' union", AgencyKind.TRADE_UNION)
TOIKINO = "Toikino farm, Perm province"


def usd(amount: str) -> Money:
    return Money.of(amount, "USD")


def register_agencies(liaison: LiaisonApplication) -> None:
    """The People's Commissariat of Agriculture, VTsSPS and the metalworkers' union under it."""
    on = date(1921, 6, 1)
    for code, name, kind in (NARKOMZEM, VTSSPS):
        liaison.register_agency(LIAISON_OFFICER, code=code, name=name, kind=kind, on=on)
    code, name, kind = METALLIST
    liaison.register_agency(
        LIAISON_OFFICER, code=code, name=name, kind=kind, on=on, parent_code="VTSSPS"
    )


def found_committee(committee: CommitteeApplication, raised: str = "50000.00") -> None:
    """Friends of Soviet Russia, with its treasurer, a collection and money raised."""
    committee.constitute(
        SECRETARY,
        name="Friends of Soviet Russia",
        national_section="Workers Party of America",
        on=FOUNDED,
    )
    committee.appoint_officer(SECRETARY, person=TREASURER.actor.person, office=Office.TREASURER)
    committee.open_campaign(
        SECRETARY,
        code=CAMPAIGN,
        title="Tractors for Soviet Russia",
        kind=CampaignKind.COLLECTION,
        national_section=None,
        on=FOUNDED,
    )
    line = CashReceiptLine(
        CAMPAIGN,
        "Amalgamated Clothing Workers",
        OrganisationType.TRADE_UNION,
        usd(raised),
        date(1922, 1, 5),
    )
    committee.record_cash_receipt(TREASURER, line)


def consult(
    committee: CommitteeApplication,
    reference: str,
    *,
    ceiling: str = "30000.00",
    agency: tuple[str, str, AgencyKind] = NARKOMZEM,
    on: date = date(1922, 3, 1),
) -> UUID:
    """The committee asks an agency's opinion on buying machines up to ``ceiling``."""
    code, name, _ = agency
    done = committee.request_consultation(
        SECRETARY,
        reference=reference,
        purpose="tractors for the Toikino farm",
        category=ProcurementCategory.MACHINES,
        ceiling=usd(ceiling),
        agency_id=RussianAgency.id_for(code),
        agency_name=name,
        on=on,
    )
    return UUID(done["consultation_id"])


def concur(liaison: LiaisonApplication, consultation_id: UUID) -> None:
    """The People's Commissariat of Agriculture concurs until the end of 1922."""
    liaison.record_opinion(
        LIAISON_OFFICER,
        consultation_id=consultation_id,
        agency_code="NARKOMZEM",
        verdict=OpinionVerdict.CONCUR,
        valid_until=date(1922, 12, 31),
        on=date(1922, 3, 10),
    )


def procure(
    committee: CommitteeApplication,
    reference: str,
    consultation: str,
    *,
    amount: str = "20000.00",
    enterprise: str = TOIKINO,
    ship: bool = True,
) -> UUID:
    """The committee commits to tractors under a consultation and, unless told, ships them."""
    done = committee.commit_procurement(
        TREASURER,
        reference=reference,
        consultation_reference=consultation,
        category=ProcurementCategory.MACHINES,
        description="20 Case tractors and a Fordson",
        supplier="J. I. Case Threshing Machine Co.",
        enterprise=enterprise,
        agency_id=RussianAgency.id_for("NARKOMZEM"),
        amount=usd(amount),
        on=date(1922, 4, 1),
    )
    procurement_id = UUID(done["id"])
    if ship:
        committee.ship_procurement(
            SECRETARY, procurement_id=procurement_id, on=date(1922, 5, 2), carrier="SS Stockholm"
        )
    return procurement_id


def nominate(
    committee: CommitteeApplication,
    reference: str,
    *,
    union: tuple[str, str, AgencyKind] = METALLIST,
    request: bool = True,
) -> UUID:
    """The committee nominates a tractor mechanic and, unless told, asks the union to approve."""
    code, name, _ = union
    done = committee.nominate_specialist(
        SECRETARY,
        reference=reference,
        persons=["Harold Ware"],
        trade="tractor mechanic",
        enterprise=TOIKINO,
        urgency=Urgency.URGENT,
        union_id=RussianAgency.id_for(code),
        union_name=name,
        on=date(1922, 4, 10),
    )
    nomination_id = UUID(done["id"])
    if request:
        committee.request_union_approval(
            SECRETARY, nomination_id=nomination_id, on=date(1922, 4, 12)
        )
    return nomination_id


def transfer(
    committee: CommitteeApplication, recipient: str, amount: str, *, send: bool = True
) -> UUID:
    """Three people move money out: initiated, countersigned and, unless told, sent."""
    done = committee.initiate_transfer(
        TREASURER,
        recipient=recipient,
        amount=usd(amount),
        purpose="seed grain",
        on=date(1922, 6, 1),
    )
    transfer_id = UUID(done["transfer_id"])
    committee.countersign_transfer(SECRETARY, transfer_id=transfer_id)
    if send:
        committee.send_transfer(SECOND_TREASURER, transfer_id=transfer_id, on=date(1922, 6, 2))
    return transfer_id


def sync(committee: CommitteeApplication, liaison: LiaisonApplication) -> None:
    """Both ways: the committee's events to the liaison and the liaison's to the committee."""
    relay(committee, liaison)
    relay(liaison, committee)


@dataclass
class World:
    """A committee and the liaison, with something in every state the liaison decides on."""

    committee: CommitteeApplication
    liaison: LiaisonApplication
    answered: UUID  # a consultation the People's Commissariat of Agriculture concurred with
    asked: UUID  # a consultation awaiting its opinion
    shipped: UUID  # tractors on their way to Toikino
    ordered: UUID  # more tractors ordered, not shipped
    awaiting: UUID  # a nomination whose approval was requested of the metalworkers' union
    nominated: UUID  # a nomination whose approval was not requested
    sent: UUID  # a transfer to the People's Commissariat of Agriculture, in transit
    initiated: UUID  # a transfer to it, not yet sent
    to_intl: UUID  # a transfer to the International, in transit


@contextmanager
def world(settings: Callable[..., Settings]) -> Iterator[World]:
    """The world on a fresh committee node and a fresh liaison node, closed afterwards."""
    committee = CommitteeApplication(settings("US"))
    liaison = LiaisonApplication(settings("RU-LIAISON", NodeKind.LIAISON))
    try:
        yield tell(committee, liaison)
    finally:
        committee.close()
        liaison.close()


def tell(committee: CommitteeApplication, liaison: LiaisonApplication) -> World:
    """Tell the story up to the point where every kind of decision is awaited."""
    register_agencies(liaison)
    found_committee(committee)
    answered = consult(committee, "FSR-1922-03")
    asked = consult(committee, "FSR-1922-04")
    relay(committee, liaison)
    concur(liaison, answered)
    relay(liaison, committee)
    shipped = procure(committee, "PO-17", "FSR-1922-03")
    ordered = procure(committee, "PO-18", "FSR-1922-03", amount="900.00", ship=False)
    awaiting = nominate(committee, "SP-1")
    nominated = nominate(committee, "SP-2", request=False)
    sent = transfer(committee, "NARKOMZEM", "1000.00")
    initiated = transfer(committee, "People's Commissariat of Agriculture", "10.00", send=False)
    to_intl = transfer(committee, "INTL", "500.00")
    relay(committee, liaison)
    return World(
        committee, liaison, answered, asked, shipped, ordered, awaiting, nominated, sent,
        initiated, to_intl,
    )  # fmt: skip
