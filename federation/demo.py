"""The demo: a committee node on loopback with a few 1922 events recorded through its API."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import uvicorn
from rich.console import Console

from federation.api.app import create_app
from federation.settings import NodeKind, Settings

console = Console()


def actor(person: str, role: str) -> dict[str, str]:
    """Headers naming the acting person (percent-encoded: headers are ASCII) and role."""
    return {"X-Actor": quote(person), "X-Role": role}


SECRETARY = actor("Willi Münzenberg", "secretary")
TREASURER = actor("Clara Zetkin", "treasurer")
PAYER = actor("Hugo Eberlein", "treasurer")


def _post(client: httpx.Client, path: str, who: dict[str, str], key: str, body: Any = None) -> Any:
    # Every demo command carries a fixed Idempotency-Key: running the demo again repeats the
    # answers and records nothing twice.
    response = client.post(path, json=body, headers={**who, "Idempotency-Key": f"demo-{key}"})
    if response.status_code >= 400:
        raise RuntimeError(f"{path}: {response.status_code} {response.text}")
    return response.json()


def seed(client: httpx.Client) -> None:
    """Record the committee's first weeks, as its officers would."""
    _post(
        client,
        "/v1/committee",
        SECRETARY,
        "constitute",
        {
            "name": "Auslandskomitee zur Organisierung der Arbeiterhilfe für die Hungernden",
            "national_section": "KPD",
            "constituted_on": "1921-08-12",
        },
    )
    _post(
        client,
        "/v1/committee/officers",
        SECRETARY,
        "treasurer",
        {"person": "Clara Zetkin", "office": "treasurer"},
    )
    _post(
        client,
        "/v1/committee/delegates",
        SECRETARY,
        "delegate-metal",
        {
            "delegate": "Robert Dißmann",
            "organisation": "Deutscher Metallarbeiter-Verband, Berlin",
            "organisation_type": "trade_union",
        },
    )
    _post(
        client,
        "/v1/campaigns",
        SECRETARY,
        "campaign",
        {
            "code": "hungerhilfe-1921",
            "title": "Hungerhilfe für Sowjetrußland",
            "kind": "collection",
            "opened_on": "1921-08-15",
        },
    )
    _post(
        client,
        "/v1/receipts/cash",
        TREASURER,
        "receipt-1",
        {
            "campaign_code": "hungerhilfe-1921",
            "contributor": "Metallarbeiter Berlin-Neukölln",
            "organisation_type": "trade_union",
            "amount": {"amount": "7000000.00", "currency": "XPM"},
            "value_date": "1922-03-31",
            "reference": "KAH-1922-0001",
        },
    )
    _post(
        client,
        "/v1/receipts/in-kind",
        TREASURER,
        "receipt-2",
        {
            "campaign_code": "hungerhilfe-1921",
            "contributor": "Konsumgenossenschaft Hamburg",
            "organisation_type": "cooperative",
            "description": "Relief ship cargo from Stettin",
            "valuation": {"amount": "33000000.00", "currency": "XPM"},
            "value_date": "1921-10-15",
        },
    )
    _post(
        client,
        "/v1/pledges",
        TREASURER,
        "pledge-1",
        {
            "campaign_code": "hungerhilfe-1921",
            "pledger": "Berliner Konsumverein",
            "organisation_type": "cooperative",
            "total": {"amount": "2000000.00", "currency": "XPM"},
            "schedule": [
                {"due_on": "1922-05-01", "amount": {"amount": "1000000.00", "currency": "XPM"}},
                {"due_on": "1922-06-01", "amount": {"amount": "1000000.00", "currency": "XPM"}},
            ],
            "pledged_on": "1922-04-02",
        },
    )
    transfer = _post(
        client,
        "/v1/transfers",
        TREASURER,
        "transfer-1",
        {
            "recipient": "INTL",
            "amount": {"amount": "5000000.00", "currency": "XPM"},
            "purpose": "machines and tools for Soviet enterprises",
            "initiated_on": "1922-04-10",
        },
    )
    tid = transfer["transfer_id"]
    _post(client, f"/v1/transfers/{tid}/countersign", SECRETARY, "countersign-1")
    _post(client, f"/v1/transfers/{tid}/send", PAYER, "send-1", {"sent_on": "1922-04-12"})


def run_demo(data_dir: Path, port: int) -> None:
    """Serve the German committee on 127.0.0.1:``port`` and seed it; Ctrl-C stops it."""
    settings = Settings(
        node_id="DE",
        kind=NodeKind.COMMITTEE,
        name="Arbeiterhilfe Deutschland",
        data_dir=data_dir / "DE",
        database="sqlite",
        host="127.0.0.1",
        port=port,
        mode="demo",
    )
    config = uvicorn.Config(
        create_app(settings), host=settings.host, port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://{settings.host}:{port}"
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise SystemExit(f"the node did not start on {base}")
        time.sleep(0.05)
    with httpx.Client(base_url=base, timeout=10) as client:
        seed(client)
        balances = client.get("/v1/books").json()["balances"]
    console.print(f"[bold green]Committee node DE is serving on {base}[/]")
    for row in balances:
        console.print(
            f"  {row['currency']}: cash received {row['cash_received']}, "
            f"in transit {row['in_transit']}, in kind {row['in_kind']}"
        )
    console.print(f"API docs: [bold]{base}/docs[/]   (Ctrl-C stops the node)")
    try:
        while thread.is_alive():
            thread.join(0.5)
    except KeyboardInterrupt:
        server.should_exit = True
        thread.join(10)
