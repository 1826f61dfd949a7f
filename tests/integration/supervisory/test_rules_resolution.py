"""The resolution's rules, each shown raised and shown not raised, on a node that bypassed them.

Procurement needs a prior concurring consultation with the agency and buys only machines, raw
materials and tools; a specialist leaves only with his union's approval, one person per
nomination; a surplus only expands the campaign.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from domain.agency import RussianAgency
from domain.campaign import CampaignKind
from domain.consultation import Consultation, ProcurementCategory
from domain.decisions import AgencyOpinion, OpinionVerdict
from domain.liaison import ConsultationOpinion
from domain.procurement import Procurement
from domain.specialist import SpecialistNomination, Urgency
from domain.surplus import Surplus
from tests.integration.supervisory.conftest import (
    PAYMASTER,
    SECRETARY,
    TREASURER,
    Bypass,
    usd,
)
from tests.integration.supervisory.world import crafted
from tests.support import liaison_story as story

AGRICULTURE = RussianAgency.id_for("NARKOMZEM")
METALLIST = RussianAgency.id_for("METALLIST")
COMMITTED_ON = date(1922, 4, 1)


def consult(bypass: Bypass, reference: str = "DE-C-1", ceiling: str = "30000.00") -> Consultation:
    consultation = Consultation.request(
        country="DE",
        reference=reference,
        purpose="tractors for the Toikino farm",
        category=ProcurementCategory.MACHINES,
        ceiling=usd(ceiling),
        agency_id=AGRICULTURE,
        agency_name="People's Commissariat of Agriculture",
        on=date(1922, 3, 1),
        actor=SECRETARY,
    )
    bypass.record(consultation)
    return consultation


def opinion(bypass: Bypass, consultation: Consultation, **kw: Any) -> None:
    """The liaison records the People's Commissariat of Agriculture's opinion."""
    terms: dict[str, Any] = {
        "verdict": OpinionVerdict.CONCUR,
        "valid_until": date(1922, 12, 31),
        "on": date(1922, 3, 10),
    } | kw
    bypass.liaison.record_opinion(
        story.LIAISON_OFFICER, consultation_id=consultation.id, agency_code="NARKOMZEM", **terms
    )


def commit(
    bypass: Bypass,
    reference: str,
    consultation: Consultation | None,
    *,
    amount: str = "20000.00",
    category: ProcurementCategory = ProcurementCategory.MACHINES,
    record: bool = True,
) -> Procurement:
    """A commitment the modified node makes without its command's checks, claiming a concurrence."""
    consultation_id = consultation.id if consultation else Consultation.id_for("DE", "none")
    claimed = AgencyOpinion(
        consultation_id, AGRICULTURE, OpinionVerdict.CONCUR, None, date(1922, 12, 31), COMMITTED_ON
    )
    procurement: Procurement = crafted(
        Procurement,
        Procurement.Committed,
        id=Procurement.id_for("DE", reference),
        actor=TREASURER,
        country="DE",
        reference=reference,
        category=category,
        description="20 Lanz tractors",
        supplier="Heinrich Lanz AG",
        enterprise="Toikino farm, Perm province",
        agency_id=AGRICULTURE,
        amount=usd(amount),
        consultation_id=consultation_id,
        opinion=claimed,
        committed_on=COMMITTED_ON,
    )
    if record:
        bypass.record(procurement)
    return procurement


def reasons(bypass: Bypass) -> dict[str, str]:
    found = bypass.found("procurement.without_concurring_consultation")
    return {f["detail"].split(":")[0].split()[1]: f["detail"].split(": ", 1)[1] for f in found}


# --- procurement without a prior concurring consultation ----------------------------------


def test_a_covered_procurement_raises_nothing(bypass: Bypass) -> None:
    consultation = consult(bypass)
    opinion(bypass, consultation)
    bypass.decide()
    commit(bypass, "PO-1", consultation)
    assert bypass.found("procurement.without_concurring_consultation") == []


