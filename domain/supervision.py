"""Supervision by the International: recognition, exchange rates, compliance and directives."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.committee import require_text
from domain.decisions import CommitteeStanding, ExchangeRate, Standing
from domain.errors import InvalidInput, RuleBroken
from domain.ids import derive_id
from domain.roles import Actor, Role, require_role


class CommitteeRecognition(Aggregate):
    """The International's recognition of one country's committee; it may suspend and reinstate."""

    class Recognised(Aggregate.Created):
        actor: Actor
        country: str
        committee_name: str
        recognised_on: date

    class Suspended(Aggregate.Event):
        actor: Actor
        reason: str
        suspended_on: date

        def apply(self, aggregate: Any) -> None:
            aggregate.standing = Standing.SUSPENDED
            aggregate.reason = self.reason
            aggregate.as_of = self.suspended_on

    class Reinstated(Aggregate.Event):
        actor: Actor
        reason: str
        reinstated_on: date

        def apply(self, aggregate: Any) -> None:
            aggregate.standing = Standing.RECOGNISED
            aggregate.reason = self.reason
            aggregate.as_of = self.reinstated_on

    def __init__(
        self, actor: Actor, country: str, committee_name: str, recognised_on: date
    ) -> None:
        self.country = country
        self.committee_name = committee_name
        self.standing = Standing.RECOGNISED
        self.reason: str | None = None
        self.as_of = recognised_on

    @staticmethod
    def id_for(country: str) -> UUID:
        """The recognition's id: one per country."""
        return derive_id("recognition", country.strip().upper())

    @classmethod
    def recognise(
        cls, *, country: str, committee_name: str, on: date, actor: Actor
    ) -> CommitteeRecognition:
        """Recognise a country's committee as working under the International's supervision."""
        require_role(actor, Role.SUPERVISOR, action="recognising a committee")
        country = require_text(country, "country").upper()
        return cls._create(
            cls.Recognised,
            id=cls.id_for(country),
            actor=actor,
            country=country,
            committee_name=require_text(committee_name, "committee name"),
            recognised_on=on,
        )

    def _require_after_last_change(self, on: date) -> None:
        if on < self.as_of:
            raise RuleBroken(
                "recognition.before_last_change",
                f"the standing of {self.country} last changed on {self.as_of}, after {on}",
            )

    def suspend(self, *, reason: str, on: date, actor: Actor) -> None:
        """Suspend the committee, with the reason."""
        require_role(actor, Role.SUPERVISOR, action="suspending a committee")
        if self.standing is Standing.SUSPENDED:
            raise RuleBroken(
                "recognition.already_suspended", f"{self.country} is suspended since {self.as_of}"
            )
        self._require_after_last_change(on)
        self.trigger_event(
            self.Suspended, actor=actor, reason=require_text(reason, "reason"), suspended_on=on
        )

    def reinstate(self, *, reason: str, on: date, actor: Actor) -> None:
        """Reinstate a suspended committee."""
        require_role(actor, Role.SUPERVISOR, action="reinstating a committee")
        if self.standing is not Standing.SUSPENDED:
            raise RuleBroken("recognition.not_suspended", f"{self.country} is not suspended")
        self._require_after_last_change(on)
        self.trigger_event(
            self.Reinstated, actor=actor, reason=require_text(reason, "reason"), reinstated_on=on
        )

    def committee_standing(self) -> CommitteeStanding:
        """The standing as the committees receive it."""
        return CommitteeStanding(
            country=self.country, standing=self.standing, as_of=self.as_of, reason=self.reason
        )


class RateObservation(Aggregate):
    """One dated exchange rate: a currency against the reporting currency on a value date.

    Projections convert amounts with the rate of their value date, never today's. A wrong rate is
    corrected, with a reason, never replaced silently.
    """

    class Observed(Aggregate.Created):
        actor: Actor
        currency: str
        reporting_currency: str
        rate: Decimal
        value_date: date
        source: str

    class Corrected(Aggregate.Event):
        actor: Actor
        rate: Decimal
        reason: str

        def apply(self, aggregate: Any) -> None:
            aggregate.rate = self.rate

    def __init__(
        self,
        actor: Actor,
        currency: str,
        reporting_currency: str,
        rate: Decimal,
        value_date: date,
        source: str,
    ) -> None:
        self.currency = currency
        self.reporting_currency = reporting_currency
        self.rate = rate
        self.value_date = value_date
        self.source = source

    @staticmethod
    def id_for(currency: str, reporting_currency: str, value_date: date) -> UUID:
        """The observation's id: one per currency pair and value date."""
        return derive_id("rate", currency, reporting_currency, value_date.isoformat())

    @classmethod
    def observe(
        cls,
        *,
        currency: str,
        reporting_currency: str,
        rate: Decimal,
        value_date: date,
        source: str,
        actor: Actor,
    ) -> RateObservation:
        """Observe the rate of ``currency`` in ``reporting_currency`` on ``value_date``."""
        require_role(actor, Role.SUPERVISOR, action="observing an exchange rate")
        checked = ExchangeRate(currency.upper(), reporting_currency.upper(), rate, value_date)
        return cls._create(
            cls.Observed,
            id=cls.id_for(checked.currency, checked.reporting_currency, value_date),
            actor=actor,
            currency=checked.currency,
            reporting_currency=checked.reporting_currency,
            rate=checked.rate,
            value_date=value_date,
            source=require_text(source, "source of the rate"),
        )

    def correct(self, *, rate: Decimal, reason: str, actor: Actor) -> None:
        """Correct a wrongly observed rate."""
        require_role(actor, Role.SUPERVISOR, action="correcting an exchange rate")
        checked = ExchangeRate(self.currency, self.reporting_currency, rate, self.value_date)
        if checked.rate == self.rate:
            raise RuleBroken("rate.unchanged", f"the rate is already {self.rate}")
        self.trigger_event(
            self.Corrected, actor=actor, rate=checked.rate, reason=require_text(reason, "reason")
        )

    def exchange_rate(self) -> ExchangeRate:
        """The rate as the projections use it."""
        return ExchangeRate(self.currency, self.reporting_currency, self.rate, self.value_date)


