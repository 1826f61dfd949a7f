"""The ``aidfed`` command: serve a node, run the demo."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from federation.cli_audit import audit_app
from federation.cli_exchange import import_app
from federation.cli_node import node_app, peer_app, status, sync, user_app
from federation.cli_record import record_app

app = typer.Typer(help="Aid Federation: nodes of an event-sourced federation of aid committees.")
log_app = typer.Typer(help="The node's signed, verifiable log.")
app.add_typer(log_app, name="log")
app.add_typer(node_app, name="node")
app.add_typer(peer_app, name="peer")
app.add_typer(user_app, name="user")
app.add_typer(audit_app, name="audit")
app.add_typer(import_app, name="import")
app.add_typer(record_app, name="record")
app.command("sync")(sync)
app.command("status")(status)


@app.command()
def demo(
    data_dir: Annotated[Path, typer.Option(help="where the demo keeps its nodes")] = Path(
        "data/demo"
    ),
    port: Annotated[int, typer.Option(help="first port; the nodes take the next six too")] = 8100,
) -> None:
    """Start a whole federation on loopback with the 1922-23 scenario and its dashboard."""
    from federation.demo.run import PortsInUse, run_demo

    try:
        run_demo(data_dir, port)
    except PortsInUse as error:
        raise typer.BadParameter(str(error), param_hint="--port") from None


@log_app.command("verify")
def log_verify(
    data_dir: Annotated[Path, typer.Argument(help="the node's data folder")] = Path("data/DE"),
    data_dir_option: Annotated[
        Path | None, typer.Option("--data-dir", help="the node's data folder (same as DATA_DIR)")
    ] = None,
    database: Annotated[
        str | None, typer.Option(help="the node's postgresql:// URL (default: data_dir's SQLite)")
    ] = None,
    public_key: Annotated[
        str | None, typer.Option(help="the node's vkey, or a file holding it (default: data_dir)")
    ] = None,
    cosigner: Annotated[
        list[str] | None, typer.Option(help="a cosigner's vkey, to check its cosignatures")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
) -> None:
    """Verify a node's log offline: every entry, tree hash and checkpoint; exit 1 if tampered."""
    from federation.signedlog.verify_command import run

    folder = data_dir_option or data_dir
    raise typer.Exit(run(folder, database, public_key, cosigner or (), as_json))


def main() -> None:
    """Entry point of the ``aidfed`` console script."""
    app()
