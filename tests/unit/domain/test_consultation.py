"""Consultations: a committee asks a Russian agency before it spends."""

from __future__ import annotations

from domain.consultation import PRODUCTIVE, Consultation, ProcurementCategory
from domain.errors import NotPermitted
from domain.ids import derive_id
from domain.money import Money
from domain.roles import Actor
from tests.unit.domain import SECRETARY, TREASURER, day, refused, replayed, topics

NARKOMZEM = derive_id("agency", "NARKOMZEM")


def request(
    category: ProcurementCategory = ProcurementCategory.MACHINES,
    ceiling: Money | None = None,
    purpose: str = "Tractors for the Toikino farm, Perm province",
    actor: Actor = SECRETARY,
) -> Consultation:
    return Consultation.request(
        country="US",
        reference="FSR-1922-03",
        purpose=purpose,
        category=category,
        ceiling=ceiling or Money.of("75000", "USD"),
        agency_id=NARKOMZEM,
        agency_name="People's Commissariat of Agriculture",
        on=day(3, 1),
        actor=actor,
    )


def test_the_secretary_asks_an_agency_about_spending_up_to_a_ceiling() -> None:
    consultation = request()
    assert consultation.id == Consultation.id_for("US", "FSR-1922-03")
    assert consultation.ceiling == Money.of("75000", "USD")
    assert consultation.is_open
    assert consultation.covers_procurement
    assert topics(consultation) == ["Consultation.Requested"]


def test_any_category_may_be_consulted_on_but_only_productive_ones_cover_procurement() -> None:
    food = request(category=ProcurementCategory.FOOD)
    assert not food.covers_procurement
    assert {c.value for c in PRODUCTIVE} == {"machines", "raw_materials", "tools"}


def test_a_consultation_needs_a_purpose_and_a_positive_ceiling() -> None:
    with refused("input.missing"):
        request(purpose=" ")
    with refused("money.not_positive"):
        request(ceiling=Money.of("0", "USD"))


def test_only_the_secretary_requests_a_consultation() -> None:
    with refused("role.not_permitted", error=NotPermitted):
        request(actor=TREASURER)


def test_a_consultation_is_closed_once() -> None:
    consultation = request()
    consultation.close(reason="tractors bought", on=day(6, 1), actor=SECRETARY)
    assert not replayed(consultation).is_open
    with refused("consultation.closed", consultation):
        consultation.close(reason="again", on=day(6, 2), actor=SECRETARY)


def test_a_consultation_does_not_close_before_it_was_requested() -> None:
    consultation = request()
    with refused("consultation.closed_before_requested", consultation):
        consultation.close(reason="typo", on=day(2, 28), actor=SECRETARY)


def test_only_the_secretary_closes_a_consultation() -> None:
    consultation = request()
    with refused("role.not_permitted", consultation):
        consultation.close(reason="done", on=day(6, 1), actor=TREASURER)
