"""Supervision by the International: recognition, rates, compliance exceptions, directives."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest

from domain.decisions import ExchangeRate, Standing, require_recognised
from domain.errors import InvalidInput, NotPermitted
from domain.roles import Actor
from domain.supervision import (
    CommitteeRecognition,
    ComplianceException,
    Directive,
    RateObservation,
)
from tests.unit.domain import (
    AUDITOR,
    SECRETARY,
    SUPERVISOR,
    TREASURER,
    day,
    refused,
    replayed,
    topics,
)

# --- recognition -------------------------------------------------------------------------------


def recognised() -> CommitteeRecognition:
    return CommitteeRecognition.recognise(
        country="fr", committee_name="Comité de secours ouvrier", on=day(9, 1), actor=SUPERVISOR
    )


def test_a_supervisor_recognises_a_committee() -> None:
    recognition = recognised()
    assert recognition.id == CommitteeRecognition.id_for("FR")
    standing = recognition.committee_standing()
    assert (standing.country, standing.standing, standing.as_of) == (
        "FR",
        Standing.RECOGNISED,
        day(9, 1),
    )
    assert require_recognised(standing, "FR") == standing
    assert topics(recognition) == ["CommitteeRecognition.Recognised"]


def test_only_a_supervisor_recognises() -> None:
    with refused("role.not_permitted", error=NotPermitted):
        CommitteeRecognition.recognise(
            country="FR", committee_name="Comité", on=day(9, 1), actor=SECRETARY
        )


def test_a_committee_is_suspended_and_reinstated() -> None:
    recognition = recognised()
    recognition.suspend(reason="no accounts since June", on=day(11, 2), actor=SUPERVISOR)
    suspended = replayed(recognition).committee_standing()
    assert (suspended.standing, suspended.reason) == (Standing.SUSPENDED, "no accounts since June")
    with refused("committee.suspended"):
        require_recognised(suspended, "FR")
    recognition.reinstate(reason="accounts received", on=day(12, 1), actor=SUPERVISOR)
    assert replayed(recognition).committee_standing().standing is Standing.RECOGNISED
    assert topics(recognition)[1:] == [
        "CommitteeRecognition.Suspended",
        "CommitteeRecognition.Reinstated",
    ]


def test_a_suspended_committee_is_not_suspended_again() -> None:
    recognition = recognised()
    recognition.suspend(reason="no accounts", on=day(11, 2), actor=SUPERVISOR)
    with refused("recognition.already_suspended", recognition):
        recognition.suspend(reason="again", on=day(11, 3), actor=SUPERVISOR)


def test_only_a_suspended_committee_is_reinstated() -> None:
    recognition = recognised()
    with refused("recognition.not_suspended", recognition):
        recognition.reinstate(reason="why", on=day(11, 3), actor=SUPERVISOR)


def test_a_change_of_standing_does_not_predate_the_last_one() -> None:
    recognition = recognised()
    with refused("recognition.before_last_change", recognition):
        recognition.suspend(reason="no accounts", on=day(8, 31), actor=SUPERVISOR)


def test_only_a_supervisor_suspends() -> None:
    recognition = recognised()
    with refused("role.not_permitted", recognition):
        recognition.suspend(reason="no accounts", on=day(11, 2), actor=AUDITOR)


# --- rates -------------------------------------------------------------------------------------


def observe(rate: Any = Decimal("28"), currency: str = "FRF", **changes: Any) -> RateObservation:
    kwargs: dict[str, Any] = {
        "currency": currency,
        "reporting_currency": "XPM",
        "rate": rate,
        "value_date": day(4, 1),
        "source": "Münzenberg's report of 5 May 1922",
        "actor": SUPERVISOR,
    }
    kwargs.update(changes)
    return RateObservation.observe(**kwargs)


def test_a_supervisor_observes_a_dated_rate() -> None:
    observation = observe(currency="frf")
    assert observation.id == RateObservation.id_for("FRF", "XPM", day(4, 1))
    assert replayed(observation).exchange_rate() == ExchangeRate(
        "FRF", "XPM", Decimal("28"), day(4, 1)
    )
    assert topics(observation) == ["RateObservation.Observed"]


@pytest.mark.parametrize(
    ("rate", "currency", "code"),
    [
        (28.0, "FRF", "rate.not_exact"),
        (Decimal("0"), "FRF", "rate.not_positive"),
        (Decimal("28"), "XPM", "rate.same_currency"),
        (Decimal("28"), "FFR", "money.unknown_currency"),
    ],
)
def test_a_malformed_rate_is_refused(rate: Any, currency: str, code: str) -> None:
    with refused(code, error=InvalidInput):
        observe(rate, currency)


def test_only_a_supervisor_observes_rates() -> None:
    with refused("role.not_permitted", error=NotPermitted):
        observe(actor=TREASURER)


def test_a_wrong_rate_is_corrected_with_a_reason() -> None:
    observation = observe(Decimal("82"))
    observation.correct(rate=Decimal("28"), reason="digits transposed", actor=SUPERVISOR)
    assert replayed(observation).rate == Decimal("28")
    assert topics(observation)[-1] == "RateObservation.Corrected"


def test_a_correction_changes_the_rate() -> None:
    observation = observe()
    with refused("rate.unchanged", observation):
        observation.correct(rate=Decimal("28.00"), reason="same", actor=SUPERVISOR)
    with refused("rate.not_positive", observation):
        observation.correct(rate=Decimal("-1"), reason="typo", actor=SUPERVISOR)


# --- compliance exceptions ---------------------------------------------------------------------

PROCUREMENT = uuid4()


def raised(actor: Actor = SUPERVISOR) -> ComplianceException:
    return ComplianceException.record(
        rule="procurement.consultation_missing",
        node="us",
        subject_id=PROCUREMENT,
        detail="PO-1922-031 committed without a consultation",
        on=day(11, 5),
        actor=actor,
    )


@pytest.mark.parametrize("actor", [SUPERVISOR, AUDITOR])
def test_an_exception_is_raised_once_per_rule_node_and_subject(actor: Actor) -> None:
    exception = raised(actor)
    assert exception.id == ComplianceException.id_for(
        "procurement.consultation_missing", "US", PROCUREMENT
    )
    assert exception.is_open
    assert topics(exception) == ["ComplianceException.Raised"]


def test_a_treasurer_raises_no_exception() -> None:
    with refused("role.not_permitted", error=NotPermitted):
        raised(TREASURER)


def test_a_supervisor_resolves_an_exception_once() -> None:
    exception = raised()
    exception.resolve(resolution="consultation held afterwards", on=day(11, 20), actor=SUPERVISOR)
    state = replayed(exception)
    assert (state.is_open, state.resolution) == (False, "consultation held afterwards")
    with refused("exception.already_resolved", exception):
        exception.resolve(resolution="again", on=day(11, 21), actor=SUPERVISOR)


def test_an_exception_is_not_resolved_before_it_was_raised() -> None:
    exception = raised()
    with refused("exception.resolved_before_raised", exception):
        exception.resolve(resolution="backdated", on=day(11, 4), actor=SUPERVISOR)


def test_an_auditor_does_not_resolve() -> None:
    exception = raised()
    with refused("role.not_permitted", exception):
        exception.resolve(resolution="fine", on=day(11, 20), actor=AUDITOR)


# --- directives --------------------------------------------------------------------------------


def test_a_supervisor_issues_a_directive_to_named_committees() -> None:
    directive = Directive.issue(
        reference="D-1922-07",
        addressees=["se", "NO", "fr", "SE", " "],
        text="Open the workers' loan campaign with the trade unions and cooperatives.",
        on=day(10, 1),
        actor=SUPERVISOR,
    )
    assert directive.id == Directive.id_for("D-1922-07")
    assert directive.addressees == ("SE", "NO", "FR")
    assert topics(directive) == ["Directive.Issued"]


def test_a_directive_is_addressed_to_someone() -> None:
    with refused("directive.no_addressees", error=InvalidInput):
        Directive.issue(reference="D-1", addressees=[], text="x", on=day(10, 1), actor=SUPERVISOR)


def test_only_a_supervisor_issues_directives() -> None:
    with refused("role.not_permitted", error=NotPermitted):
        Directive.issue(
            reference="D-1", addressees=["FR"], text="x", on=day(10, 1), actor=SECRETARY
        )
