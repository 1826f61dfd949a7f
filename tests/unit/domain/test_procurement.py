"""Procurement: machines, raw materials and tools, covered by a concurring consultation."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import uuid4

import pytest

from domain.consultation import Consultation, ProcurementCategory
from domain.decisions import (
    AgencyOpinion,
    DeliveryConfirmation,
    EnterpriseInProduction,
    OpinionVerdict,
)
from domain.errors import DecisionMissing, InvalidInput, NotPermitted
from domain.ids import derive_id
from domain.money import Money
from domain.procurement import Procurement, ProcurementStatus
from tests.unit.domain import (
    AUDITOR,
    SECOND_TREASURER,
    SECRETARY,
    TREASURER,
    day,
    refused,
    replayed,
    topics,
)

NARKOMZEM = derive_id("agency", "NARKOMZEM")
TOIKINO = "Toikino farm, Perm province"


def consultation(category: ProcurementCategory = ProcurementCategory.MACHINES) -> Consultation:
    return Consultation.request(
        country="US",
        reference="FSR-1922-03",
        purpose="Tractors for the Toikino farm",
        category=category,
        ceiling=Money.of("75000", "USD"),
        agency_id=NARKOMZEM,
        agency_name="People's Commissariat of Agriculture",
        on=day(3, 1),
        actor=SECRETARY,
    )


def opinion(of: Consultation, **changes: Any) -> AgencyOpinion:
    fields: dict[str, Any] = {
        "consultation_id": of.id,
        "agency_id": of.agency_id,
        "verdict": OpinionVerdict.CONCUR,
        "conditions": None,
        "valid_until": day(9, 30),
        "recorded_on": day(3, 20),
    }
    fields.update(changes)
    return AgencyOpinion(**fields)


def commit(**changes: Any) -> Procurement:
    asked = changes.pop("consultation") if "consultation" in changes else consultation()
    kwargs: dict[str, Any] = {
        "country": "US",
        "reference": "PO-1922-017",
        "category": ProcurementCategory.MACHINES,
        "description": "20 Case tractors and a Fordson",
        "supplier": "J. I. Case Threshing Machine Company, Racine",
        "enterprise": TOIKINO,
        "agency_id": NARKOMZEM,
        "amount": Money.of("60000", "USD"),
        "consultation": asked,
        "opinion": opinion(asked) if asked else None,
        "already_committed": Money.zero("USD"),
        "on": day(4, 10),
        "actor": TREASURER,
    }
    kwargs.update(changes)
    return Procurement.commit(**kwargs)


def shipped() -> Procurement:
    procurement = commit()
    procurement.ship(on=day(5, 10), actor=TREASURER, carrier="SS Stockholm, New York-Reval")
    return procurement


def delivered() -> Procurement:
    procurement = shipped()
    procurement.note_delivery(
        confirmation=DeliveryConfirmation(procurement.id, TOIKINO, day(6, 1), day(6, 3)),
        actor=SECRETARY,
    )
    return procurement


# --- commitment --------------------------------------------------------------------------------


def test_the_treasurer_commits_a_procurement_covered_by_a_concurring_consultation() -> None:
    asked = consultation()
    procurement = commit(consultation=asked)
    assert procurement.id == Procurement.id_for("US", "PO-1922-017")
    assert procurement.consultation_id == asked.id
    assert procurement.opinion == opinion(asked)
    assert procurement.status is ProcurementStatus.COMMITTED
    assert procurement.commits_funds
    assert topics(procurement) == ["Procurement.Committed"]


def test_a_concurrence_with_conditions_covers_a_procurement_and_the_event_keeps_them() -> None:
    asked = consultation()
    conditional = opinion(
        asked,
        verdict=OpinionVerdict.CONCUR_WITH_CONDITIONS,
        conditions="seed grain to come with the tractors",
    )
    procurement = commit(consultation=asked, opinion=conditional)
    assert replayed(procurement).opinion.conditions == "seed grain to come with the tractors"


@pytest.mark.parametrize("category", [ProcurementCategory.FOOD, ProcurementCategory.ADMINISTRATION])
def test_only_machines_raw_materials_and_tools_are_procured(category: ProcurementCategory) -> None:
    asked = consultation(category)
    with refused("procurement.category_not_allowed"):
        commit(consultation=asked, opinion=opinion(asked), category=category)


def test_a_procurement_needs_a_consultation() -> None:
    with refused("procurement.consultation_missing"):
        commit(consultation=None, opinion=None)


def test_a_closed_consultation_covers_nothing_more() -> None:
    asked = consultation()
    asked.close(reason="tractors bought", on=day(4, 1), actor=SECRETARY)
    with refused("procurement.consultation_closed"):
        commit(consultation=asked)


def test_the_procurement_is_in_the_category_consulted_on() -> None:
    with refused("procurement.category_mismatch"):
        commit(category=ProcurementCategory.TOOLS, description="drills and harrows")


def test_the_procurement_is_for_the_agency_consulted() -> None:
    with refused("procurement.agency_mismatch"):
        commit(agency_id=derive_id("agency", "VSNKH"))


def test_without_the_agencys_opinion_the_commitment_waits_for_sync() -> None:
    with pytest.raises(DecisionMissing) as info:
        commit(opinion=None)
    assert info.value.code == "procurement.opinion_missing"
    assert "People's Commissariat of Agriculture" in info.value.message
    assert "FSR-1922-03" in info.value.message


def test_the_opinion_given_must_be_on_this_consultation() -> None:
    asked = consultation()
    with refused("procurement.opinion_mismatch", error=InvalidInput):
        commit(consultation=asked, opinion=opinion(asked, consultation_id=uuid4()))
    with refused("procurement.opinion_mismatch", error=InvalidInput):
        commit(consultation=asked, opinion=opinion(asked, agency_id=uuid4()))


def test_an_objection_covers_nothing() -> None:
    asked = consultation()
    objection = opinion(asked, verdict=OpinionVerdict.OBJECT, notes="no repair shops in Perm")
    with refused("procurement.opinion_objects"):
        commit(consultation=asked, opinion=objection)


def test_a_withdrawn_opinion_covers_nothing() -> None:
    asked = consultation()
    withdrawn = opinion(asked, withdrawn_on=day(4, 1))
    with refused("procurement.opinion_withdrawn"):
        commit(consultation=asked, opinion=withdrawn)


def test_the_commitment_comes_after_the_opinion() -> None:
    with refused("procurement.before_opinion"):
        commit(on=day(3, 19))


@pytest.mark.parametrize(("on", "allowed"), [(day(9, 30), True), (day(10, 1), False)])
def test_an_expired_opinion_covers_nothing(on: date, allowed: bool) -> None:
    if allowed:
        assert commit(on=on).committed_on == on
    else:
        with refused("procurement.consultation_expired"):
            commit(on=on)


def test_the_procurement_fits_within_the_ceiling_with_what_was_already_committed() -> None:
    at_ceiling = commit(amount=Money.of("15000", "USD"), already_committed=Money.of("60000", "USD"))
    assert at_ceiling.amount == Money.of("15000", "USD")
    with refused("procurement.over_ceiling"):
        commit(amount=Money.of("15000.01", "USD"), already_committed=Money.of("60000", "USD"))


def test_an_agency_that_concurred_for_less_sets_the_lower_ceiling() -> None:
    asked = consultation()
    for_less = opinion(asked, ceiling=Money.of("50000", "USD"))
    with refused("procurement.over_ceiling"):
        commit(consultation=asked, opinion=for_less, amount=Money.of("50000.01", "USD"))
    assert commit(consultation=asked, opinion=for_less, amount=Money.of("50000", "USD"))


def test_a_procurement_in_another_currency_than_the_ceiling_is_refused() -> None:
    with refused("money.mixed_currencies"):
        commit(amount=Money.of("1000", "GBP"), already_committed=Money.zero("GBP"))


def test_only_the_treasurer_commits() -> None:
    with refused("role.not_permitted", error=NotPermitted):
        commit(actor=SECRETARY)


# --- shipping, delivery, production -----------------------------------------------------------


def test_the_goods_are_shipped_once_and_not_before_the_commitment() -> None:
    procurement = shipped()
    assert replayed(procurement).status is ProcurementStatus.SHIPPED
    assert topics(procurement)[-1] == "Procurement.GoodsShipped"
    with refused("procurement.already_shipped", procurement):
        procurement.ship(on=day(5, 11), actor=TREASURER)
    early = commit()
    with refused("procurement.shipped_before_commitment", early):
        early.ship(on=day(4, 9), actor=TREASURER)


def test_an_auditor_records_no_shipment() -> None:
    procurement = commit()
    with refused("role.not_permitted", procurement):
        procurement.ship(on=day(5, 10), actor=AUDITOR)


def test_delivery_is_noted_from_the_liaisons_confirmation() -> None:
    procurement = delivered()
    state = replayed(procurement)
    assert (state.status, state.delivered_on) == (ProcurementStatus.DELIVERED, day(6, 1))
    assert topics(procurement)[-1] == "Procurement.DeliveryNoted"


def test_delivery_waits_for_the_liaisons_confirmation() -> None:
    procurement = shipped()
    with refused("procurement.delivery_unconfirmed", procurement, DecisionMissing):
        procurement.note_delivery(confirmation=None, actor=SECRETARY)


def test_a_confirmation_of_another_procurement_is_not_noted() -> None:
    procurement = shipped()
    other = DeliveryConfirmation(uuid4(), TOIKINO, day(6, 1), day(6, 3))
    with refused("procurement.confirmation_mismatch", procurement, InvalidInput):
        procurement.note_delivery(confirmation=other, actor=SECRETARY)


def test_goods_not_shipped_are_not_delivered() -> None:
    procurement = commit()
    confirmation = DeliveryConfirmation(procurement.id, TOIKINO, day(6, 1), day(6, 3))
    with refused("procurement.not_shipped", procurement):
        procurement.note_delivery(confirmation=confirmation, actor=SECRETARY)


def test_the_enterprise_in_production_is_noted_from_the_liaisons_report() -> None:
    procurement = delivered()
    report = EnterpriseInProduction(TOIKINO, (procurement.id,), day(8, 1))
    procurement.note_production(report=report, actor=SECRETARY)
    state = replayed(procurement)
    assert (state.status, state.in_production_on) == (ProcurementStatus.IN_PRODUCTION, day(8, 1))
    assert topics(procurement)[-1] == "Procurement.ProductionNoted"


def test_production_waits_for_the_report_that_cites_the_procurement() -> None:
    procurement = delivered()
    with refused("procurement.production_unconfirmed", procurement, DecisionMissing):
        procurement.note_production(report=None, actor=SECRETARY)
    other = EnterpriseInProduction(TOIKINO, (uuid4(),), day(8, 1))
    with refused("procurement.confirmation_mismatch", procurement, InvalidInput):
        procurement.note_production(report=other, actor=SECRETARY)


def test_undelivered_goods_bring_nothing_into_production() -> None:
    procurement = shipped()
    report = EnterpriseInProduction(TOIKINO, (procurement.id,), day(8, 1))
    with refused("procurement.not_delivered", procurement):
        procurement.note_production(report=report, actor=SECRETARY)


# --- payment and cancellation ------------------------------------------------------------------


def test_another_treasurer_pays_in_one_or_more_payments() -> None:
    procurement = commit()
    procurement.pay(amount=Money.of("20000", "USD"), on=day(4, 20), actor=SECOND_TREASURER)
    procurement.pay(amount=Money.of("40000", "USD"), on=day(6, 5), actor=SECOND_TREASURER)
    state = replayed(procurement)
    assert state.paid == Money.of("60000", "USD")
    assert state.outstanding == Money.zero("USD")
    assert topics(procurement)[-2:] == ["Procurement.Paid", "Procurement.Paid"]


def test_the_person_who_committed_does_not_pay() -> None:
    procurement = commit()
    with refused("procurement.paid_by_committer", procurement):
        procurement.pay(amount=Money.of("100", "USD"), on=day(4, 20), actor=TREASURER)


def test_nothing_beyond_the_commitment_is_paid() -> None:
    procurement = commit()
    with refused("procurement.overpaid", procurement):
        procurement.pay(amount=Money.of("60000.01", "USD"), on=day(4, 20), actor=SECOND_TREASURER)


def test_only_a_treasurer_pays() -> None:
    procurement = commit()
    with refused("role.not_permitted", procurement):
        procurement.pay(amount=Money.of("100", "USD"), on=day(4, 20), actor=SECRETARY)


def test_an_unshipped_unpaid_procurement_is_cancelled_and_frees_the_ceiling() -> None:
    procurement = commit()
    procurement.cancel(reason="Case raised its price", on=day(4, 12), actor=TREASURER)
    state = replayed(procurement)
    assert state.status is ProcurementStatus.CANCELLED
    assert not state.commits_funds


def test_a_cancelled_procurement_is_neither_paid_nor_shipped_nor_cancelled_again() -> None:
    procurement = commit()
    procurement.cancel(reason="Case raised its price", on=day(4, 12), actor=TREASURER)
    with refused("procurement.cancelled", procurement):
        procurement.pay(amount=Money.of("100", "USD"), on=day(4, 20), actor=SECOND_TREASURER)
    with refused("procurement.cancelled", procurement):
        procurement.ship(on=day(5, 10), actor=TREASURER)
    with refused("procurement.cancelled", procurement):
        procurement.cancel(reason="again", on=day(4, 13), actor=TREASURER)


def test_shipped_or_paid_goods_are_not_cancelled() -> None:
    procurement = shipped()
    with refused("procurement.cannot_cancel", procurement):
        procurement.cancel(reason="too late", on=day(5, 12), actor=TREASURER)
    paid = commit()
    paid.pay(amount=Money.of("100", "USD"), on=day(4, 20), actor=SECOND_TREASURER)
    with refused("procurement.cannot_cancel", paid):
        paid.cancel(reason="too late", on=day(4, 21), actor=TREASURER)