def test_no_consultation_at_all(bypass: Bypass) -> None:
    procurement = commit(bypass, "PO-1", None)
    [found] = bypass.found("procurement.without_concurring_consultation")
    assert (found["node"], found["subject_id"]) == ("DE", str(procurement.id))
    assert "no consultation of the committee" in found["detail"]
    [event] = found["events"]
    assert (event["upstream"], event["topic"]) == ("DE", "domain.procurement:Procurement.Committed")
    assert event["position"] == bypass.intl.ingestor.cursor("DE")


@pytest.mark.parametrize(
    ("terms", "why"),
    [
        ({"verdict": OpinionVerdict.OBJECT, "notes": "no fuel"}, "the agency objected"),
        ({"valid_until": date(1922, 3, 31)}, "was valid until 1922-03-31"),
        ({"on": date(1922, 4, 2)}, "was recorded after the commitment"),
        ({"ceiling": usd("15000.00")}, "exceed its ceiling"),
    ],
)
def test_an_opinion_that_does_not_cover_it(bypass: Bypass, terms: dict[str, Any], why: str) -> None:
    consultation = consult(bypass)
    opinion(bypass, consultation, **terms)
    bypass.decide()
    commit(bypass, "PO-1", consultation)
    assert why in reasons(bypass)["PO-1"]


def test_commitments_take_the_ceiling_in_order(bypass: Bypass) -> None:
    consultation = consult(bypass, ceiling="30000.00")
    opinion(bypass, consultation)
    bypass.decide()
    commit(bypass, "PO-1", consultation, amount="20000.00")
    commit(bypass, "PO-2", consultation, amount="15000.00")
    assert list(reasons(bypass)) == ["PO-2"]


def test_an_opinion_the_committee_wrote_itself_covers_nothing(bypass: Bypass) -> None:
    consultation = consult(bypass)
    agency = RussianAgency.register(
        code="NARKOMZEM",
        name="People's Commissariat of Agriculture",
        kind=story.NARKOMZEM[2],
        on=date(1922, 1, 1),
        actor=story.LIAISON_OFFICER.actor,
    )
    forged = ConsultationOpinion.record(
        consultation_id=consultation.id,
        agency=agency,
        verdict=OpinionVerdict.CONCUR,
        valid_until=date(1922, 12, 31),
        on=date(1922, 3, 10),
        actor=story.LIAISON_OFFICER.actor,
    )
    bypass.record(forged)
    commit(bypass, "PO-1", consultation)
    assert "the liaison recorded no opinion" in reasons(bypass)["PO-1"]


def test_an_opinion_recorded_in_time_but_delivered_late_covers(bypass: Bypass) -> None:
    consultation = consult(bypass)
    commit(bypass, "PO-1", consultation)
    opinion(bypass, consultation)  # recorded on 10 March, before the commitment of 1 April
    assert list(reasons(bypass)) == ["PO-1"]
    bypass.decide()
    assert reasons(bypass) == {}


# --- outside machines, raw materials and tools ----------------------------------------------


def test_food_is_not_procured_from_these_funds(bypass: Bypass) -> None:
    commit(bypass, "PO-1", None, category=ProcurementCategory.FOOD)
    commit(bypass, "PO-2", None, category=ProcurementCategory.TOOLS)
    [found] = bypass.found("procurement.category_not_allowed")
    assert found["subject_id"] == str(Procurement.id_for("DE", "PO-1"))
    assert "buys food" in found["detail"]


# --- departure without the union's approval, group nominations -----------------------------


def nominate(bypass: Bypass, reference: str, person: str = "Karl Müller") -> SpecialistNomination:
    nomination: SpecialistNomination = crafted(
        SpecialistNomination,
        SpecialistNomination.Nominated,
        id=SpecialistNomination.id_for("DE", reference),
        actor=SECRETARY,
        country="DE",
        reference=reference,
        person=person,
        trade="turbine fitter",
        enterprise="Putilov works",
        urgency=Urgency.URGENT,
        union_id=METALLIST,
        union_name="Metalworkers' union",
        nominated_on=date(1922, 4, 10),
    )
    nomination.request_approval(on=date(1922, 4, 12), actor=SECRETARY)
    bypass.record(nomination)
    return nomination


