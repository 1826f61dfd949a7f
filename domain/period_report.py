"""Period reports: the treasurer's balance assertions per currency, approved by the secretary.

The International later checks every assertion against the books it replays; a disagreement
becomes a compliance exception there, not a refusal here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.committee import require_text
from domain.errors import InvalidInput, RuleBroken
from domain.ids import derive_id
from domain.money import Money
from domain.roles import Actor, Role, require_other_person, require_role


@dataclass(frozen=True, slots=True)
class BalanceAssertion:
    """What the committee holds in one currency at the end of the period."""

    cash_on_hand: Money
    in_transit: Money
    in_kind: Money

    @property
    def currency(self) -> str:
        """The currency of all three amounts."""
        return self.cash_on_hand.currency


def check_assertions(assertions: Sequence[BalanceAssertion]) -> tuple[BalanceAssertion, ...]:
    """Refuse no assertions, two for one currency, mixed currencies or negative balances."""
    if not assertions:
        raise InvalidInput(
            "period_report.no_assertions", "a period report asserts at least one balance"
        )
    seen: set[str] = set()
    for assertion in assertions:
        amounts = (assertion.cash_on_hand, assertion.in_transit, assertion.in_kind)
        if len({m.currency for m in amounts}) > 1:
            raise InvalidInput(
                "period_report.mixed_currencies",
                "cash on hand, in transit and in kind are asserted in one currency per line: "
                + ", ".join(str(m) for m in amounts),
            )
        if any(m.amount < 0 for m in amounts):
            raise InvalidInput(
                "period_report.negative_balance",
                f"balances are never negative: {', '.join(str(m) for m in amounts)}",
            )
        if assertion.currency in seen:
            raise InvalidInput(
                "period_report.duplicate_currency",
                f"{assertion.currency} is asserted twice; give one line per currency",
            )
        seen.add(assertion.currency)
    return tuple(sorted(assertions, key=lambda a: a.currency))


class ReportStatus(StrEnum):
    """Where a period report stands."""

    SUBMITTED = "submitted"
    RETURNED = "returned"
    APPROVED = "approved"


class PeriodReport(Aggregate):
    """A committee's report on one period, submitted by the treasurer, approved by the secretary."""

    class Submitted(Aggregate.Created):
        actor: Actor
        country: str
        period_start: date
        period_end: date
        assertions: tuple[BalanceAssertion, ...]
        submitted_on: date

    class Returned(Aggregate.Event):
        actor: Actor
        reason: str
        returned_on: date

        def apply(self, aggregate: Any) -> None:
            aggregate.status = ReportStatus.RETURNED

    class Resubmitted(Aggregate.Event):
        actor: Actor
        assertions: tuple[BalanceAssertion, ...]
        submitted_on: date

        def apply(self, aggregate: Any) -> None:
            aggregate.submitted_by = self.actor.person
            aggregate.assertions = tuple(self.assertions)
            aggregate.submitted_on = self.submitted_on
            aggregate.status = ReportStatus.SUBMITTED

    class Approved(Aggregate.Event):
        actor: Actor
        approved_on: date

        def apply(self, aggregate: Any) -> None:
            aggregate.approved_on = self.approved_on
            aggregate.status = ReportStatus.APPROVED

    def __init__(
        self,
        actor: Actor,
        country: str,
        period_start: date,
        period_end: date,
        assertions: tuple[BalanceAssertion, ...],
        submitted_on: date,
    ) -> None:
        self.submitted_by = actor.person
        self.country = country
        self.period_start = period_start
        self.period_end = period_end
        self.assertions = tuple(assertions)
        self.submitted_on = submitted_on
        self.status = ReportStatus.SUBMITTED
        self.approved_on: date | None = None

    @staticmethod
    def id_for(country: str, period_end: date) -> UUID:
        """The report's id: one per committee and period end."""
        return derive_id("period-report", country, period_end.isoformat())

    @classmethod
    def submit(
        cls,
        *,
        country: str,
        period_start: date,
        period_end: date,
        assertions: Sequence[BalanceAssertion],
        on: date,
        actor: Actor,
    ) -> PeriodReport:
        """Submit the balances held at the end of the period, one line per currency."""
        require_role(actor, Role.TREASURER, action="submitting a period report")
        if period_end < period_start:
            raise InvalidInput(
                "period_report.period_inverted",
                f"the period cannot end on {period_end} before it starts on {period_start}",
            )
        if on < period_end:
            raise RuleBroken(
                "period_report.submitted_before_period_end",
                f"a report on the period ending {period_end} cannot be submitted on {on}",
            )
        return cls._create(
            cls.Submitted,
            id=cls.id_for(country, period_end),
            actor=actor,
            country=country,
            period_start=period_start,
            period_end=period_end,
            assertions=check_assertions(assertions),
            submitted_on=on,
        )

    def assertion_for(self, currency: str) -> BalanceAssertion | None:
        """The assertion in ``currency``, if the report makes one."""
        return next((a for a in self.assertions if a.currency == currency), None)

    def _require_submitted(self) -> None:
        if self.status is not ReportStatus.SUBMITTED:
            raise RuleBroken(
                "period_report.not_awaiting_approval",
                f"the report on the period ending {self.period_end} is {self.status.value}",
            )

    def approve(self, *, on: date, actor: Actor) -> None:
        """Approve the report; the treasurer who submitted it may not."""
        require_role(actor, Role.SECRETARY, action="approving a period report")
        require_other_person(
            actor,
            self.submitted_by,
            rule="period_report.approved_by_submitter",
            action="approving a period report",
        )
        self._require_submitted()
        self.trigger_event(self.Approved, actor=actor, approved_on=on)

    def return_for_correction(self, *, reason: str, on: date, actor: Actor) -> None:
        """Send the report back to the treasurer with the reason."""
        require_role(actor, Role.SECRETARY, action="returning a period report")
        self._require_submitted()
        self.trigger_event(
            self.Returned, actor=actor, reason=require_text(reason, "reason"), returned_on=on
        )

    def resubmit(self, *, assertions: Sequence[BalanceAssertion], on: date, actor: Actor) -> None:
        """Submit corrected balances for a returned report."""
        require_role(actor, Role.TREASURER, action="resubmitting a period report")
        if self.status is not ReportStatus.RETURNED:
            raise RuleBroken(
                "period_report.not_returned",
                f"only a returned report is resubmitted; this one is {self.status.value}",
            )
        self.trigger_event(
            self.Resubmitted, actor=actor, assertions=check_assertions(assertions), submitted_on=on
        )
