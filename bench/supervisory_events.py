"""A million stored events from fifty nodes, made quickly: each kind of event is made once with the
domain's own classes and the node's mapper, then varied (ids, amounts, dates, names) by replacing
placeholders in its stored bytes. The result decodes exactly as events recorded by the nodes do.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.application import Application

from domain.agency import AgencyKind, RussianAgency
from domain.campaign import Campaign, CampaignKind
from domain.committee import NationalCommittee, OrganisationType
from domain.consultation import Consultation, ProcurementCategory
from domain.decisions import AgencyOpinion, OpinionVerdict
from domain.liaison import ConsultationOpinion
from domain.loan import LoanIssue, LoanSubscription, SubscriberType
from domain.money import Money
from domain.procurement import Procurement
from domain.receipt import CashReceipt, InKindReceipt
from domain.roles import Actor, Role
from domain.transfer import Transfer
from federation.node.ingest import RemoteEntry

SECRETARY = Actor("Clara Zetkin", Role.SECRETARY)
TREASURER = Actor("Hugo Eberlein", Role.TREASURER)
PAYMASTER = Actor("Emil Eichhorn", Role.TREASURER)
LIAISON = Actor("Alexander Eiduk", Role.LIAISON_OFFICER)
SUPERVISOR = Actor("Willi Münzenberg", Role.SUPERVISOR)

AMOUNT = "987654.32"
DAY = (date(1901, 1, 1), date(1901, 1, 2), date(1901, 1, 3))
WHO = "WHO-PLACEHOLDER"
REF = "REF-PLACEHOLDER"
CAMPAIGN, OTHER = UUID(int=1), UUID(int=2)
CURRENCIES = ("XPM", "FRF", "USD", "GBP", "CHF", "NOK", "DKK", "SEK", "CSK", "NLG", "BEF", "CZK")
ORGS = [t.value for t in OrganisationType]
AGENCIES = ("NARKOMZEM", "VSNKH", "NARKOMVNESHTORG", "TSENTROSOYUZ")
START = date(1922, 1, 1)
DAYS = 730


@dataclass(frozen=True, slots=True)
class Template:
    topic: str
    state: bytes


def _money(amount: str = AMOUNT) -> Money:
    return Money.of(amount, "USD")


def _stored(app: Application[Any], aggregate: Any) -> list[Template]:
    return [
        Template(s.topic, s.state)
        for s in (app.mapper.to_stored_event(e) for e in aggregate.collect_events())
    ]


def templates(app: Application[Any]) -> dict[str, Template]:
    """One stored event of every kind the bench varies, with placeholders in its bytes."""
    out: dict[str, Template] = {}
    receipt = CashReceipt.receive(
        receipt_id=uuid4(), campaign_id=CAMPAIGN, contributor=WHO,
        organisation_type=OrganisationType.TRADE_UNION, amount=_money(), value_date=DAY[0],
        actor=TREASURER,
    )  # fmt: skip
    receipt.reverse(reason="counted twice", on=DAY[1], actor=TREASURER)
    out["receipt"], out["reversal"] = _stored(app, receipt)
    goods = InKindReceipt.receive(
        receipt_id=uuid4(), campaign_id=CAMPAIGN, contributor=WHO,
        organisation_type=OrganisationType.TRADE_UNION, description="winter clothing",
        valuation=_money(), value_date=DAY[0], actor=TREASURER,
    )  # fmt: skip
    [out["in_kind"]] = _stored(app, goods)
    transfer = Transfer.initiate(
        transfer_id=uuid4(), sender="XX", recipient=REF, amount=_money(),
        available=_money("99999999.00"), purpose="reconstruction", on=DAY[0], actor=TREASURER,
    )  # fmt: skip
    transfer.countersign(actor=SECRETARY)
    transfer.send(on=DAY[1], actor=PAYMASTER)
    out["initiated"], out["countersigned"], out["sent"] = _stored(app, transfer)
    transfer.trigger_event(
        Transfer.ReceiptConfirmed, actor=TREASURER, received=_money(), confirmed_on=DAY[2]
    )
    [out["confirmed"]] = _stored(app, transfer)
    out |= _resolution(app)
    return out


def _resolution(app: Application[Any]) -> dict[str, Template]:
    out: dict[str, Template] = {}
    consultation = Consultation.request(
        country="XX", reference=REF, purpose="machines for the enterprise",
        category=ProcurementCategory.MACHINES, ceiling=_money("99999999.00"), agency_id=OTHER,
        agency_name="the agency", on=DAY[0], actor=SECRETARY,
    )  # fmt: skip
    [out["consultation"]] = _stored(app, consultation)
    opinion = AgencyOpinion(
        CAMPAIGN, OTHER, OpinionVerdict.CONCUR, None, date(1901, 12, 31), DAY[0]
    )
    procurement = Procurement._create(
        Procurement.Committed, id=uuid4(), actor=TREASURER, country="XX", reference=REF,
        category=ProcurementCategory.MACHINES, description="lathes", supplier="Ludwig Loewe",
        enterprise="Putilov works", agency_id=OTHER, amount=_money(), consultation_id=CAMPAIGN,
        opinion=opinion, committed_on=DAY[1],
    )  # fmt: skip
    procurement.pay(amount=_money(), on=DAY[2], actor=PAYMASTER)
    out["committed"], out["paid"] = _stored(app, procurement)
    agency = RussianAgency.register(
        code=REF, name="the agency", kind=AgencyKind.STATE_BODY, on=DAY[0], actor=LIAISON
    )
    out["agency"] = _stored(app, agency)[0]
    concurs = ConsultationOpinion.record(
        consultation_id=CAMPAIGN, agency=agency, verdict=OpinionVerdict.CONCUR,
        valid_until=date(1923, 12, 31), on=DAY[0], actor=LIAISON,
    )  # fmt: skip
    [out["opinion"]] = _stored(app, concurs)
    issue = LoanIssue.authorise(
        code="IAA-1922", name="Workers' loan", coupon_rate=Decimal("0.05"), term_years=10,
        denominations=[_money("25.00")], on=date(1900, 1, 1), actor=SUPERVISOR,
    )  # fmt: skip
    loan = LoanSubscription.record(
        country="XX", reference=REF, terms=issue.terms(), subscriber=WHO,
        subscriber_type=SubscriberType.TRADE_UNION, amount=_money("25.00"), on=DAY[0],
        actor=TREASURER,
    )  # fmt: skip
    [out["loan"]] = _stored(app, loan)
    out["loan"] = Template(
        out["loan"].topic, out["loan"].state.replace(b"25.00 USD", b"987654.32 USD")
    )
    return out


def setup(app: Application[Any], country: str) -> list[RemoteEntry]:
    """A committee constituted, with delegates and its collection (positions from 1)."""
    committee = NationalCommittee.constitute(
        country=country, name=f"Committee of {country}", national_section="section", on=START,
        actor=SECRETARY,
    )  # fmt: skip
    for n, org in enumerate(OrganisationType):
        committee.admit_delegate(
            delegate=f"Delegate {n}", organisation=f"{org.value} {n}", organisation_type=org,
            actor=SECRETARY,
        )  # fmt: skip
    campaign = Campaign.open(
        country=country, code="collection", title="Collection", kind=CampaignKind.COLLECTION,
        national_section=None, on=START, actor=SECRETARY,
    )  # fmt: skip
    return _entries(app, [*committee.collect_events(), *campaign.collect_events()])


def _entries(app: Application[Any], events: list[Any], first: int = 1) -> list[RemoteEntry]:
    stored = [app.mapper.to_stored_event(e) for e in events]
    return [
        RemoteEntry(first + n, UUID(str(s.originator_id)), s.originator_version, s.topic, s.state)
        for n, s in enumerate(stored)
    ]


@dataclass
class Node:
    """One committee's stream: its currency and what it has recorded so far."""

    country: str
    currency: str
    rng: random.Random
    t: dict[str, Template]
    receipts: list[UUID] = field(default_factory=list)
    consultations: list[tuple[UUID, UUID]] = field(default_factory=list)
    out: list[tuple[UUID, int, Template, bytes]] = field(default_factory=list)

    def day(self, offset: int = 0) -> bytes:
        return (START + timedelta(days=self.rng.randrange(DAYS - 30) + offset)).isoformat().encode()

    def money(self, low: int = 10, high: int = 5000) -> bytes:
        n = self.rng.randrange(low, high)
        return f"{n}.{self.rng.randrange(100):02d} {self.currency}".encode()

    def emit(self, originator: UUID, version: int, name: str, **swap: bytes) -> None:
        template = self.t[name]
        state = template.state
        for old, new in swap.items():
            state = state.replace(_PLACEHOLDERS[old], new)
        self.out.append((originator, version, template, state))

    def receipt(self, name: str = "receipt") -> None:
        rid, n = uuid4(), self.rng.randrange(200)
        # An organisation gives as what it is: its type follows from its number.
        org = f'"organisation_type":"{ORGS[n % len(ORGS)]}"'.encode()
        who = f"Organisation {n} of {self.country}".encode()
        self.emit(rid, 1, name, amount=self.money(), day0=self.day(), who=who, org=org,
                  campaign=Campaign.id_for(self.country, "collection").hex.encode())  # fmt: skip
        self.receipts.append(rid)

    def reversal(self) -> None:
        if self.receipts:
            rid = self.receipts.pop(self.rng.randrange(len(self.receipts)))
            self.emit(rid, 2, "reversal", day1=self.day())

    def transfer(self) -> None:
        tid, sent = uuid4(), self.day()
        to = b"INTL" if self.rng.random() < 0.5 else b"RU-LIAISON"
        money = self.money(100, 2000)
        self.emit(tid, 1, "initiated", amount=money, day0=sent, ref=to)
        self.emit(tid, 2, "countersigned")
        self.emit(tid, 3, "sent", day1=sent)
        if self.rng.random() < 0.8:
            self.emit(tid, 4, "confirmed", amount=money, day2=self.day(30))

    def procurement(self, n: int) -> None:
        reference = f"C-{n // 5}".encode()
        consultation = Consultation.id_for(self.country, reference.decode())
        agency = RussianAgency.id_for(AGENCIES[n % len(AGENCIES)])
        if n % 5 == 0:
            ceiling = f"99999999.00 {self.currency}".encode()
            self.emit(consultation, 1, "consultation", ref=reference, ceiling=ceiling,
                      day0=START.isoformat().encode(), other=agency.hex.encode())  # fmt: skip
            self.consultations.append((consultation, agency))
        pid, money = uuid4(), self.money(100, 3000)
        self.emit(pid, 1, "committed", amount=money, ref=f"P-{n}".encode(), day1=self.day(),
                  other=agency.hex.encode(), campaign=consultation.hex.encode())  # fmt: skip
        self.emit(pid, 2, "paid", amount=money, day2=self.day())

    def loan(self) -> None:
        org = f'"subscriber_type":"{self.rng.choice(("trade_union", "cooperative"))}"'.encode()
        self.emit(uuid4(), 1, "loan", amount=self.money(1, 200), day0=self.day(), org=org,
                  who=b"Subscriber", ref=str(uuid4()).encode())  # fmt: skip


