"""The International's commands and queries: recognition, rates, the loan, directives, exceptions.

Every command is a supervisor's; an auditor may also raise a compliance exception.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query

from federation.api import schemas_international as i
from federation.api.deps import ActorDep, IdempotencyKey, context, get_app
from federation.api.errors import ERROR_RESPONSES
from federation.api.routers.committee import Limit, Offset
from federation.api.schemas import CommandResult, Page
from federation.node.international import InternationalApplication

AppDep = Annotated[InternationalApplication, Depends(get_app)]
router = APIRouter(prefix="/v1", responses=ERROR_RESPONSES)
CREATED: dict[str, Any] = {"status_code": 201, "response_model": CommandResult}
DONE: dict[str, Any] = {"response_model": CommandResult}
Currency = Annotated[str | None, Query(description="a currency code, e.g. XPM")]


def _page(items: list[dict[str, Any]], limit: int, offset: int) -> Page:
    return Page(items=items, limit=limit, offset=offset)


# --- recognition ---------------------------------------------------------------------------


@router.post("/recognitions", tags=["recognition"], **CREATED)
def recognise(body: i.RecogniseIn, app: AppDep, actor: ActorDep, key: IdempotencyKey = None) -> Any:
    """Recognise a country's committee as working under the International's supervision."""
    return app.recognise_committee(
        context(actor, key, "recognise", body),
        country=body.country,
        committee_name=body.committee_name,
        on=body.recognised_on,
    )


@router.post("/recognitions/{country}/suspend", tags=["recognition"], **DONE)
def suspend(
    country: str, body: i.SuspendIn, app: AppDep, actor: ActorDep, key: IdempotencyKey = None
) -> Any:
    """Suspend a committee, giving the reason; its commands that need recognition are refused."""
    return app.suspend_committee(
        context(actor, key, "suspend", body, country=country),
        country=country,
        reason=body.reason,
        on=body.suspended_on,
    )


@router.post("/recognitions/{country}/reinstate", tags=["recognition"], **DONE)
def reinstate(
    country: str, body: i.ReinstateIn, app: AppDep, actor: ActorDep, key: IdempotencyKey = None
) -> Any:
    """Reinstate a suspended committee, giving the reason."""
    return app.reinstate_committee(
        context(actor, key, "reinstate", body, country=country),
        country=country,
        reason=body.reason,
        on=body.reinstated_on,
    )


@router.get("/recognitions", tags=["recognition"], response_model=Page)
def recognitions(
    app: AppDep, standing: i.Standing | None = None, limit: Limit = 100, offset: Offset = 0
) -> Any:
    """Each country's committee with its standing (recognised or suspended), since when and why."""
    return _page(app.recognitions(standing=standing, limit=limit, offset=offset), limit, offset)


# --- exchange rates ------------------------------------------------------------------------


@router.post("/rates", tags=["rates"], **CREATED)
def observe_rate(body: i.RateIn, app: AppDep, actor: ActorDep, key: IdempotencyKey = None) -> Any:
    """Record the rate of a currency on a value date; amounts convert at their value date's rate."""
    return app.observe_rate(
        context(actor, key, "observe_rate", body),
        currency=body.currency,
        reporting_currency=body.reporting_currency,
        rate=body.exact_rate(),
        value_date=body.value_date,
        source=body.source,
    )


@router.post("/rates/{currency}/{reporting_currency}/{value_date}/correct", tags=["rates"], **DONE)
def correct_rate(
    currency: str,
    reporting_currency: str,
    value_date: date,
    body: i.RateCorrectionIn,
    app: AppDep,
    actor: ActorDep,
    key: IdempotencyKey = None,
) -> Any:
    """Correct a wrongly observed rate; the correction and its reason stay on record."""
    path = {"currency": currency, "reporting": reporting_currency, "on": value_date.isoformat()}
    return app.correct_rate(
        context(actor, key, "correct_rate", body, **path),
        currency=currency,
        reporting_currency=reporting_currency,
        value_date=value_date,
        rate=body.exact_rate(),
        reason=body.reason,
    )


