"""The International's own records: recognitions, dated rates, loan issues, directives, exceptions.

A pure projection of the central node's own events; the supervisory view over the committees'
books is a separate projection of their ingested events.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from domain.loan import LoanIssue
from domain.supervision import CommitteeRecognition, ComplianceException, Directive, RateObservation
from projections.rows import Change, Op, Put, Table

RECOGNITIONS = Table(
    "intl_recognitions",
    {
        "country": "TEXT",
        "recognition_id": "TEXT",
        "committee_name": "TEXT",
        "standing": "TEXT",
        "as_of": "TEXT",
        "reason": "TEXT",
        "recognised_on": "TEXT",
        "decided_by": "TEXT",
    },
    ("country",),
)
RATES = Table(
    "intl_rates",
    {
        "rate_id": "TEXT",
        "currency": "TEXT",
        "reporting_currency": "TEXT",
        "rate": "TEXT",
        "value_date": "TEXT",
        "source": "TEXT",
        "observed_by": "TEXT",
        "correction_reason": "TEXT",
        "corrected_by": "TEXT",
    },
    ("rate_id",),
    indexes=(("currency", "reporting_currency", "value_date"),),
)
LOAN_ISSUES = Table(
    "intl_loan_issues",
    {
        "issue_id": "TEXT",
        "code": "TEXT",
        "name": "TEXT",
        "coupon_rate": "TEXT",
        "term_years": "INTEGER",
        "denominations": "TEXT",
        "authorised_on": "TEXT",
        "authorised_by": "TEXT",
    },
    ("issue_id",),
)
DIRECTIVES = Table(
    "intl_directives",
    {
        "directive_id": "TEXT",
        "reference": "TEXT",
        "addressees": "TEXT",
        "body": "TEXT",
        "issued_on": "TEXT",
        "issued_by": "TEXT",
    },
    ("directive_id",),
)
# One row per addressee, so that a committee's directives are found without parsing lists.
ADDRESSEES = Table(
    "intl_directive_addressees",
    {"directive_id": "TEXT", "country": "TEXT"},
    ("directive_id", "country"),
)
EXCEPTIONS = Table(
    "intl_exceptions",
    {
        "exception_id": "TEXT",
        "rule": "TEXT",
        "node": "TEXT",
        "subject_id": "TEXT",
        "detail": "TEXT",
        "raised_on": "TEXT",
        "raised_by": "TEXT",
        "resolution": "TEXT",
        "resolved_on": "TEXT",
        "resolved_by": "TEXT",
    },
    ("exception_id",),
    indexes=(("node",),),
)

TABLES = (RECOGNITIONS, RATES, LOAN_ISSUES, DIRECTIVES, ADDRESSEES, EXCEPTIONS)


def _recognised(e: CommitteeRecognition.Recognised) -> list[Op]:
    row = {
        "country": e.country,
        "recognition_id": str(e.originator_id),
        "committee_name": e.committee_name,
        "standing": "recognised",
        "as_of": e.recognised_on.isoformat(),
        "reason": None,
        "recognised_on": e.recognised_on.isoformat(),
        "decided_by": e.actor.person,
    }
    return [Put(RECOGNITIONS, row)]


def _standing(e: Any, standing: str, as_of: str) -> list[Op]:
    # Suspensions and reinstatements do not repeat the country: the row is found by its id.
    values = {
        "standing": standing,
        "as_of": as_of,
        "reason": e.reason,
        "decided_by": e.actor.person,
    }
    return [Change(RECOGNITIONS, {"recognition_id": str(e.originator_id)}, values)]


def _suspended(e: CommitteeRecognition.Suspended) -> list[Op]:
    return _standing(e, "suspended", e.suspended_on.isoformat())


def _reinstated(e: CommitteeRecognition.Reinstated) -> list[Op]:
    return _standing(e, "recognised", e.reinstated_on.isoformat())


def _rate_observed(e: RateObservation.Observed) -> list[Op]:
    row = {
        "rate_id": str(e.originator_id),
        "currency": e.currency,
        "reporting_currency": e.reporting_currency,
        "rate": str(e.rate),
        "value_date": e.value_date.isoformat(),
        "source": e.source,
        "observed_by": e.actor.person,
        "correction_reason": None,
        "corrected_by": None,
    }
    return [Put(RATES, row)]


def _rate_corrected(e: RateObservation.Corrected) -> list[Op]:
    values = {"rate": str(e.rate), "correction_reason": e.reason, "corrected_by": e.actor.person}
    return [Change(RATES, {"rate_id": str(e.originator_id)}, values)]


def _loan_authorised(e: LoanIssue.Authorised) -> list[Op]:
    faces = [
        {"amount": str(d.normalised().amount), "currency": d.currency} for d in e.denominations
    ]
    row = {
        "issue_id": str(e.originator_id),
        "code": e.code,
        "name": e.name,
        "coupon_rate": str(e.coupon_rate),
        "term_years": e.term_years,
        "denominations": json.dumps(faces),
        "authorised_on": e.authorised_on.isoformat(),
        "authorised_by": e.actor.person,
    }
    return [Put(LOAN_ISSUES, row)]


def _directive(e: Directive.Issued) -> list[Op]:
    directive_id = str(e.originator_id)
    row = {
        "directive_id": directive_id,
        "reference": e.reference,
        "addressees": json.dumps(list(e.addressees)),
        "body": e.text,
        "issued_on": e.issued_on.isoformat(),
        "issued_by": e.actor.person,
    }
    to = [Put(ADDRESSEES, {"directive_id": directive_id, "country": c}) for c in e.addressees]
    return [Put(DIRECTIVES, row), *to]


def _exception_raised(e: ComplianceException.Raised) -> list[Op]:
    row = {
        "exception_id": str(e.originator_id),
        "rule": e.rule,
        "node": e.node,
        "subject_id": str(e.subject_id),
        "detail": e.detail,
        "raised_on": e.raised_on.isoformat(),
        "raised_by": e.actor.person,
        "resolution": None,
        "resolved_on": None,
        "resolved_by": None,
    }
    return [Put(EXCEPTIONS, row)]


def _exception_resolved(e: ComplianceException.Resolved) -> list[Op]:
    values = {
        "resolution": e.resolution,
        "resolved_on": e.resolved_on.isoformat(),
        "resolved_by": e.actor.person,
    }
    return [Change(EXCEPTIONS, {"exception_id": str(e.originator_id)}, values)]


PROJECTORS: dict[type[Any], Callable[[Any], list[Op]]] = {
    CommitteeRecognition.Recognised: _recognised,
    CommitteeRecognition.Suspended: _suspended,
    CommitteeRecognition.Reinstated: _reinstated,
    RateObservation.Observed: _rate_observed,
    RateObservation.Corrected: _rate_corrected,
    LoanIssue.Authorised: _loan_authorised,
    Directive.Issued: _directive,
    ComplianceException.Raised: _exception_raised,
    ComplianceException.Resolved: _exception_resolved,
}


def project(event: object) -> list[Op]:
    """The row operations one of the International's events makes (none for the others)."""
    projector = PROJECTORS.get(type(event))
    return projector(event) if projector else []


# --- Queries (wrapped by projections.sql.filtered, which adds the filters and paging) -------

RECOGNITIONS_SQL = "SELECT * FROM intl_recognitions"
RATES_SQL = "SELECT * FROM intl_rates"
LOAN_ISSUES_SQL = "SELECT * FROM intl_loan_issues"
DIRECTIVES_SQL = "SELECT * FROM intl_directives"
EXCEPTIONS_SQL = "SELECT * FROM intl_exceptions"

# The rate in force on a day: the latest observation on or before it.
RATE_ON_SQL = """
SELECT * FROM intl_rates
WHERE currency = ? AND reporting_currency = ? AND value_date <= ?
ORDER BY value_date DESC
LIMIT 1
"""

ADDRESSED_TO = (
    "directive_id IN (SELECT directive_id FROM intl_directive_addressees WHERE country = ?)"
)
