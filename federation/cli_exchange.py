"""``aidfed import receipts``: send a collection list to a committee node."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from federation.cli_record import post_to_node

console = Console()
import_app = typer.Typer(help="Import files into a node.")


@import_app.command("receipts")
def receipts(
    file: Annotated[
        Path, typer.Argument(help="the collection list, CSV", exists=True, dir_okay=False)
    ],
    url: Annotated[
        str,
        typer.Option(help="the committee node, e.g. http://127.0.0.1:8102", envvar="AIDFED_URL"),
    ],
    token: Annotated[
        str, typer.Option(help="your API token (a treasurer's)", envvar="AIDFED_TOKEN")
    ],
) -> None:
    """Record every line of a collection list, or nothing and a report of every bad line."""
    text = file.read_text(encoding="utf-8-sig")
    headers = {
        "Authorization": f"Bearer {token}",
        "Content-Type": "text/csv",
        "Idempotency-Key": f"import-{hashlib.sha256(text.encode()).hexdigest()}",
    }
    status, body = post_to_node(url, "/v1/receipts/import", headers, content=text.encode())
    if status == 201:
        console.print(
            f"{body['recorded']} receipt(s) recorded, "
            f"{body['already_recorded']} already recorded before"
        )
        return
    console.print(f"[red]{body.get('error', {}).get('message', body)}[/]")
    for line in body.get("lines", []):
        console.print(f"  line {line['line']}: {line['reason']}", markup=False)
    raise typer.Exit(1)