@router.get("/rates", tags=["rates"], response_model=Page)
def rates(
    app: AppDep,
    currency: Currency = None,
    reporting_currency: Currency = None,
    since: Annotated[date | None, Query(alias="from", description="first value date")] = None,
    until: Annotated[date | None, Query(alias="to", description="last value date")] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Any:
    """Observed rates by currency and value date, with any correction and its reason."""
    items = app.rates(
        currency=currency,
        reporting_currency=reporting_currency,
        since=since,
        until=until,
        limit=limit,
        offset=offset,
    )
    return _page(items, limit, offset)


@router.get("/rates/{currency}/{reporting_currency}/on/{day}", tags=["rates"])
def rate_on(currency: str, reporting_currency: str, day: date, app: AppDep) -> Any:
    """The rate in force on a day: the latest observed on or before it (404 if none)."""
    return app.rate_on(currency=currency, reporting_currency=reporting_currency, on=day)


# --- the workers' loan ---------------------------------------------------------------------


@router.post("/loan-issues", tags=["loan"], **CREATED)
def authorise_loan_issue(
    body: i.LoanIssueIn, app: AppDep, actor: ActorDep, key: IdempotencyKey = None
) -> Any:
    """Authorise a loan issue: coupon rate, term in years, and face values per currency."""
    return app.authorise_loan_issue(
        context(actor, key, "authorise_loan_issue", body),
        code=body.code,
        name=body.name,
        coupon_rate=body.exact_coupon_rate(),
        term_years=body.term_years,
        denominations=body.faces(),
        on=body.authorised_on,
    )


@router.get("/loan-issues", tags=["loan"], response_model=Page)
def loan_issues(app: AppDep, limit: Limit = 100, offset: Offset = 0) -> Any:
    """The loan issues authorised, with their terms; committees record subscriptions to them."""
    return _page(app.loan_issues(limit=limit, offset=offset), limit, offset)


# --- directives ----------------------------------------------------------------------------


@router.post("/directives", tags=["directives"], **CREATED)
def issue_directive(
    body: i.DirectiveIn, app: AppDep, actor: ActorDep, key: IdempotencyKey = None
) -> Any:
    """Issue a directive to the recognised committees of the countries named."""
    return app.issue_directive(
        context(actor, key, "issue_directive", body),
        reference=body.reference,
        addressees=body.addressees,
        text=body.text,
        on=body.issued_on,
    )


@router.get("/directives", tags=["directives"], response_model=Page)
def directives(
    app: AppDep,
    addressee: Annotated[str | None, Query(description="only those to this country")] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Any:
    """Directives issued, in order, optionally only those addressed to one committee."""
    return _page(app.directives(addressee=addressee, limit=limit, offset=offset), limit, offset)


# --- compliance exceptions -----------------------------------------------------------------


@router.post("/exceptions", tags=["exceptions"], **CREATED)
def raise_exception(
    body: i.ExceptionIn, app: AppDep, actor: ActorDep, key: IdempotencyKey = None
) -> Any:
    """Raise a compliance exception: a rule a node was found to have broken after the fact."""
    return app.raise_exception(
        context(actor, key, "raise_exception", body),
        rule=body.rule,
        node=body.node,
        subject_id=body.subject_id,
        detail=body.detail,
        on=body.raised_on,
    )


@router.post("/exceptions/{exception_id}/resolve", tags=["exceptions"], **DONE)
def resolve_exception(
    exception_id: UUID,
    body: i.ResolutionIn,
    app: AppDep,
    actor: ActorDep,
    key: IdempotencyKey = None,
) -> Any:
    """Resolve a compliance exception, saying how; it is resolved once."""
    return app.resolve_exception(
        context(actor, key, "resolve_exception", body, exception_id=str(exception_id)),
        exception_id=exception_id,
        resolution=body.resolution,
        on=body.resolved_on,
    )


@router.get("/exceptions", tags=["exceptions"], response_model=Page)
def exceptions(
    app: AppDep,
    status: i.ExceptionStatus | None = None,
    node: Annotated[str | None, Query(description="the node that broke the rule")] = None,
    rule: Annotated[str | None, Query(description="the rule's code")] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Any:
    """Compliance exceptions, open or resolved, by node and rule."""
    items = app.exceptions(status=status, node=node, rule=rule, limit=limit, offset=offset)
    return _page(items, limit, offset)