def depart(bypass: Bypass, nomination: SpecialistNomination, on: date) -> None:
    nomination.trigger_event(SpecialistNomination.Departed, actor=SECRETARY, departed_on=on)
    bypass.record(nomination)


def test_departure_with_the_unions_approval(bypass: Bypass) -> None:
    nomination = nominate(bypass, "SP-1")
    bypass.liaison.grant_union_approval(
        story.UNION_REP, nomination_id=nomination.id, union_code="METALLIST", on=date(1922, 4, 20)
    )
    bypass.decide()
    depart(bypass, nomination, date(1922, 5, 10))
    assert bypass.found("specialist.departure_without_approval") == []


@pytest.mark.parametrize(
    ("decision", "why"),
    [
        (None, "no decision of the Metalworkers' union"),
        ("refuse", "refused the nomination on 1922-04-20"),
        ("late", "after the departure"),
    ],
)
def test_departure_without_approval(bypass: Bypass, decision: str | None, why: str) -> None:
    nomination = nominate(bypass, "SP-1")
    if decision == "refuse":
        bypass.liaison.refuse_union_approval(
            story.UNION_REP,
            nomination_id=nomination.id,
            union_code="METALLIST",
            reason="needed at home",
            on=date(1922, 4, 20),
        )
    if decision == "late":
        bypass.liaison.grant_union_approval(
            story.UNION_REP,
            nomination_id=nomination.id,
            union_code="METALLIST",
            on=date(1922, 6, 1),
        )
    bypass.decide()
    depart(bypass, nomination, date(1922, 5, 10))
    [found] = bypass.found("specialist.departure_without_approval")
    assert why in found["detail"]
    assert found["events"][0]["topic"].endswith("SpecialistNomination.Departed")


def test_one_person_per_nomination(bypass: Bypass) -> None:
    nominate(bypass, "SP-1", "Müller, Karl")
    group = nominate(bypass, "SP-2", "Karl Müller and Otto Braun")
    [found] = bypass.found("specialist.group_nomination")
    assert found["subject_id"] == str(group.id)
    assert "names 2 people" in found["detail"]


# --- surplus used outside expansion --------------------------------------------------------


def surplus(bypass: Bypass) -> Surplus:
    declared = Surplus.declare(
        country="DE",
        period_end=date(1922, 12, 31),
        amount=usd("5000.00"),
        on=date(1923, 1, 5),
        actor=TREASURER,
    )
    bypass.record(declared)
    return declared


def test_surplus_allocated_to_expansion(bypass: Bypass) -> None:
    expansion = bypass.campaign("tractors-1923", CampaignKind.EXPANSION)
    declared = surplus(bypass)
    declared.allocate(
        campaign_id=expansion.id,
        campaign_kind=expansion.kind,
        amount=usd("5000.00"),
        on=date(1923, 1, 7),
        actor=PAYMASTER,
    )
    bypass.record(declared)
    assert bypass.found("surplus.not_expansion", date(1923, 2, 1)) == []


def test_surplus_allocated_to_a_collection(bypass: Bypass) -> None:
    famine = bypass.campaign("famine-1923", CampaignKind.COLLECTION)
    declared = surplus(bypass)
    declared.trigger_event(
        Surplus.Allocated,
        actor=PAYMASTER,
        campaign_id=famine.id,
        amount=usd("3000.00"),
        allocated_on=date(1923, 1, 7),
    )
    bypass.record(declared)
    [found] = bypass.found("surplus.not_expansion", date(1923, 2, 1))
    assert found["subject_id"] == str(declared.id)
    assert "3000.00 USD to famine-1923 (a collection campaign)" in found["detail"]