_PLACEHOLDERS = {
    "amount": f"{AMOUNT} USD".encode(),
    "day0": DAY[0].isoformat().encode(),
    "day1": DAY[1].isoformat().encode(),
    "day2": DAY[2].isoformat().encode(),
    "who": WHO.encode(),
    "ref": REF.encode(),
    "org": b'"organisation_type":"trade_union"',
    "campaign": CAMPAIGN.hex.encode(),
    "other": OTHER.hex.encode(),
    "ceiling": b"99999999.00 USD",
    "agency": RussianAgency.id_for(REF).hex.encode(),
}


def committee(
    app: Application[Any], t: dict[str, Template], country: str, n: int, seed: int
) -> tuple[list[RemoteEntry], list[tuple[UUID, UUID]]]:
    """About ``n`` events of one committee in its log's order, and its consultations."""
    node = Node(country, CURRENCIES[seed % len(CURRENCIES)], random.Random(seed), t)
    procurements = 0
    while len(node.out) < n:
        pick = node.rng.random()
        if pick < 0.72:
            node.receipt()
        elif pick < 0.75:
            node.receipt("in_kind")
        elif pick < 0.77:
            node.reversal()
        elif pick < 0.80:
            node.transfer()
        elif pick < 0.83:
            node.procurement(procurements)
            procurements += 1
        else:
            node.loan()
    head = setup(app, country)
    body = [
        RemoteEntry(len(head) + n + 1, o, v, tpl.topic, state)
        for n, (o, v, tpl, state) in enumerate(node.out)
    ]
    return head + body, node.consultations


