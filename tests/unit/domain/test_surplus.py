"""Surplus: what a period leaves over may only expand the campaign."""

from __future__ import annotations

import pytest

from domain.campaign import Campaign, CampaignKind
from domain.errors import NotPermitted
from domain.money import Money
from domain.roles import Actor
from domain.surplus import Surplus
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

EXPANSION = Campaign.id_for("FR", "EXP-1923")


def declared(amount: str = "12000") -> Surplus:
    return Surplus.declare(
        country="FR",
        period_end=day(12, 31),
        amount=Money.of(amount, "FRF"),
        on=day(1, 15, 1923),
        actor=TREASURER,
    )


def test_the_treasurer_declares_a_surplus_per_period_and_currency() -> None:
    surplus = declared()
    assert surplus.id == Surplus.id_for("FR", day(12, 31), "FRF")
    assert surplus.unallocated == Money.of("12000", "FRF")
    assert topics(surplus) == ["Surplus.Declared"]


def test_a_surplus_is_declared_after_its_period_and_above_zero() -> None:
    with refused("surplus.declared_before_period_end"):
        Surplus.declare(
            country="FR",
            period_end=day(12, 31),
            amount=Money.of("12000", "FRF"),
            on=day(12, 30),
            actor=TREASURER,
        )
    with refused("money.not_positive"):
        declared("0")


def test_only_a_treasurer_declares_a_surplus() -> None:
    with refused("role.not_permitted", error=NotPermitted):
        Surplus.declare(
            country="FR",
            period_end=day(12, 31),
            amount=Money.of("12000", "FRF"),
            on=day(1, 15, 1923),
            actor=SECRETARY,
        )


@pytest.mark.parametrize("actor", [SECRETARY, SECOND_TREASURER])
def test_someone_other_than_the_declarer_allocates_it_to_an_expansion_campaign(
    actor: Actor,
) -> None:
    surplus = declared()
    surplus.allocate(
        campaign_id=EXPANSION,
        campaign_kind=CampaignKind.EXPANSION,
        amount=Money.of("7000", "FRF"),
        on=day(1, 20, 1923),
        actor=actor,
    )
    surplus.allocate(
        campaign_id=EXPANSION,
        campaign_kind=CampaignKind.EXPANSION,
        amount=Money.of("5000", "FRF"),
        on=day(2, 1, 1923),
        actor=SECRETARY,
    )
    assert replayed(surplus).unallocated == Money.zero("FRF")
    assert topics(surplus)[1:] == ["Surplus.Allocated", "Surplus.Allocated"]


@pytest.mark.parametrize(
    "kind", [k for k in CampaignKind if k is not CampaignKind.EXPANSION], ids=str
)
def test_a_surplus_goes_only_to_an_expansion_campaign(kind: CampaignKind) -> None:
    surplus = declared()
    with refused("surplus.not_expansion", surplus):
        surplus.allocate(
            campaign_id=Campaign.id_for("FR", "COLL-1923"),
            campaign_kind=kind,
            amount=Money.of("1000", "FRF"),
            on=day(1, 20, 1923),
            actor=SECRETARY,
        )


def test_no_more_is_allocated_than_declared() -> None:
    surplus = declared()
    with refused("surplus.over_allocated", surplus):
        surplus.allocate(
            campaign_id=EXPANSION,
            campaign_kind=CampaignKind.EXPANSION,
            amount=Money.of("12000.01", "FRF"),
            on=day(1, 20, 1923),
            actor=SECRETARY,
        )


def test_the_declarer_does_not_allocate() -> None:
    surplus = declared()
    with refused("surplus.allocated_by_declarer", surplus):
        surplus.allocate(
            campaign_id=EXPANSION,
            campaign_kind=CampaignKind.EXPANSION,
            amount=Money.of("1000", "FRF"),
            on=day(1, 20, 1923),
            actor=TREASURER,
        )


def test_an_auditor_allocates_nothing() -> None:
    surplus = declared()
    with refused("role.not_permitted", surplus):
        surplus.allocate(
            campaign_id=EXPANSION,
            campaign_kind=CampaignKind.EXPANSION,
            amount=Money.of("1000", "FRF"),
            on=day(1, 20, 1923),
            actor=AUDITOR,
        )
