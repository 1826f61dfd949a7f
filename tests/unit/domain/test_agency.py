"""The liaison's registry of Russian agencies and the decisions it records for them."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid4

import pytest

from domain.agency import AgencyKind, RussianAgency
from domain.decisions import AgencyOpinion, OpinionVerdict
from domain.errors import InvalidInput, NotPermitted
from domain.ids import derive_id
from domain.liaison import (
    ConsultationOpinion,
    Enterprise,
    GoodsDelivery,
    TransferReceipt,
    UnionApprovalDecision,
)
from domain.money import Money
from domain.roles import Actor
from tests.unit.domain import (
    LIAISON,
    SECRETARY,
    SUPERVISOR,
    TREASURER,
    UNION_REP,
    day,
    refused,
    replayed,
    topics,
)

CONSULTATION = derive_id("consultation", "US", "FSR-1922-03")
NOMINATION = derive_id("nomination", "DE", "SP-1922-11")


def agency(
    code: str = "NARKOMZEM",
    name: str = "People's Commissariat of Agriculture",
    kind: AgencyKind = AgencyKind.STATE_BODY,
    parent: RussianAgency | None = None,
) -> RussianAgency:
    return RussianAgency.register(
        code=code, name=name, kind=kind, on=day(1, 10), actor=LIAISON, parent=parent
    )


def vtsSPS() -> RussianAgency:
    return agency("VTSSPS", "All-Russian Central Council of Trade Unions", AgencyKind.TRADE_UNION)


def metalworkers() -> RussianAgency:
    return agency("METALLIST", "Metalworkers' union", AgencyKind.TRADE_UNION, parent=vtsSPS())


def deregistered(registered: RussianAgency) -> RussianAgency:
    registered.deregister(reason="merged into VSNKh", on=day(2, 1), actor=LIAISON)
    return registered


# --- agencies ----------------------------------------------------------------------------------


def test_the_liaison_registers_an_agency_under_a_code() -> None:
    narkomzem = agency(code=" narkomzem ")
    assert narkomzem.id == RussianAgency.id_for("NARKOMZEM")
    assert (narkomzem.code, narkomzem.kind, narkomzem.parent_id) == (
        "NARKOMZEM",
        AgencyKind.STATE_BODY,
        None,
    )
    assert narkomzem.is_active
    assert not narkomzem.is_union
    assert topics(narkomzem) == ["RussianAgency.Registered"]


def test_a_union_is_registered_under_its_central_council() -> None:
    union = metalworkers()
    assert union.parent_id == RussianAgency.id_for("VTSSPS")
    assert union.is_union


def test_only_the_liaison_registers_agencies() -> None:
    with refused("role.not_permitted", error=NotPermitted):
        RussianAgency.register(
            code="VSNKH",
            name="Supreme Council of the National Economy",
            kind=AgencyKind.STATE_BODY,
            on=day(1, 10),
            actor=SECRETARY,
        )


def test_nothing_is_registered_under_a_deregistered_parent() -> None:
    with refused("agency.deregistered"):
        agency("METALLIST", "Metalworkers' union", AgencyKind.TRADE_UNION, deregistered(vtsSPS()))


def test_an_agency_is_deregistered_once() -> None:
    narkomzem = deregistered(agency())
    assert not narkomzem.is_active
    assert replayed(narkomzem).deregistered_on == day(2, 1)
    with refused("agency.deregistered", narkomzem):
        narkomzem.deregister(reason="again", on=day(3, 1), actor=LIAISON)


# --- opinions ----------------------------------------------------------------------------------


def concur(**changes: Any) -> ConsultationOpinion:
    kwargs: dict[str, Any] = {
        "consultation_id": CONSULTATION,
        "agency": agency(),
        "verdict": OpinionVerdict.CONCUR,
        "valid_until": day(9, 30),
        "on": day(3, 20),
        "actor": LIAISON,
    }
    kwargs.update(changes)
    return ConsultationOpinion.record(**kwargs)


def test_the_liaison_records_the_agencys_opinion_once_per_consultation() -> None:
    opinion = concur(ceiling=Money.of("60000", "USD"))
    assert opinion.id == ConsultationOpinion.id_for(CONSULTATION)
    assert opinion.id == derive_id("opinion", str(CONSULTATION))
    assert opinion.decision() == AgencyOpinion(
        consultation_id=CONSULTATION,
        agency_id=RussianAgency.id_for("NARKOMZEM"),
        verdict=OpinionVerdict.CONCUR,
        conditions=None,
        valid_until=day(9, 30),
        recorded_on=day(3, 20),
        ceiling=Money.of("60000", "USD"),
    )
    assert topics(opinion) == ["ConsultationOpinion.Recorded"]


def test_a_concurrence_with_conditions_states_them() -> None:
    opinion = concur(
        verdict=OpinionVerdict.CONCUR_WITH_CONDITIONS,
        conditions="  deliver to Perm before the spring sowing ",
    )
    assert opinion.conditions == "deliver to Perm before the spring sowing"
    with refused("opinion.conditions_missing", error=InvalidInput):
        concur(verdict=OpinionVerdict.CONCUR_WITH_CONDITIONS, conditions=" ")


def test_a_plain_concurrence_has_no_conditions() -> None:
    with refused("opinion.unexpected_conditions", error=InvalidInput):
        concur(conditions="only Fordson tractors")


def test_an_objection_gives_its_grounds() -> None:
    opinion = concur(verdict=OpinionVerdict.OBJECT, notes="Perm has no repair shops yet")
    assert not opinion.decision().concurs
    with refused("opinion.grounds_missing", error=InvalidInput):
        concur(verdict=OpinionVerdict.OBJECT)


def test_an_opinion_is_valid_at_least_on_the_day_it_is_recorded() -> None:
    assert concur(valid_until=day(3, 20)).valid_until == day(3, 20)
    with refused("opinion.validity_before_recording", error=InvalidInput):
        concur(valid_until=day(3, 19))


def test_a_ceiling_in_an_opinion_is_above_zero() -> None:
    with refused("money.not_positive"):
        concur(ceiling=Money.of("0", "USD"))


def test_only_the_liaison_records_opinions() -> None:
    with refused("role.not_permitted", error=NotPermitted):
        concur(actor=SECRETARY)


def test_a_deregistered_agency_gives_no_opinion() -> None:
    with refused("agency.deregistered"):
        concur(agency=deregistered(agency()))


def test_a_revision_supersedes_the_opinion() -> None:
    opinion = concur()
    opinion.revise(
        verdict=OpinionVerdict.CONCUR_WITH_CONDITIONS,
        conditions="seed grain to come with the tractors",
        valid_until=day(12, 31),
        on=day(5, 2),
        actor=LIAISON,
    )
    decision = replayed(opinion).decision()
    assert (decision.verdict, decision.recorded_on, decision.valid_until) == (
        OpinionVerdict.CONCUR_WITH_CONDITIONS,
        day(5, 2),
        day(12, 31),
    )
    assert topics(opinion) == ["ConsultationOpinion.Recorded", "ConsultationOpinion.Revised"]


def test_a_revision_cannot_predate_the_opinion_in_force() -> None:
    opinion = concur()
    with refused("opinion.revised_before_recorded", opinion):
        opinion.revise(
            verdict=OpinionVerdict.OBJECT,
            notes="no",
            valid_until=day(9, 30),
            on=day(3, 1),
            actor=LIAISON,
        )


def test_a_revision_follows_the_same_rules_as_an_opinion() -> None:
    opinion = concur()
    with refused("opinion.grounds_missing", opinion):
        opinion.revise(
            verdict=OpinionVerdict.OBJECT, valid_until=day(9, 30), on=day(4, 1), actor=LIAISON
        )
    with refused("role.not_permitted", opinion):
        opinion.revise(
            verdict=OpinionVerdict.CONCUR, valid_until=day(9, 30), on=day(4, 1), actor=UNION_REP
        )


def test_a_withdrawn_opinion_is_final() -> None:
    opinion = concur()
    opinion.withdraw(reason="the farm was assigned elsewhere", on=day(4, 1), actor=LIAISON)
    assert replayed(opinion).decision().withdrawn_on == day(4, 1)
    assert not opinion.decision().is_valid_on(day(4, 2))
    with refused("opinion.withdrawn", opinion):
        opinion.revise(
            verdict=OpinionVerdict.CONCUR, valid_until=day(9, 30), on=day(4, 2), actor=LIAISON
        )
    with refused("opinion.withdrawn", opinion):
        opinion.withdraw(reason="again", on=day(4, 2), actor=LIAISON)


# --- union decisions ---------------------------------------------------------------------------


def test_the_union_grants_its_approval_of_one_nomination() -> None:
    decision = UnionApprovalDecision.grant(
        nomination_id=NOMINATION, union=metalworkers(), on=day(6, 5), actor=UNION_REP
    )
    assert decision.id == UnionApprovalDecision.id_for(NOMINATION)
    assert replayed(decision).decision().approved
    assert decision.decision().union_id == RussianAgency.id_for("METALLIST")
    assert topics(decision) == ["UnionApprovalDecision.Granted"]


def test_the_union_refuses_with_a_reason() -> None:
    decision = UnionApprovalDecision.refuse(
        nomination_id=NOMINATION,
        union=metalworkers(),
        reason="the Putilov works has its own turners",
        on=day(6, 5),
        actor=UNION_REP,
    )
    received = replayed(decision).decision()
    assert not received.approved
    assert received.reason == "the Putilov works has its own turners"
    assert topics(decision) == ["UnionApprovalDecision.Refused"]
    with refused("input.missing"):
        UnionApprovalDecision.refuse(
            nomination_id=NOMINATION, union=metalworkers(), reason="", on=day(6, 5), actor=UNION_REP
        )


def test_only_a_trade_union_approves_specialists() -> None:
    with refused("union.not_a_union"):
        UnionApprovalDecision.grant(
            nomination_id=NOMINATION, union=agency(), on=day(6, 5), actor=UNION_REP
        )


def test_a_deregistered_union_decides_nothing() -> None:
    with refused("agency.deregistered"):
        UnionApprovalDecision.grant(
            nomination_id=NOMINATION,
            union=deregistered(metalworkers()),
            on=day(6, 5),
            actor=UNION_REP,
        )


def test_only_a_union_representative_decides() -> None:
    with refused("role.not_permitted", error=NotPermitted):
        UnionApprovalDecision.grant(
            nomination_id=NOMINATION, union=metalworkers(), on=day(6, 5), actor=LIAISON
        )


# --- confirmations -----------------------------------------------------------------------------


def test_the_liaison_confirms_a_delivery() -> None:
    procurement = uuid4()
    delivery = GoodsDelivery.confirm(
        procurement_id=procurement,
        enterprise="Toikino farm, Perm province",
        delivered_on=day(6, 1),
        on=day(6, 3),
        actor=LIAISON,
        notes="one harrow damaged",
    )
    assert delivery.id == GoodsDelivery.id_for(procurement)
    confirmation = replayed(delivery).confirmation()
    assert (confirmation.procurement_id, confirmation.delivered_on) == (procurement, day(6, 1))
    assert topics(delivery) == ["GoodsDelivery.Confirmed"]


def test_a_delivery_is_not_confirmed_before_it_happens() -> None:
    with refused("delivery.confirmed_before_delivery", error=InvalidInput):
        GoodsDelivery.confirm(
            procurement_id=uuid4(),
            enterprise="Toikino farm",
            delivered_on=day(6, 4),
            on=day(6, 3),
            actor=LIAISON,
        )


def test_only_the_liaison_confirms_a_delivery() -> None:
    with refused("role.not_permitted", error=NotPermitted):
        GoodsDelivery.confirm(
            procurement_id=uuid4(),
            enterprise="Toikino farm",
            delivered_on=day(6, 1),
            on=day(6, 3),
            actor=TREASURER,
        )


@pytest.mark.parametrize("actor", [LIAISON, SUPERVISOR])
def test_the_receiver_confirms_what_a_transfer_actually_brought(actor: Actor) -> None:
    transfer = uuid4()
    receipt = TransferReceipt.confirm(
        transfer_id=transfer,
        receiver="People's Commissariat of Foreign Trade",
        received=Money.of("9950", "USD"),
        on=day(7, 14),
        actor=actor,
    )
    assert receipt.id == TransferReceipt.id_for(transfer)
    confirmation = replayed(receipt).confirmation()
    assert confirmation.received == Money.of("9950", "USD")
    assert confirmation.transfer_id == transfer


def test_a_transfer_receipt_is_not_confirmed_by_the_sender_or_for_nothing() -> None:
    with refused("role.not_permitted", error=NotPermitted):
        TransferReceipt.confirm(
            transfer_id=uuid4(),
            receiver="INTL",
            received=Money.of("10", "USD"),
            on=day(7, 14),
            actor=TREASURER,
        )
    with refused("money.not_positive"):
        TransferReceipt.confirm(
            transfer_id=uuid4(),
            receiver="INTL",
            received=Money.of("0", "USD"),
            on=day(7, 14),
            actor=LIAISON,
        )


def bring_into_production(ids: list[UUID], name: str = "Toikino farm, Perm province") -> Enterprise:
    return Enterprise.bring_into_production(
        name=name, procurement_ids=ids, on=date(1922, 8, 1), actor=LIAISON
    )


def test_an_enterprise_is_reported_in_production_with_its_procurements() -> None:
    tractors, seed = uuid4(), uuid4()
    enterprise = bring_into_production([tractors, seed, tractors])
    report = replayed(enterprise).report()
    assert report.procurement_ids == (tractors, seed)
    assert report.enterprise == "Toikino farm, Perm province"
    assert enterprise.id == Enterprise.id_for("toikino farm,  Perm Province")
    assert topics(enterprise) == ["Enterprise.BroughtIntoProduction"]


def test_an_enterprise_in_production_names_its_procurements() -> None:
    with refused("enterprise.no_procurements", error=InvalidInput):
        bring_into_production([])


def test_only_the_liaison_reports_production() -> None:
    with refused("role.not_permitted", error=NotPermitted):
        Enterprise.bring_into_production(
            name="Toikino farm", procurement_ids=[uuid4()], on=day(8, 1), actor=SECRETARY
        )
