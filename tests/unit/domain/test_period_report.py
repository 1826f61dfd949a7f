"""Period reports: balance assertions per currency, submitted and approved by two people."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from domain.errors import InvalidInput, NotPermitted
from domain.money import Money
from domain.period_report import BalanceAssertion, PeriodReport, ReportStatus
from domain.roles import Actor, Role
from tests.unit.domain import SECRETARY, TREASURER, day, refused, replayed, topics


def holding(cash: str, transit: str, kind: str, code: str = "XPM") -> BalanceAssertion:
    return BalanceAssertion(Money.of(cash, code), Money.of(transit, code), Money.of(kind, code))


FIRST_HALF = [
    holding("7000000", "2500000", "33000000"),
    holding("12000", "0", "300", "FRF"),
]


def submit(assertions: Sequence[BalanceAssertion] = FIRST_HALF, **dates: Any) -> PeriodReport:
    kwargs: dict[str, Any] = {
        "period_start": day(1, 1),
        "period_end": day(6, 30),
        "on": day(7, 10),
    }
    kwargs.update(dates)
    return PeriodReport.submit(
        country="DE",
        assertions=assertions,
        actor=TREASURER,
        **kwargs,
    )


def test_the_treasurer_submits_one_balance_assertion_per_currency() -> None:
    report = submit()
    assert report.id == PeriodReport.id_for("DE", day(6, 30))
    assert [a.currency for a in report.assertions] == ["FRF", "XPM"]
    assertion = report.assertion_for("XPM")
    assert assertion is not None
    assert assertion.in_kind == Money.of("33000000", "XPM")
    assert report.assertion_for("USD") is None
    assert topics(report) == ["PeriodReport.Submitted"]


def test_only_a_treasurer_submits() -> None:
    with refused("role.not_permitted", error=NotPermitted):
        PeriodReport.submit(
            country="DE",
            period_start=day(1, 1),
            period_end=day(6, 30),
            assertions=FIRST_HALF,
            on=day(7, 10),
            actor=SECRETARY,
        )


def test_a_report_asserts_at_least_one_balance() -> None:
    with refused("period_report.no_assertions", error=InvalidInput):
        submit([])


def test_one_line_is_in_one_currency() -> None:
    mixed = BalanceAssertion(Money.of("1", "XPM"), Money.of("0", "FRF"), Money.of("0", "XPM"))
    with refused("period_report.mixed_currencies", error=InvalidInput):
        submit([mixed])


def test_balances_are_never_negative() -> None:
    with refused("period_report.negative_balance", error=InvalidInput):
        submit([holding("-1", "0", "0")])


def test_a_currency_is_asserted_once() -> None:
    with refused("period_report.duplicate_currency", error=InvalidInput):
        submit([holding("1", "0", "0"), holding("2", "0", "0")])


def test_a_period_ends_after_it_starts_and_is_reported_after_it_ends() -> None:
    with refused("period_report.period_inverted", error=InvalidInput):
        submit(period_start=day(7, 1))
    with refused("period_report.submitted_before_period_end"):
        submit(on=day(6, 29))
    assert submit(on=day(6, 30)).submitted_on == day(6, 30)


def test_the_secretary_approves_the_report() -> None:
    report = submit()
    report.approve(on=day(7, 12), actor=SECRETARY)
    state = replayed(report)
    assert (state.status, state.approved_on) == (ReportStatus.APPROVED, day(7, 12))
    with refused("period_report.not_awaiting_approval", report):
        report.approve(on=day(7, 13), actor=SECRETARY)


def test_the_submitter_does_not_approve_even_as_secretary() -> None:
    report = submit()
    same_person = Actor(TREASURER.person, Role.SECRETARY)
    with refused("period_report.approved_by_submitter", report):
        report.approve(on=day(7, 12), actor=same_person)


def test_only_a_secretary_approves() -> None:
    report = submit()
    with refused("role.not_permitted", report):
        report.approve(on=day(7, 12), actor=Actor("Paul Frölich", Role.TREASURER))


def test_a_returned_report_is_corrected_resubmitted_and_approved() -> None:
    report = submit()
    report.return_for_correction(
        reason="the Stettin shipment is in kind", on=day(7, 12), actor=SECRETARY
    )
    with refused("period_report.not_awaiting_approval", report):
        report.approve(on=day(7, 12), actor=SECRETARY)
    report.resubmit(
        assertions=[holding("7000000", "0", "35500000")], on=day(7, 14), actor=TREASURER
    )
    report.approve(on=day(7, 15), actor=SECRETARY)
    state = replayed(report)
    assert state.status is ReportStatus.APPROVED
    assert [a.currency for a in state.assertions] == ["XPM"]
    assert topics(report) == [
        "PeriodReport.Submitted",
        "PeriodReport.Returned",
        "PeriodReport.Resubmitted",
        "PeriodReport.Approved",
    ]


def test_only_a_returned_report_is_resubmitted() -> None:
    report = submit()
    with refused("period_report.not_returned", report):
        report.resubmit(assertions=FIRST_HALF, on=day(7, 14), actor=TREASURER)


def test_a_resubmission_follows_the_same_rules() -> None:
    report = submit()
    report.return_for_correction(reason="recount", on=day(7, 12), actor=SECRETARY)
    with refused("period_report.no_assertions", report):
        report.resubmit(assertions=[], on=day(7, 14), actor=TREASURER)
