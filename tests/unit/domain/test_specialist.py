"""Specialists: one person at a time, urgently needed, approved by the Russian trade union."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import uuid4

import pytest

from domain.agency import AgencyKind, RussianAgency
from domain.decisions import UnionDecision
from domain.errors import DecisionMissing, InvalidInput, NotPermitted
from domain.liaison import UnionApprovalDecision
from domain.money import Money
from domain.specialist import NominationStatus, SpecialistNomination, Urgency
from tests.unit.domain import (
    LIAISON,
    SECRETARY,
    TREASURER,
    UNION_REP,
    day,
    refused,
    replayed,
    topics,
)

METALLIST = RussianAgency.id_for("METALLIST")


def nominate(
    persons: Sequence[str] = ("Karl Schmidt",), urgency: Urgency = Urgency.URGENT
) -> SpecialistNomination:
    return SpecialistNomination.nominate(
        country="DE",
        reference="SP-1922-11",
        persons=persons,
        trade="turbine fitter",
        enterprise="Putilov works, Petrograd",
        urgency=urgency,
        union_id=METALLIST,
        union_name="Metalworkers' union",
        on=day(5, 2),
        actor=SECRETARY,
    )


def decision(nomination: SpecialistNomination, approved: bool = True) -> UnionDecision:
    return UnionDecision(
        nomination_id=nomination.id,
        union_id=METALLIST,
        approved=approved,
        reason=None if approved else "the works has its own fitters",
        decided_on=day(6, 5),
    )


def awaiting() -> SpecialistNomination:
    nomination = nominate()
    nomination.request_approval(on=day(5, 3), actor=SECRETARY)
    return nomination


def decided(approved: bool = True) -> SpecialistNomination:
    nomination = awaiting()
    nomination.note_union_decision(decision=decision(nomination, approved), actor=SECRETARY)
    return nomination


def funded() -> SpecialistNomination:
    nomination = decided()
    nomination.fund_emigration(amount=Money.of("1200", "XPM"), on=day(6, 10), actor=TREASURER)
    return nomination


# --- nomination --------------------------------------------------------------------------------


def test_the_secretary_nominates_one_urgently_needed_specialist() -> None:
    nomination = nominate(persons=["  Karl   Schmidt "])
    assert nomination.id == SpecialistNomination.id_for("DE", "SP-1922-11")
    assert (nomination.person, nomination.urgency) == ("Karl Schmidt", Urgency.URGENT)
    assert nomination.status is NominationStatus.NOMINATED
    assert topics(nomination) == ["SpecialistNomination.Nominated"]


def test_the_same_name_given_twice_is_still_one_person() -> None:
    assert nominate(persons=["Karl Schmidt", "karl schmidt"]).person == "Karl Schmidt"


def test_a_group_is_not_nominated() -> None:
    with refused("specialist.group_nomination"):
        nominate(persons=["Karl Schmidt", "Otto Braun", "Fritz Lange"])


def test_a_nomination_names_someone() -> None:
    with refused("input.missing", error=InvalidInput):
        nominate(persons=["", "  "])


def test_a_routine_need_is_not_nominated() -> None:
    with refused("specialist.not_urgent"):
        nominate(urgency=Urgency.ROUTINE)
    assert nominate(urgency=Urgency.IMMEDIATE).urgency is Urgency.IMMEDIATE


def test_only_the_secretary_nominates() -> None:
    with refused("role.not_permitted", error=NotPermitted):
        SpecialistNomination.nominate(
            country="DE",
            reference="SP-1922-11",
            persons=["Karl Schmidt"],
            trade="turbine fitter",
            enterprise="Putilov works, Petrograd",
            urgency=Urgency.URGENT,
            union_id=METALLIST,
            union_name="Metalworkers' union",
            on=day(5, 2),
            actor=TREASURER,
        )


# --- the union's approval ----------------------------------------------------------------------


def test_approval_is_requested_once() -> None:
    nomination = awaiting()
    assert topics(nomination)[-1] == "SpecialistNomination.ApprovalRequested"
    with refused("specialist.approval_already_requested", nomination):
        nomination.request_approval(on=day(5, 4), actor=SECRETARY)


def test_the_unions_approval_made_at_the_liaison_is_noted_by_the_committee() -> None:
    nomination = awaiting()
    metalworkers = RussianAgency.register(
        code="METALLIST",
        name="Metalworkers' union",
        kind=AgencyKind.TRADE_UNION,
        on=day(1, 10),
        actor=LIAISON,
    )
    at_liaison = UnionApprovalDecision.grant(
        nomination_id=nomination.id, union=metalworkers, on=day(6, 5), actor=UNION_REP
    )
    nomination.note_union_decision(decision=at_liaison.decision(), actor=SECRETARY)
    state = replayed(nomination)
    assert state.approved
    assert state.status is NominationStatus.APPROVED
    assert topics(nomination)[-1] == "SpecialistNomination.UnionDecisionNoted"


def test_a_refusal_ends_the_nomination() -> None:
    nomination = decided(approved=False)
    assert replayed(nomination).status is NominationStatus.REFUSED
    with refused("specialist.decision_already_noted", nomination):
        nomination.note_union_decision(decision=decision(nomination), actor=SECRETARY)


def test_without_the_unions_decision_nothing_is_noted() -> None:
    nomination = awaiting()
    with refused("specialist.union_decision_missing", nomination, DecisionMissing):
        nomination.note_union_decision(decision=None, actor=SECRETARY)


def test_a_decision_on_another_nomination_is_not_noted() -> None:
    nomination = awaiting()
    other = UnionDecision(uuid4(), METALLIST, True, None, day(6, 5))
    with refused("specialist.decision_mismatch", nomination, InvalidInput):
        nomination.note_union_decision(decision=other, actor=SECRETARY)


def test_only_the_named_unions_decision_counts() -> None:
    nomination = awaiting()
    miners = UnionDecision(nomination.id, RussianAgency.id_for("GORNYAKI"), True, None, day(6, 5))
    with refused("specialist.wrong_union", nomination):
        nomination.note_union_decision(decision=miners, actor=SECRETARY)


def test_a_decision_comes_after_the_request_for_it() -> None:
    nomination = nominate()
    with refused("specialist.approval_not_requested", nomination):
        nomination.note_union_decision(decision=decision(nomination), actor=SECRETARY)


# --- funding and departure ---------------------------------------------------------------------


def test_the_treasurer_funds_the_journey_after_approval() -> None:
    nomination = funded()
    state = replayed(nomination)
    assert (state.status, state.funding) == (NominationStatus.FUNDED, Money.of("1200", "XPM"))
    with refused("specialist.already_funded", nomination):
        nomination.fund_emigration(amount=Money.of("1", "XPM"), on=day(6, 11), actor=TREASURER)


def test_no_funding_without_the_unions_decision() -> None:
    nomination = awaiting()
    with refused("specialist.union_decision_missing", nomination, DecisionMissing):
        nomination.fund_emigration(amount=Money.of("1200", "XPM"), on=day(6, 10), actor=TREASURER)


def test_no_funding_after_a_refusal() -> None:
    nomination = decided(approved=False)
    with refused("specialist.not_approved", nomination):
        nomination.fund_emigration(amount=Money.of("1200", "XPM"), on=day(6, 10), actor=TREASURER)


def test_only_the_treasurer_funds() -> None:
    nomination = decided()
    with refused("role.not_permitted", nomination):
        nomination.fund_emigration(amount=Money.of("1200", "XPM"), on=day(6, 10), actor=SECRETARY)


def test_the_specialist_departs_once_approved_and_funded() -> None:
    nomination = funded()
    nomination.depart(on=day(7, 1), actor=SECRETARY)
    state = replayed(nomination)
    assert (state.status, state.departed_on) == (NominationStatus.DEPARTED, day(7, 1))
    assert topics(nomination)[-1] == "SpecialistNomination.Departed"
    with refused("specialist.already_departed", nomination):
        nomination.depart(on=day(7, 2), actor=SECRETARY)


@pytest.mark.parametrize("stage", ["nominated", "awaiting", "refused"])
def test_no_departure_before_the_unions_approval(stage: str) -> None:
    nomination = {"nominated": nominate, "awaiting": awaiting}.get(
        stage, lambda: decided(approved=False)
    )()
    with refused("specialist.departure_before_approval", nomination):
        nomination.depart(on=day(7, 1), actor=SECRETARY)


def test_no_departure_before_the_journey_is_funded() -> None:
    nomination = decided()
    with refused("specialist.departure_before_funding", nomination):
        nomination.depart(on=day(7, 1), actor=SECRETARY)
