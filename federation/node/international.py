"""The International's node: recognition, dated rates, the workers' loan, directives, exceptions.

Every command is a supervisor's (an auditor may also raise a compliance exception). The role is
checked first, before anything is looked up, so a person in the wrong role learns nothing else.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any, cast
from uuid import UUID

from domain.errors import RuleBroken
from domain.loan import LoanIssue
from domain.money import Money
from domain.roles import Role, require_role
from domain.supervision import CommitteeRecognition, ComplianceException, Directive, RateObservation
from federation.node.base import Context, NodeApplication, Outcome, command
from federation.node.idempotency import Result
from federation.node.ingest import RemoteProjector
from federation.node.international_queries import InternationalQueries
from federation.node.lookup import find
from federation.node.projection import LocalProjection
from federation.node.supervisory import SupervisoryService
from federation.node.supervisory_store import SupervisoryIngestor
from federation.settings import Settings
from projections import supervision as view
from projections import supervisory

logger = logging.getLogger(__name__)


def _supervisor(ctx: Context, action: str) -> None:
    require_role(ctx.actor, Role.SUPERVISOR, action=action)


class InternationalApplication(InternationalQueries, NodeApplication):
    """Records the International's supervision and answers for it."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.view = LocalProjection(self, self.db, "supervision", view.TABLES, view.project)
        # The supervisory projection's ops need its own writer: see ``supervisory_store``.
        self.ingestor = SupervisoryIngestor(self, self.db, self.remote_projectors())
        self.supervisory = SupervisoryService(self)

    def commit(self, outcome: Outcome, ctx: Context) -> Result:
        """Save the outcome, then project it into the International's own records: the write
        is the command's, not the first question's after it (a question would otherwise pay
        for a write transaction, and now and then for SQLite's checkpoint of its log: 30-70 ms
        at a million events)."""
        result = super().commit(outcome, ctx)
        try:
            self.view.catch_up()
        except Exception:  # recorded all the same: the next question catches the view up
            logger.exception("projecting the International's own records after a command failed")
        return result

    def remote_projectors(self) -> dict[str, RemoteProjector]:
        """The supervisory view over every node's events (``projections.supervisory``)."""
        projector = supervisory.Projector(self.settings.node_id)
        return {supervisory.NAME: cast(RemoteProjector, projector)}

    # --- recognition ----------------------------------------------------------------------

    def recognition(self, country: str) -> CommitteeRecognition:
        """The recognition of ``country``'s committee."""
        recognition_id = CommitteeRecognition.id_for(country)
        message = f"no committee of {country.strip().upper()} is recognised"
        return find(self, CommitteeRecognition, recognition_id, "recognition.not_found", message)

    @command
    def recognise_committee(
        self, ctx: Context, *, country: str, committee_name: str, on: date
    ) -> Outcome:
        """Recognise a country's committee as working under the International's supervision."""
        _supervisor(ctx, "recognising a committee")
        if self.exists(CommitteeRecognition.id_for(country)):
            raise RuleBroken(
                "recognition.already_recognised",
                f"the committee of {country.strip().upper()} is already recognised; "
                "suspend or reinstate it instead",
            )
        recognition = CommitteeRecognition.recognise(
            country=country, committee_name=committee_name, on=on, actor=ctx.actor
        )
        return Outcome(self._standing(recognition), [recognition])

    @command
    def suspend_committee(self, ctx: Context, *, country: str, reason: str, on: date) -> Outcome:
        """Suspend a recognised committee, giving the reason."""
        _supervisor(ctx, "suspending a committee")
        recognition = self.recognition(country)
        recognition.suspend(reason=reason, on=on, actor=ctx.actor)
        return Outcome(self._standing(recognition), [recognition])

    @command
    def reinstate_committee(self, ctx: Context, *, country: str, reason: str, on: date) -> Outcome:
        """Reinstate a suspended committee."""
        _supervisor(ctx, "reinstating a committee")
        recognition = self.recognition(country)
        recognition.reinstate(reason=reason, on=on, actor=ctx.actor)
        return Outcome(self._standing(recognition), [recognition])

    @staticmethod
    def _standing(recognition: CommitteeRecognition) -> dict[str, Any]:
        return {
            "recognition_id": str(recognition.id),
            "country": recognition.country,
            "standing": recognition.standing.value,
            "as_of": recognition.as_of.isoformat(),
        }

    # --- exchange rates -------------------------------------------------------------------

    @staticmethod
    def _rate_id(currency: str, reporting_currency: str, value_date: date) -> UUID:
        pair = (currency.strip().upper(), reporting_currency.strip().upper())
        return RateObservation.id_for(*pair, value_date)

    @command
    def observe_rate(
        self,
        ctx: Context,
        *,
        currency: str,
        reporting_currency: str,
        rate: Decimal,
        value_date: date,
        source: str,
    ) -> Outcome:
        """Observe the rate of ``currency`` in ``reporting_currency`` on ``value_date``."""
        _supervisor(ctx, "observing an exchange rate")
        if self.exists(self._rate_id(currency, reporting_currency, value_date)):
            raise RuleBroken(
                "rate.already_observed",
                f"the rate of {currency.strip().upper()} in {reporting_currency.strip().upper()} "
                f"on {value_date} is already observed; correct it, giving the reason",
            )
        observation = RateObservation.observe(
            currency=currency.strip(),
            reporting_currency=reporting_currency.strip(),
            rate=rate,
            value_date=value_date,
            source=source,
            actor=ctx.actor,
        )
        return Outcome(self._rate(observation), [observation])

    @command
    def correct_rate(
        self,
        ctx: Context,
        *,
        currency: str,
        reporting_currency: str,
        value_date: date,
        rate: Decimal,
        reason: str,
    ) -> Outcome:
        """Correct a wrongly observed rate; the correction and its reason stay on record."""
        _supervisor(ctx, "correcting an exchange rate")
        rate_id = self._rate_id(currency, reporting_currency, value_date)
        pair = f"{currency.strip().upper()} in {reporting_currency.strip().upper()}"
        message = f"no rate of {pair} was observed on {value_date}"
        observation = find(self, RateObservation, rate_id, "rate.not_found", message)
        observation.correct(rate=rate, reason=reason, actor=ctx.actor)
        return Outcome(self._rate(observation), [observation])

    @staticmethod
    def _rate(observation: RateObservation) -> dict[str, Any]:
        return {
            "rate_id": str(observation.id),
            "currency": observation.currency,
            "reporting_currency": observation.reporting_currency,
            "rate": str(observation.rate),
            "value_date": observation.value_date.isoformat(),
        }

    # --- the workers' loan ----------------------------------------------------------------

    @command
    def authorise_loan_issue(
        self,
        ctx: Context,
        *,
        code: str,
        name: str,
        coupon_rate: Decimal,
        term_years: int,
        denominations: Sequence[Money],
        on: date,
    ) -> Outcome:
        """Authorise a loan issue: its coupon rate, term and face values per currency."""
        _supervisor(ctx, "authorising a loan issue")
        if self.exists(LoanIssue.id_for(code)):
            raise RuleBroken(
                "loan.issue_exists", f"a loan issue with code {code.strip().upper()!r} exists"
            )
        issue = LoanIssue.authorise(
            code=code,
            name=name,
            coupon_rate=coupon_rate,
            term_years=term_years,
            denominations=denominations,
            on=on,
            actor=ctx.actor,
        )
        return Outcome({"issue_id": str(issue.id), "code": issue.code}, [issue])

    # --- directives -----------------------------------------------------------------------

    @command
    def issue_directive(
        self, ctx: Context, *, reference: str, addressees: Sequence[str], text: str, on: date
    ) -> Outcome:
        """Issue a directive to the recognised committees of the countries named."""
        _supervisor(ctx, "issuing a directive")
        if self.exists(Directive.id_for(reference.strip())):
            raise RuleBroken(
                "directive.reference_taken", f"a directive {reference.strip()!r} was issued"
            )
        unknown = sorted(
            country
            for country in {a.strip().upper() for a in addressees if a.strip()}
            if not self.exists(CommitteeRecognition.id_for(country))
        )
        if unknown:
            # Most likely a mistyped country: refuse rather than address nobody.
            raise RuleBroken(
                "directive.addressee_not_recognised",
                f"no committee of {', '.join(unknown)} is recognised by the International",
            )
        directive = Directive.issue(
            reference=reference, addressees=addressees, text=text, on=on, actor=ctx.actor
        )
        result = {"directive_id": str(directive.id), "addressees": list(directive.addressees)}
        return Outcome(result, [directive])

    # --- compliance exceptions ------------------------------------------------------------

    @command
    def raise_exception(
        self, ctx: Context, *, rule: str, node: str, subject_id: UUID, detail: str, on: date
    ) -> Outcome:
        """Raise a compliance exception: a rule a node was found to have broken after the fact."""
        require_role(
            ctx.actor, Role.SUPERVISOR, Role.AUDITOR, action="raising a compliance exception"
        )
        exception_id = ComplianceException.id_for(rule.strip(), node.strip().upper(), subject_id)
        if self.exists(exception_id):
            raise RuleBroken(
                "exception.already_raised",
                f"an exception of rule {rule.strip()} on {subject_id} at {node.strip().upper()} "
                "is already raised",
            )
        exception = ComplianceException.record(
            rule=rule, node=node, subject_id=subject_id, detail=detail, on=on, actor=ctx.actor
        )
        return Outcome({"exception_id": str(exception.id), "status": "open"}, [exception])

    @command
    def resolve_exception(
        self, ctx: Context, *, exception_id: UUID, resolution: str, on: date
    ) -> Outcome:
        """Resolve a compliance exception, saying how."""
        _supervisor(ctx, "resolving a compliance exception")
        message = f"no compliance exception {exception_id}"
        exception = find(self, ComplianceException, exception_id, "exception.not_found", message)
        exception.resolve(resolution=resolution, on=on, actor=ctx.actor)
        return Outcome({"exception_id": str(exception.id), "status": "resolved"}, [exception])
