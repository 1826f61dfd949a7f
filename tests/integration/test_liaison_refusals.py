"""Every rule of the liaison refusing, with its code, and nothing recorded (memory, SQLite, PG)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

import pytest

from domain.decisions import OpinionVerdict
from domain.errors import (
    DecisionMissing,
    DomainError,
    InvalidInput,
    NotFound,
    NotPermitted,
    RuleBroken,
)
from domain.money import Money
from domain.specialist import SpecialistNomination
from tests.conftest import SettingsFactory
from tests.support.liaison_steps import (
    deliver,
    grant,
    opinion,
    produce,
    receive,
    register,
    revise,
    withdraw,
)
from tests.support.liaison_story import (
    LIAISON_OFFICER,
    NARKOMZEM,
    UNION_REP,
    World,
    nominate,
    usd,
)
from tests.support.liaison_story import world as story_world
from tests.support.relay import relay
from tests.support.story import SECRETARY, SUPERVISOR, TREASURER

Step = Callable[[World], Any]
UNKNOWN = UUID("00000000-0000-0000-0000-000000001922")
SP_3 = SpecialistNomination.id_for("US", "SP-3")
FRF = Money.of("1000.00", "FRF")
CONCUR_IF = OpinionVerdict.CONCUR_WITH_CONDITIONS


@dataclass(frozen=True)
class After:
    """A command refused only after something else happened (which is recorded)."""

    given: Step
    then: Step


def close_asked(w: World) -> None:
    w.committee.close_consultation(
        SECRETARY, reference="FSR-1922-04", reason="bought elsewhere", on=date(1922, 3, 5)
    )
    relay(w.committee, w.liaison)


def nominate_to_a_commissariat(w: World) -> None:
    nominate(w.committee, "SP-3", union=NARKOMZEM)
    relay(w.committee, w.liaison)


def deregister_vtssps(w: World) -> None:
    w.liaison.deregister_agency(
        LIAISON_OFFICER, code="VTSSPS", reason="reorganised", on=date(1922, 1, 1)
    )


def deliver_shipped(w: World) -> None:
    deliver(w, w.shipped)


def in_production(w: World) -> None:
    deliver(w, w.shipped)
    produce(w, w.shipped)


def withdraw_answered(w: World) -> None:
    withdraw(w, w.answered)


def grant_awaiting(w: World) -> None:
    grant(w, w.awaiting)


def receive_sent(w: World) -> None:
    receive(w, w.sent)


# What has not reached the liaison yet, by the code that names it.
MISSING: dict[str, Step] = {
    "opinion.consultation_unknown": lambda w: opinion(w, UNKNOWN),
    "union.nomination_unknown": lambda w: grant(w, UNKNOWN),
    "union.approval_not_requested": lambda w: grant(w, w.nominated),
    "delivery.procurement_unknown": lambda w: deliver(w, UNKNOWN),
    "delivery.not_shipped": lambda w: deliver(w, w.ordered),
    "receipt.transfer_unknown": lambda w: receive(w, UNKNOWN),
    "receipt.transfer_not_sent": lambda w: receive(w, w.initiated),
    "enterprise.procurement_unknown": lambda w: produce(w, UNKNOWN),
}

# The rules a decision would break.
RULES: dict[str, Step | After] = {
    "agency.code_taken": lambda w: register(w, "METALLIST"),
    "agency.deregistered": After(deregister_vtssps, lambda w: register(w, "TEXTIL", "VTSSPS")),
    "opinion.agency_mismatch": lambda w: opinion(w, w.asked, "VTSSPS"),
    "opinion.already_recorded": lambda w: opinion(w, w.answered),
    "opinion.consultation_closed": After(close_asked, lambda w: opinion(w, w.asked)),
    "opinion.before_request": lambda w: opinion(w, w.asked, on=date(1922, 2, 1)),
    "opinion.ceiling_currency": lambda w: opinion(w, w.asked, ceiling=FRF),
    "opinion.ceiling_above_request": lambda w: opinion(w, w.asked, ceiling=usd("30000.01")),
    "opinion.ceiling_above_request (revision)": lambda w: revise(
        w, w.answered, ceiling=usd("40000.00")
    ),
    "opinion.revised_before_recorded": lambda w: revise(w, w.answered, on=date(1922, 3, 9)),
    "opinion.withdrawn": After(withdraw_answered, withdraw_answered),
    "union.wrong_union": lambda w: grant(w, w.awaiting, "VTSSPS"),
    "union.decided_before_request": lambda w: grant(w, w.awaiting, on=date(1922, 4, 11)),
    "union.already_decided": After(grant_awaiting, grant_awaiting),
    "union.not_a_union": After(nominate_to_a_commissariat, lambda w: grant(w, SP_3, "NARKOMZEM")),
    "delivery.before_shipment": lambda w: deliver(w, w.shipped, delivered_on=date(1922, 5, 1)),
    "delivery.already_confirmed": After(deliver_shipped, deliver_shipped),
    "receipt.currency_mismatch": lambda w: receive(w, w.sent, received=FRF),
    "receipt.before_sending": lambda w: receive(w, w.sent, on=date(1922, 6, 1)),
    "receipt.not_an_agency": lambda w: receive(w, w.to_intl),
    "receipt.already_confirmed": After(receive_sent, receive_sent),
    "enterprise.not_delivered": lambda w: produce(w, w.shipped),
    "enterprise.procurement_elsewhere": After(
        deliver_shipped, lambda w: produce(w, w.shipped, name="Kuzbass colony")
    ),
    "enterprise.before_delivery": After(
        deliver_shipped, lambda w: produce(w, w.shipped, on=date(1922, 6, 1))
    ),
    "enterprise.already_in_production": After(in_production, lambda w: produce(w, w.shipped)),
}

# Input that is malformed or out of range.
INPUT: dict[str, Step] = {
    "opinion.conditions_missing": lambda w: opinion(w, w.asked, verdict=CONCUR_IF),
    "opinion.grounds_missing": lambda w: opinion(w, w.asked, verdict=OpinionVerdict.OBJECT),
    "delivery.confirmed_before_delivery": lambda w: deliver(w, w.shipped, on=date(1922, 6, 19)),
    "money.not_positive": lambda w: receive(w, w.sent, received=usd("0.00")),
    "enterprise.no_procurements": lambda w: produce(w),
    "input.missing": lambda w: w.liaison.refuse_union_approval(
        UNION_REP, nomination_id=w.awaiting, union_code="METALLIST", reason=" ", on=date(1922, 5, 1)
    ),
}

# Things of its own the liaison does not know.
UNKNOWN_HERE: dict[str, Step] = {
    "agency.not_found (parent)": lambda w: register(w, "TEXTIL", "VSNKH"),
    "agency.not_found (opinion)": lambda w: opinion(w, w.asked, "NARKOMPROS"),
    "agency.not_found (deregistered)": lambda w: w.liaison.deregister_agency(
        LIAISON_OFFICER, code="VSNKH", reason="x", on=date(1922, 1, 1)
    ),
    "opinion.not_found": lambda w: revise(w, w.asked),
}

# Each role refused where it does not belong.
ROLES: dict[str, Step | After] = {
    "treasurer registering an agency": lambda w: register(w, "TEXTIL", actor=TREASURER),
    "treasurer recording an opinion": lambda w: opinion(w, w.asked, actor=TREASURER),
    "union representative recording an opinion": lambda w: opinion(w, w.asked, actor=UNION_REP),
    "liaison officer granting an approval": lambda w: grant(w, w.awaiting, actor=LIAISON_OFFICER),
    "supervisor granting an approval": lambda w: grant(w, w.awaiting, actor=SUPERVISOR),
    "union representative confirming a delivery": lambda w: deliver(w, w.shipped, actor=UNION_REP),
    "supervisor confirming a receipt at the liaison": lambda w: receive(
        w, w.sent, actor=SUPERVISOR
    ),
    "union representative reporting production": After(
        deliver_shipped, lambda w: produce(w, w.shipped, actor=UNION_REP)
    ),
}


def cases(table: dict[str, Any], error: type[DomainError], code: str | None = None) -> list[Any]:
    """One case per entry, its code the entry's first word unless all share ``code``."""
    return [pytest.param(s, code or i.split()[0], error, id=i) for i, s in table.items()]


CASES = [
    *cases(MISSING, DecisionMissing),
    *cases(RULES, RuleBroken),
    *cases(INPUT, InvalidInput),
    *cases(UNKNOWN_HERE, NotFound),
    *cases(ROLES, NotPermitted, "role.not_permitted"),
]


@pytest.fixture
def world(node_settings: SettingsFactory) -> Iterator[World]:
    with story_world(node_settings) as told:
        yield told


def event_count(w: World) -> int:
    return int(w.liaison.db.scalar("SELECT COUNT(*) FROM log_positions"))


@pytest.mark.parametrize(("step", "code", "error"), CASES)
def test_a_refused_decision_names_its_rule_and_records_nothing(
    world: World, step: Step | After, code: str, error: type[DomainError]
) -> None:
    if isinstance(step, After):
        step.given(world)
        step = step.then
    before = event_count(world)
    with pytest.raises(error) as refused:
        step(world)
    assert refused.value.code == code, refused.value.message
    assert event_count(world) == before
