"""``aidfed record``: what treasurers and secretaries record, from the command line.

Each command is one call of the committee node's API with the person's own token, so it runs
the same application service, under the same rules, as any other client; a refusal is printed
as the node gave it (its code and sentence) and the command exits 1 with nothing recorded.
Each sends an Idempotency-Key derived from what it records: running it again records nothing
twice (give ``--key`` to record the same thing again on purpose, e.g. a second equal receipt).
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Annotated, Any

import httpx
import typer
from rich.console import Console

console = Console()
record_app = typer.Typer(help="Record what a committee's treasurer or secretary records.")

Url = Annotated[
    str,
    typer.Option(help="your committee's node, e.g. http://127.0.0.1:8102", envvar="AIDFED_URL"),
]
Token = Annotated[str, typer.Option(help="your API token", envvar="AIDFED_TOKEN")]
Key = Annotated[
    str | None, typer.Option(help="idempotency key (default: derived from what is recorded)")
]
On = Annotated[date, typer.Option(formats=["%Y-%m-%d"], help="the day, e.g. 1922-02-01")]
OrgType = Annotated[
    str,
    typer.Option("--type", help="party_branch, trade_union, cooperative, workers_circle or other"),
]


def money(text: str) -> dict[str, str]:
    """``"25.00 USD"`` as the API's amount: decimal text and a currency code."""
    parts = text.split()
    if len(parts) != 2:
        raise typer.BadParameter(f"{text!r}: give an amount and a currency, e.g. '25.00 USD'")
    return {"amount": parts[0], "currency": parts[1].upper()}


def post_to_node(url: str, path: str, headers: dict[str, str], **body: Any) -> tuple[int, Any]:
    """POST to a node's API: its status and JSON answer, or exit 2 saying why there is none
    (nothing answers at ``url``, or something that is not a node: a wrong --url)."""
    try:
        response = httpx.post(f"{url.rstrip('/')}{path}", headers=headers, timeout=120, **body)
    except httpx.HTTPError as error:
        console.print(f"[red]the node at {url} did not answer: {error}[/]")
        raise typer.Exit(2) from None
    try:
        return response.status_code, response.json()
    except ValueError:
        console.print(
            f"[red]{url} answered HTTP {response.status_code} but not as a node does (no JSON): "
            "is --url (AIDFED_URL) the committee node's address?[/]"
        )
        raise typer.Exit(2) from None


def send(url: str, token: str, path: str, body: dict[str, Any] | None, key: str | None) -> Any:
    """POST a command; print the node's answer; exit 1 on a refusal."""
    digest = hashlib.sha256(json.dumps([path, body], sort_keys=True).encode()).hexdigest()
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": key or f"cli-{digest}"}
    status, answer = post_to_node(url, path, headers, json=body)
    if status >= 400:
        refusal = answer.get("error", {})
        console.print(f"[red]refused ({refusal.get('code')}): {refusal.get('message')}[/]")
        raise typer.Exit(1)
    console.print_json(data=answer)
    return answer


@record_app.command("receipt")
def receipt(
    url: Url,
    token: Token,
    campaign: Annotated[str, typer.Option(help="the campaign's code")],
    contributor: Annotated[str, typer.Option(help="who gave, e.g. 'Ruhr miners, Bochum'")],
    organisation_type: OrgType,
    amount: Annotated[str, typer.Option(help="e.g. '25.00 USD'")],
    on: On,
    reference: Annotated[str | None, typer.Option(help="the collection list's line")] = None,
    key: Key = None,
) -> None:
    """A cash receipt (treasurers)."""
    body = {
        "campaign_code": campaign,
        "contributor": contributor,
        "organisation_type": organisation_type,
        "amount": money(amount),
        "value_date": on.isoformat(),
        "reference": reference,
    }
    send(url, token, "/v1/receipts/cash", body, key)


@record_app.command("pledge")
def pledge(
    url: Url,
    token: Token,
    campaign: Annotated[str, typer.Option(help="the campaign's code")],
    pledger: Annotated[str, typer.Option(help="who promised")],
    organisation_type: OrgType,
    total: Annotated[str, typer.Option(help="e.g. '600.00 USD'")],
    instalment: Annotated[
        list[str], typer.Option(help="DUE-DATE=AMOUNT, once per instalment, e.g. 1922-03-01=200")
    ],
    on: On,
    key: Key = None,
) -> None:
    """A pledge with its instalments (treasurers and secretaries); never counted as money."""
    currency = money(total)["currency"]
    schedule = []
    for line in instalment:
        due, _, amount = line.partition("=")
        if not due or not amount:
            raise typer.BadParameter(f"{line!r}: give DUE-DATE=AMOUNT, e.g. 1922-03-01=200.00")
        schedule.append({"due_on": due, "amount": {"amount": amount, "currency": currency}})
    body = {
        "campaign_code": campaign,
        "pledger": pledger,
        "organisation_type": organisation_type,
        "total": money(total),
        "schedule": schedule,
        "pledged_on": on.isoformat(),
    }
    send(url, token, "/v1/pledges", body, key)


@record_app.command("transfer")
def transfer(
    url: Url,
    token: Token,
    recipient: Annotated[str, typer.Option(help="INTL, the liaison, or an agency")],
    amount: Annotated[str, typer.Option(help="e.g. '5000.00 USD'")],
    purpose: Annotated[str, typer.Option(help="what the money is for")],
    on: On,
    key: Key = None,
) -> None:
    """Initiate a transfer (treasurers); another person countersigns, a third sends it."""
    body = {
        "recipient": recipient,
        "amount": money(amount),
        "purpose": purpose,
        "initiated_on": on.isoformat(),
    }
    send(url, token, "/v1/transfers", body, key)


@record_app.command("countersign")
def countersign(
    url: Url,
    token: Token,
    transfer_id: Annotated[str, typer.Argument(help="the transfer's id")],
    key: Key = None,
) -> None:
    """Countersign a transfer someone else initiated (treasurers and secretaries)."""
    send(url, token, f"/v1/transfers/{transfer_id}/countersign", None, key)


@record_app.command("send")
def send_transfer(
    url: Url,
    token: Token,
    transfer_id: Annotated[str, typer.Argument(help="the transfer's id")],
    on: On,
    reference: Annotated[str | None, typer.Option(help="the bank's reference")] = None,
    key: Key = None,
) -> None:
    """Send a countersigned transfer (a treasurer other than the two who signed)."""
    body = {"sent_on": on.isoformat(), "reference": reference}
    send(url, token, f"/v1/transfers/{transfer_id}/send", body, key)