class ComplianceException(Aggregate):
    """A rule found broken after the fact (a node bypassed a check); resolved once, by a person.

    Its id derives from the rule, the node and the subject, so replaying history raises it once.
    """

    class Raised(Aggregate.Created):
        actor: Actor
        rule: str
        node: str
        subject_id: UUID
        detail: str
        raised_on: date

    class Resolved(Aggregate.Event):
        actor: Actor
        resolution: str
        resolved_on: date

        def apply(self, aggregate: Any) -> None:
            aggregate.resolution = self.resolution
            aggregate.resolved_on = self.resolved_on

    def __init__(
        self, actor: Actor, rule: str, node: str, subject_id: UUID, detail: str, raised_on: date
    ) -> None:
        self.rule = rule
        self.node = node
        self.subject_id = subject_id
        self.detail = detail
        self.raised_on = raised_on
        self.resolution: str | None = None
        self.resolved_on: date | None = None

    @staticmethod
    def id_for(rule: str, node: str, subject_id: UUID) -> UUID:
        """The exception's id: one per rule, node and subject."""
        return derive_id("compliance-exception", rule, node, str(subject_id))

    @classmethod
    def record(
        cls, *, rule: str, node: str, subject_id: UUID, detail: str, on: date, actor: Actor
    ) -> ComplianceException:
        """Raise an exception; ``rule`` names the broken rule (e.g. ``surplus.not_expansion``)."""
        require_role(actor, Role.SUPERVISOR, Role.AUDITOR, action="raising a compliance exception")
        rule = require_text(rule, "rule code")
        node = require_text(node, "node").upper()
        return cls._create(
            cls.Raised,
            id=cls.id_for(rule, node, subject_id),
            actor=actor,
            rule=rule,
            node=node,
            subject_id=subject_id,
            detail=require_text(detail, "detail"),
            raised_on=on,
        )

    @property
    def is_open(self) -> bool:
        """True until resolved."""
        return self.resolved_on is None

    def resolve(self, *, resolution: str, on: date, actor: Actor) -> None:
        """Resolve the exception, saying how."""
        require_role(actor, Role.SUPERVISOR, action="resolving a compliance exception")
        if not self.is_open:
            raise RuleBroken(
                "exception.already_resolved",
                f"this exception was resolved on {self.resolved_on}: {self.resolution}",
            )
        if on < self.raised_on:
            raise RuleBroken(
                "exception.resolved_before_raised",
                f"the exception was raised on {self.raised_on}; it cannot be resolved on {on}",
            )
        self.trigger_event(
            self.Resolved,
            actor=actor,
            resolution=require_text(resolution, "resolution"),
            resolved_on=on,
        )


class Directive(Aggregate):
    """A directive of the International to named committees."""

    class Issued(Aggregate.Created):
        actor: Actor
        reference: str
        addressees: tuple[str, ...]
        text: str
        issued_on: date

    def __init__(
        self,
        actor: Actor,
        reference: str,
        addressees: tuple[str, ...],
        text: str,
        issued_on: date,
    ) -> None:
        self.reference = reference
        self.addressees = tuple(addressees)
        self.text = text
        self.issued_on = issued_on

    @staticmethod
    def id_for(reference: str) -> UUID:
        """The directive's id, derived from its reference."""
        return derive_id("directive", reference)

    @classmethod
    def issue(
        cls, *, reference: str, addressees: Sequence[str], text: str, on: date, actor: Actor
    ) -> Directive:
        """Issue a directive to the committees of the countries in ``addressees``."""
        require_role(actor, Role.SUPERVISOR, action="issuing a directive")
        countries = tuple(dict.fromkeys(a.strip().upper() for a in addressees if a.strip()))
        if not countries:
            raise InvalidInput(
                "directive.no_addressees", "a directive names the committees it is addressed to"
            )
        reference = require_text(reference, "directive reference")
        return cls._create(
            cls.Issued,
            id=cls.id_for(reference),
            actor=actor,
            reference=reference,
            addressees=countries,
            text=require_text(text, "text of the directive"),
            issued_on=on,
        )