def liaison(
    app: Application[Any], t: dict[str, Template], consultations: list[tuple[UUID, UUID]]
) -> list[RemoteEntry]:
    """The agencies registered, and a concurring opinion on every consultation."""
    agencies = [
        RussianAgency.register(
            code=code, name=code.title(), kind=AgencyKind.STATE_BODY, on=START, actor=LIAISON
        )
        for code in AGENCIES
    ]
    head = _entries(app, [e for a in agencies for e in a.collect_events()])
    day = START.isoformat().encode()
    body = []
    for n, (consultation, agency) in enumerate(consultations, start=len(head) + 1):
        template = t["opinion"]
        state = (
            template.state.replace(_PLACEHOLDERS["campaign"], consultation.hex.encode())
            .replace(_PLACEHOLDERS["agency"], agency.hex.encode())
            .replace(_PLACEHOLDERS["day0"], day)
        )
        body.append(
            RemoteEntry(n, ConsultationOpinion.id_for(consultation), 1, template.topic, state)
        )
    return head + body


def federation(app: Application[Any], total: int, nodes: int = 50) -> dict[str, list[RemoteEntry]]:
    """``total`` events from ``nodes`` nodes: committees C01.. and the liaison."""
    t = templates(app)
    per = total // nodes
    out: dict[str, list[RemoteEntry]] = {}
    consultations: list[tuple[UUID, UUID]] = []
    for n in range(1, nodes):
        country = f"C{n:02d}"
        out[country], asked = committee(app, t, country, per, n)
        consultations += asked
    out["RU-LIAISON"] = liaison(app, t, consultations)
    return out
