"""Decisions of other nodes as a committee receives them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest

from domain.decisions import (
    AgencyOpinion,
    CommitteeStanding,
    EnterpriseInProduction,
    ExchangeRate,
    OpinionVerdict,
    Standing,
    require_recognised,
)
from domain.errors import DecisionMissing
from tests.unit.domain import day, refused


def test_an_opinion_decoded_from_json_gets_its_verdict_back_as_an_enum() -> None:
    verdict: Any = "concur_with_conditions"
    opinion = AgencyOpinion(
        consultation_id=uuid4(),
        agency_id=uuid4(),
        verdict=verdict,
        conditions="deliver before the spring sowing",
        valid_until=day(9, 30),
        recorded_on=day(3, 20),
    )
    assert opinion.verdict is OpinionVerdict.CONCUR_WITH_CONDITIONS
    assert opinion.concurs


def test_an_opinion_is_valid_from_its_recording_to_its_last_day() -> None:
    opinion = AgencyOpinion(
        uuid4(),
        uuid4(),
        OpinionVerdict.OBJECT,
        None,
        valid_until=day(9, 30),
        recorded_on=day(3, 20),
    )
    assert not opinion.concurs
    assert opinion.is_valid_on(day(3, 20))
    assert opinion.is_valid_on(day(9, 30))
    assert not opinion.is_valid_on(day(10, 1))
    assert not opinion.is_valid_on(day(3, 19))


def test_a_withdrawn_opinion_is_valid_on_no_day() -> None:
    opinion = AgencyOpinion(
        uuid4(),
        uuid4(),
        OpinionVerdict.CONCUR,
        None,
        valid_until=day(9, 30),
        recorded_on=day(3, 20),
        withdrawn_on=day(4, 1),
    )
    assert not opinion.is_valid_on(day(3, 21))


def test_a_recognised_committee_passes() -> None:
    standing = CommitteeStanding("FR", Standing.RECOGNISED, day(9, 1))
    assert require_recognised(standing, "FR") is standing


def test_no_recognition_yet_is_a_missing_decision() -> None:
    with refused("committee.standing_missing", error=DecisionMissing):
        require_recognised(None, "FR")
    with refused("committee.standing_missing", error=DecisionMissing):
        require_recognised(CommitteeStanding("DE", Standing.RECOGNISED, day(9, 1)), "FR")


def test_a_suspended_committee_is_refused() -> None:
    standing = CommitteeStanding("FR", Standing.SUSPENDED, day(11, 2), "accounts not sent")
    with refused("committee.suspended"):
        require_recognised(standing, "FR")


def test_an_exchange_rate_is_an_exact_positive_rate_between_two_known_currencies() -> None:
    rate = ExchangeRate("FRF", "XPM", Decimal("28"), day(4, 1))
    assert rate.rate == Decimal(28)


@pytest.mark.parametrize(
    ("currency", "reporting", "rate", "code"),
    [
        ("FRF", "FRF", Decimal("1"), "rate.same_currency"),
        ("FRF", "XPM", Decimal("0"), "rate.not_positive"),
        ("FRF", "XPM", Decimal("-28"), "rate.not_positive"),
        ("FRF", "XPM", 28.0, "rate.not_exact"),
        ("FRF", "XPM", Decimal("NaN"), "rate.not_exact"),
        ("ZZZ", "XPM", Decimal("28"), "money.unknown_currency"),
    ],
)
def test_a_malformed_exchange_rate_is_refused(
    currency: str, reporting: str, rate: Any, code: str
) -> None:
    with refused(code):
        ExchangeRate(currency, reporting, rate, day(4, 1))


def test_procurement_ids_decoded_as_a_list_come_back_as_a_tuple() -> None:
    first, second = uuid4(), uuid4()
    ids: Any = [first, second]
    report = EnterpriseInProduction("Toikino farm, Perm province", ids, day(8, 1))
    assert report.procurement_ids == (first, second)
