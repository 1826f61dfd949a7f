"""The committee's desk: forms for what treasurers and secretaries record, on their own node.

Each form calls the same application service as the API's command, as the logged-in person;
a refusal is shown on the page with the rule's code and sentence, and nothing is recorded.
Each rendered form carries a fresh key, sent as the command's idempotency key: a form submitted
twice (a double click, a reload) records once.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from domain.committee import OrganisationType
from domain.errors import DomainError, InvalidInput
from domain.money import Money
from domain.pledge import Instalment
from federation.api.errors import status_for
from federation.api.users import User
from federation.node.base import Context
from federation.node.committee import CashReceiptLine, CommitteeApplication
from federation.node.idempotency import Idempotency
from federation.web import pages
from federation.web.pages import templates
from federation.web.session import logged_in_as

router = APIRouter(include_in_schema=False)
# The same log-in and log-out as the International's dashboard.
router.add_api_route("/login", pages.login_form, methods=["GET"])
router.add_api_route("/login", pages.login, methods=["POST"], response_model=None)
router.add_api_route("/logout", pages.logout, methods=["GET"])
DESK_ROLES = ("treasurer", "secretary")


officer = logged_in_as(DESK_ROLES, "the desk is for treasurers and secretaries")

OfficerDep = Annotated[User, Depends(officer)]


def desk_page(
    request: Request,
    user: User,
    *,
    refusal: DomainError | None = None,
    done: str | None = None,
    given: tuple[str, dict[str, Any]] = ("", {}),
) -> HTMLResponse:
    """The desk: balances, transfers awaiting a signature or sending, the forms."""
    app: CommitteeApplication = request.app.state.node
    context = {
        "user": user,
        "node": app.settings.node_id,
        "balances": app.balances(),
        "campaigns": app.list_rows("books_campaigns", "opened_on, code", 500, 0),
        "transfers": app.list_rows("books_transfers", "initiated_on, transfer_id", 500, 0),
        "receipts": app.list_rows("books_receipts", "value_date, receipt_id", 500, 0)[-20:],
        "pledges": app.list_rows("books_pledges", "pledged_on, pledge_id", 500, 0)[-20:],
        "types": [t.value for t in OrganisationType],
        "form_key": uuid.uuid4().hex,
        "refusal": refusal,
        "given_form": given[0],  # a refused form is shown again as it was filled in
        "given": given[1],
        "done": done,
        "today": date.today().isoformat(),
    }
    status = status_for(refusal) if refusal else 200
    return templates.TemplateResponse(request, "desk.html", context, status_code=status)


def act(
    request: Request, user: User, form: dict[str, Any], command: str, call: Callable[[Context], Any]
) -> Response:
    """Run one command as ``user``; the desk again with the refusal, or on to the desk."""
    key = str(form.get("form_key") or uuid.uuid4().hex)
    payload = {k: v for k, v in form.items() if k != "form_key"}
    ctx = Context(user.actor, Idempotency.of(key, f"desk_{command}", payload))
    try:
        call(ctx)
    except DomainError as refusal:
        return desk_page(request, user, refusal=refusal, given=(command, payload))
    return RedirectResponse(f"/desk?done={command}", status_code=303)


def day(text: Any) -> date:
    try:
        return date.fromisoformat(str(text))
    except ValueError:
        raise InvalidInput(
            "input.invalid_date", f"{text!r} is not a date like 1922-02-01"
        ) from None


def organisation(text: Any) -> OrganisationType:
    try:
        return OrganisationType(str(text))
    except ValueError:
        raise InvalidInput("input.invalid_type", f"{text!r} is not an organisation type") from None


@router.get("/desk")
def desk(request: Request, user: OfficerDep, done: str | None = None) -> HTMLResponse:
    """The committee's desk."""
    return desk_page(request, user, done=done)


@router.post("/desk/receipts", response_model=None)
async def record_receipt(request: Request, user: OfficerDep) -> Response:
    """A cash receipt."""
    form = dict(await request.form())
    app: CommitteeApplication = request.app.state.node

    def call(ctx: Context) -> Any:
        line = CashReceiptLine(
            campaign_code=str(form.get("campaign", "")),
            contributor=str(form.get("contributor", "")),
            organisation_type=organisation(form.get("organisation_type")),
            amount=Money.of(str(form.get("amount", "")), str(form.get("currency", ""))),
            value_date=day(form.get("value_date")),
            reference=str(form.get("reference") or "") or None,
        )
        return app.record_cash_receipt(ctx, line)

    return await run(request, user, form, "receipt", call)


@router.post("/desk/pledges", response_model=None)
async def record_pledge(request: Request, user: OfficerDep) -> Response:
    """A pledge; its instalments written ``1922-03-01=200.00, 1922-04-01=400.00``."""
    form = dict(await request.form())
    app: CommitteeApplication = request.app.state.node

    def call(ctx: Context) -> Any:
        currency = str(form.get("currency", ""))
        schedule = []
        for part in str(form.get("instalments", "")).split(","):
            due, _, amount = part.strip().partition("=")
            schedule.append(Instalment(day(due), Money.of(amount.strip(), currency)))
        return app.record_pledge(
            ctx,
            campaign_code=str(form.get("campaign", "")),
            pledger=str(form.get("pledger", "")),
            organisation_type=organisation(form.get("organisation_type")),
            total=Money.of(str(form.get("total", "")), currency),
            schedule=schedule,
            on=day(form.get("pledged_on")),
        )

    return await run(request, user, form, "pledge", call)


@router.post("/desk/transfers", response_model=None)
async def initiate_transfer(request: Request, user: OfficerDep) -> Response:
    """Initiate a transfer."""
    form = dict(await request.form())
    app: CommitteeApplication = request.app.state.node

    def call(ctx: Context) -> Any:
        return app.initiate_transfer(
            ctx,
            recipient=str(form.get("recipient", "")),
            amount=Money.of(str(form.get("amount", "")), str(form.get("currency", ""))),
            purpose=str(form.get("purpose", "")),
            on=day(form.get("initiated_on")),
        )

    return await run(request, user, form, "transfer", call)


@router.post("/desk/transfers/{transfer_id}/countersign", response_model=None)
async def countersign(request: Request, user: OfficerDep, transfer_id: UUID) -> Response:
    """Countersign a transfer."""
    form = dict(await request.form())
    app: CommitteeApplication = request.app.state.node
    form["transfer_id"] = str(transfer_id)

    def call(ctx: Context) -> Any:
        return app.countersign_transfer(ctx, transfer_id=transfer_id)

    return await run(request, user, form, "countersign", call)


@router.post("/desk/transfers/{transfer_id}/send", response_model=None)
async def send(request: Request, user: OfficerDep, transfer_id: UUID) -> Response:
    """Send a countersigned transfer."""
    form = dict(await request.form())
    app: CommitteeApplication = request.app.state.node
    form["transfer_id"] = str(transfer_id)

    def call(ctx: Context) -> Any:
        return app.send_transfer(ctx, transfer_id=transfer_id, on=day(form.get("sent_on")))

    return await run(request, user, form, "send", call)


async def run(
    request: Request, user: User, form: dict[str, Any], command: str, call: Callable[[Context], Any]
) -> Response:
    """The command in the thread pool (the application's calls block), as the API's are."""
    return await run_in_threadpool(act, request, user, form, command, call)
